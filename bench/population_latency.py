"""Does a long evolution history slow the editor down? codeAction and codeLens latency over stdio
with a 2,000-candidate history against an 8-candidate population, in the same run.

A pygls client starts `synth-lsp serve`, opens three copies of 007bbfb7's identity seed, each in its
own folder beside a stored population whose best candidates (real sandbox scores) beat it:

- small: 8 candidates, all alive;
- history: 8 alive and 1,992 dead, saved through `Population.save` (so the dead history past the
  cap is in the archive beside it, and the population file stays bounded);
- unbounded: the same 2,000 candidates written straight into the population file (a file from
  before the archive existed): what off-loop, per-version reading alone gives.

Two phases, N requests of each kind per population in each:

- **steady**: the files do not change; rounds of one codeAction and one codeLens request per
  script, the scripts interleaved so all see the same load;
- **changing**: a generation's save (the file rewritten, a new mtime) every `--save-every` rounds
  (default 5, about every 0.2 s: far more often than real generations), one population at a time
  in blocks of 10 rounds that take turns, so a population's reads slow only its own requests.
  The requests right after a save wait up to 30 ms for the new version, then the previous one
  answers and a codeLens refresh follows when the read is done.

    python bench/population_latency.py [--requests 100] [--save-every 5] [--server-pythonpath DIR]

`--server-pythonpath` runs another checkout's server on the same files (e.g. before the change).
Target: p95 <= 50 ms and <= 2x the small population's p95.
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

from solutions import FRACTAL_007BBFB7, IDENTITY  # noqa: E402

KINDS = ("codeAction", "codeLens")
HISTORY = 2000
ALIVE = 8


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def make_client() -> LanguageClient:
    client = LanguageClient()
    client.published = []

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.published.append(params)

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
        },
    )
    return client


def scored_templates(folder: Path):
    """A few real candidates scored in the sandbox: the answer, and wrong scripts of a right shape."""
    from synth_lsp.core.task import load_task_for_script
    from synth_lsp.optimizer.candidate import new_candidate, score_candidate
    from synth_lsp.sandbox.runner import get_sandbox

    task = load_task_for_script(folder / "007bbfb7.synth.py")
    sandbox = get_sandbox()
    scripts = [FRACTAL_007BBFB7] + [f'result = {{"output_grid": [[{k}] * 9 for _ in range(9)]}}\n' for k in range(4)]
    return [score_candidate(new_candidate(s, "mutation"), task, sandbox) for s in scripts]


def build_population(folder: Path, size: int, templates, archive: bool) -> int:
    """Write the folder's population: `size` candidates, the best `ALIVE` alive. Its file size."""
    import copy

    from synth_lsp.optimizer.candidate import candidate_id
    from synth_lsp.optimizer.population import Population, population_path_for

    path = population_path_for(folder / "007bbfb7.synth.py")
    population = Population(path)
    population.generation = size // 8
    for i in range(size):
        template = templates[0] if i < 2 else templates[1 + i % (len(templates) - 1)]
        candidate = copy.copy(template)
        candidate.script = template.script + f"# variant {i}\n"
        candidate.id = candidate_id(candidate.script)
        candidate.generation = i // 8
        candidate.alive = i < ALIVE
        candidate.parents = []
        population.add(candidate)
    if archive:
        population.save()
    else:
        population._write(population.to_text())  # every candidate in the one file, as before the archive
    return path.stat().st_size


async def wait_for(predicate, timeout: float = 120.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise SystemExit(f"timed out waiting for {what}")


async def one_round(client: LanguageClient, uris: dict[str, str], samples: dict[tuple[str, str], list[float]]) -> None:
    for name, uri in uris.items():
        document = types.TextDocumentIdentifier(uri)
        start = time.perf_counter()
        actions = await client.text_document_code_action_async(
            types.CodeActionParams(document, types.Range(types.Position(0, 0), types.Position(0, 0)), types.CodeActionContext(diagnostics=[]))
        )
        samples[(name, "codeAction")].append((time.perf_counter() - start) * 1000)
        if not actions:
            raise SystemExit(f"{name}: no code action from the population")
        start = time.perf_counter()
        lenses = await client.text_document_code_lens_async(types.CodeLensParams(document))
        samples[(name, "codeLens")].append((time.perf_counter() - start) * 1000)
        if not lenses or len(lenses) < 2:
            raise SystemExit(f"{name}: no evolved lens")


def rewrite(folder: Path) -> None:
    """What a generation's save does to the file: new contents (here the same), a new mtime."""
    from synth_lsp.core.atomic_file import write_atomically

    path = folder / "007bbfb7.synth.population.json"
    write_atomically(path, path.read_text())


async def main_async(requests: int, save_every: int, server_pythonpath: str | None) -> None:
    work = Path(tempfile.mkdtemp(prefix="synth-population-latency-"))
    folders = {name: work / name for name in ("small", "history", "unbounded")}
    for folder in folders.values():
        folder.mkdir()
        shutil.copy(ROOT / "examples" / "arc" / "007bbfb7.json", folder / "007bbfb7.json")
        (folder / "007bbfb7.synth.py").write_text(IDENTITY)
    templates = scored_templates(folders["small"])
    sizes = {
        "small": build_population(folders["small"], ALIVE, templates, archive=True),
        "history": build_population(folders["history"], HISTORY, templates, archive=True),
        "unbounded": build_population(folders["unbounded"], HISTORY, templates, archive=False),
    }
    from synth_lsp.optimizer.population import Population

    counts = {name: len(Population.load(folder / "007bbfb7.synth.population.json")) for name, folder in folders.items()}
    reads = {}  # how long the server's read of each file takes (the most a stale answer can last), in-process
    for name, folder in folders.items():
        start = time.perf_counter()
        Population.load(folder / "007bbfb7.synth.population.json", pause=lambda: time.sleep(0), pairs=False)
        reads[name] = (time.perf_counter() - start) * 1000
    uris = {name: (folder / "007bbfb7.synth.py").resolve().as_uri() for name, folder in folders.items()}

    client = make_client()
    env = {**os.environ, "PYTHONPATH": server_pythonpath or str(ROOT)}
    # the server's own folder as its cwd: `python -m` puts the cwd first on sys.path
    await client.start_io(sys.executable, "-m", "synth_lsp", "serve", "--stdio", env=env, cwd=server_pythonpath or str(ROOT))
    await client.initialize_session(types.InitializeParams(capabilities=client_capabilities("visual-studio-code"), initialization_options={"settings": {}}))
    phases: dict[str, dict[tuple[str, str], list[float]]] = {}
    try:
        for uri in uris.values():
            client.text_document_did_open(types.DidOpenTextDocumentParams(types.TextDocumentItem(uri, "python", 1, IDENTITY)))
        await wait_for(lambda: {p.uri for p in client.published if p.diagnostics} >= set(uris.values()), what="the first runs")
        await one_round(client, uris, {(n, k): [] for n in uris for k in KINDS})  # warm up: the first reads
        load_before = os.getloadavg()[0]
        samples = phases["steady"] = {(n, k): [] for n in uris for k in KINDS}
        for _ in range(requests):
            await one_round(client, uris, samples)
            await asyncio.sleep(0.01)
        samples = phases["changing"] = {(n, k): [] for n in uris for k in KINDS}
        done = dict.fromkeys(uris, 0)
        while any(count < requests for count in done.values()):
            for name in uris:  # blocks of 10 rounds, one population at a time
                for _ in range(min(10, requests - done[name])):
                    if done[name] % save_every == 0:
                        rewrite(folders[name])
                    await one_round(client, {name: uris[name]}, samples)
                    await asyncio.sleep(0.01)
                    done[name] += 1
    finally:
        await client.shutdown_session()
        await client.stop()
    shutil.rmtree(work, ignore_errors=True)

    print(f"requests per script, kind and phase: {requests}; load average {load_before:.2f}; server: {server_pythonpath or 'this checkout'}")
    print()
    print("| population | candidates in the file | file size (kB) | one read as the server does it (ms) |")
    print("|---|---|---|---|")
    for name in uris:
        print(f"| {name} | {counts[name]} | {sizes[name] / 1024:.0f} | {reads[name]:.0f} |")
    met = True
    for phase, samples in phases.items():
        print()
        print(f"{phase}:")
        print()
        print("| population | request | median (ms) | p95 (ms) | p95 / small p95 |")
        print("|---|---|---|---|---|")
        for name in uris:
            for kind in KINDS:
                values = samples[(name, kind)]
                p95, base = percentile(values, 0.95), percentile(samples[("small", kind)], 0.95)
                ratio = p95 / base
                if name == "history":
                    met = met and p95 <= 50 and ratio <= 2
                print(f"| {name} | {kind} | {statistics.median(values):.2f} | {p95:.2f} | {ratio:.2f}x |")
    print()
    print(f"target (history against small, both phases): p95 <= 50 ms and <= 2x -> {'met' if met else 'NOT met'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--save-every", type=int, default=5, help="rounds between two saves of a population file, in the changing phase")
    parser.add_argument("--server-pythonpath", help="run the server from this checkout instead")
    args = parser.parse_args()
    asyncio.run(main_async(args.requests, args.save_every, args.server_pythonpath))


if __name__ == "__main__":
    main()
