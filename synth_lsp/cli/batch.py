"""`synth-lsp evolve TARGET...`: a batch. Many targets (scripts, folders, globs, ARC task files),
run concurrently on this machine (`--engine local`, one worker process per core) or on a Ray
cluster (`--engine ray`), with one budget for the batch, a live view on stderr, and a report in
`--out` (report.json, report.csv, report.html). One script and no batch option is the one-file
`evolve` of `cli/evolve.py`, unchanged.

Exit status: 0 when every task's best fits its train pairs, 1 when not, 2 when the batch cannot
start (bad targets, a bad `--out`, bad options, a Ray cluster that does not answer).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

DEFAULT_OUT = "synth-batch"


def add_batch_arguments(parser: argparse.ArgumentParser) -> None:
    batch = parser.add_argument_group("batch (many targets; --max-calls, --max-tokens and --max-cost then cap the whole batch)")
    batch.add_argument("--out", help=f"the batch's folder: seeds scaffolded for task files, and the report (default ./{DEFAULT_OUT})")
    batch.add_argument(
        "--jobs",
        type=int,
        help="tasks run at once (default: one per core this process may use; with --engine ray: the cluster's CPUs); "
        "each task's offline search gets the cores left over (--offline-jobs to choose)",
    )
    batch.add_argument("--max-calls-per-task", type=int, metavar="N", help="calls per task")
    batch.add_argument("--max-tokens-per-task", type=int, metavar="N", help="tokens per task")
    batch.add_argument("--max-cost-per-task", type=float, metavar="USD", help="cost per task")
    batch.add_argument("--engine", choices=("local", "ray"), default="local", help="where tasks run (default local; ray needs synth-lsp[ray])")
    batch.add_argument("--ray-address", default="", help="a running Ray cluster, HOST:PORT (default: start a local one)")


def is_batch(args: argparse.Namespace) -> bool:
    """More than one target, a batch option, or a target that is not one script."""
    if args.more_targets or args.out or args.engine != "local" or args.jobs is not None:
        return True
    if any(getattr(args, k) is not None for k in ("max_calls_per_task", "max_tokens_per_task", "max_cost_per_task")):
        return True
    target = Path(args.file)
    return target.is_dir() or (not target.exists() and any(c in args.file for c in "*?[")) or target.suffix == ".json"


def evolve_main(args: argparse.Namespace) -> int:
    """`synth-lsp evolve`: one script as ever, or a batch."""
    if is_batch(args):
        return main(args)
    from synth_lsp.cli.evolve import main as evolve_one

    return evolve_one(args)


def say(text: str) -> None:
    from synth_lsp.cli.evolve import say as say_line

    say_line(f"synth-lsp evolve: {text}")


def main(args: argparse.Namespace) -> int:
    from pydantic import ValidationError

    from synth_lsp.batch.targets import TargetError, check_out, resolve_targets, scaffold

    problem = option_problem(args)
    if problem:
        say(problem)
        return 2
    out = Path(args.out or DEFAULT_OUT)
    try:
        if args.engine == "ray" and args.ray_address:  # before anything is written: it answers in seconds
            from synth_lsp.batch.ray_engine import RayUnavailable, check_address

            try:
                check_address(args.ray_address)
            except RayUnavailable as exc:
                raise TargetError(str(exc)) from None
        check_out(out)
        tasks = resolve_targets([args.file, *args.more_targets], out)
        written = sum(scaffold(t) for t in tasks)
    except TargetError as exc:
        say(str(exc))
        return 2
    except OSError as exc:
        say(f"--out {out}: cannot write a seed: {exc.strerror or exc}")
        return 2
    try:
        config = task_config(args, len(tasks))
    except ValidationError as exc:
        say("; ".join(f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}" for e in exc.errors()))
        return 2
    from synth_lsp.batch.driver import model_problem

    problem = model_problem(config, cost_capped=args.max_cost is not None or args.max_cost_per_task is not None or args.max_cost_total is not None)
    if problem:
        say(problem)
        return 2
    if written:
        say(f"scaffolded the identity seed for {written} task file(s) into {out}")
    return run(args, tasks, config, out)


def option_problem(args: argparse.Namespace) -> str:
    if args.write:
        return "--write works on one script; a batch leaves the scripts as they are (the best of each is in the report)"
    if args.jobs is not None and args.jobs < 1:
        return "--jobs: must be at least 1"
    for name in ("max_calls_per_task", "max_tokens_per_task", "max_cost_per_task"):
        value = getattr(args, name)
        if value is not None and value < 0:
            return f"--{name.replace('_', '-')}: must be >= 0"
    if args.ray_address and args.engine != "ray":
        return "--ray-address needs --engine ray"
    return ""


def task_config(args: argparse.Namespace, n_tasks: int) -> dict:
    """Each task's EvolveConfig: the batch's caps are the driver's, model calls are shared out."""
    from synth_lsp.cli.evolve import config_from_args

    config = config_from_args(args)
    jobs = workers_for(args, n_tasks)
    data = config.model_dump()
    data.update(max_calls=None, max_tokens=None, max_cost_usd=None, concurrency=max(1, args.concurrency // jobs))
    if data["offline_jobs"] == 0:
        data["offline_jobs"] = offline_search_processes(args, jobs)
    return data


def offline_search_processes(args: argparse.Namespace, jobs: int) -> int:
    """Processes for each task's offline search when --offline-jobs is not given. `--jobs` counts
    tasks at once; the cores this process may use (its affinity, as `taskset` sets it) are shared
    by them, so a batch with a task per core searches with one process each (no oversubscription).
    One on Ray (a Ray task holds one CPU), and one with --offline-programs: a budget in programs is
    per search process, so every engine then does the same work and gives the same verdicts."""
    from synth_lsp.offline.pool import usable_cores

    if args.engine == "ray" or args.offline_programs is not None:
        return 1
    return max(1, usable_cores() // jobs)


def workers_for(args: argparse.Namespace, n_tasks: int) -> int:
    from synth_lsp.offline.pool import usable_cores

    jobs = args.jobs or usable_cores() or 1
    if args.model and args.jobs is None:
        jobs = max(jobs, min(args.concurrency, n_tasks))  # model calls wait on the network, not the CPU
    return max(1, min(jobs, n_tasks))


def run(args: argparse.Namespace, tasks, config: dict, out: Path) -> int:
    from synth_lsp.batch.budget import BatchBudget, Caps
    from synth_lsp.batch.driver import Driver, plan
    from synth_lsp.cli.batch_view import make_view
    from synth_lsp.cli.evolve import StopOnSignal

    jobs = plan(tasks, config)
    skipped = sum(j.skip for j in jobs)
    if skipped:
        say(f"{skipped} task(s) already fit every train pair: skipped (their populations are kept)")
    budget = BatchBudget(
        Caps(args.max_calls, args.max_tokens, args.max_cost),
        Caps(args.max_calls_per_task, args.max_tokens_per_task, args.max_cost_per_task),
    )
    engine = make_engine(args, len(tasks), config)
    if isinstance(engine, str):
        say(engine)
        return 2
    settings = {
        "engine": args.engine,
        "jobs": engine.slots,
        "model": ", ".join(args.model) or "offline",
        "generations": args.generations,
        "targets": [args.file, *args.more_targets],
    }
    view = make_view(jobs, sys.stderr)
    driver = Driver(jobs, engine, budget, out, settings, on_update=view.update)
    try:
        with StopOnSignal(args.request_timeout) as stop, view:
            result = driver.run(should_stop=stop)
    except KeyboardInterrupt:
        say(f"aborted; every population and the report so far are in {out}")
        return 130
    return finish(args, result)


def make_engine(args: argparse.Namespace, n_tasks: int, config: dict):
    """The engine, or a message saying why it cannot start."""
    if args.engine == "ray":
        try:
            from synth_lsp.batch.ray_engine import RayEngine, RayUnavailable, key_environment
        except ImportError as exc:
            return f"--engine ray needs Ray: pip install 'synth-lsp[ray]' ({exc})"
        try:
            return RayEngine(args.ray_address, args.jobs, env_vars=key_environment(config))
        except RayUnavailable as exc:
            return str(exc)
    from synth_lsp.batch.local_engine import LocalEngine

    return LocalEngine(workers_for(args, n_tasks))


def finish(args: argparse.Namespace, result) -> int:
    import json

    from synth_lsp.batch.report import totals

    summary = totals(result.rows, result.seconds)
    if args.json:
        print(json.dumps({"totals": summary.to_dict(), "stop_reason": result.stop_reason, "reports": [str(p) for p in result.reports]}, indent=2))
    else:
        print(
            f"{summary.tasks} tasks: {summary.fits_train} fit the train pairs; test: right on {summary.test_right} of "
            f"{summary.test_known} with known test outputs; {summary.errors} could not run; {summary.calls} calls, "
            f"{summary.tokens} tokens, ${summary.cost_usd:.4f}; {summary.seconds:.1f} s" + (f"; {result.stop_reason}" if result.stop_reason else "")
        )
        for row in result.rows:
            if row.state == "error":
                print(f"  {row.task}: {row.error}")
        print(f"report: {', '.join(str(p) for p in result.reports)}")
    return 0 if summary.fits_train == summary.tasks else 1
