"""Lines drawn from marked cells to a target: each cell that faces the target (in its row or
column) draws a straight line of its own colour up to it.
"""

from synth_lsp.offline.primitives.grids import copy_grid, most_common_colour
from synth_lsp.offline.primitives.objects import find_objects, pick_unique_best


def draw_to_largest(grid):
    """The target is the largest single-colour piece on the grid's most common colour; from every
    other cell that faces a target cell in its row or column across background, a line of the
    cell's colour runs up to the target (the nearest, if several). None when no line is drawn."""
    background = most_common_colour(grid)
    objects = find_objects(grid, background, False, False)
    if len(objects) < 2:
        return None
    largest = pick_unique_best(objects, lambda o: len(o))
    if largest is None:
        return None
    target = largest[0][2]
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    drawn = False
    for r in range(height):
        for c in range(width):
            colour = grid[r][c]
            if colour == background or colour == target:
                continue
            best = None
            for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
                y, x = r + dy, c + dx
                steps = 0
                while 0 <= y < height and 0 <= x < width and grid[y][x] == background:
                    y, x = y + dy, x + dx
                    steps += 1
                hit = 0 <= y < height and 0 <= x < width and grid[y][x] == target
                if hit and steps > 0 and (best is None or steps < best[0]):
                    best = (steps, dy, dx)
            if best is not None:
                steps, dy, dx = best
                for k in range(1, steps + 1):
                    out[r + k * dy][c + k * dx] = colour
                drawn = True
    return out if drawn else None


def shoot_from_odd_cell(grid, background):
    """Every object (cells of any colours touching at a side) with exactly one cell of a colour
    of its own shoots a ray of that colour straight through itself, from that cell towards the
    object's bulk (the axis along which the other cells lie on average), over the background
    beyond it up to the border. None when no object points anywhere."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    shot = False
    for cells in find_objects(grid, background, False, True):
        colours = [colour for _, _, colour in cells]
        odd = [cell for cell in cells if colours.count(cell[2]) == 1]
        if len(odd) != 1 or len(set(colours)) != 2:
            continue
        r0, c0, colour = odd[0]
        dy = sum([r - r0 for r, _, _ in cells])
        dx = sum([c - c0 for _, c, _ in cells])
        if abs(dy) == abs(dx):
            continue
        step = (
            (1 if dy > 0 else -1, 0) if abs(dy) > abs(dx) else (0, 1 if dx > 0 else -1)
        )
        own = {(r, c) for r, c, _ in cells}
        y, x = r0 + step[0], c0 + step[1]
        while 0 <= y < height and 0 <= x < width and (y, x) in own:
            y, x = y + step[0], x + step[1]
        while 0 <= y < height and 0 <= x < width and grid[y][x] == background:
            out[y][x] = colour
            shot = True
            y, x = y + step[0], x + step[1]
    return out if shot else None
