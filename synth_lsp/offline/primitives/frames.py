"""Regions a frame marks: the rectangle four same-colour corner cells span (cropped with or without
its corners, its content painted in their colour), and the rest of the picture scaled to fit inside
a drawn rectangular frame.
"""

from synth_lsp.offline.primitives.geometry import crop, scale_up
from synth_lsp.offline.primitives.grids import cells_box
from synth_lsp.offline.primitives.objects import find_objects


def corner_rectangle(grid, background, most_cells):
    """(top, left, bottom, right) of the rectangle whose four corners share a colour that is not
    the background, at least 3x3: the one with the most sides filled from corner to corner (a
    frame drawn between its corners wins over corners that only happen to line up), then the
    largest, then the one with the most filled side cells; None
    when no colour of at most `most_cells` cells has four such corners."""
    height, width = len(grid), len(grid[0])
    by_colour = {}
    for r in range(height):
        for c in range(width):
            value = grid[r][c]
            if value != background:
                by_colour.setdefault(value, []).append((r, c))
    best, best_score = None, None
    for colour in sorted(by_colour):
        cells = by_colour[colour]
        if len(cells) < 4 or len(cells) > most_cells:
            continue
        for i in range(len(cells)):
            top, left = cells[i]
            for j in range(i + 1, len(cells)):
                bottom, right = cells[j]
                if bottom - top < 2 or right - left < 2:
                    continue
                if grid[top][right] != colour or grid[bottom][left] != colour:
                    continue
                full, filled = 0, 0
                for ends in ((top, left, top, right), (bottom, left, bottom, right), (top, left, bottom, left), (top, right, bottom, right)):
                    side = side_cells_filled(grid, background, ends)
                    full += side == max(ends[2] - ends[0], ends[3] - ends[1]) - 1
                    filled += side
                score = (full, (bottom - top + 1) * (right - left + 1), filled)
                if best_score is None or score > best_score:
                    best, best_score = (top, left, bottom, right), score
    return best


def side_cells_filled(grid, background, ends):
    """How many cells strictly between the two ends (top, left, bottom, right) of a straight side
    are not background."""
    top, left, bottom, right = ends
    count = 0
    if top == bottom:
        for c in range(left + 1, right):
            count += grid[top][c] != background
    else:
        for r in range(top + 1, bottom):
            count += grid[r][left] != background
    return count


def crop_between_corners(grid, background, inside, paint):
    """The rectangle four same-colour corner cells mark (see `corner_rectangle`), with its corners
    or (`inside`) strictly within them; with `paint`, every filled cell of it in the corners'
    colour. None when no corners mark one or nothing lies inside."""
    box = corner_rectangle(grid, background, 40)
    if box is None:
        return None
    top, left, bottom, right = box
    colour = grid[top][left]
    if inside:
        top, left, bottom, right = top + 1, left + 1, bottom - 1, right - 1
    out = crop(grid, top, left, bottom, right)
    if paint:
        for row in out:
            for c in range(len(row)):
                if row[c] != background:
                    row[c] = colour
    return out


def is_frame(cells):
    """Whether the cells are exactly the outline of their bounding box, at least 3x3."""
    top, left, bottom, right = cells_box(cells)
    if bottom - top < 2 or right - left < 2:
        return False
    if len(cells) != 2 * (bottom - top + right - left):
        return False
    for cell in cells:
        r, c = cell[0], cell[1]
        if r != top and r != bottom and c != left and c != right:
            return False
    return True


def fit_into_frame(grid, background):
    """The one rectangular frame in the grid, with everything else in the grid (cropped to its
    bounding box) scaled by the whole factor that fills the frame's inside exactly. None when
    there is not exactly one frame, nothing else, or no such factor."""
    objects = find_objects(grid, background, True, True)
    frames = [cells for cells in objects if is_frame(cells)]
    if len(frames) != 1:
        return None
    frame = frames[0]
    rest = []
    for cells in objects:
        if cells != frame:
            rest = rest + cells
    if not rest:
        return None
    top, left, bottom, right = cells_box(frame)
    inner_h, inner_w = bottom - top - 1, right - left - 1
    r0, c0, r1, c1 = cells_box(rest)
    piece_h, piece_w = r1 - r0 + 1, c1 - c0 + 1
    if inner_h % piece_h or inner_w % piece_w or inner_h // piece_h != inner_w // piece_w:
        return None
    piece = [[background] * piece_w for _ in range(piece_h)]
    for cell in rest:
        piece[cell[0] - r0][cell[1] - c0] = cell[2]
    scaled = scale_up(piece, inner_h // piece_h)
    out = crop(grid, top, left, bottom, right)
    for r in range(inner_h):
        for c in range(inner_w):
            out[r + 1][c + 1] = scaled[r][c]
    return out
