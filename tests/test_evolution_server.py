"""The background population in the editor, end to end over stdio: a real server, real evolution
workers, the real litellm HTTP path against a local scripted OpenAI-compatible server."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from pytest_lsp.client import register_lsp_features

from fake_openai import Reply
from solutions import FRACTAL_007BBFB7, IDENTITY
from server_client import SERVER_COMMAND, REPO, change_doc, diagnostics_for_version, make_client, new_workspace, open_doc, save_doc, uri_of, wait_for_publication

FRACTAL = FRACTAL_007BBFB7
STATUS = "synthLsp/evolutionStatus"
WAIT_S = 90.0


def fenced(script: str) -> str:
    return f"Here is the improved script.\n\n```python\n{script}```\n"


def evolution_client() -> LanguageClient:
    client = make_client()
    client.statuses = []
    client.applied_edits = []
    client.restart_answers = []
    client.versions = {}

    def status(client: LanguageClient, params: Any) -> None:
        client.statuses.append(params._asdict() if hasattr(params, "_asdict") else dict(params))

    def apply_edit(client: LanguageClient, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        # like an editor: refuse an edit computed for another version of the document
        for change in params.edit.document_changes or []:
            expected = client.versions.get(change.text_document.uri)
            if change.text_document.version is not None and change.text_document.version != expected:
                return types.ApplyWorkspaceEditResult(applied=False, failure_reason="version mismatch")
        client.applied_edits.append(params.edit)
        return types.ApplyWorkspaceEditResult(applied=True)

    def message_request(client: LanguageClient, params: types.ShowMessageRequestParams):
        client.messages.append(params)
        if client.restart_answers and params.actions:
            return client.restart_answers.pop(0)
        return None

    register_lsp_features(
        client,
        {STATUS: status, types.WORKSPACE_APPLY_EDIT: apply_edit, types.WINDOW_SHOW_MESSAGE_REQUEST: message_request},
    )
    return client


CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND,
    client_factory=evolution_client,
    server_env={**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")},
)


def init_params(fake_api_base: str | None, **settings: Any) -> types.InitializeParams:
    base = {"populationSize": 3, "generations": 3, "patience": 0, "timeLimit": 1.0}
    if fake_api_base:
        base.update(model="openai/scripted", apiBase=fake_api_base)
    base.update(settings)
    return types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        initialization_options={"settings": base, "clientFeatures": {"evolutionStatus": True, "runResult": True}},
    )


async def wait_until(predicate, timeout: float = WAIT_S, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def last_status(client: LanguageClient, uri: str) -> dict | None:
    mine = [s for s in client.statuses if s["uri"] == uri]
    return mine[-1] if mine else None


async def wait_status(client: LanguageClient, uri: str, predicate, what: str) -> dict:
    return await wait_until(lambda: next((s for s in client.statuses if s["uri"] == uri and predicate(s)), None), what=what)


async def execute(client: LanguageClient, command: str, *arguments: Any) -> Any:
    return await client.workspace_execute_command_async(types.ExecuteCommandParams(command=command, arguments=list(arguments)))


async def code_actions(client: LanguageClient, uri: str) -> list[types.CodeAction]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=[]),
        )
    )
    # lsprotocol's client converter may turn an action with a command into a Command (lsp.md, trap 8)
    return [a for a in (result or []) if isinstance(a, types.CodeAction)]


def population_file(script: Path) -> dict:
    return json.loads(script.with_name(script.name.replace(".synth.py", ".synth.population.json")).read_text())


def script_in(root: Path, text: str) -> tuple[Path, str]:
    new_workspace(root)
    path = root / "007bbfb7.synth.py"
    path.write_text(text)
    return path, uri_of(path)


async def open_and_run(client: LanguageClient, uri: str, text: str, version: int = 1) -> list[types.Diagnostic]:
    client.versions[uri] = version
    open_doc(client, uri, text, version)
    return await diagnostics_for_version(client, uri, version)


@pytest.fixture
def solving_model(fake_openai):
    fake_openai.responder = lambda body: Reply(fenced(FRACTAL))
    return fake_openai


@pytest.fixture
def wandering_model(fake_openai):
    """Never solves: every reply is a new, wrong script, so evolution keeps going."""
    counter = itertools.count()
    fake_openai.responder = lambda body: Reply(fenced(f'result = {{"output_grid": [[{next(counter) % 10}] * 9 for _ in range(9)]}}  # try {next(counter)}\n'))
    return fake_openai


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient, request):
    yield
    await lsp_client.shutdown_session()


async def test_evolve_offer_apply_save_and_clear(client: LanguageClient, solving_model, tmp_path: Path):
    await client.initialize_session(init_params(solving_model.api_base))
    path, uri = script_in(tmp_path, IDENTITY)
    diagnostics = await open_and_run(client, uri, IDENTITY)
    assert any(d.code == "mismatch" for d in diagnostics)

    started = await execute(client, "synthLsp.evolve.start", uri)
    assert started["started"] is True, started
    done = await wait_status(client, uri, lambda s: s["state"] in ("finished", "crashed"), "evolution to finish")
    assert done["state"] == "finished", done
    assert done["bestTrainPassed"] == 5 and done["calls"] >= 1

    # progress went through $/progress with a cancellable begin
    assert client.progress_reports, "no work-done progress"
    values = next(iter(client.progress_reports.values()))
    assert isinstance(values[0], types.WorkDoneProgressBegin) and values[0].cancellable
    assert isinstance(values[-1], types.WorkDoneProgressEnd)
    # the user learns about the improvement without looking
    assert any("passes 5/5" in getattr(m, "message", "") for m in client.messages)

    actions = await code_actions(client, uri)
    assert actions, "no code action from the population"
    best = actions[0]
    assert "fits the train pairs (5/5)" in best.title and "test 1/1" in best.title and "+5 pairs" in best.title
    assert "solved" not in best.title
    change = best.edit.document_changes[0]
    assert change.text_document.version == 1  # a versioned edit
    new_text = change.edits[0].new_text
    assert "def transform" in new_text

    # a preview: the same rewrite, annotated so the editor shows the diff and asks first
    preview = next(a for a in actions if a.title.startswith("Preview evolved script"))
    annotations = preview.edit.change_annotations
    assert annotations and all(a.needs_confirmation for a in annotations.values())

    # the reward lens says so too
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    assert any(lens.command and lens.command.title.startswith("evolved: fits the train pairs (5/5) · test 1/1") for lens in lenses)

    # apply as an editor would, and save: the acceptance goes into the candidate's lineage
    path.write_text(new_text)
    client.versions[uri] = 2
    change_doc(client, uri, new_text, 2)
    mark = len(client.published)
    save_doc(client, uri)
    cleared = await wait_for_publication(client, uri, lambda p: p.version == 2 and not p.diagnostics, after=mark)
    assert not cleared.diagnostics
    accepted = await wait_until(lambda: [c for c in population_file(path)["candidates"] if c["accepted_by_user"]], what="the acceptance")
    assert len(accepted) == 1 and accepted[0]["train_passed"] == 5 and accepted[0]["origin"] == "mutation"
    assert not await code_actions(client, uri)  # nothing beats the current text now


async def test_stale_rewrite_is_refused_and_user_saves_join_population(client: LanguageClient, solving_model, tmp_path: Path):
    await client.initialize_session(init_params(solving_model.api_base))
    path, uri = script_in(tmp_path, IDENTITY)
    await open_and_run(client, uri, IDENTITY)
    await execute(client, "synthLsp.evolve.start", uri)
    await wait_status(client, uri, lambda s: s["state"] == "finished", "evolution to finish")
    listing = await execute(client, "synthLsp.population", uri)
    best = next(c for c in listing if c["beatsCurrent"])
    assert "+def transform" in best["diff"]  # a diff to preview before applying

    # the user edits meanwhile: the rewrite computed for version 1 is refused, nothing is applied
    edited = IDENTITY + "# thinking...\n"
    client.versions[uri] = 2
    change_doc(client, uri, edited, 2)
    refused = await execute(client, "synthLsp.applyCandidate", uri, best["id"], 1)
    assert refused["applied"] is False and "changed" in refused["message"]
    assert client.applied_edits == []

    # the user's saved version joins the population as a candidate of origin "user"
    path.write_text(edited)
    save_doc(client, uri)
    await wait_until(lambda: any(c["origin"] == "user" and "thinking" in "\n".join(c["script"]) for c in population_file(path)["candidates"]), what="the user's save in the population")

    # for the current version it is applied as a versioned edit
    applied = await execute(client, "synthLsp.applyCandidate", uri, best["id"], 2)
    assert applied["applied"] is True, applied
    assert client.applied_edits[0].document_changes[0].text_document.version == 2


async def test_cancel_through_the_progress_token(client: LanguageClient, wandering_model, tmp_path: Path):
    await client.initialize_session(init_params(wandering_model.api_base, generations=200))
    path, uri = script_in(tmp_path, IDENTITY)
    await open_and_run(client, uri, IDENTITY)
    await execute(client, "synthLsp.evolve.start", uri)
    await wait_status(client, uri, lambda s: s["generation"] >= 1, "a generation")
    token = await wait_until(lambda: next(iter(client.progress_reports), None), what="a progress token")
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    stopped = await wait_status(client, uri, lambda s: s["state"] == "stopped", "evolution to stop")
    assert stopped["generation"] < 200
    assert isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd)


async def test_worker_killed_then_restarted_resumes_from_the_stored_population(client: LanguageClient, wandering_model, tmp_path: Path):
    await client.initialize_session(init_params(wandering_model.api_base, generations=200))
    path, uri = script_in(tmp_path, IDENTITY)
    await open_and_run(client, uri, IDENTITY)
    await execute(client, "synthLsp.evolve.start", uri)
    running = await wait_status(client, uri, lambda s: s["generation"] >= 2, "two generations")
    stored_before = population_file(path)
    assert stored_before["generation"] >= 1

    client.restart_answers.append(types.MessageActionItem("Restart evolution"))
    os.kill(running["pid"], signal.SIGKILL)
    crashed = await wait_status(client, uri, lambda s: s["state"] == "crashed", "the crash to be reported")
    assert "died" in crashed["message"]
    # the restart offered with the error resumes from what was stored
    resumed = await wait_status(client, uri, lambda s: s["pid"] != running["pid"] and s["state"] == "running" and s["generation"] > stored_before["generation"], "a resumed generation")
    assert resumed["generation"] > stored_before["generation"]
    ids_before = {c["id"] for c in stored_before["candidates"]}
    assert ids_before <= {c["id"] for c in population_file(path)["candidates"]}
    # the server kept serving throughout
    assert (await execute(client, "synthLsp.evolve.stop", uri))["stopped"] is True


async def test_code_actions_come_back_after_a_server_restart(solving_model, tmp_path: Path):
    path, uri = script_in(tmp_path, IDENTITY)

    async def session(start_evolution: bool) -> list[str]:
        client = evolution_client()
        await client.start_io(*SERVER_COMMAND, env=CONFIG.server_env)
        try:
            await client.initialize_session(init_params(solving_model.api_base))
            await open_and_run(client, uri, IDENTITY)
            if start_evolution:
                await execute(client, "synthLsp.evolve.start", uri)
                await wait_status(client, uri, lambda s: s["state"] == "finished", "evolution to finish")
            return [a.title for a in await code_actions(client, uri)]
        finally:
            await client.shutdown_session()
            await client.stop()

    first = await session(start_evolution=True)
    calls = len(solving_model.chat_requests())
    second = await session(start_evolution=False)
    assert first and first == second
    assert len(solving_model.chat_requests()) == calls  # nothing was re-run to offer them


async def test_offline_model_flow_needs_no_model_server(client: LanguageClient, tmp_path: Path):
    await client.initialize_session(init_params(None))  # no model configured: the offline model
    path, uri = script_in(tmp_path, IDENTITY)
    await open_and_run(client, uri, IDENTITY)
    await execute(client, "synthLsp.evolve.start", uri)
    done = await wait_status(client, uri, lambda s: s["state"] in ("finished", "crashed"), "offline evolution")
    assert done["state"] == "finished" and done["bestTrainPassed"] == 5, done
    actions = await code_actions(client, uri)
    assert actions and "(offline, confidence " in actions[0].title, actions[0].title


async def test_a_model_that_rejects_the_key_is_a_message_not_a_dead_server(client: LanguageClient, fake_openai, tmp_path: Path):
    fake_openai.responder = None
    for _ in range(5):
        fake_openai.fail(401, message="invalid api key")
    await client.initialize_session(init_params(fake_openai.api_base))
    path, uri = script_in(tmp_path, IDENTITY)
    await open_and_run(client, uri, IDENTITY)
    await execute(client, "synthLsp.evolve.start", uri)
    failed = await wait_status(client, uri, lambda s: s["state"] == "failed", "the model error")
    assert "401" in failed["message"] or "auth" in failed["message"].lower()
    await wait_until(lambda: any("cannot run" in getattr(m, "message", "") for m in client.messages), what="an error message")
    # a restart would fail the same way: none is offered
    assert not any(isinstance(m, types.ShowMessageRequestParams) and m.actions for m in client.messages)
    # still serving
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    assert lenses and "train 0/5" in lenses[0].command.title


async def test_a_client_without_progress_support_gets_none(client: LanguageClient, tmp_path: Path):
    params = init_params(None)
    params.capabilities = pytest_lsp.client_capabilities("emacs")
    params.capabilities.window = None  # as eglot 1.9: no window.workDoneProgress
    params.initialization_options = {"settings": params.initialization_options["settings"]}  # and no opt-ins
    await client.initialize_session(params)
    path, uri = script_in(tmp_path, IDENTITY)
    await open_and_run(client, uri, IDENTITY)
    started = await execute(client, "synthLsp.evolve.start", uri)
    assert started["started"]
    await wait_until(lambda: path.with_name("007bbfb7.synth.population.json").exists() and population_file(path)["runs"] and population_file(path)["runs"][-1].get("stop_reason"), what="the run to end")
    await asyncio.sleep(0.3)
    assert client.progress_reports == {} and client.statuses == []
    assert any("passes 5/5" in getattr(m, "message", "") for m in client.messages)  # plain messages still work


async def test_apply_best_right_after_opening_waits_for_the_first_run(client: LanguageClient, tmp_path: Path):
    await client.initialize_session(init_params(None))
    path, uri = script_in(tmp_path, IDENTITY)
    await open_and_run(client, uri, IDENTITY)
    await execute(client, "synthLsp.evolve.start", uri)
    await wait_status(client, uri, lambda s: s["state"] == "finished", "offline evolution")
    # the script is closed and opened again: apply the best before its first run is out
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    client.versions[uri] = 1
    open_doc(client, uri, IDENTITY, 1)
    applied = await execute(client, "synthLsp.applyBest", uri)
    assert applied["applied"] is True, applied


async def test_evolution_starts_from_the_unsaved_text_and_leaves_the_file_alone(client: LanguageClient, tmp_path: Path):
    await client.initialize_session(init_params(None, generations=1))  # the offline model
    path, uri = script_in(tmp_path, IDENTITY)
    unsaved = "# tried in the editor, not saved\n" + IDENTITY
    await open_and_run(client, uri, unsaved)
    await execute(client, "synthLsp.evolve.start", uri)
    await wait_status(client, uri, lambda s: s["state"] in ("finished", "crashed", "failed"), "evolution to end")
    assert path.read_text() == IDENTITY  # the file on disk was not written
    stored = population_file(path)
    start = [c for c in stored["candidates"] if c["origin"] == "seed"]
    assert [c["script"] for c in start] == [unsaved.splitlines()]  # stored as lines, readable in a diff
