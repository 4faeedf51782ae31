"""`synth-lsp check FILE`: run a script on its examples and say what went wrong, where.

Exit status: 0 when every train pair passes, 1 when some fail, 2 when the script or its examples
cannot be used at all. A reader that closes the pipe early (`check --json | head`) ends the
command quietly.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from dataclasses import replace
from pathlib import Path

from synth_lsp.cli.main import closed_pipe
from synth_lsp.cli.report import evaluation_json, report_text
from synth_lsp.core.evaluation import evaluate, limits_for
from synth_lsp.core.script_header import ScriptHeader, parse_header
from synth_lsp.core.task import TaskError, apply_header, examples_path_for, load_task, read_regular_text
from synth_lsp.sandbox.child_lifetime import kill_children

MAX_SCRIPT_MB = 16.0  # a script is a few kB; this only keeps a device or a stray file from being read


def main(args: argparse.Namespace) -> int:
    leave_on_signals()
    script_path = Path(args.file)
    try:
        script = read_regular_text(script_path, MAX_SCRIPT_MB, "script")
    except TaskError as exc:
        print(f"synth-lsp check: {exc}", file=sys.stderr)
        return 2
    header = parse_header(script)
    try:
        examples = Path(args.examples) if args.examples else examples_path_for(script_path, header)
        task = apply_header(load_task(examples), header)
    except TaskError as exc:
        print(task_error_text(script_path, header, exc), file=sys.stderr)
        return 2
    limits = limits_for(header)
    if args.time_limit:
        limits = replace(limits, time_s=args.time_limit)
    if args.memory_mb:
        limits = replace(limits, memory_mb=args.memory_mb)
    from synth_lsp.sandbox.runner import get_sandbox

    sandbox = get_sandbox()
    sandbox.share = sandbox.processes  # the only script running: all of the pool is its own
    evaluation = evaluate(task, script, limits, sandbox=sandbox)
    try:
        if args.json:
            json.dump(evaluation_json(script_path, task, evaluation, header.problems), sys.stdout, indent=2)
            print()
        else:
            colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
            print(report_text(script_path, task, evaluation, header.problems, colour))
        sys.stdout.flush()
    except BrokenPipeError:
        closed_pipe()
    return 0 if evaluation.solved else 1


def task_error_text(script_path: Path, header: ScriptHeader, error: TaskError) -> str:
    """The problem, located in the script when it is about one of its header options."""
    line = header.lines.get(error.header_key) if error.header_key else None
    if line is not None:
        return f"{script_path}:{line}: {error.message}"
    return str(error)


def leave_on_signals() -> None:
    """Ctrl-C or SIGTERM ends `check` at once, with its sandbox workers: otherwise the sandbox's
    threads keep the process until the pairs in flight reach their time limit."""

    def leave(signum: int, frame: object) -> None:
        kill_children()
        print(f"synth-lsp check: stopped ({signal.Signals(signum).name})", file=sys.stderr, flush=True)
        os._exit(128 + signum)

    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, leave)
