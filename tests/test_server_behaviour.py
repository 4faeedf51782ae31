"""End to end over stdio: when runs happen, which one is published, what the examples file
triggers, where settings come from, and that the event loop keeps answering during runs."""

from __future__ import annotations

import asyncio
import json
import subprocess
import sys
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from server_client import (
    CONFIG,
    REPO,
    by_code,
    change_doc,
    diagnostics_for_version,
    new_workspace,
    open_doc,
    save_doc,
    settle,
    uri_of,
    wait_for_publication,
)

IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'
SPIN = "# synth: time_limit = 1.5\nwhile True:\n    pass\n"
# an ARC-valid result that differs from 007bbfb7's expected outputs in shape
ZEROS = 'result = {"output_grid": [[0] * 9 for _ in range(9)]}\n'


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        initialization_options={"settings": {"runTrigger": "change", "debounceMs": 50}, "clientFeatures": {"runResult": True}},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def script_in(root: Path, text: str, name: str = "007bbfb7") -> tuple[Path, str]:
    new_workspace(root, name)
    path = root / f"{name}.synth.py"
    path.write_text(text)
    return path, uri_of(path)


async def test_a_newer_version_supersedes_a_stale_run(client: LanguageClient, tmp_path: Path):
    path, uri = script_in(tmp_path, IDENTITY)
    open_doc(client, uri, IDENTITY)
    await diagnostics_for_version(client, uri, 1)
    mark = len(client.published)
    change_doc(client, uri, SPIN, 2)  # a slow version (1.5 s per pair) ...
    await asyncio.sleep(0.2)  # ... whose run has started
    for version in range(3, 7):  # then quick edits, in one burst (faster than the debounce)
        change_doc(client, uri, ZEROS if version == 6 else IDENTITY + f"# edit {version}\n", version)
    final = await diagnostics_for_version(client, uri, 6, after=mark)
    assert all(d.message.endswith("got 9x9") or "cells differ" in d.message for d in by_code(final, "mismatch"))
    await asyncio.sleep(2.0)  # long enough for the stale 1.5 s run to have finished
    versions = [p.version for p in client.published[mark:] if p.uri == uri]
    # the slow version never publishes; nothing older follows a newer one; the last is the latest
    # (a machine slower than the 50 ms debounce may publish an intermediate edit first)
    assert 2 not in versions and versions == sorted(versions) and versions[-1] == 6, versions
    assert [r.version for r in client.run_results if r.uri == uri][-1] == 6


async def test_the_server_answers_while_a_script_runs(client: LanguageClient, tmp_path: Path):
    _, uri = script_in(tmp_path, SPIN)
    # first use of the handlers (lazy imports, converters) is not what this test is about
    await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    open_doc(client, uri, SPIN)
    await asyncio.sleep(0.3)  # the run is under way (every pair spins for 1.5 s)
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 0)))
    # both were answered while the run was still going: a run on the loop would have held them
    # until its diagnostics were out (an ordering, not a clock: the machine may be loaded)
    assert "running" in lenses[0].command.title and hover is None
    assert not [p for p in client.published if p.uri == uri], "the run finished before the requests were answered"
    [d] = await diagnostics_for_version(client, uri, 1)
    assert d.code == "timeout"


async def test_save_trigger_ignores_changes_until_save(client: LanguageClient, tmp_path: Path):
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"synthLsp": {"runTrigger": "save"}}))
    path, uri = script_in(tmp_path, IDENTITY)
    open_doc(client, uri, IDENTITY)
    await diagnostics_for_version(client, uri, 1)
    mark = len(client.published)
    change_doc(client, uri, ZEROS, 2)
    await settle(client, 0.5)
    assert not [p for p in client.published[mark:] if p.uri == uri]
    save_doc(client, uri)
    diags = await diagnostics_for_version(client, uri, 2, after=mark)
    assert "got 9x9" in diags[0].message or "cells differ" in diags[0].message


async def test_examples_changes_in_the_editor_and_on_disk_rerun_the_script(client: LanguageClient, tmp_path: Path):
    path, uri = script_in(tmp_path, ZEROS)
    examples = tmp_path / "007bbfb7.json"
    open_doc(client, uri, ZEROS)
    first = await diagnostics_for_version(client, uri, 1)
    assert len(by_code(first, "mismatch")) == 5

    # the watcher was registered (VS Code allows dynamic registration)
    [registration] = [r for r in client.registrations if r.method == types.WORKSPACE_DID_CHANGE_WATCHED_FILES]
    assert registration.register_options["watchers"][0]["globPattern"] == "**/*.json"

    # on disk: make train pair 1 expect all zeros, notify as the editor's watcher would
    data = json.loads(examples.read_text())
    data["train"][0]["output"] = [[0] * 9 for _ in range(9)]
    examples.write_text(json.dumps(data))
    mark = len(client.published)
    client.workspace_did_change_watched_files(
        types.DidChangeWatchedFilesParams([types.FileEvent(uri_of(examples), types.FileChangeType.Changed)])
    )
    params = await wait_for_publication(client, uri, lambda p: len(p.diagnostics) == 4, after=mark)
    assert not [d for d in params.diagnostics if d.message.startswith("train pair 1:")]

    # in the editor, unsaved: pair 2 expects zeros too (runTrigger "change" runs on it)
    data["train"][1]["output"] = [[0] * 9 for _ in range(9)]
    open_doc(client, uri_of(examples), examples.read_text(), language="json")
    mark = len(client.published)
    change_doc(client, uri_of(examples), json.dumps(data), 2)
    params = await wait_for_publication(client, uri, lambda p: len(p.diagnostics) == 3, after=mark)

    # a malformed edit in the editor: marked in the examples file, the script says it cannot run
    mark = len(client.published)
    change_doc(client, uri_of(examples), '{"train": [', 3)
    params = await wait_for_publication(client, uri, lambda p: [d.code for d in p.diagnostics] == ["examples"], after=mark)
    bad = await wait_for_publication(client, uri_of(examples), lambda p: [d.code for d in p.diagnostics] == ["examples"], after=mark)
    assert bad.diagnostics[0].range.start == types.Position(0, 11)

    # closing the editor's copy returns to the file on disk (pair 1 fixed only)
    mark = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri_of(examples))))
    await wait_for_publication(client, uri, lambda p: len(p.diagnostics) == 4, after=mark)


async def test_rerun_command_and_lens_refresh(client: LanguageClient, tmp_path: Path):
    _, uri = script_in(tmp_path, IDENTITY)
    open_doc(client, uri, IDENTITY)
    await diagnostics_for_version(client, uri, 1)
    refreshes = client.lens_refreshes
    mark = len(client.published)
    result = await client.workspace_execute_command_async(types.ExecuteCommandParams(command="synthLsp.rerun", arguments=[uri]))
    assert result is None
    await wait_for_publication(client, uri, lambda p: p.version == 1, after=mark)
    for _ in range(100):  # the refresh request follows the publication
        if client.lens_refreshes > refreshes:
            break
        await settle(client, 0.05)
    assert client.lens_refreshes > refreshes
    try:
        await client.workspace_execute_command_async(types.ExecuteCommandParams(command="synthLsp.rerun", arguments=["file:///nowhere.synth.py"]))
    except Exception as exc:
        assert "not open" in str(exc)
    else:
        raise AssertionError("rerun of a document that is not open must fail")
    examples_uri = uri_of(tmp_path / "007bbfb7.json")
    open_doc(client, examples_uri, (tmp_path / "007bbfb7.json").read_text(), language="json")
    try:
        await client.workspace_execute_command_async(types.ExecuteCommandParams(command="synthLsp.rerun", arguments=[examples_uri]))
    except Exception as exc:
        assert "not a synthesis script" in str(exc)
    else:
        raise AssertionError("an examples file is not a script to run")


async def test_closing_a_script_clears_its_diagnostics(client: LanguageClient, tmp_path: Path):
    _, uri = script_in(tmp_path, IDENTITY)
    open_doc(client, uri, IDENTITY)
    await diagnostics_for_version(client, uri, 1)
    await wait_for_publication(client, uri_of(tmp_path / "007bbfb7.json"), lambda p: len(p.diagnostics) == 5)
    mark = len(client.published)
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await wait_for_publication(client, uri, lambda p: not p.diagnostics, after=mark)
    await wait_for_publication(client, uri_of(tmp_path / "007bbfb7.json"), lambda p: not p.diagnostics, after=mark)


def test_start_up_imports_nothing_heavy():
    code = (
        "import sys, synth_lsp.server.app, synth_lsp.server.main\n"
        "heavy = [m for m in ('litellm', 'pydantic_monty', 'numpy', 'synth_lsp.optimizer') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_the_server_is_built_by_create_server_not_at_import():
    """Each call wires a fresh server with the same features; `main` runs without the CLI package."""
    code = (
        "import sys, synth_lsp.server.main\n"
        "from synth_lsp.server.app import create_server\n"
        "from synth_lsp.server.server import SynthLanguageServer\n"
        "import gc; built = [o for o in gc.get_objects() if isinstance(o, SynthLanguageServer)]\n"
        "a, b = create_server(), create_server()\n"
        "print(len(built), a is not b, sorted(a.protocol.fm.commands) == sorted(b.protocol.fm.commands), 'synth_lsp.cli' in sys.modules)\n"
        "print(synth_lsp.server.main.parse_args(['--stdio', '--log-level', 'INFO']))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True)
    first, second = out.stdout.strip().splitlines()
    assert first == "0 True True False"
    assert "stdio=True" in second and "tcp=False" in second and "log_level='INFO'" in second and "port=2087" in second


async def test_a_superseded_run_stuck_in_a_loop_does_not_hold_up_the_fix(client: LanguageClient, tmp_path: Path):
    """The stale run is stopped inside the sandbox, not left to spin out its 60 s limit on every worker."""
    stuck = "# synth: time_limit = 60\nwhile True:\n    pass\n"
    path, uri = script_in(tmp_path, stuck)
    open_doc(client, uri, stuck)
    await asyncio.sleep(0.5)  # the loop is running on the workers
    change_doc(client, uri, IDENTITY, 2)
    diagnostics = await asyncio.wait_for(diagnostics_for_version(client, uri, 2), 20.0)
    assert by_code(diagnostics, "mismatch") and not by_code(diagnostics, "timeout")
