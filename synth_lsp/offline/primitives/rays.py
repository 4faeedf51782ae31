"""Lines and drawing from marked cells: whole rows and columns through markers (layered in a
learned order), boxes spanned by same-colour corner markers, pair lines layered one direction over
the other, diagonal rays that bounce off the side walls, and small stamps painted around
isolated marker cells (learned per colour in `synth_lsp.offline.learned_rays`).
"""

from synth_lsp.offline.primitives.drawing import connect_pairs
from synth_lsp.offline.primitives.grids import colour_at, colour_cells, copy_grid


def draw_marker_lines(grid, lines, background):
    """For each [colour, axis] in `lines` (in order, later ones on top), paint the whole row
    ("row"), column ("column") or both ("both") through every cell of that colour in the input,
    over whatever is there. None when no listed colour is on the grid."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    drawn = False
    for colour, axis in lines:
        if colour == background:
            continue
        for r, c in colour_cells(grid, colour):
            drawn = True
            if axis == "row" or axis == "both":
                for x in range(width):
                    out[r][x] = colour
            if axis == "column" or axis == "both":
                for y in range(height):
                    out[y][c] = colour
    return out if drawn else None


def box_between_markers(grid, hollow, background):
    """Every colour whose cells are all isolated markers (no same-colour neighbour, two or more
    of them) spans its bounding box, painted in that colour over the background: filled, or only
    its outline with `hollow`. None when no colour spans a box wider and taller than one cell."""
    out = copy_grid(grid)
    drawn = False
    colours = sorted({v for row in grid for v in row})
    for colour in colours:
        if colour == background:
            continue
        cells = colour_cells(grid, colour)
        if len(cells) < 2 or not all_isolated(grid, cells, colour):
            continue
        top = min([r for r, _ in cells])
        bottom = max([r for r, _ in cells])
        left = min([c for _, c in cells])
        right = max([c for _, c in cells])
        if top == bottom or left == right:
            continue
        for y in range(top, bottom + 1):
            for x in range(left, right + 1):
                edge = y == top or y == bottom or x == left or x == right
                if grid[y][x] == background and (edge or not hollow):
                    out[y][x] = colour
                    drawn = True
    return out if drawn else None


def all_isolated(grid, cells, colour):
    """No cell of `cells` touches another cell of `colour` (sides or corners)."""
    for r, c in cells:
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                if (dy or dx) and colour_at(grid, r + dy, c + dx, -1) == colour:
                    return False
    return True


def connect_pairs_layered(grid, on_top, line_colour, background):
    """Lines between same-colour cells facing each other along rows and along columns (see
    `connect_pairs`), where they cross the lines along `on_top` ("vertical" or "horizontal")
    win. None when no line is drawn."""
    under = "horizontal" if on_top == "vertical" else "vertical"
    out = connect_pairs(grid, under, line_colour, background)
    top = connect_pairs(grid, on_top, line_colour, background)
    drawn = out != grid or top != grid
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if top[r][c] != grid[r][c]:
                out[r][c] = top[r][c]
    return out if drawn else None


def bounce_ray(grid, heading, background):
    """From every lone cell (only background at its sides), a diagonal ray of its colour runs
    towards the `heading` wall ("up", "down", "left", "right"), starting away from the nearer
    side wall and bouncing off the side walls, over background cells, until it leaves the grid
    or meets another cell. None when no ray paints a cell."""
    height, width = len(grid), len(grid[0])
    forward = {"up": (-1, 0), "down": (1, 0), "left": (0, -1), "right": (0, 1)}[heading]
    along_rows = (
        forward[0] == 0
    )  # the ray heads left or right: it bounces off the top and bottom
    out = copy_grid(grid)
    drawn = False
    for r in range(height):
        for c in range(width):
            colour = grid[r][c]
            if colour == background or not lonely(grid, r, c, background):
                continue
            side_pos, side_len = (r, height) if along_rows else (c, width)
            # away from the nearer side wall (from the middle: towards the higher index)
            side = 1 if side_pos <= side_len - 1 - side_pos else -1
            if side_len == 1:
                side = 0
            y, x = r, c
            while True:
                ny, nx = (
                    (y + side, x + forward[1])
                    if along_rows
                    else (y + forward[0], x + side)
                )
                across = ny if along_rows else nx
                if side and (across < 0 or across >= side_len):
                    side = -side  # bounce off the side wall
                    ny, nx = (
                        (y + side, x + forward[1])
                        if along_rows
                        else (y + forward[0], x + side)
                    )
                if (
                    not (0 <= ny < height and 0 <= nx < width)
                    or grid[ny][nx] != background
                ):
                    break
                out[ny][nx] = colour
                drawn = True
                y, x = ny, nx
    return out if drawn else None


def lonely(grid, r, c, background):
    """The four side neighbours of (r, c) are background or beyond the border: a one-cell piece
    (a corner may touch another piece)."""
    for dy, dx in ((-1, 0), (1, 0), (0, -1), (0, 1)):
        if colour_at(grid, r + dy, c + dx, background) != background:
            return False
    return True


def stamp_markers(grid, stamps, lone_only, background):
    """Around every cell (with `lone_only`, every lone cell: only background at its sides) whose
    colour `stamps` lists (key -1: any colour), paint that stamp: [row offset, column offset,
    colour] entries, colour -1 meaning the cell's own colour, painted over background cells only.
    None when nothing is painted."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    drawn = False
    for r in range(height):
        for c in range(width):
            colour = grid[r][c]
            if colour == background or (
                lone_only and not lonely(grid, r, c, background)
            ):
                continue
            stamp = stamps.get(colour, stamps.get(-1))
            if stamp is None:
                continue
            for dy, dx, paint in stamp:
                y, x = r + dy, c + dx
                if 0 <= y < height and 0 <= x < width and grid[y][x] == background:
                    out[y][x] = colour if paint == -1 else paint
                    drawn = True
    return out if drawn else None
