"""Grids as text: ARC colours in a terminal, plain digits elsewhere, markdown for hovers.

Expected and actual grids are shown side by side with a third panel that marks the differing
cells, so a mismatch can be read at a glance in any of the three styles.
"""

from __future__ import annotations

import re
from typing import Iterable, Literal, Sequence

Style = Literal["ansi", "plain", "markdown"]
Grid = Sequence[Sequence[int]]

# The ARC palette (as the ARC testing interface shows it)
PALETTE: dict[int, tuple[str, str]] = {
    0: ("black", "#000000"),
    1: ("blue", "#0074D9"),
    2: ("red", "#FF4136"),
    3: ("green", "#2ECC40"),
    4: ("yellow", "#FFDC00"),
    5: ("grey", "#AAAAAA"),
    6: ("magenta", "#F012BE"),
    7: ("orange", "#FF851B"),
    8: ("azure", "#7FDBFF"),
    9: ("maroon", "#870C25"),
}
GAP = "   "
_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def colour_name(value: int) -> str:
    return PALETTE.get(value, ("?", ""))[0]


def _rgb(hex_colour: str) -> tuple[int, int, int]:
    return int(hex_colour[1:3], 16), int(hex_colour[3:5], 16), int(hex_colour[5:7], 16)


def _ansi_cell(value: object, mark: bool) -> str:
    if isinstance(value, int) and value in PALETTE:
        r, g, b = _rgb(PALETTE[value][1])
        fg = "30" if (r * 299 + g * 587 + b * 114) / 1000 > 128 else "97"
        text = "><" if mark else "  "
        return f"\x1b[48;2;{r};{g};{b}m\x1b[1;{fg}m{text}\x1b[0m"
    return "??"


def _plain_cell(value: object) -> str:
    return str(value) if isinstance(value, int) and 0 <= value <= 9 else "?"


def render_grid(grid: Grid, style: Style = "plain", marks: Iterable[tuple[int, int]] = ()) -> list[str]:
    """One string per row. In ANSI style, marked cells show `><` on their colour."""
    marked = set(marks)
    rows = []
    for r, row in enumerate(grid):
        if style == "ansi":
            rows.append("".join(_ansi_cell(v, (r, c) in marked) for c, v in enumerate(row)))
        else:
            rows.append(" ".join(_plain_cell(v) for v in row))
    return rows


def _width(style: Style, grid: Grid | None) -> int:
    if not grid:
        return 0
    cols = max((len(r) for r in grid), default=0)
    return cols * 2 if style == "ansi" else max(cols * 2 - 1, 0)


def diff_panel(expected: Grid, actual: Grid, cells: Iterable[tuple[int, int]]) -> list[str]:
    """`x` where the cell differs, `.` where it matches (same shape as `expected`)."""
    marked = set(cells)
    return [" ".join("x" if (r, c) in marked else "." for c in range(len(row))) for r, row in enumerate(expected)]


def render_side_by_side(
    expected: Grid | None,
    actual: Grid | None,
    diff_cells: Iterable[tuple[int, int]] = (),
    style: Style = "plain",
    titles: tuple[str, str] = ("expected", "actual"),
) -> str:
    """Expected | actual | diff, row by row. Works for grids of different shapes (no diff panel then)."""
    cells = list(diff_cells)
    panels: list[tuple[str, list[str], int]] = []
    panel_style: Style = "ansi" if style == "ansi" else "plain"
    for title, grid in zip(titles, (expected, actual)):
        if grid is None:
            panels.append((title, ["(none)"], 6))
        else:
            panels.append((f"{title} {len(grid)}x{len(grid[0]) if grid else 0}", render_grid(grid, panel_style, cells if grid is actual else ()), _width(panel_style, grid)))
    if expected is not None and actual is not None and cells and len(expected) == len(actual):
        panels.append((f"diff ({len(cells)})", diff_panel(expected, actual, cells), _width("plain", expected)))
    height = max(len(lines) for _, lines, _ in panels)
    out = []
    header = GAP.join(title.ljust(max(width, len(title))) for title, _, width in panels)
    out.append(header.rstrip())
    for i in range(height):
        parts = []
        for title, lines, width in panels:
            col = max(width, len(title))
            text = lines[i] if i < len(lines) else ""
            visible = len(_ANSI.sub("", text))
            parts.append(text + " " * max(col - visible, 0))
        out.append(GAP.join(parts).rstrip())
    body = "\n".join(out)
    if style == "markdown":
        legend = ", ".join(f"{k} {name}" for k, (name, _) in PALETTE.items())
        return f"```text\n{body}\n```\n*colours: {legend}; `x` marks a differing cell*"
    return body


def render_compact(grid: Grid) -> str:
    """One row of digits per line, no separators: the compact form used in prompts."""
    return "\n".join("".join(_plain_cell(v) for v in row) for row in grid)
