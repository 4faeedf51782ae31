"""Repeating patterns: a grid whose pattern repeats with fixed periods, with some cells painted
over, repainted from the cells that repeat them; and what lies under the painted patch.
"""

from synth_lsp.offline.primitives.geometry import crop
from synth_lsp.offline.primitives.grids import cells_box, colour_cells, copy_grid


def shift_agrees(grid, unknown, down, across):
    """Whether every known cell equals the known cell `down` rows below and `across` columns
    to the right of it (where both lie in the grid)."""
    height, width = len(grid), len(grid[0])
    first, last = max(0, -across), min(width, width - across)
    for r in range(height - down):
        row, other = grid[r], grid[r + down]
        for c in range(first, last):
            a, b = row[c], other[c + across]
            if a != b and a != unknown and b != unknown:
                return False
    return True


def pattern_lattices(grid, unknown):
    """The lattices of translations a pattern with holes could repeat under, fewest classes first:
    (rows, cols, shift) means the pattern repeats every `cols` columns and, `rows` rows down,
    again shifted `shift` columns right (0 for a plain rectangular tiling; otherwise diagonal
    stripes and staggered tilings). Each class must be seen at least twice on average among the
    known cells; plain tilings come before sheared ones of as many classes."""
    height, width = len(grid), len(grid[0])
    known = 0
    for row in grid:
        for value in row:
            if value != unknown:
                known += 1
    lattices = []
    for rows in range(1, height + 1):
        for cols in range(1, width + 1):
            if 2 * rows * cols > known or (rows == height and cols == width):
                continue
            lattices.append((rows * cols, 0, rows, cols, 0))
            if rows < height:
                for shift in range(1, cols):
                    lattices.append((rows * cols, 1, rows, cols, shift))
    lattices.sort()
    return [(rows, cols, shift) for _, _, rows, cols, shift in lattices]


def lattice_agrees(grid, unknown, rows, cols, shift, agrees):
    """Whether the known cells agree under every translation of the lattice that fits in the grid
    (`agrees` memoises `shift_agrees` by (down, across))."""
    height, width = len(grid), len(grid[0])
    for i in range((height - 1) // rows + 1):
        down = i * rows
        across = i * shift
        # the lattice's translations `down` rows down: across + j * cols, within the width
        across = across - ((across + width - 1) // cols) * cols
        while across < width:
            if down > 0 or across > 0:
                key = (down, across)
                if key not in agrees:
                    agrees[key] = shift_agrees(grid, unknown, down, across)
                if not agrees[key]:
                    return False
            across += cols
    return True


def lattice_class(r, c, rows, cols, shift):
    i = r // rows
    return r - i * rows, (c - i * shift) % cols


def fill_pattern(grid, unknown):
    """Repaint the cells of colour `unknown` from the grid's repeating pattern (the lattice of
    fewest classes under which every other cell agrees, see `pattern_lattices`); None when no
    such pattern covers them."""
    holes = colour_cells(grid, unknown)
    if not holes:
        return None
    agrees = {}
    for rows, cols, shift in pattern_lattices(grid, unknown):
        if not lattice_agrees(grid, unknown, rows, cols, shift, agrees):
            continue
        table = {}
        for r in range(len(grid)):
            for c in range(len(grid[0])):
                if grid[r][c] != unknown:
                    table[lattice_class(r, c, rows, cols, shift)] = grid[r][c]
        out = copy_grid(grid)
        covered = True
        for r, c in holes:
            key = lattice_class(r, c, rows, cols, shift)
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


def continue_run(line, background):
    """The line with its one run of two or more filled cells repeated along all of it (the run is
    the period, in place); None when the line has no such single run."""
    start, end = -1, -1
    for i in range(len(line)):
        if line[i] != background:
            if end >= 0 and end < i:
                return None  # a second run
            if start < 0:
                start = i
            end = i + 1
    if start < 0 or end - start < 2:
        return None
    period = end - start
    return [line[start + (i - start) % period] for i in range(len(line))]


def continue_line_runs(grid, background):
    """Every row and column holding a single run of two or more filled cells continues it to both
    borders; None when no line has one."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    changed = False
    for r in range(height):
        line = continue_run(grid[r], background)
        if line is not None:
            out[r] = line
            changed = True
    for c in range(width):
        line = continue_run([grid[r][c] for r in range(height)], background)
        if line is not None:
            for r in range(height):
                out[r][c] = line[r]
            changed = True
    return out if changed else None
