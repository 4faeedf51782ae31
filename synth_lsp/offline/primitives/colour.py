"""Colours changed in place (colour maps, erasing, painting the minority) and grids summarised by
their colours (the majority or minority colour, a count as a row).
"""

from synth_lsp.offline.primitives.grids import colour_counts, most_common_colour


def recolour(grid, mapping):
    """Replace colours by the table learned from the examples; other colours stay."""
    return [[mapping.get(value, value) for value in row] for row in grid]


def erase_colour(grid, colour, background):
    return [[background if value == colour else value for value in row] for row in grid]


def recolour_minor(grid, colour):
    """Paint every cell that is not of the grid's most common colour with `colour`."""
    common = most_common_colour(grid)
    return [[value if value == common else colour for value in row] for row in grid]


def majority_colour_cell(grid, background):
    """A 1x1 grid of the most common non-background colour."""
    counts = colour_counts(grid)
    colours = sorted([c for c in counts if c != background])
    if not colours:
        return None
    return [[max(colours, key=lambda c: counts[c])]]


def count_to_row(grid, background):
    """A single row with one cell per non-background cell, in the most common such colour."""
    counts = colour_counts(grid)
    colours = sorted([c for c in counts if c != background])
    if not colours:
        return None
    total = sum([counts[c] for c in colours])
    if total > 30:
        return None
    return [[max(colours, key=lambda c: counts[c])] * total]


def minority_colour_cell(grid, background):
    """A 1x1 grid of the least common non-background colour."""
    counts = colour_counts(grid)
    colours = sorted([c for c in counts if c != background])
    if not colours:
        return None
    return [[min(colours, key=lambda c: counts[c])]]


def position_index(r, c, height, width, kind):
    """A cell's place along one direction: its column or row counted from either side, or its
    diagonal (r + c) or anti-diagonal, for rules that repeat every few places."""
    if kind == "column":
        return c
    if kind == "column_from_right":
        return width - 1 - c
    if kind == "row":
        return r
    if kind == "row_from_bottom":
        return height - 1 - r
    if kind == "diagonal":
        return r + c
    return r + width - 1 - c


def recolour_by_position(grid, kind, period, table):
    """Repaint each cell by its colour and its place modulo `period` along `kind` (see
    `position_index`): `table` maps (colour, place mod period) to the new colour; others stay."""
    height, width = len(grid), len(grid[0])
    out = []
    for r in range(height):
        row = []
        for c in range(width):
            value = grid[r][c]
            key = (value, position_index(r, c, height, width, kind) % period)
            row.append(table[key] if key in table else value)
        out.append(row)
    return out
