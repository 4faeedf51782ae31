"""`synth-lsp check FILE`: run a script on its examples and say what went wrong, where.

Exit status: 0 when every train pair passes, 1 when some fail, 2 when the script or its examples
cannot be used at all.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from pathlib import Path

from synth_lsp.cli.report import evaluation_json, report_text
from synth_lsp.core.evaluation import evaluate, limits_for
from synth_lsp.core.script_header import parse_header
from synth_lsp.core.task import TaskError, apply_header, examples_path_for, load_task


def main(args: argparse.Namespace) -> int:
    script_path = Path(args.file)
    try:
        script = script_path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        print(f"synth-lsp check: cannot read {script_path}: {exc}", file=sys.stderr)
        return 2
    header = parse_header(script)
    try:
        examples = Path(args.examples) if args.examples else examples_path_for(script_path, header)
        task = apply_header(load_task(examples), header)
    except TaskError as exc:
        print(f"{exc}", file=sys.stderr)
        return 2
    limits = limits_for(header)
    if args.time_limit:
        limits = replace(limits, time_s=args.time_limit)
    if args.memory_mb:
        limits = replace(limits, memory_mb=args.memory_mb)
    from synth_lsp.sandbox.runner import get_sandbox

    evaluation = evaluate(task, script, limits, sandbox=get_sandbox())
    if args.json:
        json.dump(evaluation_json(script_path, task, evaluation, header.problems), sys.stdout, indent=2)
        print()
    else:
        colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
        print(report_text(script_path, task, evaluation, header.problems, colour))
    return 0 if evaluation.solved else 1
