"""Workspace diagnostics over 500 scripts: does an open script's edit still get its diagnostics
promptly while the pass runs?

A pygls client starts `synth-lsp serve` on a folder of N scripts (copies of the identity seed of
007bbfb7, each with 5 failing pairs, sharing one examples file) and one open script. The clock runs
from `didSave` of the open script to its `publishDiagnostics` for that version, as in
lsp_latency.py. Two servers, in one run: `workspaceDiagnostics` off (the baseline: nothing else
runs) and on (the saves are made while the pass is running; only saves answered before the pass
ended count). Also reported: how long the pass took and how many scripts it ran.

    python bench/workspace_diagnostics.py               # 500 scripts, 20 saves
    python bench/workspace_diagnostics.py --scripts 100 --saves 10

Target: the median with the pass running <= 2x the median without it.
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


def folder(scripts: int) -> Path:
    root = Path(tempfile.mkdtemp(prefix="workspace-diagnostics-"))
    shutil.copy(ROOT / "examples" / "arc" / "007bbfb7.json", root / "007bbfb7.json")
    (root / "007bbfb7.synth.py").write_text(FRACTAL)
    many = root / "many"
    many.mkdir()
    for i in range(scripts):
        (many / f"s{i:04}.synth.py").write_text("# synth: examples = ../007bbfb7.json\n" + IDENTITY)
    return root


async def session(root: Path, scripts: int, saves: int, enabled: bool) -> dict:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    uri = (root / "007bbfb7.synth.py").resolve().as_uri()
    client = LanguageClient("workspace-bench", "1")
    arrivals: dict[int, float] = {}
    pass_uris: set[str] = set()
    pass_done = asyncio.Event()
    got = asyncio.Event()

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def on_diagnostics(ls, params: types.PublishDiagnosticsParams) -> None:
        if params.uri == uri and params.version is not None:
            arrivals[params.version] = time.perf_counter()
            got.set()
        elif "/many/" in params.uri:
            pass_uris.add(params.uri)
            if len(pass_uris) >= scripts:
                pass_done.set()

    env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    await client.start_io(sys.executable, "-m", "synth_lsp", "serve", "--stdio", env=env)
    await client.initialize_async(
        types.InitializeParams(
            capabilities=types.ClientCapabilities(),
            process_id=os.getpid(),
            root_uri=root.resolve().as_uri(),
            workspace_folders=[types.WorkspaceFolder(root.resolve().as_uri(), "bench")],
            initialization_options={"settings": {"workspaceDiagnostics": enabled}},
        )
    )
    started = time.perf_counter()
    client.initialized(types.InitializedParams())

    async def wait_for(version: int) -> float:
        while version not in arrivals:
            got.clear()
            await asyncio.wait_for(got.wait(), 120)
        return arrivals[version]

    client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=FRACTAL)))
    await wait_for(1)
    if enabled:  # the saves start once the pass is under way
        while not pass_uris:
            await asyncio.sleep(0.01)
    times: list[float] = []
    for version in range(2, saves + 3):
        if enabled and pass_done.is_set():
            break
        text = FRACTAL + f"# edit {version}\n"
        client.text_document_did_change(
            types.DidChangeTextDocumentParams(types.VersionedTextDocumentIdentifier(version=version, uri=uri), [types.TextDocumentContentChangeWholeDocument(text=text)])
        )
        sent = time.perf_counter()
        client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
        arrived = await wait_for(version)
        if version > 2 and not (enabled and pass_done.is_set()):
            times.append((arrived - sent) * 1000)
        await asyncio.sleep(0.1)  # a person's pace between saves, so the pass gets its turns
    during = len(pass_uris)
    if enabled:
        await asyncio.wait_for(pass_done.wait(), 600)
    pass_s = time.perf_counter() - started
    await client.shutdown_async(None)
    client.exit(None)
    await client.stop()
    return {"times": times, "pass_s": pass_s, "ran": len(pass_uris), "during": during}


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scripts", type=int, default=500)
    parser.add_argument("--saves", type=int, default=20)
    args = parser.parse_args()
    root = folder(args.scripts)
    try:
        off = asyncio.run(session(root, args.scripts, args.saves, enabled=False))
        on = asyncio.run(session(root, args.scripts, args.saves, enabled=True))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    base, busy = off["times"], on["times"]
    print(f"{args.scripts} scripts in the workspace (007bbfb7 identity seeds, 5 failing pairs each); the open script solves 007bbfb7\n")
    print("| workspaceDiagnostics | saves measured | didSave -> diagnostics median / p95 (ms) | scripts run by the pass | pass time (s) |")
    print("|---|---|---|---|---|")
    print(f"| off | {len(base)} | {statistics.median(base):.1f} / {p95(base):.1f} | 0 | - |")
    if busy:
        print(f"| on, saves during the pass | {len(busy)} | {statistics.median(busy):.1f} / {p95(busy):.1f} | {on['ran']} ({on['during']} when the saves ended) | {on['pass_s']:.1f} |")
        print(f"\nratio of medians (pass running / idle): {statistics.median(busy) / statistics.median(base):.2f}x (target <= 2x)")
    else:
        print(f"| on | 0 (the pass ended first) | - | {on['ran']} | {on['pass_s']:.1f} |")


if __name__ == "__main__":
    main()
