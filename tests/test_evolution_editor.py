"""Evolution in the editor, over real stdio with real worker processes (issue 12, sections 3-5):
at most `maxEvolutionWorkers` run and the others are shown as queued; closing a script stops its
worker unless `keepEvolvingWhenClosed`; `autoEvolve` starts nothing for a population that already
fits the train pairs; applying a candidate keeps the user's header; a broken or huge history does
not break lenses, code actions or the listing."""

from __future__ import annotations

import itertools
import json
import os
from pathlib import Path

import pytest
import pytest_lsp
from fake_openai import Reply
from lsprotocol import types
from pytest_lsp import LanguageClient
from server_client import new_workspace, uri_of
from solutions import FRACTAL_007BBFB7, IDENTITY
from test_evolution_server import (
    CONFIG,
    code_actions,
    evolution_client,  # noqa: F401 (CONFIG's client factory)
    execute,
    fenced,
    init_params,
    open_and_run,
    wait_status,
    wait_until,
)

STATUS_TIMEOUT_S = 90.0


@pytest.fixture
def wandering_model(fake_openai):
    """Never fits: every reply is a new, wrong script, so evolution keeps going."""
    counter = itertools.count()
    fake_openai.responder = lambda body: Reply(
        fenced(
            f'result = {{"output_grid": [[{next(counter) % 10}] * 9 for _ in range(9)]}}  # try {next(counter)}\n'
        )
    )
    return fake_openai


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


def script_at(folder: Path, text: str = IDENTITY) -> tuple[Path, str]:
    folder.mkdir(parents=True, exist_ok=True)
    new_workspace(folder)
    path = folder / "007bbfb7.synth.py"
    path.write_text(text)
    return path, uri_of(path)


def states(client: LanguageClient, uri: str) -> list[str]:
    return [s["state"] for s in client.statuses if s["uri"] == uri]


def progress_messages(client: LanguageClient) -> list[str]:
    return [
        getattr(v, "message", "") or ""
        for values in client.progress_reports.values()
        for v in values
    ]


def stored_population(path: Path, candidates: list) -> Path:
    from synth_lsp.optimizer.population import Population, population_path_for

    population = Population(population_path_for(path))
    for candidate in candidates:
        population.add(candidate)
    population.save()
    return population.path


def scored(path: Path, script: str, sandbox, origin: str = "mutation"):
    from synth_lsp.core.task import load_task_for_script
    from synth_lsp.optimizer.candidate import new_candidate, score_candidate

    return score_candidate(
        new_candidate(script, origin), load_task_for_script(path), sandbox
    )


async def test_more_starts_than_slots_are_queued_and_start_when_a_slot_frees(
    client: LanguageClient, wandering_model, tmp_path: Path
):
    await client.initialize_session(
        init_params(wandering_model.api_base, generations=500, maxEvolutionWorkers=1)
    )
    first_path, first = script_at(tmp_path / "a")
    second_path, second = script_at(tmp_path / "b")
    await open_and_run(client, first, IDENTITY)
    await open_and_run(client, second, IDENTITY)

    assert (await execute(client, "synthLsp.evolve.start", first))["started"] is True
    queued = await execute(client, "synthLsp.evolve.start", second)
    assert (
        queued["started"] is False
        and queued["queued"] is True
        and "queued" in queued["message"]
    ), queued
    shown = await wait_status(
        client, second, lambda s: s["state"] == "queued", "the queued status"
    )
    assert "maxEvolutionWorkers 1" in shown["message"] and shown["pid"] is None
    await wait_until(
        lambda: any(m.startswith("queued") for m in progress_messages(client)),
        what="'queued' in the progress",
    )
    assert (await execute(client, "synthLsp.evolve.start", second))[
        "queued"
    ] is True  # asking again does not start it

    await wait_status(
        client,
        first,
        lambda s: s["state"] == "running" and s["generation"] >= 1,
        "the first to run",
    )
    assert "running" not in states(client, second)  # still waiting while the first runs
    assert (await execute(client, "synthLsp.evolve.stop", first))["stopped"] is True
    started = await wait_status(
        client,
        second,
        lambda s: s["state"] == "running" and s["pid"],
        "the queued one to start",
    )
    assert started["pid"]
    assert (await execute(client, "synthLsp.evolve.stop", second))["stopped"] is True


async def test_a_queued_script_closed_leaves_the_queue(
    client: LanguageClient, wandering_model, tmp_path: Path
):
    await client.initialize_session(
        init_params(wandering_model.api_base, generations=500, maxEvolutionWorkers=1)
    )
    _, first = script_at(tmp_path / "a")
    _, second = script_at(tmp_path / "b")
    await open_and_run(client, first, IDENTITY)
    await open_and_run(client, second, IDENTITY)
    await execute(client, "synthLsp.evolve.start", first)
    await execute(client, "synthLsp.evolve.start", second)
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(second))
    )
    off = await wait_status(
        client, second, lambda s: s["state"] == "stopped", "the queued script taken off"
    )
    assert "queue" in off["message"]
    await execute(client, "synthLsp.evolve.stop", first)
    await wait_status(
        client, first, lambda s: s["state"] == "stopped", "the first to stop"
    )
    assert "running" not in states(client, second)  # it never started


async def test_closing_stops_the_worker_unless_kept(
    client: LanguageClient, wandering_model, tmp_path: Path
):
    await client.initialize_session(
        init_params(
            wandering_model.api_base, generations=500, keepEvolvingWhenClosed=True
        )
    )
    kept_path, kept = script_at(tmp_path / "kept")
    await open_and_run(client, kept, IDENTITY)
    await execute(client, "synthLsp.evolve.start", kept)
    running = await wait_status(
        client,
        kept,
        lambda s: s["state"] == "running" and s["generation"] >= 1,
        "a generation",
    )
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(kept))
    )
    later = await wait_status(
        client,
        kept,
        lambda s: s["state"] == "running" and s["generation"] > running["generation"],
        "a generation after the close",
    )
    assert later["pid"] == running["pid"]  # the same worker went on

    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(
            {"synthLsp": {"keepEvolvingWhenClosed": False}}
        )
    )
    _, closed = script_at(tmp_path / "closed")
    await open_and_run(client, closed, IDENTITY)
    await execute(client, "synthLsp.evolve.start", closed)
    await wait_status(
        client,
        closed,
        lambda s: s["state"] == "running" and s["generation"] >= 1,
        "a generation",
    )
    client.text_document_did_close(
        types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(closed))
    )
    await wait_status(
        client,
        closed,
        lambda s: s["state"] == "stopped",
        "the closed script's worker to stop",
    )
    assert (await execute(client, "synthLsp.evolve.stop", kept))[
        "stopped"
    ] is True  # a kept worker is still stopped by its uri


async def test_auto_evolve_starts_nothing_when_the_population_already_fits(
    client: LanguageClient, fake_openai, tmp_path: Path, sandbox
):
    fake_openai.responder = lambda body: Reply(fenced(FRACTAL_007BBFB7))
    fitting_path, fitting = script_at(tmp_path / "fits")
    best = scored(fitting_path, FRACTAL_007BBFB7, sandbox)
    assert best.fits_train
    stored_population(
        fitting_path, [scored(fitting_path, IDENTITY, sandbox, "seed"), best]
    )
    wrong_path, wrong = script_at(tmp_path / "wrong")
    stored_population(wrong_path, [scored(wrong_path, IDENTITY, sandbox, "seed")])
    await client.initialize_session(init_params(fake_openai.api_base, autoEvolve=True))

    await open_and_run(client, fitting, IDENTITY)
    idle = await wait_status(
        client, fitting, lambda s: s["state"] == "idle", "the decision not to start"
    )
    assert "already fits the train pairs" in idle["message"] and idle["pid"] is None
    await open_and_run(client, wrong, IDENTITY)
    await wait_status(
        client,
        wrong,
        lambda s: s["state"] in ("finished", "running"),
        "the other script's evolution",
    )
    assert not any(
        s["state"] == "running" for s in client.statuses if s["uri"] == fitting
    )
    # asking is still asking
    assert (await execute(client, "synthLsp.evolve.start", fitting))["started"] is True
    await wait_status(
        client,
        fitting,
        lambda s: s["state"] in ("finished", "stopped"),
        "the asked-for run",
    )


async def test_apply_keeps_the_users_header(
    client: LanguageClient, tmp_path: Path, sandbox
):
    header = "# synth: time_limit = 1.5\n"
    path, uri = script_at(tmp_path / "h", header + IDENTITY)
    foreign = (
        "# synth: time_limit = 0.1\n# synth: examples = elsewhere.json\n"
        + FRACTAL_007BBFB7
    )
    stored_population(path, [scored(path, foreign, sandbox)])
    await client.initialize_session(init_params(None))
    await open_and_run(client, uri, header + IDENTITY)
    actions = await code_actions(client, uri)
    assert actions
    new_text = actions[0].edit.document_changes[0].edits[0].new_text
    assert (
        new_text.startswith(header)
        and "elsewhere.json" not in new_text
        and "0.1" not in new_text
    )
    applied = await execute(client, "synthLsp.applyBest", uri)
    assert applied["applied"] is True, applied
    edit = client.applied_edits[-1].document_changes[0].edits[0].new_text
    assert edit == new_text and "def transform" in edit


async def test_a_candidate_that_is_not_an_object_breaks_nothing(
    client: LanguageClient, tmp_path: Path, sandbox
):
    path, uri = script_at(tmp_path / "broken")
    good = stored_population(path, [scored(path, FRACTAL_007BBFB7, sandbox)])
    data = json.loads(good.read_text())
    data["candidates"].append(["not", "an", "object"])
    good.write_text(json.dumps(data))
    await client.initialize_session(init_params(None))
    await open_and_run(client, uri, IDENTITY)
    assert (
        await code_actions(client, uri) == []
    )  # the unreadable population offers nothing, and answers
    lenses = await client.text_document_code_lens_async(
        types.CodeLensParams(types.TextDocumentIdentifier(uri))
    )
    assert lenses and "train 0/5" in lenses[0].command.title
    assert await execute(client, "synthLsp.population", uri) == []
    # fixed on disk: offered again, nothing was lost or overwritten meanwhile
    data["candidates"].pop()
    good.write_text(json.dumps(data))
    assert await wait_until(lambda: True) and await code_actions(client, uri)


async def test_the_listing_of_a_long_history_diffs_only_the_living_and_the_best(
    client: LanguageClient, tmp_path: Path, sandbox
):
    from synth_lsp.optimizer.candidate import candidate_id

    path, uri = script_at(tmp_path / "long")
    template = scored(
        path, 'result = {"output_grid": [[1] * 9 for _ in range(9)]}\n', sandbox
    )
    dead = []
    for i in range(60):
        c = scored(path, FRACTAL_007BBFB7, sandbox) if i == 0 else None
        if c is None:
            import copy

            c = copy.copy(template)
            c.script = template.script + f"# {i}\n"
            c.id = candidate_id(c.script)
            c.alive = False
        dead.append(c)
    stored_population(path, dead)
    await client.initialize_session(init_params(None))
    await open_and_run(client, uri, IDENTITY)
    listing = await execute(client, "synthLsp.population", uri)
    assert len(listing) == 60
    with_diff = [c for c in listing if c["diff"] is not None]
    assert (
        listing[0]["fitsTrain"] and listing[0]["diff"]
    )  # the best, offered: its diff is there
    assert 1 <= len(with_diff) <= 21 and all(c["script"] for c in listing)
    assert os.path.exists(path)
