"""Sorting: the bars of a grid (its rows' filled cells) ordered by length into a staircase."""

from synth_lsp.offline.primitives.grids import blank_grid


def sort_bars(grid, background, align):
    """Each row's filled cells form a bar; the bars are stacked shortest at the top, longest at
    the bottom (empty rows above them, equal lengths in their first order), each pushed to the
    `align` side ("left" or "right"), keeping its colours in order. None when no row is filled."""
    bars = []
    for row in grid:
        bars.append([v for v in row if v != background])
    if not any(bars):
        return None
    width = len(grid[0])
    order = sorted(range(len(bars)), key=lambda i: len(bars[i]))
    out = blank_grid(len(grid), width, background)
    for r, i in enumerate(order):
        bar = bars[i]
        start = width - len(bar) if align == "right" else 0
        for k in range(len(bar)):
            out[r][start + k] = bar[k]
    return out
