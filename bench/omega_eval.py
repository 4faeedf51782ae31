"""OMEGA's evaluation throughput, and its embedding calls per generation.

Throughput: candidates scored per second through the optimizer's own scoring path (`score_all`:
Monty sandbox, a warm worker pool, candidates and pairs in parallel) against a baseline that runs
each candidate in a fresh `python3 -c` subprocess on the same pairs (how OpenEvolve-style systems run
candidates), with the same parallelism, the same candidates, in the same run. The baseline may run
on the host because these are our own fixed benchmark scripts, never model output.

Embeddings: a real evolution through litellm against the in-process OpenAI-compatible server of
the tests (tests/fake_openai.py), with an embedding model; calls counted at the server per
generation, next to what an uncached pairwise scheme (two calls per compared pair) would make.

Per candidate, against the seed system itself: each of the 8 candidates scored alone on both
tasks' pairs (train and test) by synth-lsp's `score_candidate` (its pairs in one checkout, and with a
checkout per pair, the path before), by Synalinks' PythonSynthesis 0.8.38 on the in-process Monty
0.0.18 (`bench/synalinks_seed.py`, in its own virtualenv, made with uv when missing), and by a fresh
subprocess; interleaved in one run, medians.

    python bench/omega_eval.py              # 5 repeats
    python bench/omega_eval.py --repeats 9 --parallel 4
    python bench/omega_eval.py --per-candidate-only --synalinks-venv /tmp/wt/synalinks-venv

Targets: throughput ratio >= 20x; per 007bbfb7 candidate >= 40x Synalinks; embedding calls per
generation = new candidates.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from synth_lsp.optimizer.candidate import new_candidate, score_candidate, score_candidates  # noqa: E402
from synth_lsp.optimizer.omega import score_all  # noqa: E402
from synth_lsp.core.runs import RunLimits  # noqa: E402
from synth_lsp.sandbox.runner import Sandbox  # noqa: E402
from synth_lsp.core.scoring import exact_match  # noqa: E402
from synth_lsp.core.task import Task, load_task  # noqa: E402

ARC = Path(__file__).resolve().parents[2] / "shared" / "arc" / "ARC-AGI-1" / "training"  # ../shared beside the clone (--arc)
PARALLEL = 2  # the machine's cores; both sides get the same (--parallel)
BASELINE_PYTHON = [sys.executable]  # the baseline's interpreter (--python)
LOOP = asyncio.new_event_loop()  # one loop for every generation's scoring, as in a real evolution

IDENTITY = "result = {'output_grid': [row[:] for row in inputs['input_grid']]}\n"
TRANSPOSE = "g = inputs['input_grid']\nresult = {'output_grid': [list(col) for col in zip(*g)]}\n"
FLIP = "g = inputs['input_grid']\nresult = {'output_grid': [row[::-1] for row in g[::-1]]}\n"
CRASH = "g = inputs['input_grid']\nresult = {'output_grid': [g[len(g)][0]]}\n"
TILE = """def transform(grid):
    n = len(grid)
    if n * n > 30:
        return grid
    return [[grid[r % n][c % n] for c in range(n * n)] for r in range(n * n)]

result = {"output_grid": transform(inputs["input_grid"])}
"""
FRACTAL = """def transform(grid):
    h, w = len(grid), len(grid[0])
    if h * h > 30 or w * w > 30:
        return [row[:] for row in grid]
    out = [[0] * (w * w) for _ in range(h * h)]
    for R in range(h):
        for C in range(w):
            if grid[R][C]:
                for r in range(h):
                    for c in range(w):
                        out[R * h + r][C * w + c] = grid[r][c]
    return out

result = {"output_grid": transform(inputs["input_grid"])}
"""
SYMMETRY_FILL = """def fill(grid, hole):
    n, m = len(grid), len(grid[0])
    out = [row[:] for row in grid]
    for r in range(n):
        for c in range(m):
            if out[r][c] != hole:
                continue
            for rr, cc in ((c, r), (r, m - 1 - c), (n - 1 - r, c), (m - 1 - c, n - 1 - r)):
                if 0 <= rr < n and 0 <= cc < m and grid[rr][cc] != hole:
                    out[r][c] = grid[rr][cc]
                    break
    return out

result = {"output_grid": fill(inputs["input_grid"], 9)}
"""
FLOOD = """from collections import deque

def regions(grid):
    n, m = len(grid), len(grid[0])
    seen = set()
    out = [row[:] for row in grid]
    for r in range(n):
        for c in range(m):
            if (r, c) in seen:
                continue
            colour = grid[r][c]
            queue = deque([(r, c)])
            seen.add((r, c))
            cells = []
            while queue:
                y, x = queue.popleft()
                cells.append((y, x))
                for dy, dx in ((1, 0), (-1, 0), (0, 1), (0, -1)):
                    yy, xx = y + dy, x + dx
                    if 0 <= yy < n and 0 <= xx < m and (yy, xx) not in seen and grid[yy][xx] == colour:
                        seen.add((yy, xx))
                        queue.append((yy, xx))
            if len(cells) == 1:
                out[r][c] = 0
    return out

result = {"output_grid": regions(inputs["input_grid"])}
"""
CANDIDATES = {
    "identity": IDENTITY,
    "transpose": TRANSPOSE,
    "flip": FLIP,
    "crash": CRASH,
    "tile": TILE,
    "fractal": FRACTAL,
    "symmetry fill": SYMMETRY_FILL,
    "flood fill": FLOOD,
}

# The baseline's runner: a fresh interpreter per candidate, every pair run by exec().
HARNESS = """
import json, sys
data = json.load(sys.stdin)
code = compile(data["script"], "<candidate>", "exec")
out = []
for inputs in data["inputs"]:
    scope = {"inputs": inputs, "__name__": "__main__"}
    try:
        exec(code, scope)
        out.append({"result": scope.get("result")})
    except Exception as exc:
        out.append({"error": type(exc).__name__ + ": " + str(exc)})
json.dump(out, sys.stdout)
"""


def baseline_score(task: Task, script: str) -> float:
    """Train reward of one candidate, run in a fresh Python subprocess."""
    pairs = list(task.train) + list(task.test)
    payload = json.dumps({"script": script, "inputs": [p.inputs for p in pairs]})
    done = subprocess.run([BASELINE_PYTHON[0], "-c", HARNESS], input=payload, capture_output=True, text=True, timeout=60)
    runs = json.loads(done.stdout)
    rewards = [exact_match(p.expected, r.get("result"), task.mask) for p, r in zip(task.train, runs)]
    return sum(rewards) / len(rewards)


def time_baseline(task: Task, scripts: list[str], parallel: int) -> tuple[float, list[float]]:
    started = time.perf_counter()
    with ThreadPoolExecutor(parallel) as pool:
        rewards = list(pool.map(lambda s: baseline_score(task, s), scripts))
    return time.perf_counter() - started, rewards


def time_sandbox(task: Task, scripts: list[str], sandbox: Sandbox, parallel: int) -> tuple[float, list[float]]:
    candidates = [new_candidate(s, "mutation") for s in scripts]
    started = time.perf_counter()
    LOOP.run_until_complete(score_all(candidates, task, sandbox, RunLimits(time_s=5.0), parallel))
    return time.perf_counter() - started, [c.train_reward for c in candidates]


def throughput(name: str, task: Task, repeats: int, sandbox: Sandbox, parallel: int) -> dict:
    scripts = list(CANDIDATES.values())
    time_sandbox(task, scripts, sandbox, parallel)  # warm the pool and the walls probe
    sandbox_times, baseline_times = [], []
    for _ in range(repeats):  # interleaved, so load changes hit both sides
        seconds, monty_rewards = time_sandbox(task, scripts, sandbox, parallel)
        sandbox_times.append(seconds)
        seconds, host_rewards = time_baseline(task, scripts, parallel)
        baseline_times.append(seconds)
    startups = []
    for _ in range(repeats):  # the baseline's floor: an interpreter that does nothing
        started = time.perf_counter()
        subprocess.run([BASELINE_PYTHON[0], "-c", "pass"], check=True)
        startups.append(time.perf_counter() - started)
    agree = sum(abs(a - b) < 1e-9 for a, b in zip(monty_rewards, host_rewards))
    ours = len(scripts) / statistics.median(sandbox_times)
    theirs = len(scripts) / statistics.median(baseline_times)
    # The fixed cost per candidate: the cheapest possible candidate (return the input grid) on both
    # sides. Heavier candidates add interpreted work, which Monty does 2-6x slower than CPython, so
    # no candidate mix scores a better ratio than this one.
    trivial = [f"result = {{'output_grid': inputs['input_grid']}}  # {k}\n" for k in range(2 * len(scripts))]
    ours_floor, theirs_floor = [], []
    for _ in range(repeats):
        ours_floor.append(time_sandbox(task, trivial, sandbox, parallel)[0])
        theirs_floor.append(time_baseline(task, trivial, parallel)[0])
    ceiling = len(trivial) / statistics.median(ours_floor)
    ceiling_theirs = len(trivial) / statistics.median(theirs_floor)
    return {
        "task": name,
        "pairs": len(task.train) + len(task.test),
        "candidates": len(scripts),
        "sandbox_per_s": ours,
        "baseline_per_s": theirs,
        "ratio": ours / theirs,
        "rewards_agree": f"{agree}/{len(scripts)}",
        "startup_ms": statistics.median(startups) * 1000,
        "ceiling_per_s": ceiling,
        "ceiling_theirs_per_s": ceiling_theirs,
        "ceiling_ratio": ceiling / ceiling_theirs,
    }


SYNALINKS_VENV = Path(os.environ.get("SYNALINKS_VENV", ROOT / ".cache" / "synalinks-venv"))  # --synalinks-venv
SYNALINKS_PINS = ["--exclude-newer", "2026-06-13", "synalinks==0.8.38", "pydantic-monty==0.0.18"]


def synalinks_python(venv: Path) -> Path | None:
    """The seed system's interpreter: Synalinks 0.8.38 on the in-process Monty 0.0.18, in its own
    virtualenv (the two Monty versions cannot share one), made with uv when missing."""
    python = venv / "bin" / "python"
    if python.exists():
        return python
    uv = shutil.which("uv") or shutil.which("uv", path=str(Path(sys.executable).parent))
    command = f"uv venv {venv} -p 3.11 && uv pip install --python {venv} {' '.join(SYNALINKS_PINS)}"
    if uv is None:
        print(f"(no Synalinks baseline: `uv` is missing. Make its venv with `pip install uv && {command}`)")
        return None
    print(f"(setting up the Synalinks baseline: {command})", flush=True)
    made = subprocess.run([uv, "venv", str(venv), "-p", "3.11"], capture_output=True, text=True)
    if made.returncode == 0:
        made = subprocess.run([uv, "pip", "install", "--python", str(venv), *SYNALINKS_PINS], capture_output=True, text=True)
    if made.returncode != 0:
        print(f"(no Synalinks baseline: the install failed: {made.stderr.strip()[-300:]})")
        return None
    return python


def _task_cpu_ns(pid: int) -> int:
    """CPU time of every thread of a process, in ns (the scheduler's own count: no 10 ms ticks)."""
    total = 0
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/schedstat") as f:
                total += int(f.read().split()[0])
    except OSError:
        pass  # gone meanwhile
    return total


def _monty_workers() -> list[int]:
    """Our `monty` worker processes (children of this process)."""
    me, found = str(os.getpid()), []
    for pid in os.listdir("/proc"):
        if not pid.isdigit():
            continue
        try:
            with open(f"/proc/{pid}/stat") as f:
                stat = f.read()
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                command = f.read()
        except OSError:
            continue
        if stat.rsplit(")", 1)[1].split()[1] == me and b"monty" in command:
            found.append(int(pid))
    return found


def cpu_snapshot(own_last: bool = True, workers: list[int] | None = None) -> dict[int, int]:
    """CPU used so far, in ns, by this process (key 0) and each of its `monty` workers (every
    sandbox's: the idle ones use none): those given (`workers`, found by the caller beforehand), or
    found afresh by a scan of /proc. Our own clock is read after the reads when starting and before
    them when stopping, so they are never counted. When starting, give the workers: a scan of every
    process's /proc entries right before the run would leave this process's caches cold (a cost
    no other side pays); when stopping, the scan finds any worker started meanwhile (counted from 0)."""
    own = None if own_last else time.process_time_ns()
    found = {pid: _task_cpu_ns(pid) for pid in (_monty_workers() if workers is None else workers)}
    return {0: own if own is not None else time.process_time_ns(), **found}


def cpu_ms_since(before: dict[int, int]) -> float:
    """CPU ms since `before`: unlike wall time it leaves out waiting for a core on a shared machine."""
    after = cpu_snapshot(own_last=False)
    return sum(ns - before.get(pid, 0) for pid, ns in after.items()) / 1e6


class Synalinks:
    """`bench/synalinks_seed.py` under the Synalinks venv, one long-lived child: it times each
    candidate's pairs inside its own process, so the request's round trip is not counted."""

    def __init__(self, python: Path):
        env = dict(os.environ, LITELLM_LOCAL_MODEL_COST_MAP="True", PYTHONPATH="")  # no network, none of our imports
        self.process = subprocess.Popen(
            [str(python), str(ROOT / "bench" / "synalinks_seed.py")],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, env=env,
        )

    def score(self, task_path: Path, script: str, repeats: int = 1) -> tuple[list[float], list[float], list[int]]:
        """(wall ms, CPU ms) per repeat, and the reward of each pair."""
        self.process.stdin.write(json.dumps({"task": str(task_path), "script": script, "repeats": repeats}) + "\n")
        self.process.stdin.flush()
        answer = json.loads(self.process.stdout.readline())
        return answer["ms"], answer["cpu_ms"], answer["rewards"]

    def close(self) -> None:
        self.process.stdin.close()  # its loop ends at end of input
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(10)


def per_candidate(
    task_path: Path, task: Task, repeats: int, sandboxes: dict[str, Sandbox], parallel: int, synalinks: Synalinks | None
) -> list[dict]:
    """Per candidate, one at a time, medians in ms: synth-lsp's scoring path (`score_candidate`) with
    its pairs in one checkout and with a checkout per pair (the path before), Synalinks' PythonSynthesis
    on the same pairs, and a fresh subprocess; interleaved, so load changes hit every side, each repeat
    starting with the next side."""
    rows = []
    limits = RunLimits(time_s=5.0)
    for name, script in CANDIDATES.items():
        sides = [*sandboxes, "synalinks", "subprocess"]
        times: dict[str, list[float]] = {side: [] for side in sides}
        cpu: dict[str, list[float]] = {side: [] for side in sides}
        rewards: dict[str, float] = {}
        synalinks_rewards: list[int] = []
        for side, sandbox in sandboxes.items():  # warm: the session cache holds these pairs
            score_candidate(new_candidate(script, "mutation"), task, sandbox, limits, fingerprint="bench")
        workers = _monty_workers()
        for repeat in range(repeats):
            # each repeat starts with another side: whichever runs right after the subprocess (a
            # fork, a thread pool) or Synalinks finds this process's caches cold, and a fixed order
            # would give that cost to the same side every time
            order = sides[repeat % len(sides) :] + sides[: repeat % len(sides)]
            for side in order:
                if side in sandboxes:
                    candidate = new_candidate(script, "mutation")  # made when proposed, not when scored
                    cpu_before = cpu_snapshot(workers=workers)
                    started = time.perf_counter()  # score_candidate is what score_all runs per candidate
                    scored = score_candidate(candidate, task, sandboxes[side], limits, fingerprint="bench")
                    times[side].append((time.perf_counter() - started) * 1000)
                    cpu[side].append(cpu_ms_since(cpu_before))
                    rewards[side] = scored.train_reward
                elif side == "synalinks" and synalinks is not None:
                    ms, cpu_ms, synalinks_rewards = synalinks.score(task_path, script)
                    times["synalinks"] += ms
                    cpu["synalinks"] += cpu_ms
                elif side == "subprocess":
                    children = resource.getrusage(resource.RUSAGE_CHILDREN)
                    times["subprocess"].append(time_baseline(task, [script], parallel)[0] * 1000)
                    after = resource.getrusage(resource.RUSAGE_CHILDREN)
                    cpu["subprocess"].append((after.ru_utime + after.ru_stime - children.ru_utime - children.ru_stime) * 1000)
        row = {"candidate": name, **{side: statistics.median(t) if t else None for side, t in times.items()}}
        row["cpu"] = {side: statistics.median(t) if t else None for side, t in cpu.items()}
        train = len(task.train)
        same = rewards["one checkout"] == rewards["per pair"]
        if synalinks is not None:
            same = same and abs(sum(synalinks_rewards[:train]) / train - rewards["one checkout"]) < 1e-9
        row["agree"] = same
        row["reward"] = rewards["one checkout"]
        rows.append(row)
    return rows


def batched(task_path: Path, task: Task, repeats: int, sandbox: Sandbox, synalinks: "Synalinks | None") -> dict:
    """The 8 candidates scored in one call (`score_candidates`, what `score_all` runs for a lane of
    a generation: one checkout and one feed for all of them) and, interleaved in the same loop
    (each repeat starting with the other), Synalinks scoring the same 8 one after another; medians
    of the whole call in ms."""
    limits = RunLimits(time_s=5.0)
    scripts = list(CANDIDATES.values())
    score_candidates([new_candidate(s, "mutation") for s in scripts], task, sandbox, limits, fingerprint="bench")  # warm
    workers = _monty_workers()
    times, cpu, theirs, theirs_cpu, rewards = [], [], [], [], []
    for repeat in range(repeats):
        for side in ("ours", "synalinks") if repeat % 2 == 0 else ("synalinks", "ours"):
            if side == "ours":
                candidates = [new_candidate(s, "mutation") for s in scripts]
                cpu_before = cpu_snapshot(workers=workers)
                started = time.perf_counter()
                score_candidates(candidates, task, sandbox, limits, fingerprint="bench")
                times.append((time.perf_counter() - started) * 1000)
                cpu.append(cpu_ms_since(cpu_before))
                rewards = [c.train_reward for c in candidates]
            elif synalinks is not None:
                scored = [synalinks.score(task_path, script) for script in scripts]
                theirs.append(sum(ms[0] for ms, _, _ in scored))
                theirs_cpu.append(sum(c[0] for _, c, _ in scored))

    def median(values: list[float]) -> float | None:
        return statistics.median(values) if values else None

    return {"wall": median(times), "cpu": median(cpu), "synalinks": median(theirs), "synalinks_cpu": median(theirs_cpu), "rewards": rewards}


def print_batched(title: str, batch: dict, rows: list[dict], repeats: int) -> None:
    alone = sum(r["one checkout"] for r in rows)
    alone_cpu = sum(r["cpu"]["one checkout"] for r in rows)
    agree = batch["rewards"] == [r["reward"] for r in rows]
    print(f"\n## The 8 candidates in one call on {title} (`score_candidates`, as `score_all` scores a generation), median of {repeats}\n")
    print(
        "| measure | synth-lsp, the 8 in one batch | Synalinks 0.8.38, the 8 one after another | batch vs Synalinks "
        "| synth-lsp one at a time (sum of the medians above) | train rewards agree |"
    )
    print("|---|---|---|---|---|---|")
    for measure, ours, theirs, single in (("wall ms", batch["wall"], batch["synalinks"], alone), ("CPU ms", batch["cpu"], batch["synalinks_cpu"], alone_cpu)):
        ratio = f"{theirs / ours:.1f}x" if theirs else "-"
        shown = f"{theirs:.2f}" if theirs else "-"
        print(f"| {measure} | {ours:.2f} | {shown} | {ratio} | {single:.2f} | {'yes' if agree else 'NO'} |", flush=True)


def print_per_candidate(title: str, rows: list[dict], repeats: int) -> None:
    sides = ("one checkout", "per pair", "synalinks", "subprocess")

    def ratio(a: float | None, b: float | None) -> str:
        return f"{a / b:.1f}x" if a and b else "-"

    def ms(v: float | None) -> str:
        return f"{v:.2f}" if v is not None else "-"

    for measure, get in (("wall", lambda r, side: r[side]), ("CPU", lambda r, side: r["cpu"][side])):
        print(f"\n## One candidate at a time on {title}: {measure} ms per candidate, median of {repeats}\n")
        print(
            "| candidate | synth-lsp, one checkout | synth-lsp, a checkout per pair | Synalinks 0.8.38 PythonSynthesis "
            "| fresh subprocess | vs Synalinks | vs fresh subprocess | one checkout vs per pair | train rewards agree |"
        )
        print("|---|---|---|---|---|---|---|---|---|")
        for r in rows:
            v = {side: get(r, side) for side in sides}
            print(
                f"| {r['candidate']} | {ms(v['one checkout'])} | {ms(v['per pair'])} | {ms(v['synalinks'])} "
                f"| {ms(v['subprocess'])} | {ratio(v['synalinks'], v['one checkout'])} "
                f"| {ratio(v['subprocess'], v['one checkout'])} | {ratio(v['per pair'], v['one checkout'])} "
                f"| {'yes' if r['agree'] else 'NO'} |",
                flush=True,
            )
        total = {side: sum(get(r, side) for r in rows) if all(get(r, side) for r in rows) else None for side in sides}
        print(
            f"| **all {len(rows)}** | {ms(total['one checkout'])} | {ms(total['per pair'])} | {ms(total['synalinks'])} "
            f"| {ms(total['subprocess'])} | {ratio(total['synalinks'], total['one checkout'])} "
            f"| {ratio(total['subprocess'], total['one checkout'])} | {ratio(total['per pair'], total['one checkout'])} | |"
        )


def embedding_calls(generations: int = 3) -> list[tuple[int, int, int, int]]:
    """(generation, new candidates, embedding calls at the server, calls of an uncached pairwise scheme)."""
    from fake_openai import FakeOpenAI, Reply

    from synth_lsp.optimizer.omega import EvolveConfig, run_evolve
    from synth_lsp.core.task import load_task_for_script

    rows = []
    counter = {"n": 0}

    def distinct(body: dict) -> Reply:
        counter["n"] += 1
        k = counter["n"]
        return Reply(f"```python\nk = {k}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```")

    with tempfile.TemporaryDirectory() as tmp, FakeOpenAI(distinct) as server, Sandbox(processes=PARALLEL) as sandbox:
        for suffix in (".json", ".synth.py"):
            shutil.copy(ROOT / "examples" / "arc" / ("007bbfb7" + suffix), Path(tmp) / ("007bbfb7" + suffix))
        script = Path(tmp) / "007bbfb7.synth.py"
        config = EvolveConfig(
            model="openai/x", embedding_model="openai/embed", api_base=server.api_base, api_key="dummy",
            population_size=6, children_per_generation=6, generations=generations, patience=0, seed=1,
        )
        seen = {"calls": 0, "alive": 0}

        def on_progress(p) -> None:
            calls = len(server.embedding_requests())
            if p.state == "running" and p.message != "started":
                compared = seen["alive"] + p.new_candidates  # the old population plus the children
                rows.append((p.generation, p.new_candidates, calls - seen["calls"], 2 * compared * (compared - 1) // 2))
            seen["calls"], seen["alive"] = calls, p.population_size

        run_evolve(load_task_for_script(script), script, config, on_progress=on_progress, sandbox=sandbox)
    return rows


def print_throughput(tasks: dict[str, Task], args: argparse.Namespace) -> None:
    print(f"## Evaluation throughput ({len(CANDIDATES)} candidates, {args.parallel} in parallel, median of {args.repeats})\n")
    print(
        "| task | pairs | sandbox cand/s | fresh-subprocess cand/s | ratio | rewards agree | `python -c pass` (ms) "
        "| trivial candidates: sandbox cand/s | fresh-subprocess cand/s | ratio (the ceiling) |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    with Sandbox(processes=args.parallel) as sandbox:
        for name, task in tasks.items():
            r = throughput(name, task, args.repeats, sandbox, args.parallel)
            print(
                f"| {r['task']} | {r['pairs']} | {r['sandbox_per_s']:.1f} | {r['baseline_per_s']:.1f} | {r['ratio']:.1f}x "
                f"| {r['rewards_agree']} | {r['startup_ms']:.0f} | {r['ceiling_per_s']:.0f} | {r['ceiling_theirs_per_s']:.0f} | {r['ceiling_ratio']:.1f}x |",
                flush=True,
            )
        print(
            "\nTrivial candidates: `result = {'output_grid': inputs['input_grid']}` on both sides, the fixed cost"
            " of scoring one candidate. Heavier candidates only add work that Monty interprets 2-6x slower than"
            " CPython, so their ratio is the ceiling of any candidate mix."
        )


def load_average() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f} on {os.cpu_count()} cores"


def per_candidate_tables(paths: dict[str, Path], tasks: dict[str, Task], args: argparse.Namespace) -> None:
    print(f"\nLoad average (1, 5, 15 min) before the per-candidate tables: {load_average()}", flush=True)
    python = synalinks_python(args.synalinks_venv)
    synalinks = Synalinks(python) if python is not None else None
    with Sandbox(processes=args.parallel) as ours, Sandbox(processes=args.parallel, one_checkout=False) as before:
        sandboxes = {"one checkout": ours, "per pair": before}
        try:
            for title, task in tasks.items():
                rows = per_candidate(paths[title], task, args.repeats, sandboxes, args.parallel, synalinks)
                print_per_candidate(title, rows, args.repeats)
                print_batched(title, batched(paths[title], task, args.repeats, ours, synalinks), rows, args.repeats)
                print(f"\nLoad average after {title}: {load_average()}", flush=True)
        finally:
            if synalinks is not None:
                synalinks.close()
        print(
            "\nSame 8 candidates, same pairs (train and test), same run, interleaved. Synalinks runs each pair"
            " with `await program(x)`, one after another, as its optimizer does; its time is taken inside its own"
            " process. 'a checkout per pair' is synth-lsp's path before a candidate's pairs shared one checkout."
            " CPU: this process and the sandbox's workers (the scheduler's count per thread), Synalinks' process,"
            " the subprocess; unlike wall time it leaves out waiting for a core on a shared machine."
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--parallel", type=int, default=PARALLEL, help="candidates in flight, on both sides")
    parser.add_argument(
        "--python", default=sys.executable,
        help="the baseline's interpreter (default: this one; a plain venv starts fastest, so is the fairest)",
    )
    parser.add_argument(
        "--synalinks-venv", type=Path, default=SYNALINKS_VENV,
        help="the seed system's virtualenv (made with uv when missing; env SYNALINKS_VENV)",
    )
    parser.add_argument("--per-candidate-only", action="store_true", help="only the per-candidate tables")
    parser.add_argument("--arc", type=Path, default=ARC, help="folder of the ARC-AGI-1 training tasks (for 3631a71a)")
    args = parser.parse_args()
    BASELINE_PYTHON[0] = args.python
    paths = {"007bbfb7 (3x3 -> 9x9)": ROOT / "examples" / "arc" / "007bbfb7.json", "3631a71a (30x30)": args.arc / "3631a71a.json"}
    tasks = {title: load_task(path) for title, path in paths.items()}
    if not args.per_candidate_only:
        print_throughput(tasks, args)
    per_candidate_tables(paths, tasks, args)
    if args.per_candidate_only:
        return
    print("\n## Embedding calls per generation (population 6, 6 children per generation)\n")
    print("| generation | new candidates | embedding calls (ours, cached) | uncached pairwise scheme |")
    print("|---|---|---|---|")
    for generation, new, calls, pairwise in embedding_calls():
        print(f"| {generation} | {new} | {calls} | {pairwise} |")


if __name__ == "__main__":
    main()
