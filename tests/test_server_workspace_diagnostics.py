"""Workspace diagnostics over stdio (pytest-lsp, the real server and sandbox; setting
`workspaceDiagnostics`): every script of the folder is run once without being opened, a broken
examples file is that script's diagnostic and the pass goes on, an opened script is handed over to
the editor's runs and comes back when closed, and with 500 scripts an edit of an open script still
gets its diagnostics while the pass is running."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
import tempfile
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from server_client import (
    CONFIG,
    EXAMPLES,
    change_doc,
    open_doc,
    pulling_capabilities,
    save_doc,
    settle,
    uri_of,
    wait_for_publication,
)

IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'
FRACTAL = '''g = inputs["input_grid"]
n = len(g)
out = [[0] * (n * n) for _ in range(n * n)]
for i in range(n):
    for j in range(n):
        if g[i][j]:
            for a in range(n):
                for b in range(n):
                    out[i * n + a][j * n + b] = g[a][b]
result = {"output_grid": out}
'''


def folder_of_scripts(root: Path, count: int = 0) -> Path:
    """Three scripts (one wrong, one right, one whose examples file is broken), one hidden in
    `.venv` (never run), and `count` more copies of the wrong one in a subfolder."""
    shutil.copy(EXAMPLES / "007bbfb7.json", root / "007bbfb7.json")
    (root / "007bbfb7.synth.py").write_text(IDENTITY)
    (root / "right.synth.py").write_text("# synth: examples = 007bbfb7.json\n" + FRACTAL)
    (root / "broken.json").write_text('{"train": [')
    (root / "uses_broken.synth.py").write_text(IDENTITY)
    (root / "uses_broken.synth.py").write_text("# synth: examples = broken.json\n" + IDENTITY)
    (root / "huge.synth.py").write_text("# padding\n" * 200_000 + IDENTITY)  # 2 MB: not a script anyone wrote
    os.mkfifo(root / "fifo.synth.py")  # would block a reader that opened it blindly
    (root / ".venv").mkdir()
    (root / ".venv" / "hidden.synth.py").write_text(IDENTITY)
    if count:
        many = root / "many"
        many.mkdir()
        for i in range(count):
            (many / f"s{i:03}.synth.py").write_text("# synth: examples = ../007bbfb7.json\n" + IDENTITY)
    return root


async def start(client: LanguageClient, root: Path, enabled: bool = True) -> None:
    client.root = root
    params = types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("neovim@v0.7.0"),
        root_uri=uri_of(root),
        workspace_folders=[types.WorkspaceFolder(uri=uri_of(root), name="scripts")],
        initialization_options={"settings": {"timeLimit": 1, "workspaceDiagnostics": enabled}},
    )
    await client.initialize_session(params)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    root = Path(tempfile.mkdtemp(prefix="synth-workspace-"))
    await start(lsp_client, folder_of_scripts(root))
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(root, ignore_errors=True)


@pytest_lsp.fixture(config=CONFIG)
async def big(lsp_client: LanguageClient):
    root = Path(tempfile.mkdtemp(prefix="synth-workspace-500-"))
    await start(lsp_client, folder_of_scripts(root, 500))
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(root, ignore_errors=True)


def pushed_for(client: LanguageClient, uri: str) -> list[types.PublishDiagnosticsParams]:
    return [p for p in client.published if p.uri == uri]


async def test_every_script_of_the_workspace_is_run_once_without_opening_it(client: LanguageClient):
    root: Path = client.root
    wrong = await wait_for_publication(client, uri_of(root / "007bbfb7.synth.py"), lambda p: len(p.diagnostics) == 5)
    assert wrong.version is None and {d.code for d in wrong.diagnostics} == {"mismatch"}
    broken = await wait_for_publication(client, uri_of(root / "uses_broken.synth.py"), lambda p: len(p.diagnostics) > 0)
    assert [d.code for d in broken.diagnostics] == ["examples"] and broken.diagnostics[0].message.startswith("cannot run: ")
    assert "broken.json" in broken.diagnostics[0].message
    right = await wait_for_publication(client, uri_of(root / "right.synth.py"))
    assert not right.diagnostics
    # the examples files: one problem per failing pair of the wrong script; the broken file's own problem
    examples = await wait_for_publication(client, uri_of(root / "007bbfb7.json"), lambda p: len(p.diagnostics) == 5)
    assert {d.severity for d in examples.diagnostics} == {types.DiagnosticSeverity.Warning}
    await wait_for_publication(client, uri_of(root / "broken.json"), lambda p: [d.code for d in p.diagnostics] == ["examples"])
    # a hover on a mark the pass put in the examples file draws that pair's grids
    examples_uri = uri_of(root / "007bbfb7.json")
    open_doc(client, examples_uri, (root / "007bbfb7.json").read_text(), language="json")
    on_mark = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(examples_uri), examples.diagnostics[1].range.start))
    assert on_mark is not None and on_mark.contents.value.startswith("**train pair 2**: wrong shape")
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(examples_uri)))
    for name, words in (("huge.synth.py", "over the limit of 1 MB"), ("fifo.synth.py", "FIFO")):
        odd = await wait_for_publication(client, uri_of(root / name), lambda p: len(p.diagnostics) > 0)
        assert odd.diagnostics[0].message.startswith("cannot run: ") and words in odd.diagnostics[0].message, odd
    await settle(client, 0.5)
    assert not pushed_for(client, uri_of(root / ".venv" / "hidden.synth.py"))
    assert len(pushed_for(client, uri_of(root / "007bbfb7.synth.py"))) == 1  # once

    # opened: the editor's runs take over (the pass's push is cleared first); closed: back to the pass
    uri = uri_of(root / "007bbfb7.synth.py")
    mark = len(client.published)
    open_doc(client, uri, FRACTAL)
    opened = await wait_for_publication(client, uri, lambda p: p.version == 1, after=mark)
    assert not opened.diagnostics
    assert next(p.diagnostics for p in client.published[mark:] if p.uri == uri) == ()  # the handover
    mark = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    back = await wait_for_publication(client, uri, lambda p: p.version is None and len(p.diagnostics) == 5, after=mark)
    assert {d.code for d in back.diagnostics} == {"mismatch"}  # the file on disk, run again

    # a script changed on disk is run again; the setting turned off clears what the pass showed
    mark = len(client.published)
    (root / "right.synth.py").write_text("# synth: examples = 007bbfb7.json\n" + IDENTITY)
    client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(uri_of(root / "right.synth.py"), types.FileChangeType.Changed)]))
    await wait_for_publication(client, uri_of(root / "right.synth.py"), lambda p: len(p.diagnostics) == 5, after=mark)
    mark = len(client.published)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"synthLsp": {"workspaceDiagnostics": False}}))
    for name in ("007bbfb7.synth.py", "right.synth.py", "uses_broken.synth.py"):
        await wait_for_publication(client, uri_of(root / name), lambda p: not p.diagnostics, after=mark)
    await wait_for_publication(client, uri_of(root / "007bbfb7.json"), lambda p: not p.diagnostics, after=mark)


async def test_with_500_scripts_an_open_script_still_gets_its_diagnostics_during_the_pass(big: LanguageClient):
    root: Path = big.root
    many = sorted((root / "many").iterdir())
    first_seen = await wait_for_publication(big, uri_of(many[0]))
    assert len(first_seen.diagnostics) == 5  # the pass has begun
    path = root / "007bbfb7.synth.py"
    uri = uri_of(path)
    open_doc(big, uri, IDENTITY)
    mark = len(big.published)
    change_doc(big, uri, FRACTAL, 2)
    save_doc(big, uri)
    fixed = await wait_for_publication(big, uri, lambda p: p.version == 2, after=mark)
    assert not fixed.diagnostics
    done = {p.uri for p in big.published if p.uri.endswith(".synth.py") and "/many/" in p.uri}
    assert len(done) < len(many), "the edit had to wait for the whole pass"
    # and the pass goes on to the end, every script once (a run that made way for the edit was
    # queued again at the end, so the last file of the walk is not necessarily the last one run)
    def counts() -> dict[str, int]:
        seen: dict[str, int] = {}
        for p in big.published:
            if "/many/" in p.uri:
                seen[p.uri] = seen.get(p.uri, 0) + 1
        return seen

    for _ in range(6000):
        if len(counts()) == len(many):
            break
        await asyncio.sleep(0.05)
    await settle(big, 1.0)  # nothing more comes
    assert len(counts()) == 500 and set(counts().values()) == {1}
    assert json.loads((root / "007bbfb7.json").read_text())  # read only, never written


def test_the_walk_skips_hidden_and_dependency_folders_and_stops_at_its_limit(tmp_path: Path):
    from synth_lsp.server.workspace_diagnostics import find_scripts

    for folder in ("a", "b/c", ".git", "node_modules/x", "__pycache__"):
        (tmp_path / folder).mkdir(parents=True, exist_ok=True)
        for i in range(3):
            (tmp_path / folder / f"s{i}.synth.py").write_text(IDENTITY)
    (tmp_path / "a" / ".synth.py").write_text(IDENTITY)  # no name: not a script
    found, truncated = find_scripts([tmp_path, tmp_path / "a"], 100)
    assert not truncated and len(found) == 6  # a and b/c, each once though a is listed twice
    assert all(".git" not in p.parts and "node_modules" not in p.parts for p in found)
    found, truncated = find_scripts([tmp_path], 4)
    assert truncated and len(found) == 4


@pytest_lsp.fixture(config=CONFIG)
async def puller(lsp_client: LanguageClient):
    root = Path(tempfile.mkdtemp(prefix="synth-workspace-pull-"))
    folder_of_scripts(root)
    lsp_client.root = root
    params = types.InitializeParams(
        capabilities=pulling_capabilities(),
        root_uri=uri_of(root),
        workspace_folders=[types.WorkspaceFolder(uri=uri_of(root), name="scripts")],
        initialization_options={"settings": {"timeLimit": 1, "workspaceDiagnostics": True}},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()
    shutil.rmtree(root, ignore_errors=True)


async def test_a_pulling_client_gets_unopened_scripts_pushed_and_an_opened_one_pulled_only(puller: LanguageClient):
    root: Path = puller.root
    uri = uri_of(root / "007bbfb7.synth.py")
    await wait_for_publication(puller, uri, lambda p: len(p.diagnostics) == 5)  # unopened: pushed
    mark = len(puller.published)
    open_doc(puller, uri, IDENTITY)
    report = await puller.text_document_diagnostic_async(types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri)))
    assert len(report.items) == 5
    await settle(puller, 0.5)
    # the pushed copy was withdrawn, so the Problems panel does not list the pulled ones twice
    assert [list(p.diagnostics) for p in puller.published[mark:] if p.uri == uri] == [[]]
