"""ExactMatch reward with a mask, and a structural diff between expected and actual results.

The diff is what diagnostics and prompts show: for grids, a shape mismatch or the list of differing
cells; for any other JSON, the differing leaf paths.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any, Literal, NamedTuple

from synth_lsp.core.schema import format_path

DiffKind = Literal["equal", "shape", "cells", "json", "missing"]


class CellDiff(NamedTuple):  # a tuple: a 30x30 diff makes hundreds, a frozen dataclass costs 4x as much each
    row: int
    col: int
    expected: Any
    actual: Any


@dataclass(frozen=True)
class PathDiff:
    path: tuple[str | int, ...]
    expected: Any
    actual: Any
    note: str = ""  # e.g. "missing in result", "not expected"

    def describe(self) -> str:
        where = format_path(self.path) or "result"
        if self.note:
            return f"{where}: {self.note}"
        return f"{where}: expected {_short(self.expected)}, got {_short(self.actual)}"


@dataclass(frozen=True)
class Diff:
    kind: DiffKind
    key: str | None = None  # the result key the grid diff is about (ARC: output_grid)
    expected_shape: tuple[int, int] | None = None
    actual_shape: tuple[int, int] | None = None
    cells: tuple[CellDiff, ...] = ()
    paths: tuple[PathDiff, ...] = ()

    @property
    def equal(self) -> bool:
        return self.kind == "equal"

    def summary(self, max_items: int = 3) -> str:
        """One line: what differs."""
        if self.kind == "equal":
            return "matches"
        if self.kind == "missing":
            return "no result to compare"
        if self.kind == "shape":
            e, a = self.expected_shape, self.actual_shape
            return f"wrong shape: expected {e[0]}x{e[1]}, got " + (f"{a[0]}x{a[1]}" if a else "no grid")
        if self.kind == "cells":
            items = ", ".join(f"({c.row},{c.col}) expected {c.expected} got {c.actual}" for c in self.cells[:max_items])
            more = f", +{len(self.cells) - max_items} more" if len(self.cells) > max_items else ""
            total = grid_size(self.expected_shape)
            return f"{len(self.cells)} of {total} cells differ: {items}{more}"
        items = "; ".join(p.describe() for p in self.paths[:max_items])
        more = f"; +{len(self.paths) - max_items} more" if len(self.paths) > max_items else ""
        return f"{len(self.paths)} value(s) differ: {items}{more}"


def grid_size(shape: tuple[int, int] | None) -> int:
    return shape[0] * shape[1] if shape else 0


def exact_match(expected: Any, actual: Any, mask: tuple[str, ...] | None = None) -> float:
    """1.0 when the masked values are equal, else 0.0."""
    if actual is None:
        return 0.0
    if mask is None:
        return 1.0 if _equal(expected, actual) else 0.0
    if not isinstance(actual, dict) or not isinstance(expected, dict):
        return 0.0
    return 1.0 if all(k in actual and _equal(expected.get(k), actual.get(k)) for k in mask) else 0.0


# Values that Python's == compares as JSON does (bool is not here: True == 1 in Python, not in JSON).
_PLAIN_ATOMS = frozenset({int, float, str, type(None)})


def _flat(items: list) -> bool:
    """All items are plain atoms (a grid row): then == on the lists is JSON equality, at C speed."""
    return _PLAIN_ATOMS.issuperset(map(type, items))


_LIST_ONLY = frozenset({list})


def _is_list(value: Any) -> bool:
    return isinstance(value, list)


def _plain_grid(items: list) -> bool:
    """A list of rows of plain atoms: then == on the lists is JSON equality, at C speed."""
    return _LIST_ONLY.issuperset(map(type, items)) and _PLAIN_ATOMS.issuperset(map(type, chain.from_iterable(items)))


def _equal(a: Any, b: Any) -> bool:
    # JSON equality: True is not 1, and lists compare element-wise
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return False
        if _flat(a) and _flat(b):
            return a == b
        if _plain_grid(a) and _plain_grid(b):
            return a == b
        return all(_equal(x, y) for x, y in zip(a, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    return a == b


def shape_of(grid: Any) -> tuple[int, int] | None:
    if not isinstance(grid, list) or not grid or not (_LIST_ONLY.issuperset(map(type, grid)) or all(map(_is_list, grid))):
        return None
    widths = set(map(len, grid))
    if len(widths) != 1:
        return None
    return (len(grid), widths.pop())


def grid_diff(expected: list[list[int]], actual: Any, key: str | None = None) -> Diff:
    e_shape, a_shape = shape_of(expected), shape_of(actual)
    if a_shape is None or e_shape != a_shape:
        return Diff("shape", key=key, expected_shape=e_shape, actual_shape=a_shape)
    if _plain_grid(expected) and _plain_grid(actual):  # the common case: plain != per row and cell is JSON's
        new = tuple.__new__  # CellDiff's own __new__ is a Python function: a third of the cost of a big diff
        cells = tuple(
            [
                new(CellDiff, (r, c, x, y))
                for r, (want, got) in enumerate(zip(expected, actual))
                if want != got
                for c, (x, y) in enumerate(zip(want, got))
                if x != y
            ]
        )
    else:
        cells = tuple(cell for r in range(e_shape[0]) for cell in _row_diff(r, expected[r], actual[r]))
    if not cells:
        return Diff("equal", key=key, expected_shape=e_shape, actual_shape=a_shape)
    return Diff("cells", key=key, expected_shape=e_shape, actual_shape=a_shape, cells=cells)


def _row_diff(r: int, expected: list, actual: list) -> list[CellDiff]:
    if _flat(expected) and _flat(actual):  # the common case: plain == per cell is JSON equality
        if expected == actual:
            return []
        return [CellDiff(r, c, x, y) for c, (x, y) in enumerate(zip(expected, actual)) if x != y]
    return [CellDiff(r, c, x, y) for c, (x, y) in enumerate(zip(expected, actual)) if not _equal(x, y)]


def json_diff(expected: Any, actual: Any, path: tuple[str | int, ...] = (), limit: int = 50) -> list[PathDiff]:
    out: list[PathDiff] = []
    _json_diff(expected, actual, path, out, limit)
    return out


def _json_diff(expected: Any, actual: Any, path: tuple, out: list[PathDiff], limit: int) -> None:
    if len(out) >= limit:
        return
    if isinstance(expected, dict) and isinstance(actual, dict):
        for key in expected:
            if key not in actual:
                out.append(PathDiff(path + (key,), expected[key], None, "missing in result"))
            else:
                _json_diff(expected[key], actual[key], path + (key,), out, limit)
        for key in actual:
            if key not in expected:
                out.append(PathDiff(path + (key,), None, actual[key], "not expected"))
        return
    if isinstance(expected, list) and isinstance(actual, list) and len(expected) == len(actual):
        for i, (e, a) in enumerate(zip(expected, actual)):
            _json_diff(e, a, path + (i,), out, limit)
        return
    if not _equal(expected, actual):
        out.append(PathDiff(path, expected, actual))


def diff_results(expected: dict[str, Any], actual: Any, mask: tuple[str, ...] | None, grid_key: str | None) -> Diff:
    """Diff of what the reward looks at: the grid under `grid_key`, or the masked JSON."""
    if actual is None:
        return Diff("missing", key=grid_key)
    if grid_key is not None:
        got = actual.get(grid_key) if isinstance(actual, dict) else None
        return grid_diff(expected[grid_key], got, key=grid_key)
    if mask is not None:
        expected = {k: expected.get(k) for k in mask}
        actual = {k: actual.get(k) for k in mask} if isinstance(actual, dict) else actual
    paths = tuple(json_diff(expected, actual))
    return Diff("equal") if not paths else Diff("json", paths=paths)


def _short(value: Any, limit: int = 60) -> str:
    import json

    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."
