"""The values a script held on one pair, as the instrumented run recorded them (`trace_rewrite`),
and what they tell about a mismatch: where the output grid was last assigned, and the first line
whose value already differs from the expected output. Pure data; the sandbox fills it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from synth_lsp.core.runs import RunError
from synth_lsp.core.trace_rewrite import Site


@dataclass(frozen=True)
class Recorded:
    """One name at one line: its value after the line's first and last run, and how often it ran."""

    line: int
    name: str
    count: int
    first: Any
    first_step: int  # the order of the records in the run (1 = the first record)
    last: Any
    last_step: int


@dataclass(frozen=True)
class ValueTrace:
    """A finished instrumented run on one pair (an error leaves the values recorded before it)."""

    script: str  # the text that ran (values belong to it alone)
    split: str
    index: int
    sites: dict[int, Site]
    entries: tuple[Recorded, ...]
    error: RunError | None = None
    result: Any = None

    def at_line(self, line: int) -> list[Recorded]:
        site = self.sites.get(line)
        order = {name: i for i, name in enumerate(site.names)} if site else {}
        return sorted((e for e in self.entries if e.line == line), key=lambda e: order.get(e.name, len(order)))

    def named(self, name: str) -> list[Recorded]:
        """Every record of `name`, in the order their lines last ran."""
        return sorted((e for e in self.entries if e.name == name), key=lambda e: e.last_step)


def entries_from(raw: Any) -> tuple[Recorded, ...]:
    """The recorder's dict ((line, name) -> [count, first, step, last, step, ...]) as records."""
    if not isinstance(raw, dict):
        return ()
    out = []
    for key, item in raw.items():
        if not (isinstance(key, tuple) and len(key) == 2 and isinstance(item, (list, tuple)) and len(item) >= 5):
            continue
        line, name = key
        if isinstance(line, int) and isinstance(name, str) and int(item[0]) > 0:  # 0: the line never ran
            out.append(Recorded(line, name, int(item[0]), item[1], int(item[2]), item[3], int(item[4])))
    return tuple(sorted(out, key=lambda e: (e.line, e.first_step)))


def is_grid(value: Any) -> bool:
    """A non-empty rectangular list of lists of whole numbers (an ARC grid)."""
    if not isinstance(value, (list, tuple)) or not value or not all(isinstance(row, (list, tuple)) for row in value):
        return False
    width = len(value[0])
    return width > 0 and all(len(row) == width and all(type(c) is int for c in row) for row in value)


def shape(grid: Any) -> tuple[int, int]:
    return len(grid), len(grid[0])


@dataclass(frozen=True)
class Divergence:
    """Where a mismatching output came from."""

    assigned_line: int | None  # the line that last set the value that became the output grid
    first_wrong_line: int | None  # the first line of that value's lineage that already differs
    why: str  # "shape 3x3, expected 9x9" or "14 of 81 cells differ"


def divergence(trace: ValueTrace, actual: Any, expected: Any) -> Divergence | None:
    """For a mismatching grid: the record whose last value is the actual output grid (the latest
    such line, preferring a name of the script's own over `result` and returns), then, among the
    records of that name in run order, the first whose value after its line already differs from
    the expected grid's shape, else the first that holds the final, wrong cells. None when it
    cannot be told (no grid, or no record holds the output)."""
    if not (is_grid(actual) and is_grid(expected)) or _same(actual, expected):
        return None
    holders = [e for e in trace.entries if _same(grid_of(e.last), actual)]
    own = [e for e in holders if e.name not in ("result", "return")]
    if not (own or holders):
        return None
    assigned = max(own or holders, key=lambda e: e.last_step)
    for entry in sorted(trace.named(assigned.name), key=lambda e: e.first_step):
        first = grid_of(entry.first)
        if first is None:
            continue
        if shape(first) != shape(expected):
            return Divergence(assigned.line, entry.line, _shape_why(first, expected))
        if entry.count == 1 and _same(first, actual):
            return Divergence(assigned.line, entry.line, _cells_why(actual, expected))
    return Divergence(assigned.line, None, _cells_why(actual, expected))


def grid_of(value: Any) -> Any:
    """The grid a value is or holds as its `output_grid` (None: neither)."""
    if is_grid(value):
        return value
    if isinstance(value, dict) and is_grid(value.get("output_grid")):
        return value["output_grid"]
    return None


def _same(a: Any, b: Any) -> bool:
    try:
        return [list(row) for row in a] == [list(row) for row in b]
    except TypeError:
        return False


def _shape_why(value: Any, expected: Any) -> str:
    (h, w), (eh, ew) = shape(value), shape(expected)
    return f"shape {h}x{w}, expected {eh}x{ew}"


def _cells_why(actual: Any, expected: Any) -> str:
    if shape(actual) != shape(expected):
        return _shape_why(actual, expected)
    total = len(expected) * len(expected[0])
    wrong = sum(1 for row, want in zip(actual, expected) for a, b in zip(row, want) if a != b)
    return f"{wrong} of {total} cells differ"


def disagreement(trace: ValueTrace, run_error: RunError | None, run_result: Any) -> str | None:
    """Why the instrumented run cannot stand for the scored run of the same pair (None: it can):
    recording must not have changed what the script did."""
    if run_error is None:
        if trace.error is not None:
            return f"the instrumented run raised where the scored run did not ({trace.error.headline()})"
        if trace.result != run_result:
            return "the instrumented run gave another result than the scored run (does the script use randomness?)"
        return None
    if run_error.kind == "runtime":
        if trace.error is None or trace.error.exc_type != run_error.exc_type:
            return f"the scored run raised {run_error.exc_type}, the instrumented run did not"
        return None
    if run_error.kind in ("missing_result", "schema"):
        return None if trace.error is None else f"the instrumented run raised ({trace.error.headline()})"
    return f"the scored run failed ({run_error.kind})"
