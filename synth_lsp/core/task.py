"""A synthesis task: a script's example pairs, what its result must look like, and how it is scored.

Two example formats are read:

* an ARC task file as published: ``{"train": [{"input", "output"}], "test": [...]}``.
  Train pair i runs with ``inputs = {"examples": <the other train pairs>, "input_grid": <its input>}``
  (leave-one-out); a test pair runs with every train pair as examples. The target is
  ``{"output_grid": grid}`` and only ``output_grid`` is scored.
* a generic file: ``{"train": [{"inputs": {...}, "output": {...}}], "test": [...]}`` with optional
  ``"instructions"``, ``"schema"`` (a JSON Schema for ``result``), ``"default"`` (the fallback
  result) and ``"mask"`` (the keys of ``result`` that are scored).

Which examples a script uses: the header option ``# synth: examples = PATH`` when present,
otherwise the first of ``NAME.json`` and ``NAME.examples.json`` beside ``NAME.synth.py``.
"""

from __future__ import annotations

import errno
import json
import os
import stat
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from synth_lsp.core.script_header import ScriptHeader, parse_header

SCRIPT_SUFFIX = ".synth.py"
EXAMPLE_SUFFIXES = (".json", ".examples.json")
POPULATION_SUFFIX = ".synth.population.json"  # the evolved population stored beside a script
# an examples file larger than this is refused, not read: parsed JSON takes ~25x its size in memory
MAX_EXAMPLES_MB = 8.0
MAX_EXAMPLES_MB_RANGE = (0.001, 1024.0)

ARC_INSTRUCTIONS = (
    "Find the rule that maps each input grid to its output grid (grids are lists of rows of "
    "colours 0-9) and write a script that applies it: read inputs['input_grid'] (and, if useful, "
    "inputs['examples'], the other solved pairs as {'input_grid', 'output_grid'}), and assign "
    "result = {'output_grid': <the output grid>}."
)
ARC_DEFAULT_RESULT: dict[str, Any] = {"output_grid": [[0]]}
ARC_MASK = ("output_grid",)

Split = Literal["train", "test"]
TaskKind = Literal["arc", "generic"]


class TaskError(ValueError):
    """The examples cannot be used. `line`/`column` (1-based) locate the problem in `path` when known;
    `header_key` names the script's header option the problem is about (e.g. its `default`)."""

    def __init__(
        self, message: str, path: Path | None = None, line: int | None = None, column: int | None = None, header_key: str | None = None
    ):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.header_key = header_key

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = str(self.path)
            if self.line is not None:
                where += f":{self.line}:{self.column or 1}"
            where += ": "
        return where + self.message


@dataclass(frozen=True)
class Pair:
    """One example: what the script receives as `inputs`, and the result it should produce."""

    split: Split
    index: int  # position in its split, as in the examples file
    inputs: dict[str, Any]
    expected: dict[str, Any] | None  # None for a test pair whose answer is not published
    # JSON path of the expected value inside the examples file (for diagnostics there)
    expected_path: tuple[str | int, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.split} pair {self.index + 1}"


@dataclass(frozen=True)
class Task:
    name: str
    kind: TaskKind
    train: tuple[Pair, ...]
    test: tuple[Pair, ...]
    instructions: str
    default_result: dict[str, Any]
    output_schema: dict[str, Any] | None = None  # JSON Schema (generic tasks); ARC uses the grid rule
    mask: tuple[str, ...] | None = None  # keys of result that are scored; None = all of it
    examples_path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict, repr=False)

    @property
    def is_grid_task(self) -> bool:
        return self.kind == "arc"

    def train_grids(self) -> list[tuple[list[list[int]], list[list[int]]]]:
        """(input, output) grids of the train pairs, for grid tasks."""
        if not self.is_grid_task:
            return []
        return [(p.inputs["input_grid"], p.expected["output_grid"]) for p in self.train if p.expected]


def resolved(path: Path) -> Path:
    """`path` made absolute with its symlinks resolved; as far as that goes for a symlink loop or an
    unreadable folder (which then fail, with a message, when read)."""
    try:
        return Path(path).resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop (Python 3.11)
        return Path(os.path.abspath(path))


def examples_path_for(script_path: Path, header: ScriptHeader | None = None) -> Path:
    """The examples file a script pairs with (see the module docstring for the rule)."""
    if header is not None and header.get("examples"):
        return resolved(script_path.parent / header.get("examples"))
    stem = script_stem(script_path)
    candidates = [script_path.parent / (stem + suffix) for suffix in EXAMPLE_SUFFIXES]
    for candidate in candidates:
        if candidate.exists():
            return candidate
    return candidates[0]


def script_stem(script_path: Path) -> str:
    name = script_path.name
    return name[: -len(SCRIPT_SUFFIX)] if name.endswith(SCRIPT_SUFFIX) else script_path.stem


def population_path_for(script_path: Path) -> Path:
    return script_path.with_name(script_stem(script_path) + POPULATION_SUFFIX)


def script_path_for(population_path: Path) -> Path:
    name = population_path.name
    stem = name[: -len(POPULATION_SUFFIX)] if name.endswith(POPULATION_SUFFIX) else population_path.stem
    return population_path.with_name(stem + SCRIPT_SUFFIX)


def load_task_for_script(script_path: Path, script_text: str | None = None, max_mb: float = MAX_EXAMPLES_MB) -> Task:
    """The task of a script, as its header (in `script_text`, else the file) names it."""
    if script_text is None:
        script_text = script_path.read_text(encoding="utf-8")
    header = parse_header(script_text)
    path = examples_path_for(script_path, header)
    task = load_task(path, max_mb)
    return apply_header(task, header)


def apply_header(task: Task, header: ScriptHeader) -> Task:
    """Header options that change the task itself (default result, instructions)."""
    changes: dict[str, Any] = {}
    if header.get("default") is not None:
        changes["default_result"] = header.get("default")
    if header.get("instructions"):
        changes["instructions"] = header.get("instructions")
    if not changes:
        return task
    from dataclasses import replace

    header_key = "default" if "default_result" in changes else None
    return check_default(replace(task, **changes), where="the header's `default`", header_key=header_key)


def check_default(task: Task, where: str = "`default`", header_key: str | None = None) -> Task:
    """The failure contract needs a default result that itself validates."""
    from synth_lsp.core.schema import check_arc_result, check_schema_result

    problems = check_arc_result(task.default_result) if task.kind == "arc" else check_schema_result(task.default_result, task.output_schema)
    if problems:
        raise TaskError(f"{where} does not match the result schema: {problems[0]}", path=task.examples_path, header_key=header_key)
    return task


def load_task(path: Path, max_mb: float = MAX_EXAMPLES_MB) -> Task:
    path = Path(path)
    return parse_task(read_examples(path, max_mb), path)


def read_examples(path: Path, max_mb: float = MAX_EXAMPLES_MB) -> str:
    """The text of an examples file (see `read_regular_text`)."""
    return read_regular_text(path, max_mb, "examples file", "the setting `examplesMaxMb`")


def read_regular_text(path: Path, max_mb: float, what: str, cap_name: str = "") -> str:
    """The UTF-8 text of a file the user named. Only a regular file is read, and only up to
    `max_mb`: a FIFO would block the reader until someone writes to it, and /dev/zero never ends.
    Every problem is a TaskError saying what is wrong with `what`."""
    limit = int(max_mb * 1024 * 1024)
    try:
        # non-blocking: opening a FIFO for reading would wait for a writer
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except FileNotFoundError:
        raise TaskError(f"{what} not found: {path}", path=path) from None
    except OSError as exc:
        why = "it is a symlink loop" if exc.errno == errno.ELOOP else (exc.strerror or str(exc))
        raise TaskError(f"cannot read {what}: {why}", path=path) from None
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise TaskError(f"cannot read {what}: it is not a regular file ({_file_kind(info.st_mode)})", path=path)
        data = handle.read(limit + 1) if info.st_size <= limit else b""
        if info.st_size > limit or len(data) > limit:
            raise TaskError(too_big(what, max(info.st_size, len(data)), max_mb, cap_name), path=path)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise TaskError(f"the {what} is not UTF-8 (byte {exc.start})", path=path, line=line) from None


def too_big(what: str, size: int, max_mb: float, cap_name: str = "") -> str:
    cap = f" ({cap_name})" if cap_name else ""
    return f"the {what} is {size / (1024 * 1024):.1f} MB, over the limit of {max_mb:g} MB{cap}"


def _file_kind(mode: int) -> str:
    for test, kind in ((stat.S_ISFIFO, "a FIFO"), (stat.S_ISDIR, "a directory"), (stat.S_ISCHR, "a device"), (stat.S_ISBLK, "a device"), (stat.S_ISSOCK, "a socket")):
        if test(mode):
            return kind
    return "not a plain file"


def parse_task(text: str, path: Path | None = None, name: str | None = None) -> Task:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise TaskError(f"invalid JSON: {exc.msg}", path=path, line=exc.lineno, column=exc.colno) from exc
    except RecursionError:
        raise TaskError("the examples file is nested too deeply to read", path=path) from None
    except ValueError as exc:  # Python refuses integers of more than 4300 digits (sys.get_int_max_str_digits)
        what = f"an integer of more than {sys.get_int_max_str_digits()} digits" if "digits" in str(exc) else str(exc)
        raise TaskError(f"the examples file holds a value that cannot be read: {what}", path=path) from None
    if name is None:
        name = _task_name(path) if path else "task"
    if not isinstance(data, dict):
        raise TaskError("the examples file must hold a JSON object with a `train` list", path=path)
    train = data.get("train")
    if not isinstance(train, list) or not train:
        raise TaskError("the examples file needs a non-empty `train` list of pairs", path=path)
    test = data.get("test", [])
    if not isinstance(test, list):
        raise TaskError("`test` must be a list of pairs", path=path)
    first = train[0]
    if isinstance(first, dict) and "input" in first:
        return _parse_arc(data, train, test, name, path)
    if isinstance(first, dict) and "inputs" in first:
        return _parse_generic(data, train, test, name, path)
    raise TaskError(
        "cannot tell the format of train[0]: an ARC pair has `input` and `output`, "
        "a generic pair has `inputs` and `output`",
        path=path,
    )


def _task_name(path: Path) -> str:
    name = path.name
    for suffix in (".examples.json", ".json"):
        if name.endswith(suffix):
            return name[: -len(suffix)]
    return path.stem


def _parse_arc(data: dict, train: list, test: list, name: str, path: Path | None) -> Task:
    train_grids: list[tuple[list, list]] = []
    for i, pair in enumerate(train):
        _require_pair(pair, ("input", "output"), f"train[{i}]", path)
        train_grids.append(
            (
                _check_grid(pair["input"], f"train[{i}].input", path),
                _check_grid(pair["output"], f"train[{i}].output", path),
            )
        )
    examples = [{"input_grid": inp, "output_grid": out} for inp, out in train_grids]
    train_pairs = tuple(
        Pair(
            split="train",
            index=i,
            inputs={"examples": examples[:i] + examples[i + 1 :], "input_grid": inp},
            expected={"output_grid": out},
            expected_path=("train", i, "output"),
        )
        for i, (inp, out) in enumerate(train_grids)
    )
    test_pairs = []
    for i, pair in enumerate(test):
        _require_pair(pair, ("input",), f"test[{i}]", path)
        inp = _check_grid(pair["input"], f"test[{i}].input", path)
        out = pair.get("output")
        expected = {"output_grid": _check_grid(out, f"test[{i}].output", path)} if out is not None else None
        test_pairs.append(
            Pair(split="test", index=i, inputs={"examples": examples, "input_grid": inp}, expected=expected, expected_path=("test", i, "output"))
        )
    return Task(
        name=name,
        kind="arc",
        train=train_pairs,
        test=tuple(test_pairs),
        instructions=str(data.get("instructions") or ARC_INSTRUCTIONS),
        default_result=dict(ARC_DEFAULT_RESULT),
        mask=ARC_MASK,
        examples_path=path,
        raw=data,
    )


def _parse_generic(data: dict, train: list, test: list, name: str, path: Path | None) -> Task:
    def pairs(items: list, split: Split) -> tuple[Pair, ...]:
        out = []
        for i, pair in enumerate(items):
            _require_pair(pair, ("inputs",) if split == "test" else ("inputs", "output"), f"{split}[{i}]", path)
            if not isinstance(pair["inputs"], dict):
                raise TaskError(f"{split}[{i}].inputs must be a JSON object", path=path)
            expected = pair.get("output")
            if expected is not None and not isinstance(expected, dict):
                raise TaskError(f"{split}[{i}].output must be a JSON object (the script's `result`)", path=path)
            out.append(Pair(split=split, index=i, inputs=pair["inputs"], expected=expected, expected_path=(split, i, "output")))
        return tuple(out)

    schema = data.get("schema")
    if schema is not None:
        if not isinstance(schema, dict):
            raise TaskError("`schema` must be a JSON Schema object", path=path)
        from synth_lsp.core.schema import check_json_schema

        problem = check_json_schema(schema)
        if problem:
            raise TaskError(f"`schema` is not a valid JSON Schema: {problem}", path=path)
    mask = data.get("mask")
    if mask is not None and (not isinstance(mask, list) or not all(isinstance(k, str) for k in mask)):
        raise TaskError("`mask` must be a list of result keys", path=path)
    default = data.get("default", {})
    if not isinstance(default, dict):
        raise TaskError("`default` must be a JSON object", path=path)
    return check_default(Task(
        name=name,
        kind="generic",
        train=pairs(train, "train"),
        test=pairs(test, "test"),
        instructions=str(data.get("instructions") or "Write a script that maps `inputs` to the expected `result`."),
        default_result=default,
        output_schema=schema,
        mask=tuple(mask) if mask else None,
        examples_path=path,
        raw=data,
    ))


def _require_pair(pair: Any, keys: tuple[str, ...], where: str, path: Path | None) -> None:
    if not isinstance(pair, dict):
        raise TaskError(f"{where} must be an object with {', '.join(keys)}", path=path)
    missing = [k for k in keys if k not in pair]
    if missing:
        raise TaskError(f"{where} lacks {', '.join('`' + k + '`' for k in missing)}", path=path)


def _check_grid(grid: Any, where: str, path: Path | None) -> list[list[int]]:
    from synth_lsp.core.schema import grid_problems

    problems = grid_problems(grid, where)
    if problems:
        raise TaskError(problems[0], path=path)
    return grid
