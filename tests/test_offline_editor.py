"""The offline search's progress in the editor, and its cancellation, over stdio: a real server,
a real evolution worker and its real search pool (issue 13, part 2)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from solutions import IDENTITY
from test_evolution_server import (
    CONFIG,
    execute,
    init_params,
    open_and_run,
    script_in,
    wait_status,
    wait_until,
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, request):
    yield
    await lsp_client.shutdown_session()


def _no_rule_task() -> dict:
    """Grid pairs with no relation between input and output: the search runs its whole budget."""
    grids = [[[(r * 3 + c * c + k) % 7 for c in range(9)] for r in range(8)] for k in range(3)]
    outputs = [[[(r + 2 * c * k) % 5 for c in range(6)] for r in range(4)] for k in range(1, 4)]
    return {"train": [{"input": i, "output": o} for i, o in zip(grids, outputs)], "test": [{"input": grids[0]}]}


def _reports(lsp: LanguageClient) -> list[str]:
    return [r.message or "" for reports in lsp.progress_reports.values() for r in reports if isinstance(r, types.WorkDoneProgressReport)]


async def test_the_editor_shows_the_offline_search_and_can_cancel_it(client: LanguageClient, tmp_path: Path):
    await client.initialize_session(init_params(None, generations=3))  # no model configured: the offline model
    _, uri = script_in(tmp_path, IDENTITY)
    (tmp_path / "007bbfb7.json").write_text(json.dumps(_no_rule_task()))
    await open_and_run(client, uri, IDENTITY)
    await execute(client, "synthLsp.evolve.start", uri)
    status = await wait_status(client, uri, lambda s: "programs tried" in s.get("message", ""), "the offline search's progress")
    assert status["state"] == "running" and status["message"].startswith("offline search: ")
    assert "train pairs" in status["message"] or "nothing yet" in status["message"]
    report = await wait_until(lambda: next((m for m in _reports(client) if "offline search: " in m), None), what="a progress report")
    assert "programs tried" in report and "s left" in report
    token = next(iter(client.progress_reports))
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    stopped = await wait_status(client, uri, lambda s: s["state"] == "stopped", "the evolution to stop")
    assert stopped["generation"] <= 1  # the 10 s search and its 3 generations were cut short
    assert isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd)
