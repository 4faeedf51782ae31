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
