"""Recorded values as short text for inlay hints: numbers, short strings and lists in full, a grid
as `9x9 grid: black, yellow`, anything long cut with an ellipsis. Pure."""

from __future__ import annotations

from typing import Any

from synth_lsp.core.render import colour_name
from synth_lsp.core.trace_rewrite import CUT
from synth_lsp.core.value_trace import Recorded, is_grid

HINT_CHARS = 48  # one value in a hint
LINE_CHARS = 120  # every value of one line together


def short(value: Any, limit: int = HINT_CHARS) -> str:
    """The value in at most `limit` characters."""
    if is_grid(value):
        return grid_summary(value)
    cut = cut_grid(value)
    if cut is not None:
        return grid_summary(cut[0], cut[1])
    text = literal(value, limit + 1)
    return text if len(text) <= limit else text[: max(limit - 1, 1)] + "…"


def cut_grid(value: Any) -> tuple[list, int] | None:
    """(the rows kept, the full height) of a grid the recorder cut after some rows, else None."""
    if not (isinstance(value, list) and len(value) > 1 and isinstance(value[-1], str) and value[-1].startswith(CUT)):
        return None
    rows = value[:-1]
    height = len(rows)
    if rows and isinstance(rows[-1], list) and rows[-1] and isinstance(rows[-1][-1], str) and rows[-1][-1].startswith(CUT):
        rows = rows[:-1]  # a row cut short
    if not is_grid(rows):
        return None
    try:
        return rows, height + int(value[-1][len(CUT) :])
    except ValueError:
        return None


def grid_summary(grid: Any, height: int | None = None) -> str:
    """`9x9 grid: black, yellow` (`height`: the full height of a grid cut after some rows)."""
    height, width = (height or len(grid)), len(grid[0])
    colours = sorted({c for row in grid for c in row})
    names = ", ".join(colour_name(c) if 0 <= c <= 9 else str(c) for c in colours[:6])
    more = f" +{len(colours) - 6}" if len(colours) > 6 else ""
    seen = " (colours of the first rows)" if height > len(grid) else ""
    return f"{height}x{width} grid: {names}{more}{seen}"


def literal(value: Any, budget: int = 10_000) -> str:
    """Python-like text of a recorded value, stopping soon after `budget` characters; the
    recorder's cut marks show as `…`."""
    out: list[str] = []
    _write(value, out, [budget])
    return "".join(out)


def _write(value: Any, out: list[str], left: list[int]) -> None:
    if left[0] <= 0:
        return
    if isinstance(value, str) and CUT in value:
        head = value.split(CUT, 1)[0]
        piece = "…" if not head else repr(head)[:-1] + "…" + repr(head)[-1]
    elif isinstance(value, (list, tuple, set, frozenset)):
        _write_items(value, out, left, "[]" if isinstance(value, list) else "()" if isinstance(value, tuple) else "{}")
        return
    elif isinstance(value, dict):
        _write_dict(value, out, left)
        return
    else:
        piece = _scalar(value)
    out.append(piece)
    left[0] -= len(piece)


def _scalar(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 3000:
        return f"<a {value.bit_length()}-bit int>"  # its digits would be slow to print, and too many to read
    try:
        return repr(value)
    except Exception:  # noqa: BLE001 (a value from the sandbox with a repr that fails: say what it is)
        return f"<{type(value).__name__}>"


def _write_items(items: Any, out: list[str], left: list[int], brackets: str) -> None:
    out.append(brackets[0])
    for i, item in enumerate(items):
        if left[0] <= 0:
            out.append("…")
            break
        if i:
            out.append(", ")
            left[0] -= 2
        if isinstance(item, str) and item.startswith(CUT):
            out.append("…")
            break
        _write(item, out, left)
    if len(items) == 1 and brackets == "()":
        out.append(",")
    out.append(brackets[1])
    left[0] -= 2


def _write_dict(value: dict, out: list[str], left: list[int]) -> None:
    out.append("{")
    for i, (key, item) in enumerate(value.items()):
        if left[0] <= 0 or key == CUT:
            out.append("…")
            break
        if i:
            out.append(", ")
        piece = f"{key!r}: "
        out.append(piece)
        left[0] -= len(piece) + 2
        _write(item, out, left)
    out.append("}")
    left[0] -= 2


def hint_text(entries: list[Recorded]) -> str:
    """What one line's hint says: `x = 3`, `a = 1, b = 2`, `-> 7`, in a loop `x = 3 ... 7 (x9)`."""
    parts = [_entry_text(entry) for entry in entries]
    text = ", ".join(parts)
    return text if len(text) <= LINE_CHARS else text[: LINE_CHARS - 1] + "…"


def _entry_text(entry: Recorded) -> str:
    label = "->" if entry.name == "return" else f"{entry.name} ="
    if entry.count == 1:
        return f"{label} {short(entry.last)}"
    if _equal(entry.first, entry.last):
        return f"{label} {short(entry.last)} (x{entry.count})"
    return f"{label} {short(entry.first, 24)} ... {short(entry.last, 24)} (x{entry.count})"


def _equal(a: Any, b: Any) -> bool:
    try:
        return bool(a == b)
    except (TypeError, ValueError, RecursionError):  # values from the sandbox compare plainly; be safe
        return False
