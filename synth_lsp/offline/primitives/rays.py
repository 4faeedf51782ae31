"""Lines and drawing from marked cells: whole rows and columns through markers (layered in a
learned order), boxes spanned by same-colour corner markers, pair lines layered one direction over
the other, diagonal rays that bounce off the side walls, and small stamps painted around
isolated marker cells (learned per colour in `synth_lsp.offline.learned_rays`), a motif
repeated along a path from a seed cell, lines joining cells across separator lines, and lines
between same-colour cells on opposite borders.
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


def repeat_motif(grid, motif, step, mirrored, background):
    """From every lone cell (only background at its sides), paint `motif` ([row offset, column
    offset, colour], -1 the cell's own colour) again and again, shifted by `step` ([rows,
    columns]) each time, until a copy falls wholly outside the grid; with `mirrored`, also the
    point reflection of that path on the other side of the cell. Over background cells only.
    None when nothing is painted."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    drawn = False
    sides = [1, -1] if mirrored else [1]
    for r in range(height):
        for c in range(width):
            colour = grid[r][c]
            if colour == background or not lonely(grid, r, c, background):
                continue
            for sign in sides:
                for k in range(height + width):
                    inside = False
                    for dy, dx, paint in motif:
                        y = r + sign * (dy + k * step[0])
                        x = c + sign * (dx + k * step[1])
                        if 0 <= y < height and 0 <= x < width:
                            inside = True
                            if grid[y][x] == background:
                                out[y][x] = colour if paint == -1 else paint
                                drawn = True
                    if not inside:
                        break
    return out if drawn else None


def connect_across_lines(grid, background):
    """Join same-colour cells that face each other along a row or a column of a grid cut by
    separator lines, across the background and the separator lines in between (those stay).
    None without separator lines or when nothing is joined."""
    separator = full_line_colour(grid, background)
    if separator is None:
        return None
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    drawn = False
    for r in range(height):
        for c in range(width):
            colour = grid[r][c]
            if colour == background or colour == separator:
                continue
            for dy, dx in ((0, 1), (1, 0)):
                y, x = r + dy, c + dx
                while (
                    0 <= y < height
                    and 0 <= x < width
                    and (grid[y][x] == background or grid[y][x] == separator)
                ):
                    y, x = y + dy, x + dx
                if not (0 <= y < height and 0 <= x < width) or grid[y][x] != colour:
                    continue
                y, x = r + dy, c + dx
                while grid[y][x] != colour:
                    if grid[y][x] == background:
                        out[y][x] = colour
                        drawn = True
                    y, x = y + dy, x + dx
    return out if drawn else None


def full_line_colour(grid, background):
    """The colour, not the background, that fills some whole row or column and appears nowhere
    else (the separator lines of a grid cut into cells), or None (also when two colours do)."""
    height, width = len(grid), len(grid[0])
    found = None
    for colour in sorted({v for row in grid for v in row}):
        if colour == background:
            continue
        rows = [r for r in range(height) if grid[r] == [colour] * width]
        columns = [
            c for c in range(width) if all(grid[y][c] == colour for y in range(height))
        ]
        if not rows and not columns:
            continue
        stray = False
        for r in range(height):
            for c in range(width):
                if grid[r][c] == colour and r not in rows and c not in columns:
                    stray = True
        if not stray:
            if found is not None:
                return None
            found = colour
    return found


def border_pair_lines(grid, background):
    """Rows whose two end cells share a colour, and columns whose top and bottom cells do, become
    full lines of that colour, when every cell of that colour is such an end (it marks lines and
    nothing else); every other cell becomes background (columns cross over rows). None when no
    line is marked so."""
    height, width = len(grid), len(grid[0])
    rows = []
    columns = []
    if width > 1:
        rows = [
            r
            for r in range(height)
            if grid[r][0] != background and grid[r][0] == grid[r][width - 1]
        ]
    if height > 1:
        columns = [
            c
            for c in range(width)
            if grid[0][c] != background and grid[0][c] == grid[height - 1][c]
        ]
    ends = {}
    for r in rows:
        ends[(r, 0)] = True
        ends[(r, width - 1)] = True
    for c in columns:
        ends[(0, c)] = True
        ends[(height - 1, c)] = True
    marking = {grid[r][c] for r, c in ends}
    for r in range(height):
        for c in range(width):
            if grid[r][c] in marking and (r, c) not in ends:
                marking.discard(grid[r][c])
    out = [[background] * width for _ in range(height)]
    drawn = False
    for r in rows:
        if grid[r][0] in marking:
            out[r] = [grid[r][0]] * width
            drawn = True
    for c in columns:
        if grid[0][c] in marking:
            for y in range(height):
                out[y][c] = grid[0][c]
            drawn = True
    return out if drawn else None


def elbow_line(grid, start, end, line_colour, vertical_first, background):
    """An L-shaped line from the one cell of colour `start` to the one cell of colour `end`: along
    its column to the end's row and then along that row (or the row first, without
    `vertical_first`), in `line_colour` over background cells. None unless each colour has
    exactly one cell, or when nothing is painted."""
    first = colour_cells(grid, start)
    last = colour_cells(grid, end)
    if len(first) != 1 or len(last) != 1:
        return None
    (r0, c0), (r1, c1) = first[0], last[0]
    corner = (r1, c0) if vertical_first else (r0, c1)
    out = copy_grid(grid)
    drawn = False
    for (ya, xa), (yb, xb) in (((r0, c0), corner), (corner, (r1, c1))):
        for y in range(min(ya, yb), max(ya, yb) + 1):
            for x in range(min(xa, xb), max(xa, xb) + 1):
                if grid[y][x] == background:
                    out[y][x] = line_colour
                    drawn = True
    return out if drawn else None


def fill_open_lines(grid, colour, background):
    """Rows and columns empty from one border cell to the other (both ends filled, background in
    between: a clear view across the frame) get their inside painted `colour`. None when no row
    or column is open."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    drawn = False
    for r in range(height):
        if is_open_line(grid[r], background):
            for x in range(1, width - 1):
                out[r][x] = colour
            drawn = True
    for c in range(width):
        if is_open_line([grid[y][c] for y in range(height)], background):
            for y in range(1, height - 1):
                out[y][c] = colour
            drawn = True
    return out if drawn else None


def is_open_line(line, background):
    """Both end cells are filled and every cell between them is background (at least one)."""
    if len(line) < 3 or line[0] == background or line[-1] == background:
        return False
    for v in line[1:-1]:
        if v != background:
            return False
    return True


def recolour_from_edge(grid, edge, background):
    """Every row (for the "left" or "right" edge) or column ("top", "bottom") whose cell on that
    edge is filled: its other filled cells take that marker's colour. None when nothing changes."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    changed = False
    across = edge == "left" or edge == "right"
    for i in range(height if across else width):
        if across:
            cells = [(i, x) for x in range(width)]
        else:
            cells = [(y, i) for y in range(height)]
        if edge == "right" or edge == "bottom":
            cells = cells[::-1]
        marker = grid[cells[0][0]][cells[0][1]]
        if marker == background:
            continue
        for y, x in cells[1:]:
            if grid[y][x] != background and grid[y][x] != marker:
                out[y][x] = marker
                changed = True
    return out if changed else None
