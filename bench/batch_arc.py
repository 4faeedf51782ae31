"""Benchmark of batch runs: ARC-AGI-1 training tasks with the offline model, through the real
`synth-lsp evolve TARGET... --out` command, on three engines in one run:

- the local engine on one core (`--jobs 1`),
- the local engine on every core (`--jobs N`, N = the machine's cores): the speed-up against one core,
- the Ray engine on a two-node cluster on this machine (a head and a second node started by
  `ray start`, one CPU each, inside a loopback-only network namespace: tests/ray_cluster.py),
  against the local engine on every core. Needs root (for the namespace) and synth-lsp[ray].

Every engine gets the same tasks, the same offline budget and reports the same verdicts (checked):
the engines differ in time only. The wall time is the whole command's (start-up included: Python
and worker processes, for Ray the connection to the cluster; not the cluster's own start).

    python bench/batch_arc.py                       # the first 100 tasks (sorted by id), 1 s search each
    python bench/batch_arc.py --limit 400 --offline-time 2
    python bench/batch_arc.py --no-ray
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATA = ROOT.parent / "shared" / "arc" / "ARC-AGI-1" / "training"


def verdicts(out: Path) -> dict[str, tuple]:
    data = json.loads((out / "report.json").read_text())
    return {t["task"]: (t["fits_train"], t["test"]) for t in data["tasks"]}, data["totals"]


def local(tasks: Path, out: Path, jobs: int, extra: list[str]) -> dict:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "synth_lsp", "evolve", str(tasks), "--out", str(out), "--jobs", str(jobs), *extra], env=env, capture_output=True, text=True
    )
    seconds = time.monotonic() - started
    if not (out / "report.json").exists():
        raise SystemExit(f"the local batch failed: {done.stderr[-2000:]}")
    found, totals = verdicts(out)
    return {"engine": f"local, --jobs {jobs}", "seconds": seconds, "verdicts": found, "totals": totals}


def ray_cluster(work: Path, extra: list[str]) -> dict | None:
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BATCH_ARGS": json.dumps(extra)}
    done = subprocess.run(
        ["unshare", "--net", sys.executable, str(ROOT / "tests" / "ray_cluster.py"), str(work), "same"], env=env, capture_output=True, text=True
    )
    if done.returncode != 0:
        print(f"ray: skipped, the cluster could not run: {done.stderr[-1500:]}", file=sys.stderr)
        return None
    result = json.loads(done.stdout.strip().splitlines()[-1])
    if not (work / "out-ray" / "report.json").exists():
        print(f"ray: the batch failed: {result.get('start_errors') or result.get('stderr', '')[-1500:]}", file=sys.stderr)
        return None
    found, totals = verdicts(work / "out-ray")
    return {"engine": "ray, 2 nodes x 1 CPU", "seconds": result["seconds"], "verdicts": found, "totals": totals}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--limit", type=int, default=100, help="the first N tasks by id (default 100; 400 = all)")
    parser.add_argument("--offline-time", type=float, default=1.0, help="seconds of offline search per task (default 1)")
    parser.add_argument("--no-ray", action="store_true")
    args = parser.parse_args()
    files = sorted(args.data.glob("*.json"))[: args.limit]
    if not files:
        raise SystemExit(f"no ARC tasks in {args.data}")
    cores = os.cpu_count() or 1
    extra = ["--offline-time", str(args.offline_time), "--population-size", "4"]
    work = Path(tempfile.mkdtemp(prefix="batch-bench-"))
    try:
        runs = []
        for jobs in (1, cores):
            tasks = work / f"local-{jobs}" / "tasks"
            tasks.mkdir(parents=True)
            for f in files:
                shutil.copy(f, tasks)
            runs.append(local(tasks, work / f"local-{jobs}" / "out", jobs, extra))
        if not args.no_ray:
            ray_work = work / "ray"
            (ray_work / "tasks").mkdir(parents=True)
            for f in files:
                shutil.copy(f, ray_work / "tasks")
            found = ray_cluster(ray_work, extra)
            if found:
                runs.append(found)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    report(runs, len(files), args.offline_time, cores)


def report(runs: list[dict], n: int, offline_time: float, cores: int) -> None:
    one, every = runs[0], runs[1]
    print(f"{n} ARC-AGI-1 training tasks (the first by id), offline model, {offline_time:g} s search per task, {cores} cores\n")
    print("| engine | wall s | tasks/min | fit the train pairs | test: right | same verdicts as --jobs 1 | speed-up |")
    print("|---|---|---|---|---|---|---|")
    for run in runs:
        base = one if run is every or run is one else every
        speed = base["seconds"] / run["seconds"]
        against = "1.00x" if run is one else f"{speed:.2f}x vs {base['engine']}"
        same = "yes" if run["verdicts"] == one["verdicts"] else f"no ({sum(run['verdicts'][k] != one['verdicts'].get(k) for k in run['verdicts'])} differ)"
        t = run["totals"]
        print(f"| {run['engine']} | {run['seconds']:.1f} | {60 * n / run['seconds']:.1f} | {t['fits_train']} | {t['test_right']} | {same} | {against} |")


if __name__ == "__main__":
    main()
