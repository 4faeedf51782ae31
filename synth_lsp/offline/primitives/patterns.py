"""Repeating patterns: a grid whose pattern repeats with fixed periods, with some cells painted
over, repainted from the cells that repeat them; and what lies under the painted patch.
"""

from synth_lsp.offline.primitives.geometry import crop
from synth_lsp.offline.primitives.grids import cells_box, colour_cells, copy_grid


def pattern_periods(grid, unknown):
    """(rows, columns) periods, smallest area first, that a pattern with holes could have: each
    must be seen at least twice on average among the known cells."""
    height, width = len(grid), len(grid[0])
    known = 0
    for row in grid:
        for value in row:
            if value != unknown:
                known += 1
    periods = []
    for rows in range(1, height + 1):
        for cols in range(1, width + 1):
            if 2 * rows * cols <= known and (rows < height or cols < width):
                periods.append((rows * cols, rows, cols))
    periods.sort()
    return periods


def periodic_table(grid, unknown, rows, cols):
    """The colour of each (row mod rows, col mod cols) among the known cells, or None when two
    known cells of one class disagree."""
    table = {}
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            value = grid[r][c]
            if value == unknown:
                continue
            key = (r % rows, c % cols)
            if table.setdefault(key, value) != value:
                return None
    return table


def fill_pattern(grid, unknown):
    """Repaint the cells of colour `unknown` from the grid's repeating pattern (the smallest
    periods under which every other cell agrees); None when no such pattern covers them."""
    holes = colour_cells(grid, unknown)
    if not holes:
        return None
    for _, rows, cols in pattern_periods(grid, unknown):
        table = periodic_table(grid, unknown, rows, cols)
        if table is None:
            continue
        out = copy_grid(grid)
        covered = True
        for r, c in holes:
            key = (r % rows, c % cols)
            if key not in table:
                covered = False
                break
            out[r][c] = table[key]
        if covered:
            return out
    return None


def pattern_under_patch(grid, unknown):
    """What the repeating pattern shows under the patch of colour `unknown`."""
    filled = fill_pattern(grid, unknown)
    if filled is None:
        return None
    top, left, bottom, right = cells_box(colour_cells(grid, unknown))
    return crop(filled, top, left, bottom, right)


def line_period(values):
    """The smallest p such that the values (cells, or whole rows) repeat every p places."""
    for p in range(1, len(values)):
        if all(values[i] == values[i - p] for i in range(p, len(values))):
            return p
    return len(values)


def extend_periodic(grid, down, across):
    """The grid grown to `down` times its height and `across` times its width by continuing its
    repeating pattern (the smallest row and column periods of the whole grid), rather than tiling
    it: a row 2,3,3,2,3,3,2 goes on as 3,3,2,3,3,... None when the grid repeats in neither direction."""
    height, width = len(grid), len(grid[0])
    rows = line_period(grid)
    cols = line_period([[grid[r][c] for r in range(height)] for c in range(width)])
    if rows == height and cols == width:
        return None  # no pattern to continue: plain tiling would be the same guess
    return [[grid[r % rows][c % cols] for c in range(width * across)] for r in range(height * down)]
