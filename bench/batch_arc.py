"""Benchmark of batch runs: the ARC-AGI-1 training tasks with the offline model, through the real
`synth-lsp evolve TASKS/ --out DIR` command, on three engines:

- the local engine on one core (`--jobs 1`, the command pinned to one core with
  `os.sched_setaffinity`: unpinned, its worker and search processes would still use every core),
- the local engine on every core (`--jobs N`, N = the cores this process may use): the speed-up,
- the Ray engine on a two-node cluster on this machine (a head and a second node started by
  `ray start`, one CPU each: tests/ray_cluster.py), against the local engine on every core.

The offline search is bounded in programs tried (`--offline-programs`), not seconds, so every engine
does the same work and the verdicts must agree exactly (checked, engine against engine). The tasks
are cut into chunks and the engines take turns chunk by chunk (the order rotating), so the load the
other users of the machine put on it changes every engine's times alike; each chunk is one command
with a fresh `--out` (its wall time includes Python's start-up, the worker processes and, for Ray,
the connection to the already running cluster; not the cluster's own start). CPU s is the processor
time of the command and every process under it (for Ray, the driver's only: the work is done in the
cluster's workers).

On Linux with scheduler autogroups (/proc/sys/kernel/sched_autogroup_enabled = 1) the CPU is
shared between sessions, not between processes: while other sessions keep every core busy, a
session running two processes gets little more CPU than one running one, which the wall times
then show (the CPU s column says the work was the same).

For Ray the benchmark runs itself again inside a network namespace that has only loopback
(`unshare --net`, as root), so nothing Ray sends leaves the machine; without root, `--no-ray`.

    python bench/batch_arc.py                          # all 400 tasks, 8 chunks
    python bench/batch_arc.py --limit 40 --chunks 2 --offline-programs 20000 --save /tmp/b.json
    python bench/batch_arc.py --no-ray
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "arc" / "ARC-AGI-1" / "training"  # ../shared beside the clone (--data elsewhere)
IN_NAMESPACE = "SYNTH_LSP_BATCH_BENCH_NETNS"  # set when this process is the copy inside the namespace
ONE, EVERY, RAY = "local, one core", "local, every core", "ray, 2 nodes x 1 CPU"


def verdicts(out: Path) -> tuple[dict[str, tuple], dict]:
    data = json.loads((out / "report.json").read_text())
    return {t["task"]: (t["state"], t["train_passed"], t["train_total"], t["test"]) for t in data["tasks"]}, data["totals"]


def batch_command(tasks: Path, out: Path, engine: str, jobs: int, extra: list[str]) -> list[str]:
    command = [sys.executable, "-m", "synth_lsp", "evolve", str(tasks), "--out", str(out), *extra]
    if engine == RAY:
        from ray_cluster import HEAD_PORT

        return command + ["--engine", "ray", "--ray-address", f"127.0.0.1:{HEAD_PORT}"]
    return command + ["--jobs", str(jobs)]


def run_chunk(engine: str, tasks: Path, out: Path, jobs: int, core: int, extra: list[str], env: dict) -> dict:
    pin = (lambda: os.sched_setaffinity(0, {core})) if engine == ONE else None
    load = os.getloadavg()[0]
    cpu_before = children_cpu()
    started = time.monotonic()
    done = subprocess.run(batch_command(tasks, out, engine, jobs, extra), env=env, capture_output=True, text=True, preexec_fn=pin)
    seconds = time.monotonic() - started
    cpu = children_cpu() - cpu_before  # the command and the processes under it (for Ray: the driver only)
    if not (out / "report.json").exists() or done.returncode not in (0, 1):
        raise SystemExit(f"{engine}: the batch failed (exit {done.returncode}): {done.stderr[-2000:]}")
    found, totals = verdicts(out)
    return {"seconds": seconds, "cpu_seconds": cpu, "load": load, "verdicts": found, "totals": totals}


def children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def chunks_of(files: list[Path], n: int) -> list[list[Path]]:
    size = -(-len(files) // n)
    return [files[i : i + size] for i in range(0, len(files), size)]


def in_namespace_again() -> int | None:
    """Run this benchmark again inside a loopback-only network namespace; None when one cannot be made."""
    if os.environ.get(IN_NAMESPACE) or shutil.which("unshare") is None or os.geteuid() != 0:
        return None
    probe = subprocess.run(["unshare", "--net", "true"], capture_output=True)
    if probe.returncode != 0:
        return None
    return subprocess.run(["unshare", "--net", sys.executable, *sys.argv], env={**os.environ, IN_NAMESPACE: "1"}).returncode


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=400, help="the first N tasks by id (default 400: all)")
    parser.add_argument("--offline-programs", type=int, default=30000, help="programs the offline search tries per task (default 30000)")
    parser.add_argument("--chunks", type=int, default=8, help="chunks of tasks the engines take turns on (default 8)")
    parser.add_argument("--no-ray", action="store_true")
    parser.add_argument("--save", type=Path, help="write the numbers (per chunk and engine, verdicts) to this JSON file")
    args = parser.parse_args()
    if not args.no_ray and not os.environ.get(IN_NAMESPACE):
        code = in_namespace_again()
        if code is not None:
            raise SystemExit(code)
        print("ray: skipped, no loopback-only network namespace here (needs root and `unshare`); --no-ray to say so", file=sys.stderr)
        args.no_ray = True
    files = sorted(args.data.glob("*.json"))[: args.limit]
    if not files:
        raise SystemExit(f"no ARC tasks in {args.data}")
    sys.path.insert(0, str(ROOT / "tests"))
    from ray_cluster import cluster_env, start_cluster, stop_cluster

    cores = sorted(os.sched_getaffinity(0))
    engines = [ONE, EVERY] + ([] if args.no_ray else [RAY])
    extra = ["--offline-programs", str(args.offline_programs), "--population-size", "4"]
    env = {**cluster_env(), "PYTHONPATH": str(ROOT)}
    load_before = os.getloadavg()
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    short = None
    try:
        if not args.no_ray:
            short, starts = start_cluster(env)
            if starts["head"] or starts["node2"]:
                raise SystemExit(f"ray: the cluster did not start: {starts['start_errors']}")
        runs: list[dict[str, dict]] = []
        for k, chunk in enumerate(chunks_of(files, args.chunks)):
            order = engines[k % len(engines) :] + engines[: k % len(engines)]
            runs.append({})
            for engine in order:
                place = work / f"{k}-{engines.index(engine)}"
                (place / "tasks").mkdir(parents=True)
                for f in chunk:
                    shutil.copy(f, place / "tasks")
                runs[-1][engine] = run_chunk(engine, place / "tasks", place / "out", len(cores), cores[0], extra, env)
                runs[-1][engine]["tasks"] = len(chunk)
                print(f"chunk {k + 1}: {engine}: {len(chunk)} tasks in {runs[-1][engine]['seconds']:.1f} s", file=sys.stderr, flush=True)
    finally:
        if short is not None:
            stop_cluster(short)
            shutil.rmtree(short, ignore_errors=True)
        shutil.rmtree(work, ignore_errors=True)
    summary = summarise(runs, engines)
    lines = table(summary, len(files), args.offline_programs, len(cores), load_before, os.getloadavg())
    print("\n".join(lines))
    if args.save:
        settings = vars(args) | {"data": str(args.data), "save": str(args.save)}
        args.save.write_text(json.dumps({"settings": settings, **summary, "table": lines}, indent=1) + "\n")


def summarise(runs: list[dict[str, dict]], engines: list[str]) -> dict:
    """Totals per engine, the per-chunk times and ratios (with their medians), and which tasks'
    verdicts differ between engines (none, when the work is the same)."""
    per_engine = {}
    for engine in engines:
        found = {}
        for chunk in runs:
            found |= chunk[engine]["verdicts"]
        per_engine[engine] = {
            "seconds": sum(c[engine]["seconds"] for c in runs),
            "chunk_seconds": [round(c[engine]["seconds"], 2) for c in runs],
            "cpu_seconds": sum(c[engine]["cpu_seconds"] for c in runs),
            "chunk_loads": [round(c[engine]["load"], 2) for c in runs],
            "fits_train": sum(c[engine]["totals"]["fits_train"] for c in runs),
            "test_right": sum(c[engine]["totals"]["test_right"] for c in runs),
            "errors": sum(c[engine]["totals"]["errors"] for c in runs),
            "verdicts": found,
        }
    ratios = {}
    for slow, fast in ((ONE, EVERY), (EVERY, RAY)):
        if slow in per_engine and fast in per_engine:
            chunk_ratios = [c[slow]["seconds"] / c[fast]["seconds"] for c in runs]
            ratios[f"{slow} / {fast}"] = {"chunks": [round(r, 3) for r in chunk_ratios], "median": statistics.median(chunk_ratios)}
    differ = {}
    for a in engines:
        for b in engines[engines.index(a) + 1 :]:
            va, vb = per_engine[a]["verdicts"], per_engine[b]["verdicts"]
            differ[f"{a} vs {b}"] = sorted(t for t in va.keys() | vb.keys() if va.get(t) != vb.get(t))
    return {"engines": per_engine, "ratios": ratios, "verdicts_differ": differ}


def table(summary: dict, n: int, programs: int, cores: int, load_before, load_after) -> list[str]:
    engines = summary["engines"]
    lines = [
        f"{n} ARC-AGI-1 training tasks, offline model, {programs} programs tried per task, {cores} cores, "
        f"{len(next(iter(engines.values()))['chunk_seconds'])} chunks taken in turns",
        f"load average (1 min) at the start {load_before[0]:.1f}, at the end {load_after[0]:.1f}, "
        f"median at the chunks' starts {statistics.median(x for e in engines.values() for x in e['chunk_loads']):.1f}",
        "",
        "| engine | wall s (sum of chunks) | median chunk s | tasks/min | CPU s | fit the train pairs | test: right | could not run "
        "| speed-up (median of chunks) |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    against = {EVERY: ONE, RAY: EVERY}
    for engine, e in engines.items():
        base = against.get(engine)
        ratio = summary["ratios"].get(f"{base} / {engine}") if base else None
        speed = f"{engines[base]['seconds'] / e['seconds']:.2f}x ({ratio['median']:.2f}x) vs {base}" if ratio else "1.00x"
        lines.append(
            f"| {engine} | {e['seconds']:.1f} | {statistics.median(e['chunk_seconds']):.1f} | {60 * n / e['seconds']:.1f} | "
            f"{e['cpu_seconds']:.1f}{' (driver only)' if engine == RAY else ''} | "
            f"{e['fits_train']} | {e['test_right']} | {e['errors']} | {speed} |"
        )
    lines.append("")
    for pair, tasks in summary["verdicts_differ"].items():
        lines.append(f"verdicts, {pair}: " + ("the same on every task" if not tasks else f"{len(tasks)} differ: {' '.join(tasks[:20])}"))
    return lines


if __name__ == "__main__":
    main()
