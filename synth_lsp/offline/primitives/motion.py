"""Objects that move: each piece slides straight towards a fixed piece until it touches it, or
towards a wall, as one rigid piece.
"""

from synth_lsp.offline.primitives.grids import blank_grid, cells_box
from synth_lsp.offline.primitives.objects import find_objects


def attract_objects(grid, anchor, diagonal, background):
    """Every piece (touching cells of any colours, corners joining) without the colour `anchor`
    slides straight towards the anchor piece it faces (sharing rows or columns with it) until it
    touches it or meets another cell. A piece that faces no anchor piece stays, or with
    `diagonal` slides diagonally towards the nearest one and must end touching it (at least at a
    corner). The nearest move first, so a row of pieces stacks up. None when there is no anchor
    piece or nothing moves."""
    pieces = find_objects(grid, background, True, True)
    anchors = [cells for cells in pieces if anchor in [cell[2] for cell in cells]]
    movers = [cells for cells in pieces if anchor not in [cell[2] for cell in cells]]
    if not anchors or not movers:
        return None
    out = blank_grid(len(grid), len(grid[0]), background)
    for cells in anchors:
        for r, c, value in cells:
            out[r][c] = value
    plans = []
    for cells in movers:
        plan = approach(cells, anchors, diagonal)
        if plan is not None:
            plans.append((plan[0], cells, plan[1], plan[2]))
        else:
            for r, c, value in cells:
                out[r][c] = value
    if not plans:
        return None
    for _, cells, dy, dx in sorted(plans, key=lambda plan: plan[0]):
        moved = 0
        while free_at(out, cells, (moved + 1) * dy, (moved + 1) * dx, background):
            moved += 1
        if dy and dx and not touches(out, cells, moved * dy, moved * dx, background):
            return None  # a diagonal slide that misses its target is no rule
        for r, c, value in cells:
            out[r + moved * dy][c + moved * dx] = value
    return out


def approach(cells, anchors, diagonal):
    """(gap, row step, column step) towards the nearest anchor piece the cells face (or, with
    `diagonal`, the nearest one at all), or None."""
    top, left, bottom, right = cells_box(cells)
    best = None
    slant = None
    for target in anchors:
        t_top, t_left, t_bottom, t_right = cells_box(target)
        options = []
        if left <= t_right and t_left <= right:  # shares columns: move up or down
            if bottom < t_top:
                options.append((t_top - bottom, 1, 0))
            elif top > t_bottom:
                options.append((top - t_bottom, -1, 0))
        if top <= t_bottom and t_top <= bottom:  # shares rows: move left or right
            if right < t_left:
                options.append((t_left - right, 0, 1))
            elif left > t_right:
                options.append((left - t_right, 0, -1))
        for option in options:
            if best is None or option[0] < best[0]:
                best = option
        if diagonal and not options:
            dy = 1 if bottom < t_top else -1
            dx = 1 if right < t_left else -1
            gap = max(t_top - bottom, top - t_bottom, t_left - right, left - t_right)
            if slant is None or gap < slant[0]:
                slant = (gap, dy, dx)
    return best if best is not None else slant


def free_at(out, cells, dy, dx, background):
    """Whether the cells, moved by (dy, dx), land on background inside the grid."""
    for r, c, _ in cells:
        y, x = r + dy, c + dx
        if (
            y < 0
            or x < 0
            or y >= len(out)
            or x >= len(out[0])
            or out[y][x] != background
        ):
            return False
    return True


def touches(out, cells, dy, dx, background):
    """Whether the cells, moved by (dy, dx), touch some other cell of `out` (corners count)."""
    own = {(r + dy, c + dx) for r, c, _ in cells}
    for y, x in own:
        for ny in (y - 1, y, y + 1):
            for nx in (x - 1, x, x + 1):
                if (
                    (ny, nx) not in own
                    and 0 <= ny < len(out)
                    and 0 <= nx < len(out[0])
                    and out[ny][nx] != background
                ):
                    return True
    return False


def fly_to_walls(grid, background):
    """The single-colour pieces on the border are walls; every other single-colour piece slides
    straight to a wall of its own colour that it faces until it touches it, and vanishes when it
    faces none. None when there are no walls or no other pieces."""
    height, width = len(grid), len(grid[0])
    pieces = find_objects(grid, background, False, False)
    walls, movers = [], []
    for cells in pieces:
        top, left, bottom, right = cells_box(cells)
        if top == 0 or left == 0 or bottom == height - 1 or right == width - 1:
            walls.append(cells)
        else:
            movers.append(cells)
    if not walls or not movers:
        return None
    out = blank_grid(height, width, background)
    for cells in walls:
        for r, c, value in cells:
            out[r][c] = value
    plans = []
    for cells in movers:
        same = [wall for wall in walls if wall[0][2] == cells[0][2]]
        plan = approach(cells, same, False) if same else None
        if plan is not None:
            plans.append((plan[0], cells, plan[1], plan[2]))
    return slide_nearest_first(out, plans, background)


def slide_nearest_first(out, plans, background):
    """Paints each planned object (gap, cells, dy, dx) into `out` as far along (dy, dx) as it is free,
    the nearest first so that later ones stop against it. Returns `out`."""
    for _, cells, dy, dx in sorted(plans, key=lambda plan: plan[0]):
        moved = 0
        while free_at(out, cells, (moved + 1) * dy, (moved + 1) * dx, background):
            moved += 1
        for r, c, value in cells:
            out[r + moved * dy][c + moved * dx] = value
    return out


def centre_in_frame(grid, marker, background):
    """The cells of colour `marker` mark a frame (their bounding box); everything else moves as
    one piece so that its bounding box sits centred inside the frame. None when there is no frame,
    nothing inside it fits, or no exact centre exists."""
    frame = []
    rest = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] == marker:
                frame.append((r, c))
            elif grid[r][c] != background:
                rest.append((r, c, grid[r][c]))
    if len(frame) < 2 or not rest:
        return None
    f_top, f_left, f_bottom, f_right = cells_box(frame)
    top, left, bottom, right = cells_box(rest)
    spare_rows = (f_bottom - f_top - 1) - (bottom - top + 1)
    spare_cols = (f_right - f_left - 1) - (right - left + 1)
    if spare_rows < 0 or spare_cols < 0 or spare_rows % 2 or spare_cols % 2:
        return None
    dy = f_top + 1 + spare_rows // 2 - top
    dx = f_left + 1 + spare_cols // 2 - left
    out = blank_grid(len(grid), len(grid[0]), background)
    for r, c in frame:
        out[r][c] = marker
    for r, c, value in rest:
        out[r + dy][c + dx] = value
    return out


def step_towards(grid, anchor, background):
    """Every piece (touching cells of any colours, corners joining) without the colour `anchor`
    moves one cell towards the nearest anchor piece (diagonally when it is off both axes), unless
    it already touches it. None when there is no anchor piece or nothing moves."""
    pieces = find_objects(grid, background, True, True)
    anchors = [cells for cells in pieces if anchor in [cell[2] for cell in cells]]
    movers = [cells for cells in pieces if anchor not in [cell[2] for cell in cells]]
    if len(anchors) != 1 or not movers:
        return None
    t_top, t_left, t_bottom, t_right = cells_box(anchors[0])
    out = blank_grid(len(grid), len(grid[0]), background)
    for r, c, value in anchors[0]:
        out[r][c] = value
    moved = False
    for cells in movers:
        top, left, bottom, right = cells_box(cells)
        dy = 1 if bottom < t_top - 1 else (-1 if top > t_bottom + 1 else 0)
        dx = 1 if right < t_left - 1 else (-1 if left > t_right + 1 else 0)
        for r, c, value in cells:
            out[r + dy][c + dx] = value
        moved = moved or dy != 0 or dx != 0
    return out if moved else None
