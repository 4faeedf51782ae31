"""Benchmark of the offline model on ARC-AGI-1 tasks: pass@1 on the test outputs, in the sandbox.

For each task: search on the train pairs (and the test *inputs*), take the first program (the
simplest full fit, else the best partial fit), emit its script, and run that script in the Monty
sandbox on every pair. A task counts as solved when the script gets every test output exactly right.
A depth-1 search over the same primitives runs in the same process as the baseline.

The tasks are split in two halves by a hash of their id: `dev`, the half we develop on, and
`held-out`, the half we only measure on. Both are reported with the gap between them: a change that
helps one half and not the other is memorisation. A *claimed* fit is a program that fits every train
pair and passes its cross-validation (see `synth_lsp.offline`); the share of claimed fits right on
the test is the model's precision, the number a user trusts when the editor offers a fit.

    python bench/offline_arc.py                      # all 400 training tasks, 4 s budget per task
    python bench/offline_arc.py --half dev --limit 40 --budget 2
    python bench/offline_arc.py --tasks 007bbfb7 0d3d703e
    python bench/offline_arc.py --programs 60000     # a budget in programs tried: the same table on every run
    python bench/offline_arc.py --search-jobs 2      # each search in a pool of 2 processes (synth_lsp.offline.pool)

`--jobs N` searches N tasks at once (one process each); `--search-jobs N` splits each task's search
over N processes, and its CPU seconds are then those of all of them.

Writes a per-task table to bench/results/offline_arc.md and .csv and prints a summary.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import os
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_DATA = Path(__file__).resolve().parents[2] / "shared" / "arc" / "ARC-AGI-1" / "training"  # ../shared beside the clone


HALVES = ("dev", "held-out")


def half_of(task_id: str) -> str:
    """The half a task belongs to, fixed by its id alone (not by anything we measured on it)."""
    return HALVES[int(hashlib.sha256(task_id.encode()).hexdigest(), 16) % 2]


@dataclass
class TaskRow:
    task: str
    half: str  # "dev" or "held-out"
    train_fit: str  # "k/n" pairs the chosen program reproduces on the host
    claimed: bool  # a full fit that passed its cross-validation: what the model claims as a fit
    confidence: float  # the program's confidence (0-1)
    sandbox_train: str  # "k/n" in the sandbox (must agree with the host)
    test_correct: bool  # every test output exactly right, in the sandbox
    seconds: float  # search CPU time on the host
    baseline_test_correct: bool  # the depth-1 search's program, in the sandbox
    baseline_seconds: float
    program: str


@dataclass
class Searched:
    task: str
    seconds: float
    script: str | None
    description: str
    train_correct: int
    train_total: int
    claimed: bool = False
    confidence: float = 0.0


def _cpu_seconds() -> float:
    """This process's CPU time and that of its finished children (a search pool's workers)."""
    times = os.times()
    return time.process_time() + times.children_user + times.children_system


def _search(path: Path, budget: float, depth: int, with_test_inputs: bool = False, search_jobs: int = 1, programs_budget: int | None = None) -> Searched:
    from synth_lsp.offline import synthesize

    data = json.loads(path.read_text())
    train = [(p["input"], p["output"]) for p in data["train"]]
    # CPU time, for the budget and the measure: on a shared machine wall time counts others' load
    started = _cpu_seconds()
    programs = synthesize(
        train,
        time_budget_s=budget,
        max_programs=1,
        # the rule: train pairs only; test inputs only when asked (a transductive variant)
        test_inputs=[p["input"] for p in data["test"]] if with_test_inputs else None,
        max_depth=depth,
        clock=time.process_time,
        jobs=search_jobs,
        program_budget=programs_budget,
    )
    seconds = _cpu_seconds() - started
    if not programs:
        return Searched(path.stem, seconds, None, "(nothing)", 0, len(train))
    best = programs[0]
    return Searched(path.stem, seconds, best.script, best.description, best.train_correct, best.train_total,
                    getattr(best, "claimed", best.fits), getattr(best, "confidence", float(best.fits)))


def _search_both(args: tuple[Path, float, int, bool, int, int | None]) -> tuple[Searched, Searched]:
    path, budget, depth, with_test_inputs, search_jobs, programs_budget = args
    full = _search(path, budget, depth, with_test_inputs, search_jobs, programs_budget)
    return full, _search(path, budget, 1, with_test_inputs, 1, programs_budget)


def _sandbox_check(path: Path, searched: Searched, sandbox) -> tuple[int, bool]:
    """(train pairs passed, all test outputs right) of the emitted script, run in the sandbox."""
    from synth_lsp.core.evaluation import evaluate
    from synth_lsp.core.task import load_task

    if searched.script is None:
        return 0, False
    evaluation = evaluate(load_task(path), searched.script, sandbox=sandbox)
    scored = evaluation.scored_test
    return evaluation.train_passed, bool(scored) and evaluation.test_passed == len(scored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="folder of ARC task JSON files")
    parser.add_argument("--budget", type=float, default=4.0, help="search seconds per task")
    parser.add_argument("--depth", type=int, default=3, help="maximum chain length")
    parser.add_argument("--limit", type=int, help="only the first N tasks (sorted by name)")
    parser.add_argument("--stride", type=int, default=1, help="every K-th task (a spread-out sample)")
    parser.add_argument("--tasks", nargs="*", help="only these task names")
    parser.add_argument("--half", choices=("both", *HALVES), default="both", help="which half of the tasks (default both)")
    parser.add_argument("--jobs", type=int, default=1, help="tasks searched at once, one process each (default 1: one core)")
    parser.add_argument("--search-jobs", type=int, default=1, help="processes per search (the offline model's pool; default 1)")
    parser.add_argument("--programs", type=int, help="budget in programs tried per task instead of --budget seconds (deterministic)")
    parser.add_argument("--with-test-inputs", action="store_true", help="also show the search the test inputs (never their outputs); off by default: train pairs only")
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "offline_arc")
    args = parser.parse_args(argv)

    paths = sorted(args.data.glob("*.json"))
    if args.tasks:
        wanted = set(args.tasks)
        paths = [p for p in paths if p.stem in wanted]
    if args.half != "both":
        paths = [p for p in paths if half_of(p.stem) == args.half]
    paths = paths[:: max(1, args.stride)]
    if args.limit:
        paths = paths[: args.limit]
    if not paths:
        print(f"no tasks found in {args.data}", file=sys.stderr)
        return 2

    from synth_lsp.sandbox.runner import Sandbox

    rows: list[TaskRow] = []
    jobs = [(p, args.budget, args.depth, args.with_test_inputs, args.search_jobs, args.programs) for p in paths]
    with Sandbox(processes=1) as sandbox:
        pool = ProcessPoolExecutor(args.jobs) if args.jobs > 1 else None
        # results in task order, each checked in the sandbox as soon as it arrives
        results = pool.map(_search_both, jobs) if pool is not None else map(_search_both, jobs)
        for path, (full, base) in zip(paths, results):
            sandbox_train, test_ok = _sandbox_check(path, full, sandbox)
            _, base_ok = _sandbox_check(path, base, sandbox)
            rows.append(
                TaskRow(
                    task=full.task,
                    half=half_of(full.task),
                    train_fit=f"{full.train_correct}/{full.train_total}",
                    claimed=full.claimed,
                    confidence=round(full.confidence, 2),
                    sandbox_train=f"{sandbox_train}/{full.train_total}",
                    test_correct=test_ok,
                    seconds=round(full.seconds, 3),
                    baseline_test_correct=base_ok,
                    baseline_seconds=round(base.seconds, 3),
                    program=full.description,
                )
            )
            mark = "SOLVED" if test_ok else ("fit" if full.train_correct == full.train_total else "-")
            claim = f"claimed {full.confidence:.2f}" if full.claimed else f"conf {full.confidence:.2f}"
            print(f"{full.task} {half_of(full.task):8} {mark:6} {claim:12} {full.seconds:6.2f}s {full.description}", file=sys.stderr, flush=True)
        if pool is not None:
            pool.shutdown()

    summary = _summary(rows, args)
    _write(rows, summary, args.out)
    print(summary)
    return 0


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def _half_lines(name: str, rows: list[TaskRow]) -> tuple[list[str], float]:
    """The summary lines of one half, and its pass@1 (for the gap)."""
    n = len(rows)
    if not n:
        return [f"  {name}: no tasks"], 0.0
    solved = sum(r.test_correct for r in rows)
    fits = [r for r in rows if r.train_fit.split("/")[0] == r.train_fit.split("/")[1]]
    claimed = [r for r in fits if r.claimed]
    right = sum(r.test_correct for r in claimed)
    fits_right = sum(r.test_correct for r in fits)
    base_solved = sum(r.baseline_test_correct for r in rows)
    secs = [r.seconds for r in rows]
    base_median = statistics.median(r.baseline_seconds for r in rows)
    pass1 = 100 * solved / n
    lines = [
        f"  {name} ({n} tasks): pass@1 {solved}/{n} = {pass1:.1f} %; depth-1 baseline {base_solved}/{n} = {100 * base_solved / n:.1f} %",
        f"    train pairs all fitted: {len(fits)}, right on test {fits_right}/{len(fits)} = {100 * fits_right / max(1, len(fits)):.0f} %",
        f"    claimed fits (cross-validated): {len(claimed)}, right on test {right}/{len(claimed)} = {100 * right / max(1, len(claimed)):.0f} %",
        f"    CPU seconds per task (search, all its processes): median {statistics.median(secs):.2f}, p95 {_p95(secs):.2f}, max {max(secs):.2f}; "
        f"depth-1 median {base_median:.3f}",
    ]
    return lines, pass1


def _summary(rows: list[TaskRow], args: argparse.Namespace) -> str:
    n = len(rows)
    disagree = [r.task for r in rows if r.train_fit != r.sandbox_train and r.train_fit.split("/")[0] != "0"]
    lines = [
        f"offline model on {n} tasks from {args.data} ("
        + (f"budget {args.programs} programs" if args.programs else f"budget {args.budget:g} s CPU")
        + f", depth <= {args.depth}, jobs {args.jobs}, search jobs {args.search_jobs}, "
        f"search sees {'train pairs and test inputs' if args.with_test_inputs else 'train pairs only'})",
    ]
    rates = {}
    for name in ("all", *HALVES):
        chosen = rows if name == "all" else [r for r in rows if r.half == name]
        if name != "all" and (not chosen or len(chosen) == n):
            continue  # one half only: "all" already says it
        half_lines, rates[name] = _half_lines(name, chosen)
        lines += half_lines
    if all(h in rates for h in HALVES):
        lines.append(f"  gap dev - held-out (pass@1): {rates['dev'] - rates['held-out']:+.1f} points")
    lines.append(f"  host and sandbox disagree on: {', '.join(disagree) or 'none'}")
    return "\n".join(lines)


def _write(rows: list[TaskRow], summary: str, out: Path) -> None:
    out.parent.mkdir(parents=True, exist_ok=True)
    with open(out.with_suffix(".csv"), "w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(asdict(rows[0])))
        writer.writeheader()
        for row in rows:
            writer.writerow(asdict(row))
    table = [
        "| task | half | train fit (host) | train (sandbox) | claimed | confidence | test correct | seconds | program |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        program = r.program.replace("|", "/")
        table.append(
            f"| {r.task} | {r.half} | {r.train_fit} | {r.sandbox_train} | {'yes' if r.claimed else 'no'} | {r.confidence:.2f} | "
            f"{'yes' if r.test_correct else 'no'} | {r.seconds:.2f} | {program} |"
        )
    out.with_suffix(".md").write_text("```\n" + summary + "\n```\n\n" + "\n".join(table) + "\n")


if __name__ == "__main__":
    raise SystemExit(main())
