"""Pull diagnostics over stdio (pytest-lsp, the real server and sandbox): a client that pulls gets
the script's diagnostics from `textDocument/diagnostic` and never pushed as well; a client that
only takes pushed ones (Neovim 0.7) gets them pushed; a failing script is at most one problem per
failing pair and file."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from server_client import (
    CONFIG,
    by_code,
    change_doc,
    diagnostics_for_version,
    new_workspace,
    open_doc,
    pulling_capabilities,
    save_doc,
    settle,
    uri_of,
    wait_for_publication,
)

pytestmark = pytest.mark.asyncio(loop_scope="module")

IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'
# the rule of 007bbfb7, spoiled on many cells, and a different line of stderr on every pair
NOISY = '''import sys

g = inputs["input_grid"]
n = len(g)
print("pair with", sum(sum(1 for v in row if v) for row in g), "coloured cells", file=sys.stderr)
out = [[0] * (n * n) for _ in range(n * n)]
for i in range(n):
    for j in range(n):
        if g[i][j]:
            for a in range(n):
                for b in range(n):
                    out[i * n + a][j * n + b] = g[a][b]
out = [[9 - v for v in row] for row in out]
result = {"output_grid": out}
'''


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def puller(lsp_client: LanguageClient):
    params = types.InitializeParams(capabilities=pulling_capabilities(), initialization_options={"settings": {"timeLimit": 1}})
    result = await lsp_client.initialize_session(params)
    assert result.capabilities.diagnostic_provider is not None
    yield
    await lsp_client.shutdown_session()


@pytest_lsp.fixture(config=CONFIG, scope="module")
async def pusher(lsp_client: LanguageClient):
    params = types.InitializeParams(capabilities=pytest_lsp.client_capabilities("neovim@v0.7.0"), initialization_options={"settings": {"timeLimit": 1}})
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def script(root: Path, text: str) -> tuple[Path, str]:
    new_workspace(root)
    path = root / "007bbfb7.synth.py"
    path.write_text(text)
    return path, uri_of(path)


async def pull(client: LanguageClient, uri: str, previous: str | None = None):
    return await client.text_document_diagnostic_async(types.DocumentDiagnosticParams(types.TextDocumentIdentifier(uri), previous_result_id=previous))


def problems(diagnostics) -> list[types.Diagnostic]:
    """What VS Code lists in its Problems panel: everything but Hints."""
    return [d for d in diagnostics if d.severity != types.DiagnosticSeverity.Hint]


async def test_a_pulling_client_gets_the_scripts_diagnostics_by_pull_only(puller: LanguageClient, tmp_path: Path):
    _, uri = script(tmp_path, IDENTITY)
    open_doc(puller, uri, IDENTITY)
    report = await pull(puller, uri)  # made at once: it waits for the run of the opened text
    assert report.kind == "full" and len(by_code(report.items, "mismatch")) == 5
    assert report.items[0].message == "train pair 1: wrong shape: expected 9x9, got 3x3"
    again = await pull(puller, uri, report.result_id)
    assert again.kind == "unchanged" and again.result_id == report.result_id

    # the examples file's marks are pushed (it is not open); the script's never are
    examples_uri = uri_of(tmp_path / "007bbfb7.json")
    await wait_for_publication(puller, examples_uri, lambda p: len(p.diagnostics) == 5)
    await settle(puller)
    assert not [p for p in puller.published if p.uri == uri]
    assert puller.diagnostic_refreshes >= 1

    # a run the client did not ask for (its examples changed on disk): it is told to pull again
    refreshes = puller.diagnostic_refreshes
    data = json.loads((tmp_path / "007bbfb7.json").read_text())
    data["train"][0]["output"] = data["train"][0]["input"]
    (tmp_path / "007bbfb7.json").write_text(json.dumps(data))
    puller.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([types.FileEvent(examples_uri, types.FileChangeType.Changed)]))
    for _ in range(600):
        if puller.diagnostic_refreshes > refreshes:
            break
        await asyncio.sleep(0.05)
    assert puller.diagnostic_refreshes > refreshes
    fresh = await pull(puller, uri, report.result_id)
    assert fresh.kind == "full" and len(by_code(fresh.items, "mismatch")) == 4

    # an examples file and a closed script have nothing to pull
    assert list((await pull(puller, examples_uri)).items) == []
    puller.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    assert list((await pull(puller, uri)).items) == []


async def test_a_pull_during_an_edit_answers_for_the_new_text(puller: LanguageClient, tmp_path: Path):
    _, uri = script(tmp_path, IDENTITY)
    open_doc(puller, uri, IDENTITY)
    first = await pull(puller, uri)
    assert len(first.items) == 5
    broken = "result = (\n"
    change_doc(puller, uri, broken, 2)
    save_doc(puller, uri)
    second = await pull(puller, uri, first.result_id)
    assert second.kind == "full" and [d.code for d in second.items] == ["syntax"]


async def test_a_push_only_client_gets_them_pushed_and_pulls_nothing(pusher: LanguageClient, tmp_path: Path):
    _, uri = script(tmp_path, IDENTITY)
    open_doc(pusher, uri, IDENTITY)
    assert len(await diagnostics_for_version(pusher, uri, 1)) == 5
    assert list((await pull(pusher, uri)).items) == []  # no double report for a client that does both


async def test_a_failing_script_is_at_most_one_problem_per_failing_pair_and_file(pusher: LanguageClient, tmp_path: Path):
    _, uri = script(tmp_path, NOISY)
    open_doc(pusher, uri, NOISY)
    diags = await diagnostics_for_version(pusher, uri, 1)
    examples = await wait_for_publication(pusher, uri_of(tmp_path / "007bbfb7.json"), lambda p: len(p.diagnostics) > 0)
    assert len(by_code(diags, "stderr")) >= 3  # the pairs' own outputs, still drawn in place
    assert len(problems(diags)) == 5 and len(problems(examples.diagnostics)) == 5  # 10 in all, not 100
    assert {d.severity for d in by_code(diags, "stderr")} == {types.DiagnosticSeverity.Hint}
    marked = [d for d in examples.diagnostics if d.severity == types.DiagnosticSeverity.Hint]
    assert len(marked) == 5 * 20  # the cells are still marked in place
