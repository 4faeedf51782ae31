"""What a script's `result` must look like: ARC grids of colours, or a task's JSON Schema.

Every check returns problems as `SchemaProblem(path, message)`, where `path` locates the
offending value (e.g. ``output_grid[2][1]``), so callers can say exactly what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import chain
from typing import Any

MAX_GRID_SIDE = 30  # ARC grids are at most 30x30


@dataclass(frozen=True)
class SchemaProblem:
    path: tuple[str | int, ...]
    message: str

    def __str__(self) -> str:
        where = format_path(self.path)
        return f"{where}: {self.message}" if where else self.message


def format_path(path: tuple[str | int, ...]) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


_COLOUR_SET = frozenset(range(10))
_INT_ONLY = frozenset({int})  # bool is excluded: True would pass as the colour 1 in the set
_LIST_ONLY = frozenset({list})


def is_colour(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9


def grid_problems(grid: Any, where: str = "grid") -> list[str]:
    """Problems with an ARC grid, as messages that start with `where`."""
    return [f"{where}{format_path(p.path)}: {p.message}" for p in check_grid(grid)]


def check_grid(grid: Any, path: tuple[str | int, ...] = ()) -> list[SchemaProblem]:
    if _is_good_grid(grid):
        return []  # the common case, checked at C speed; the walk below names what is wrong
    if not isinstance(grid, list):
        return [SchemaProblem(path, f"a grid must be a list of rows, got {_kind(grid)}")]
    if not grid:
        return [SchemaProblem(path, "a grid must have at least one row")]
    if len(grid) > MAX_GRID_SIDE:
        return [SchemaProblem(path, f"a grid has at most {MAX_GRID_SIDE} rows, got {len(grid)}")]
    problems: list[SchemaProblem] = []
    width = None
    for r, row in enumerate(grid):
        if not isinstance(row, list):
            problems.append(SchemaProblem(path + (r,), f"a row must be a list of colours, got {_kind(row)}"))
            continue
        if not row:
            problems.append(SchemaProblem(path + (r,), "a row must have at least one cell"))
            continue
        if len(row) > MAX_GRID_SIDE:
            problems.append(SchemaProblem(path + (r,), f"a row has at most {MAX_GRID_SIDE} cells, got {len(row)}"))
        if width is None:
            width = len(row)
        elif len(row) != width:
            problems.append(SchemaProblem(path + (r,), f"row has {len(row)} cells but row 0 has {width}: a grid must be rectangular"))
        if _INT_ONLY.issuperset(map(type, row)) and _COLOUR_SET.issuperset(row):
            continue  # every cell is a colour (checked at C speed; the loop below names the bad ones)
        for c, cell in enumerate(row):
            if not is_colour(cell):
                problems.append(SchemaProblem(path + (r, c), f"{_show(cell)} is not a colour 0-9"))
        if len(problems) >= 10:
            break
    return problems


def _is_good_grid(grid: Any) -> bool:
    """A list of 1-30 rows, each a list of as many colours, 1-30 of them (the walk of `check_grid`
    finds no problem in exactly these)."""
    if type(grid) is not list or not 0 < len(grid) <= MAX_GRID_SIDE or not _LIST_ONLY.issuperset(map(type, grid)):
        return False
    widths = set(map(len, grid))
    if len(widths) != 1 or not 0 < widths.pop() <= MAX_GRID_SIDE:
        return False
    return _INT_ONLY.issuperset(map(type, chain.from_iterable(grid))) and _COLOUR_SET.issuperset(chain.from_iterable(grid))


def check_arc_result(result: Any) -> list[SchemaProblem]:
    if not isinstance(result, dict):
        return [SchemaProblem((), f"result must be a dict like {{'output_grid': [[...]]}}, got {_kind(result)}")]
    if "output_grid" not in result:
        keys = ", ".join(repr(k) for k in result) or "no keys"
        return [SchemaProblem((), f"result has no 'output_grid' (it has {keys})")]
    return check_grid(result["output_grid"], ("output_grid",))


def check_json_schema(schema: dict[str, Any]) -> str | None:
    """None when `schema` is a usable JSON Schema, else what is wrong with it."""
    import jsonschema

    try:
        cls = jsonschema.validators.validator_for(schema)
        cls.check_schema(schema)
    except jsonschema.SchemaError as exc:
        return exc.message
    return None


def check_schema_result(result: Any, schema: dict[str, Any] | None) -> list[SchemaProblem]:
    if not isinstance(result, dict):
        return [SchemaProblem((), f"result must be a dict (a JSON object), got {_kind(result)}")]
    if schema is None:
        return []
    import jsonschema

    cls = jsonschema.validators.validator_for(schema)
    errors = sorted(cls(schema).iter_errors(result), key=lambda e: list(e.absolute_path))
    return [SchemaProblem(tuple(e.absolute_path), e.message) for e in errors[:10]]


def _kind(value: Any) -> str:
    if value is None:
        return "None"
    return type(value).__name__


def _show(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 30 else text[:27] + "..."
