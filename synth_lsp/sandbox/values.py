"""Values that come out of the sandbox, made plain JSON (or refused, saying why)."""

from __future__ import annotations

import math
from itertools import chain
from typing import Any

_PLAIN = frozenset({int, str, bool, type(None)})  # JSON scalars that need no conversion
_ROWS = frozenset({list, tuple})


def normalise(value: Any, _depth: int = 0) -> tuple[Any, str | None]:
    """Make a sandbox value plain JSON (tuples become lists). Returns (value, problem)."""
    if _depth > 100:
        return None, "nested too deeply"
    if value is None or isinstance(value, (bool, int, str)):
        return value, None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None, f"{value} is not a JSON number"
        return value, None
    if isinstance(value, (list, tuple)):
        if _PLAIN.issuperset(map(type, value)):
            return list(value), None  # a grid row: no need to look at each cell again (checked at C speed)
        if _ROWS.issuperset(map(type, value)) and _PLAIN.issuperset(map(type, chain.from_iterable(value))):
            return list(map(list, value)), None  # a grid: rows of plain values, at C speed
        out = []
        for item in value:
            item, problem = normalise(item, _depth + 1)
            if problem:
                return None, problem
            out.append(item)
        return out, None
    if isinstance(value, dict):
        obj = {}
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                return None, f"dict key {key!r} is not a string"
            item, problem = normalise(item, _depth + 1)
            if problem:
                return None, problem
            obj[str(key)] = item
        return obj, None
    return None, f"a value of type {type(value).__name__} ({str(value)[:40]})"
