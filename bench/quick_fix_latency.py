"""How long "Fix with <model>" takes, from the user's pick to the edit's arrival, over stdio.

A pygls client starts `synth-lsp serve`, opens 007bbfb7's identity seed (a mismatch to fix) and,
per round, makes a new version of the text (so each round is a new fix), then runs
`synthLsp.quickFix` and times until the server's `workspace/applyEdit` arrives. Four modes, in the
same run, alternating round by round:

- model, cold: the command as soon as the failing run's diagnostics arrive, with no code-action
  request before it, so no spare worker: the worker starts, imports litellm and starts its sandbox
  after the pick;
- model, warm: code actions asked first (as editors do when the cursor reaches a diagnostic; the
  server starts a spare worker), then `--pause` seconds (a user reading the problem and the menu),
  then the command;
- offline, cold / warm: the same with no model configured (the offline model's search).

The model is a local OpenAI-compatible server in this process answering at once with the known
answer, so the time is the quick fix's own cost. Baseline: the same fix in process
(`optimizer.quick_fix`, with its imports, litellm and the sandbox already warm), measured in the
same run. While each fix runs, a
hover request is timed: the event loop stays free.

    python bench/quick_fix_latency.py [--rounds 3] [--pause 12]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from lsprotocol import types  # noqa: E402
from pytest_lsp import LanguageClient, client_capabilities  # noqa: E402
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, register_lsp_features  # noqa: E402

from fake_openai import FakeOpenAI, Reply  # noqa: E402
from solutions import FRACTAL_007BBFB7, IDENTITY  # noqa: E402

MODES = (("model", "cold"), ("model", "warm"), ("offline", "cold"), ("offline", "warm"))


def make_client() -> LanguageClient:
    client = LanguageClient()
    client.published = []
    client.edits = []

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)

    def apply_edit(client: LanguageClient, params: types.ApplyWorkspaceEditParams) -> types.ApplyWorkspaceEditResult:
        client.edits.append((time.perf_counter(), params))
        return types.ApplyWorkspaceEditResult(applied=False, failure_reason="benchmark: not applied")

    def ignore(client: LanguageClient, params) -> None:
        return None

    def create_progress(client: LanguageClient, params: types.WorkDoneProgressCreateParams) -> None:
        client.progress_reports.setdefault(params.token, [])

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            types.WORKSPACE_APPLY_EDIT: apply_edit,
            types.CLIENT_REGISTER_CAPABILITY: ignore,
            types.WORKSPACE_CODE_LENS_REFRESH: ignore,
            types.WINDOW_WORK_DONE_PROGRESS_CREATE: create_progress,
        },
    )
    return client


async def wait_for(predicate, timeout: float = 180.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.01)
    raise SystemExit(f"timed out waiting for {what}")


async def one_fix(client: LanguageClient, uri: str, version: int, text: str, warm: bool, pause_s: float) -> tuple[float, float, str]:
    """(seconds from the command to the edit, the slowest hover meanwhile in ms, the edit's label)."""
    mark = len(client.published)
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(version=version, uri=uri), [types.TextDocumentContentChangeWholeDocument(text=text)]
        )
    )
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
    params = await wait_for(lambda: next((p for p in client.published[mark:] if p.uri == uri and p.version == version), None), what="diagnostics")
    mismatch = next(d for d in params.diagnostics if d.code == "mismatch")
    if warm:
        context = types.CodeActionContext(diagnostics=[mismatch])
        await client.text_document_code_action_async(types.CodeActionParams(types.TextDocumentIdentifier(uri), mismatch.range, context))
        await asyncio.sleep(pause_s)
    edits = len(client.edits)
    start = time.perf_counter()
    answer = await client.workspace_execute_command_async(types.ExecuteCommandParams("synthLsp.quickFix", [uri, version]))
    if not answer or not answer.get("started"):
        raise SystemExit(f"the fix did not start: {answer}")
    hovers = []
    while len(client.edits) == edits:
        began = time.perf_counter()
        await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), mismatch.range.start))
        hovers.append((time.perf_counter() - began) * 1000)
        await asyncio.sleep(0.05)
        if time.perf_counter() - start > 180:
            raise SystemExit("no edit within 180 s")
    arrived, edit = client.edits[-1]
    return arrived - start, max(hovers) if hovers else 0.0, edit.label or ""


async def in_process_fix(work: Path, model: str, api_base: str) -> float:
    """The same fix in this process, imports, litellm and sandbox warm (a fresh search: no cache)."""
    from synth_lsp.core.task import load_task_for_script
    from synth_lsp.optimizer.llm.litellm_import import import_litellm
    from synth_lsp.optimizer.omega import EvolveConfig
    from synth_lsp.optimizer.quick_fix import quick_fix
    from synth_lsp.sandbox.runner import get_sandbox
    from synth_lsp.sandbox.walls import get_walls

    import_litellm()
    get_walls(get_sandbox())
    folder = Path(tempfile.mkdtemp(dir=work))
    shutil.copy(ROOT / "examples" / "arc" / "007bbfb7.json", folder / "007bbfb7.json")
    script = folder / "007bbfb7.synth.py"
    text = IDENTITY + "# in process\n"
    script.write_text(text)
    config = EvolveConfig(model=model, api_base=api_base if model else "", time_limit_s=2.0)
    start = time.perf_counter()
    await quick_fix(load_task_for_script(script, text), script, text, config)
    return time.perf_counter() - start


async def main_async(rounds: int, pause_s: float) -> None:
    work = Path(tempfile.mkdtemp(prefix="synth-quick-fix-latency-"))
    shutil.copy(ROOT / "examples" / "arc" / "007bbfb7.json", work / "007bbfb7.json")
    script = work / "007bbfb7.synth.py"
    script.write_text(IDENTITY)
    uri = script.resolve().as_uri()
    times: dict[tuple[str, str], list[float]] = {mode: [] for mode in MODES}
    hovers: list[float] = []
    labels: dict[str, str] = {}
    baseline: dict[str, float] = {}
    with FakeOpenAI(responder=lambda body: Reply(f"```python\n{FRACTAL_007BBFB7}```\n")) as fake:
        model_settings = {"model": "openai/fixer", "apiBase": fake.api_base, "timeLimit": 2.0}
        client = make_client()
        await client.start_io(sys.executable, "-m", "synth_lsp", "serve", "--stdio", env={**os.environ, "PYTHONPATH": str(ROOT)})
        await client.initialize_session(
            types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), initialization_options={"settings": model_settings})
        )
        version = 1
        try:
            client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", version, IDENTITY)))
            for n in range(rounds):
                for fixer, start in MODES:
                    settings = model_settings if fixer == "model" else {"model": "", "apiBase": "", "timeLimit": 2.0}
                    client.workspace_did_change_configuration(types.DidChangeConfigurationParams({"synthLsp": settings}))
                    version += 1
                    text = IDENTITY + f"# round {n} {fixer} {start}\n"
                    took, slowest_hover, label = await one_fix(client, uri, version, text, start == "warm", pause_s)
                    times[(fixer, start)].append(took)
                    hovers.append(slowest_hover)
                    labels[fixer] = label
        finally:
            await client.shutdown_session()
            await client.stop()
        baseline["offline"] = await in_process_fix(work, "", "")
        baseline["model"] = await in_process_fix(work, "openai/fixer", fake.api_base)
    shutil.rmtree(work, ignore_errors=True)

    print(f"rounds per mode: {rounds}; warm pause {pause_s:g} s; load average {os.getloadavg()[0]:.2f}")
    print()
    print("| fixer | picked | command -> applyEdit median (s) | min / max (s) | in-process quick_fix (s) | ratio (medians) |")
    print("|---|---|---|---|---|---|")
    for fixer, start in MODES:
        values = times[(fixer, start)]
        median = statistics.median(values)
        print(
            f"| {fixer} | {start} | {median:.2f} | {min(values):.2f} / {max(values):.2f} | {baseline[fixer]:.2f} | {median / baseline[fixer]:.1f}x |"
        )
    print()
    print(f"slowest hover answered while a fix ran: {max(hovers):.1f} ms (median of the per-fix maxima {statistics.median(hovers):.1f} ms)")
    for fixer, label in labels.items():
        print(f"{fixer} edit label: {label}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--pause", type=float, default=12.0, help="seconds between the code-action request and the pick (the warm modes)")
    args = parser.parse_args()
    asyncio.run(main_async(args.rounds, args.pause))


if __name__ == "__main__":
    main()
