"""Latency of the language server: `didSave` -> the matching `publishDiagnostics`, over stdio.

A client (pygls) starts `synth-lsp serve` as a subprocess, opens a script, and then, N times,
edits it (a new trailing comment, so each save is a new version) and saves; the clock runs from
sending didSave to receiving the script's diagnostics for that version. The baseline is the
core's in-process `evaluate` of the same script on the same task, measured in the same run,
alternating with the saves so that both see the same load (the machine is shared).

    python bench/lsp_latency.py            # 007bbfb7 (3x3 -> 9x9) and 3631a71a (30x30)
    python bench/lsp_latency.py --runs 40

Target: server median <= 2x the in-process median.
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
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

ARC = Path(__file__).resolve().parents[2] / "shared" / "arc" / "ARC-AGI-1" / "training"  # ../shared beside the clone

FRACTAL = '''def transform(inputs):
    g = inputs["input_grid"]
    n = len(g)
    out = [[0] * (n * n) for _ in range(n * n)]
    for i in range(n):
        for j in range(n):
            if g[i][j]:
                for a in range(n):
                    for b in range(n):
                        out[i * n + a][j * n + b] = g[a][b]
    return {"output_grid": out}


result = transform(inputs)
'''

# 3631a71a: cells painted 9 hide a symmetric pattern; restore each from its mirror images
SYMMETRY = '''def transform(inputs):
    g = [row[:] for row in inputs["input_grid"]]
    n = len(g)
    for r in range(n):
        for c in range(n):
            if g[r][c] == 9:
                for rr, cc in ((c, r), (r, n + 1 - c), (n + 1 - r, c)):
                    if 0 <= rr < n and 0 <= cc < n and g[rr][cc] != 9:
                        g[r][c] = g[rr][cc]
                        break
    return {"output_grid": g}


result = transform(inputs)
'''

IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'

# (task, examples, script label, script): a solving script, and the identity seed whose mismatches
# make the server build and publish many diagnostics (cells marked in the examples file)
CASES = [
    ("007bbfb7", ROOT / "examples" / "arc" / "007bbfb7.json", "solves", FRACTAL),
    ("007bbfb7", ROOT / "examples" / "arc" / "007bbfb7.json", "identity", IDENTITY),
    ("3631a71a", ARC / "3631a71a.json", "solves", SYMMETRY),
    ("3631a71a", ARC / "3631a71a.json", "identity", IDENTITY),
]


@dataclass
class Row:
    task: str
    script: str
    grid: str
    pairs: int
    core_median_ms: float
    core_p95_ms: float
    lsp_median_ms: float
    lsp_p95_ms: float
    diagnostics: int

    @property
    def ratio(self) -> float:
        return self.lsp_median_ms / self.core_median_ms if self.core_median_ms else float("inf")


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def core_timer(task_path: Path, script: str):
    """A function that evaluates the script in process once and returns the time (ms)."""
    from synth_lsp.core.evaluation import evaluate
    from synth_lsp.sandbox.runner import get_sandbox
    from synth_lsp.core.task import load_task

    task = load_task(task_path)
    sandbox = get_sandbox()
    evaluate(task, script, sandbox=sandbox)  # warm: pool, walls probe

    def once() -> float:
        started = time.perf_counter()
        evaluate(task, script, sandbox=sandbox)
        return (time.perf_counter() - started) * 1000

    return once


async def lsp_times(task_path: Path, script: str, runs: int, core_once) -> tuple[list[float], list[float], int]:
    """Saves and in-process evaluations alternate, so both see the same load on the machine."""
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    folder = Path(tempfile.mkdtemp(prefix="lsp-latency-"))
    try:
        name = task_path.stem
        shutil.copy(task_path, folder / f"{name}.json")
        path = folder / f"{name}.synth.py"
        path.write_text(script)
        uri = path.resolve().as_uri()

        client = LanguageClient("lsp-latency", "1")
        arrivals: dict[int, tuple[float, int]] = {}
        got = asyncio.Event()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(ls, params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri and params.version is not None:
                arrivals[params.version] = (time.perf_counter(), len(params.diagnostics))
                got.set()

        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        await client.start_io(sys.executable, "-m", "synth_lsp", "serve", "--stdio", env=env)
        await client.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities(), process_id=os.getpid()))
        client.initialized(types.InitializedParams())

        async def wait_for(version: int) -> tuple[float, int]:
            while version not in arrivals:
                got.clear()
                await asyncio.wait_for(got.wait(), 60)
            return arrivals[version]

        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=script)))
        await wait_for(1)
        times, core, count = [], [], 0
        for version in range(2, runs + 3):
            core.append(core_once())
            text = script + f"# edit {version}\n"
            path.write_text(text)
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(version=version, uri=uri), [types.TextDocumentContentChangeWholeDocument(text=text)]
                )
            )
            sent = time.perf_counter()
            client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
            arrived, count = await wait_for(version)
            if version > 2:  # the first save warms the server's run path
                times.append((arrived - sent) * 1000)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        return times, core[1:], count
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(name: str, task_path: Path, label: str, script: str, runs: int) -> Row:
    import json

    data = json.loads(task_path.read_text())
    grid = data["train"][0]["output"]
    lsp, core, count = asyncio.run(lsp_times(task_path, script, runs, core_timer(task_path, script)))
    return Row(
        task=name,
        script=label,
        grid=f"{len(grid)}x{len(grid[0])}",
        pairs=len(data["train"]) + len(data["test"]),
        core_median_ms=statistics.median(core),
        core_p95_ms=p95(core),
        lsp_median_ms=statistics.median(lsp),
        lsp_p95_ms=p95(lsp),
        diagnostics=count,
    )


def table(rows: list[Row]) -> str:
    lines = [
        "| task | script | output grid | pairs | in-process evaluate median / p95 (ms) | didSave -> diagnostics median / p95 (ms) | ratio (medians) | script diagnostics |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.task} | {r.script} | {r.grid} | {r.pairs} | {r.core_median_ms:.1f} / {r.core_p95_ms:.1f} | "
            f"{r.lsp_median_ms:.1f} / {r.lsp_p95_ms:.1f} | {r.ratio:.2f}x | {r.diagnostics} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=25, help="measured saves (and evaluations) per task")
    args = parser.parse_args(argv)
    rows = [measure(name, path, label, script, args.runs) for name, path, label, script in CASES]
    print(table(rows))
    print(f"\n{args.runs} runs per task; target: ratio <= 2.00x -> " + ("met" if all(r.ratio <= 2 for r in rows) else "NOT met"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
