"""An examples file laid out for people: one grid row per line.

ARC task files are published as one line of JSON. A user cannot read or edit a grid there, and every
mark the server puts on a mismatched cell lands on line 1. `lay_out` rewrites such a file so that
objects are indented, each grid row sits on its own line in compact form (`[0, 7, 7]`), and other
short lists of plain values stay inline. Only the layout changes: the JSON value is the same.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

INDENT = "  "
_SCALARS = (int, float, str, bool, type(None))


@lru_cache(maxsize=8)  # editors ask for code actions at every cursor move
def lay_out(text: str) -> str | None:
    """The examples text laid out, or None when it is not an examples file (a JSON object with a
    `train` list) or is laid out that way already."""
    try:
        value = json.loads(text)
        if not isinstance(value, dict) or not isinstance(value.get("train"), list):
            return None
        out = _render(value, 0) + "\n"
    except (ValueError, RecursionError):  # not JSON, or nested deeper than any examples file
        return None
    return None if out == text else out


def _render(value: Any, depth: int) -> str:
    if isinstance(value, dict):
        return _render_object(value, depth)
    if isinstance(value, list):
        return _render_list(value, depth)
    return json.dumps(value, ensure_ascii=False)


def _render_object(value: dict, depth: int) -> str:
    if not value:
        return "{}"
    inner = INDENT * (depth + 1)
    items = [f"{inner}{json.dumps(str(key), ensure_ascii=False)}: {_render(item, depth + 1)}" for key, item in value.items()]
    return "{\n" + ",\n".join(items) + "\n" + INDENT * depth + "}"


def _render_list(value: list, depth: int) -> str:
    if all(isinstance(item, _SCALARS) for item in value):
        return _inline(value)  # a grid row, or a short list of plain values
    inner = INDENT * (depth + 1)
    if all(isinstance(item, list) and all(isinstance(cell, _SCALARS) for cell in item) for item in value):
        rows = [inner + _inline(row) for row in value]  # a grid: one row per line
    else:
        rows = [inner + _render(item, depth + 1) for item in value]
    return "[\n" + ",\n".join(rows) + "\n" + INDENT * depth + "]"


def _inline(items: list) -> str:
    return "[" + ", ".join(json.dumps(item, ensure_ascii=False) for item in items) + "]"
