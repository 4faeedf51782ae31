"""The "Fix with <model>" quick fix, end to end over stdio: a real server, a real quick-fix worker
process, the real litellm HTTP path against the local scripted OpenAI-compatible server, the real
sandbox, and the offline model when no model is configured."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import pytest
import pytest_lsp
from fake_openai import Reply
from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient
from server_client import REPO, SERVER_COMMAND, change_doc, settle
from solutions import FRACTAL_007BBFB7
from test_evolution_server import evolution_client, execute, fenced, init_params, open_and_run, population_file, script_in, wait_until

HEADER = "# synth: time_limit = 1.5\n"
BROKEN = HEADER + 'grid = inputs["input_grid"]\nresult = {"output_grid": [row[:] for row in grid]}\n'
FIX_COMMAND = "synthLsp.quickFix"

# the server runs without a real key, so a model with no api base has none
ENV = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND,
    client_factory=evolution_client,
    server_env={**ENV, "PYTHONPATH": str(REPO) + os.pathsep + ENV.get("PYTHONPATH", "")},
)


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield
    await lsp_client.shutdown_session()


async def fix_actions(client: LanguageClient, uri: str, diagnostics: list[types.Diagnostic]) -> list[types.CodeAction | types.Command]:
    result = await client.text_document_code_action_async(
        types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri),
            range=diagnostics[0].range if diagnostics else types.Range(types.Position(0, 0), types.Position(0, 0)),
            context=types.CodeActionContext(diagnostics=diagnostics),
        )
    )
    return [a for a in result or [] if a.title.startswith("Fix with")]


def command_of(action: types.CodeAction | types.Command) -> tuple[str, list]:
    """The command an action runs: lsprotocol's client converter may turn a CodeAction that carries
    a command into a Command whose `command` is the inner command's repr (lsp.md, trap 8)."""
    inner = action.command
    if isinstance(inner, str):
        inner = ast.literal_eval(inner)
    if isinstance(inner, dict):
        return inner["command"], inner.get("arguments") or []
    return inner.command, list(inner.arguments or [])


def messages_with(client: LanguageClient, text: str) -> list[types.ShowMessageParams]:
    return [m for m in client.messages if text in getattr(m, "message", "")]


async def open_broken(client: LanguageClient, tmp_path: Path, text: str = BROKEN) -> tuple[Path, str, list[types.Diagnostic]]:
    path, uri = script_in(tmp_path, text)
    diagnostics = await open_and_run(client, uri, text)
    assert any(d.code == "mismatch" for d in diagnostics)
    return path, uri, diagnostics


async def test_fix_with_the_model_previews_the_fix_and_joins_the_population(client: LanguageClient, fake_openai, tmp_path: Path):
    fake_openai.responder = lambda body: Reply(fenced("# synth: time_limit = 60\n" + FRACTAL_007BBFB7))
    await client.initialize_session(init_params(fake_openai.api_base))
    path, uri, diagnostics = await open_broken(client, tmp_path)

    # no fix is offered without a diagnostic it could address
    assert await fix_actions(client, uri, []) == []
    actions = await fix_actions(client, uri, diagnostics)
    assert [a.title for a in actions] == ["Fix with openai/scripted"]
    command, arguments = command_of(actions[0])
    assert command == FIX_COMMAND and arguments == [uri, 1]

    started = await execute(client, FIX_COMMAND, *arguments)
    assert started["started"] is True, started
    # the event loop is free while the model is called: another request answers at once
    lenses = await client.text_document_code_lens_async(types.CodeLensParams(types.TextDocumentIdentifier(uri)))
    assert lenses
    await wait_until(lambda: client.applied_edits, what="the fix to be sent as an edit")

    edit = client.applied_edits[0]
    change = edit.document_changes[0]
    assert change.text_document.version == 1  # versioned: the editor refuses it over newer text
    new_text = change.edits[0].new_text
    assert new_text.startswith(HEADER) and "time_limit = 60" not in new_text  # the user's header is kept
    assert "def transform" in new_text
    annotation = next(iter(edit.change_annotations.values()))
    assert annotation.needs_confirmation and "5/5 on train" in annotation.label  # previewed, with its reward

    # the prompt held the current text, its differing cells, and asked for one targeted fix
    prompt = fake_openai.chat_requests()[0].prompt_text
    assert 'grid = inputs["input_grid"]' in prompt and "differing cells" in prompt and "ONE targeted fix" in prompt

    # progress: a cancellable begin, the steps, an end with the result
    reports = next(iter(client.progress_reports.values()))
    assert isinstance(reports[0], types.WorkDoneProgressBegin) and reports[0].cancellable and reports[0].title == "Fix with openai/scripted"
    assert any(isinstance(r, types.WorkDoneProgressReport) and "asking openai/scripted" in (r.message or "") for r in reports)
    assert isinstance(reports[-1], types.WorkDoneProgressEnd) and "5/5 on train" in reports[-1].message

    # the fix joined the population with origin quickfix, its parent the user's text, its spend counted
    stored = population_file(path)
    fixes = [c for c in stored["candidates"] if c["origin"] == "quickfix"]
    assert len(fixes) == 1 and fixes[0]["train_passed"] == 5 and fixes[0]["note"].startswith("openai/scripted")
    parent = next(c for c in stored["candidates"] if c["id"] == fixes[0]["parents"][0])
    assert parent["train_passed"] == 0 and "\n".join(parent["script"]).startswith(HEADER.strip())
    assert stored["totals"]["calls"] == 1
    assert any(row["origin"] == "quickfix" for row in stored["runs"][-1]["by_model_and_origin"])

    # asked again for the same text, the fix is on offer with its train reward in the title
    all_actions = await client.text_document_code_action_async(
        types.CodeActionParams(types.TextDocumentIdentifier(uri), diagnostics[0].range, types.CodeActionContext(diagnostics=diagnostics))
    )
    titles = [a.title for a in all_actions or []]
    assert any("fits the train pairs (5/5)" in t and "quickfix" in t for t in titles), titles  # through the population's offers
    assert len(fake_openai.chat_requests()) == 1  # offering it again costs no call


@pytest.mark.parametrize(
    "reply, reason",
    [
        ("I am not sure what to do here.", "no"),
        ("```python\ndef broken(:\n    pass\n```", "parse"),
        ("<<<<<<< SEARCH\nthis line is not in the script\n=======\nresult = {}\n>>>>>>> REPLACE\n", "no"),
    ],
    ids=["no-code", "does-not-parse", "edit-does-not-apply"],
)
async def test_a_garbage_reply_is_a_clear_message_and_nothing_is_applied(
    client: LanguageClient, fake_openai, tmp_path: Path, reply: str, reason: str
):
    fake_openai.responder = lambda body: Reply(reply)
    await client.initialize_session(init_params(fake_openai.api_base))
    path, uri, diagnostics = await open_broken(client, tmp_path)
    await execute(client, FIX_COMMAND, uri, 1)
    failed = await wait_until(lambda: messages_with(client, "Nothing was applied"), what="the failure message")
    assert failed[0].type == types.MessageType.Error and "openai/scripted" in failed[0].message and reason in failed[0].message
    assert client.applied_edits == []
    assert isinstance(next(iter(client.progress_reports.values()))[-1], types.WorkDoneProgressEnd)
    assert [a.title for a in await fix_actions(client, uri, diagnostics)] == ["Fix with openai/scripted"]  # it can be asked again


async def test_a_fix_that_arrives_after_the_text_changed_is_not_applied(client: LanguageClient, fake_openai, tmp_path: Path):
    fake_openai.responder = lambda body: Reply(fenced(FRACTAL_007BBFB7), delay_s=2.0)
    await client.initialize_session(init_params(fake_openai.api_base))
    path, uri, diagnostics = await open_broken(client, tmp_path)
    await execute(client, FIX_COMMAND, uri, 1)
    await wait_until(lambda: fake_openai.chat_requests(), what="the model call")
    newer = BROKEN + "# the user keeps typing\n"
    client.versions[uri] = 2
    change_doc(client, uri, newer, 2)
    warned = await wait_until(lambda: messages_with(client, "not applied over the newer text"), what="the stale-fix message")
    assert warned[0].type == types.MessageType.Warning
    await settle(client)
    assert client.applied_edits == []
    # a fix asked for an older version is refused at once
    refused = await execute(client, FIX_COMMAND, uri, 1)
    assert refused["started"] is False and "changed" in refused["message"]


async def test_cancel_mid_call_kills_the_worker_and_applies_nothing(client: LanguageClient, fake_openai, tmp_path: Path):
    fake_openai.responder = lambda body: Reply(fenced(FRACTAL_007BBFB7), delay_s=30.0)
    await client.initialize_session(init_params(fake_openai.api_base))
    path, uri, diagnostics = await open_broken(client, tmp_path)
    await execute(client, FIX_COMMAND, uri, 1)
    await wait_until(lambda: fake_openai.chat_requests(), what="the model call")
    running = await fix_actions(client, uri, diagnostics)
    assert running and "running" in running[0].title  # and it can be cancelled from there too
    token = next(iter(client.progress_reports))
    client.window_work_done_progress_cancel(types.WorkDoneProgressCancelParams(token=token))
    await wait_until(lambda: messages_with(client, "cancelled"), timeout=10, what="the cancel message")
    assert isinstance(client.progress_reports[token][-1], types.WorkDoneProgressEnd)
    assert client.applied_edits == []
    assert [a.title for a in await fix_actions(client, uri, diagnostics)] == ["Fix with openai/scripted"]
    assert not path.with_name("007bbfb7.synth.population.json").exists()  # killed before anything was stored


async def test_a_missing_key_names_the_variable(client: LanguageClient, tmp_path: Path):
    await client.initialize_session(init_params(None, model="openai/gpt-4o-mini"))
    path, uri, diagnostics = await open_broken(client, tmp_path)
    assert [a.title for a in await fix_actions(client, uri, diagnostics)] == ["Fix with openai/gpt-4o-mini"]
    await execute(client, FIX_COMMAND, uri, 1)
    failed = await wait_until(lambda: messages_with(client, "Nothing was applied"), what="the failure message")
    assert "OPENAI_API_KEY" in failed[0].message and failed[0].type == types.MessageType.Error
    assert client.applied_edits == []


async def test_without_a_model_the_offline_model_offers_its_best_program(client: LanguageClient, tmp_path: Path):
    await client.initialize_session(init_params(None))
    path, uri, diagnostics = await open_broken(client, tmp_path)
    actions = await fix_actions(client, uri, diagnostics)
    assert [a.title for a in actions] == ["Fix with the offline model"]
    await execute(client, FIX_COMMAND, uri, 1)
    await wait_until(lambda: client.applied_edits, what="the offline fix")
    edit = client.applied_edits[0]
    new_text = edit.document_changes[0].edits[0].new_text
    assert new_text.startswith(HEADER) and "offline model" in new_text
    label = next(iter(edit.change_annotations.values())).label
    assert label.startswith("Fix with the offline model (confidence ") and "5/5 on train" in label
    fixes = [c for c in population_file(path)["candidates"] if c["origin"] == "quickfix"]
    assert fixes and fixes[0]["confidence"] is not None and fixes[0]["note"].startswith("offline")


async def test_a_client_that_cannot_preview_is_asked_before_the_text_changes(client: LanguageClient, tmp_path: Path):
    params = init_params(None)
    params.capabilities = pytest_lsp.client_capabilities("neovim@v0.7.0")  # no change annotations, no versioned edits
    await client.initialize_session(params)
    path, uri, diagnostics = await open_broken(client, tmp_path)
    client.restart_answers.append(types.MessageActionItem("Apply"))  # the user's answer to the question
    await execute(client, FIX_COMMAND, uri, 1)
    await wait_until(lambda: client.applied_edits, what="the offline fix")
    asked = [m for m in client.messages if isinstance(m, types.ShowMessageRequestParams)]
    assert asked and "5/5 on train" in asked[0].message and "Apply it?" in asked[0].message
    (edits,) = client.applied_edits[0].changes.values()
    assert edits[0].new_text.startswith(HEADER)


def test_the_title_says_what_the_fix_brings_and_never_calls_a_worse_script_a_gain():
    from synth_lsp.server.quick_fix import result_title
    from synth_lsp.workers.quick_fix_protocol import FixedEvent

    better = FixedEvent(train_passed=4, train_total=5, test_passed=0, test_total=1, current_passed=1)
    assert result_title("m", better) == "Fix with m: 4/5 on train, test 0/1, +3 pairs over the current script"
    same = FixedEvent(train_passed=1, train_total=5, current_passed=1)
    assert result_title("m", same) == "Fix with m: 1/5 on train, as many pairs as the current script"
    worse = FixedEvent(train_passed=1, train_total=5, current_passed=3, confidence=0.5)
    assert result_title("offline", worse) == "Fix with the offline model (confidence 0.50): 1/5 on train, 2 pairs fewer than the current script"


async def test_closing_the_script_mid_fix_kills_it_and_applies_nothing(client: LanguageClient, fake_openai, tmp_path: Path):
    fake_openai.responder = lambda body: Reply(fenced(FRACTAL_007BBFB7), delay_s=30.0)
    await client.initialize_session(init_params(fake_openai.api_base))
    _path, uri, _diagnostics = await open_broken(client, tmp_path)
    await execute(client, FIX_COMMAND, uri, 1)
    await wait_until(lambda: fake_openai.chat_requests(), what="the model call")
    client.text_document_did_close(types.DidCloseTextDocumentParams(types.TextDocumentIdentifier(uri)))
    await wait_until(lambda: messages_with(client, "cancelled"), timeout=10, what="the cancel message")
    assert client.applied_edits == []
