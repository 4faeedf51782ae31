"""`synth-lsp new TASK.json`: scaffold TASK.synth.py (the identity seed) beside an ARC task."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from synth_lsp.core.atomic_file import write_atomically
from synth_lsp.core.builtins_stub import advice, provide_stub
from synth_lsp.core.task import SCRIPT_SUFFIX, TaskError, load_task

IDENTITY_SEED = '''\
# Synthesis script for {name}: it reads `inputs` and must assign `result`.
# Examples: {examples} (paired by name; override with `# synth: examples = PATH`).
# Start: the identity seed, which echoes the input grid. Edit it, or run
#   synth-lsp evolve {script}
# to evolve it.


def transform(grid):
    return [row[:] for row in grid]


result = {{"output_grid": transform(inputs["input_grid"])}}
'''


def seed_for(task_path: Path) -> str:
    name = task_path.name[: -len(".json")] if task_path.name.endswith(".json") else task_path.stem
    return IDENTITY_SEED.format(name=name, examples=task_path.name, script=name + SCRIPT_SUFFIX)


def main(args: argparse.Namespace) -> int:
    task_path = Path(args.task)
    try:
        task = load_task(task_path)
    except TaskError as exc:
        print(f"synth-lsp new: {exc}", file=sys.stderr)
        return 2
    if task.kind != "arc":
        print(f"synth-lsp new: {task_path} is not an ARC task file; write the script by hand for generic tasks", file=sys.stderr)
        return 2
    name = task_path.name[: -len(".json")] if task_path.name.endswith(".json") else task_path.stem
    script_path = task_path.with_name(name + SCRIPT_SUFFIX)
    if script_path.exists() and not args.force:
        print(f"synth-lsp new: {script_path} exists (use --force to overwrite)", file=sys.stderr)
        return 1
    write_atomically(script_path, seed_for(task_path))
    print(script_path)
    _provide_declarations(script_path.parent)
    return 0


def _provide_declarations(folder: Path) -> None:
    """`__builtins__.pyi` beside the script, so Python tooling knows `inputs`; a user's file stays."""
    stub = provide_stub(folder)
    if stub.outcome == "written":
        print(f"synth-lsp new: wrote {stub.path} (declares `inputs` for Pylance, Pyright and basedpyright)", file=sys.stderr)
    elif stub.outcome == "lacks-inputs":
        print(f"synth-lsp new: {advice(stub.path)}", file=sys.stderr)
    elif stub.outcome == "failed":
        print(f"synth-lsp new: could not write {stub.path}: {stub.detail}", file=sys.stderr)
