"""What inline values cost: the time from a save's diagnostics to its values, against the plain run.

A pygls client starts `synth-lsp serve` (stdio), opens a script beside its task, then N times edits
and saves it. For each save the clock gives: the plain run, from sending didSave to the script's
diagnostics for that version (the scored run of every pair, as `lsp_latency.py` measures it); and
the values, from those diagnostics to the server's `workspace/inlayHint/refresh` (the instrumented
run on the chosen pair, done after the diagnostics went out). Each save's hints are then fetched
and checked (not timed). Both are measured in the same run, save by save.

    python bench/inline_values.py            # 007bbfb7 (3x3 -> 9x9) and 3631a71a (30x30)
    python bench/inline_values.py --runs 40

Target: values median <= 2x the plain run's median (after it).
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
sys.path.insert(0, str(Path(__file__).resolve().parent))

from lsp_latency import ARC, FRACTAL, IDENTITY, SYMMETRY, p95

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
    plain_ms: list[float]
    values_ms: list[float]
    hints: int

    @property
    def ratio(self) -> float:
        plain = statistics.median(self.plain_ms)
        return statistics.median(self.values_ms) / plain if plain else float("inf")


async def save_times(task_path: Path, script: str, runs: int) -> tuple[list[float], list[float], int]:
    from lsprotocol import types
    from pygls.lsp.client import LanguageClient

    folder = Path(tempfile.mkdtemp(prefix="inline-values-"))
    try:
        name = task_path.stem
        shutil.copy(task_path, folder / f"{name}.json")
        path = folder / f"{name}.synth.py"
        path.write_text(script)
        uri = path.resolve().as_uri()
        client = LanguageClient("inline-values-bench", "1")
        diagnostics: dict[int, float] = {}
        refreshes: list[float] = []
        got = asyncio.Event()

        @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def on_diagnostics(ls, params: types.PublishDiagnosticsParams) -> None:
            if params.uri == uri and params.version is not None:
                diagnostics[params.version] = time.perf_counter()
                got.set()

        @client.feature(types.WORKSPACE_INLAY_HINT_REFRESH)
        def on_refresh(ls, params: None) -> None:
            refreshes.append(time.perf_counter())
            got.set()

        @client.feature(types.WORKSPACE_CODE_LENS_REFRESH)
        def on_lens_refresh(ls, params: None) -> None:
            return None

        env = {**os.environ, "PYTHONPATH": str(ROOT) + os.pathsep + os.environ.get("PYTHONPATH", "")}
        await client.start_io(sys.executable, "-m", "synth_lsp", "serve", "--stdio", env=env)
        capabilities = types.ClientCapabilities(
            workspace=types.WorkspaceClientCapabilities(
                inlay_hint=types.InlayHintWorkspaceClientCapabilities(refresh_support=True),
                code_lens=types.CodeLensWorkspaceClientCapabilities(refresh_support=True),
            ),
            text_document=types.TextDocumentClientCapabilities(inlay_hint=types.InlayHintClientCapabilities()),
        )
        await client.initialize_async(types.InitializeParams(capabilities=capabilities, process_id=os.getpid()))
        client.initialized(types.InitializedParams())

        async def until(predicate) -> None:
            while not predicate():
                got.clear()
                await asyncio.wait_for(got.wait(), 60)

        async def hints() -> int:
            rng = types.Range(types.Position(0, 0), types.Position(10_000, 0))
            found = await client.text_document_inlay_hint_async(types.InlayHintParams(types.TextDocumentIdentifier(uri), rng))
            return len(found or [])

        client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id="python", version=1, text=script)))
        await until(lambda: 1 in diagnostics and refreshes)
        plain, values, count = [], [], 0
        for version in range(2, runs + 3):
            text = script + f"# edit {version}\n"
            path.write_text(text)
            client.text_document_did_change(
                types.DidChangeTextDocumentParams(
                    types.VersionedTextDocumentIdentifier(version=version, uri=uri), [types.TextDocumentContentChangeWholeDocument(text=text)]
                )
            )
            seen = len(refreshes)
            sent = time.perf_counter()
            client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri)))
            await until(lambda version=version, seen=seen: version in diagnostics and len(refreshes) > seen)
            count = await hints()
            if count == 0:
                raise SystemExit(f"no inlay hints for version {version} of {name}")
            if version > 2:  # the first save warms the server's paths
                plain.append((diagnostics[version] - sent) * 1000)
                values.append((refreshes[seen] - diagnostics[version]) * 1000)
        await client.shutdown_async(None)
        client.exit(None)
        await client.stop()
        return plain, values, count
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(name: str, task_path: Path, label: str, script: str, runs: int) -> Row:
    import json

    grid = json.loads(task_path.read_text())["train"][0]["output"]
    plain, values, count = asyncio.run(save_times(task_path, script, runs))
    return Row(name, label, f"{len(grid)}x{len(grid[0])}", plain, values, count)


def table(rows: list[Row]) -> str:
    lines = [
        "| task | script | output grid | plain run: didSave -> diagnostics median / p95 (ms) | values: diagnostics -> inlayHint/refresh median / p95 (ms) | ratio (medians) | hints |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.task} | {r.script} | {r.grid} | {statistics.median(r.plain_ms):.1f} / {p95(r.plain_ms):.1f} | "
            f"{statistics.median(r.values_ms):.1f} / {p95(r.values_ms):.1f} | {r.ratio:.2f}x | {r.hints} |"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=25, help="measured saves per case")
    args = parser.parse_args(argv)
    missing = [path for _, path, _, _ in CASES if not path.exists()]
    if missing:
        print(f"missing task files: {', '.join(map(str, missing))}", file=sys.stderr)
        return 2
    rows = [measure(name, path, label, script, args.runs) for name, path, label, script in CASES]
    print(table(rows))
    print(f"\n{args.runs} saves per case; target: ratio <= 2.00x -> " + ("met" if all(r.ratio <= 2 for r in rows) else "NOT met"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
