"""What a batch runs: the command line's targets (scripts, folders, globs, ARC task files) resolved
to one script per task, with the identity seed scaffolded into `--out` for a task without a script.

Task files are only read. A seed is written once and kept on later runs (the user may edit it).
"""

from __future__ import annotations

import glob
import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

from synth_lsp.core.atomic_file import write_atomically
from synth_lsp.core.task import POPULATION_SUFFIX, SCRIPT_SUFFIX, resolved, script_stem

SKIPPED_SUFFIXES = (POPULATION_SUFFIX, ".embeddings.json")
REPORT_FILES = ("report.json",)
SEED = """\
# synth: examples = {examples}
# Synthesis script for {name}: it reads `inputs` and must assign `result`.
# Start: the identity seed (scaffolded by `synth-lsp evolve`), which echoes the input grid.


def transform(grid):
    return [row[:] for row in grid]


result = {{"output_grid": transform(inputs["input_grid"])}}
"""


class TargetError(ValueError):
    """A target the batch cannot use: the message says which and why."""


@dataclass(frozen=True)
class BatchTask:
    name: str  # unique in the batch: the script's stem
    script: Path
    target: str  # the command-line target that named it
    task_file: Path | None = None  # the task file it was scaffolded for, if any


def is_glob(text: str) -> bool:
    return any(ch in text for ch in "*?[")


def looks_like_task(path: Path) -> bool:
    """A JSON object with a `train` list: a task file (its pairs may still be broken)."""
    try:
        with path.open("rb") as handle:
            head = handle.read(64 * 1024 * 1024)
        data = json.loads(head)
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and "train" in data


def skipped_json(path: Path) -> bool:
    name = path.name
    return name in REPORT_FILES or any(name.endswith(s) for s in SKIPPED_SUFFIXES) or ".broken-" in name


def task_stem(path: Path) -> str:
    name = path.name[: -len(".json")]
    return name.removesuffix(".examples")


def folder_entries(folder: Path) -> list[Path]:
    """A folder's scripts, and its task files that no script beside them pairs with."""
    try:
        children = sorted(p for p in folder.iterdir() if p.is_file())
    except OSError as exc:
        raise TargetError(f"{folder}: cannot list the folder: {exc.strerror or exc}") from None
    scripts = [p for p in children if p.name.endswith(SCRIPT_SUFFIX)]
    paired = {script_stem(s) for s in scripts}
    tasks = [p for p in children if p.suffix == ".json" and not skipped_json(p) and task_stem(p) not in paired and looks_like_task(p)]
    return scripts + tasks


def expand(target: str) -> list[Path]:
    """The files one target names (in a stable order)."""
    path = Path(target)
    if path.is_dir():
        found = folder_entries(path)
        if not found:
            raise TargetError(f"{target}: a folder with no tasks (no *.synth.py scripts and no task *.json files)")
        return found
    if path.is_file():
        return [path]
    if is_glob(target):
        matches = [Path(m) for m in sorted(glob.glob(target, recursive=True))]
        found = [m for m in matches if m.is_file() and (m.name.endswith(SCRIPT_SUFFIX) or (m.suffix == ".json" and not skipped_json(m) and looks_like_task(m)))]
        for folder in (m for m in matches if m.is_dir()):
            found += folder_entries(folder)
        if not found:
            raise TargetError(f"{target}: the pattern matches no script or task file")
        return found
    if path.exists():
        raise TargetError(f"{target}: neither a script nor a task file (not a regular file or folder)")
    raise TargetError(f"{target}: no such file or folder")


def resolve_targets(targets: list[str], out: Path) -> list[BatchTask]:
    """One BatchTask per script, in the targets' order. Task files without a script get a seed
    planned in `out` (written by `scaffold`). Two targets naming the same script are refused."""
    tasks: list[BatchTask] = []
    seen: dict[Path, str] = {}
    names: dict[str, Path] = {}
    for target in targets:
        for path in expand(target):
            task = batch_task_for(path, target, out)
            key, source = resolved(task.script), resolved(task.task_file or task.script)
            if seen.get(key) == target:
                continue  # one pattern naming a task file and its script: one task
            if task.name in names and names[task.name] != source:
                raise TargetError(f"two tasks are both named {task.name!r} ({names[task.name]} and {source}): rename one")
            if key in seen:
                raise TargetError(f"{task.script} is named twice (by {seen[key]!r} and {target!r}): name each script once")
            seen[key] = target
            names[task.name] = source
            tasks.append(task)
    return tasks


def batch_task_for(path: Path, target: str, out: Path) -> BatchTask:
    if path.name.endswith(SCRIPT_SUFFIX):
        return BatchTask(script_stem(path), path, target)
    if path.suffix == ".json" and not skipped_json(path) and looks_like_task(path):
        name = path.name[: -len(".json")]
        beside = path.with_name(name + SCRIPT_SUFFIX)
        if beside.is_file():
            return BatchTask(name, beside, target)
        return BatchTask(name, out / (name + SCRIPT_SUFFIX), target, task_file=path)
    raise TargetError(f'{path}: neither a script (NAME{SCRIPT_SUFFIX}) nor a task file (a JSON object with "train" pairs)')


def check_out(out: Path) -> None:
    """`--out` must be a folder we can write (made when missing)."""
    if out.exists() and not out.is_dir():
        raise TargetError(f"--out {out}: is a file, not a folder")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise TargetError(f"--out {out}: cannot make the folder: {exc.strerror or exc}") from None
    try:  # a real write: access() says yes to root on a read-only mount
        probe = tempfile.NamedTemporaryFile(dir=out, prefix=".synth-lsp-probe-")
        probe.close()
    except OSError as exc:
        raise TargetError(f"--out {out}: the folder is not writable ({exc.strerror or exc})") from None


def scaffold(task: BatchTask) -> bool:
    """Write the identity seed for a task file that has no script (never over an existing one).
    True when a seed was written."""
    if task.task_file is None or task.script.exists():
        return False
    examples = os.path.relpath(resolved(task.task_file), resolved(task.script.parent))
    write_atomically(task.script, SEED.format(examples=examples, name=task.name))
    return True
