"""Does evolution in the background slow the editor down? hover and codeAction latency, over stdio.

A pygls client starts `synth-lsp serve`, opens 007bbfb7's identity seed (mismatch diagnostics to
hover on) next to a stored population (so code actions have candidates), then measures N hover
and N codeAction requests twice in the same run:

- idle: no evolution running;
- loaded: evolution running flat out in its worker process, against a local OpenAI-compatible
  server (in this process) that answers at once with scripts that keep the sandbox busy, so the
  worker scores candidates on both cores for the whole phase.

    python bench/evolution_latency.py [--requests 200]

Target: loaded p95 <= 50 ms and <= 3x the idle p95.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
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

IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'
# a wrong answer that burns about a second of sandbox time per pair: the worker stays CPU-bound
BUSY = '''total = 0
for i in range(400000):  # try {n}
    total = (total + i * i) % 7
result = {{"output_grid": [[total % 10] * 9 for _ in range(9)]}}
'''


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def make_client() -> LanguageClient:
    client = LanguageClient()
    client.published = []
    client.statuses = []

    # pygls passes the client only to handlers whose first parameter is annotated with its type
    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)

    def status(client: LanguageClient, params) -> None:
        client.statuses.append(params._asdict() if hasattr(params, "_asdict") else dict(params))

    def ignore(client: LanguageClient, params) -> None:
        return None

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            types.CLIENT_REGISTER_CAPABILITY: ignore,
            types.WORKSPACE_CODE_LENS_REFRESH: ignore,
            types.WINDOW_WORK_DONE_PROGRESS_CREATE: ignore,
            "synthLsp/evolutionStatus": status,
        },
    )
    return client


async def wait_for(predicate, timeout: float = 120.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


async def measure(client: LanguageClient, uri: str, position: types.Position, n: int) -> dict[str, list[float]]:
    hover, action = [], []
    for _ in range(n):
        start = time.perf_counter()
        result = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), position))
        hover.append((time.perf_counter() - start) * 1000)
        assert result is not None, "hover gave nothing"
        start = time.perf_counter()
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(types.TextDocumentIdentifier(uri), types.Range(position, position), types.CodeActionContext(diagnostics=[]))
        )
        action.append((time.perf_counter() - start) * 1000)
        assert actions, "no code actions"
        await asyncio.sleep(0.01)
    return {"hover": hover, "codeAction": action}


async def main_async(requests: int) -> None:
    work = Path(tempfile.mkdtemp(prefix="synth-evolution-latency-"))
    shutil.copy(ROOT / "examples" / "arc" / "007bbfb7.json", work / "007bbfb7.json")
    script = work / "007bbfb7.synth.py"
    script.write_text(IDENTITY)
    uri = script.resolve().as_uri()
    counter = itertools.count()
    with FakeOpenAI(responder=lambda body: Reply("```python\n" + BUSY.format(n=next(counter)) + "```\n")) as fake:
        client = make_client()
        env = {**os.environ, "PYTHONPATH": str(ROOT)}
        await client.start_io(sys.executable, "-m", "synth_lsp", "serve", "--stdio", env=env)
        # the offline run solves the task at once; patience keeps the loaded run going after that
        settings = {"populationSize": 8, "generations": 10000, "patience": 10000, "timeLimit": 5.0}
        await client.initialize_session(
            types.InitializeParams(
                capabilities=client_capabilities("visual-studio-code"),
                initialization_options={"settings": settings, "clientFeatures": {"evolutionStatus": True}},
            )
        )
        try:
            client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, IDENTITY)))
            await wait_for(lambda: any(p.uri == uri and p.diagnostics for p in client.published), what="diagnostics")
            mismatch = next(d for p in client.published if p.uri == uri for d in p.diagnostics if d.code == "mismatch")
            position = mismatch.range.start

            # a stored population (the offline model solves 007bbfb7), so code actions have candidates
            await client.workspace_execute_command_async(types.ExecuteCommandParams("synthLsp.evolve.start", [uri]))
            await wait_for(lambda: any(s["state"] in ("finished", "crashed") for s in client.statuses), what="the offline run")

            idle = await measure(client, uri, position, requests)

            # evolution flat out: a model that answers at once with scripts that keep the sandbox busy
            client.workspace_did_change_configuration(
                types.DidChangeConfigurationParams({"synthLsp": {**settings, "model": "openai/busy", "apiBase": fake.api_base}})
            )
            client.statuses.clear()
            await client.workspace_execute_command_async(types.ExecuteCommandParams("synthLsp.evolve.start", [uri]))
            await wait_for(lambda: any(s["state"] == "running" and s["calls"] >= 1 for s in client.statuses), what="a loaded generation")
            load_before = os.getloadavg()[0]
            loaded = await measure(client, uri, position, requests)
            state = client.statuses[-1]
            if state["state"] != "running":
                raise SystemExit(f"evolution was not running for the whole loaded phase: {state}")
            await client.workspace_execute_command_async(types.ExecuteCommandParams("synthLsp.evolve.stop", [uri]))
        finally:
            await client.shutdown_session()
            await client.stop()
    shutil.rmtree(work, ignore_errors=True)

    print(f"requests per kind and phase: {requests}; evolution during the loaded phase: generation {state['generation']}, {state['calls']} model calls; load average {load_before:.2f}")
    print()
    print("| request | idle median (ms) | idle p95 (ms) | loaded median (ms) | loaded p95 (ms) | p95 ratio loaded/idle |")
    print("|---|---|---|---|---|---|")
    for kind in ("hover", "codeAction"):
        i, l = idle[kind], loaded[kind]
        ip95, lp95 = percentile(i, 0.95), percentile(l, 0.95)
        print(f"| {kind} | {statistics.median(i):.2f} | {ip95:.2f} | {statistics.median(l):.2f} | {lp95:.2f} | {lp95 / ip95:.2f}x |")
    print()
    print("target: loaded p95 <= 50 ms and <= 3x the idle p95")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    args = parser.parse_args()
    asyncio.run(main_async(args.requests))


if __name__ == "__main__":
    main()
