"""Templates copied onto marks: a picture of several colours is stamped wherever loose cells of
some of its colours (its *anchors*) lie exactly as its own anchor cells do, in one of the 8
turns and mirrors. `objects.stamp_template` matches whole outlines instead; this one matches
scattered marker cells and may turn the copy."""

from synth_lsp.offline.primitives.grids import copy_grid, most_common_colour
from synth_lsp.offline.primitives.objects import find_objects, object_colours


def template_orientations(cells):
    """The distinct turns and mirrors of cells (row, col, colour), each moved so its box starts at 0, 0."""
    shapes = []
    for k in range(8):
        moved = []
        for r, c, colour in cells:
            if k >= 4:
                r, c = c, r
            for _ in range(k % 4):
                r, c = c, -r
            moved.append((r, c, colour))
        top = min([r for r, _, _ in moved])
        left = min([c for _, c, _ in moved])
        shape = sorted([(r - top, c - left, colour) for r, c, colour in moved])
        if shape not in shapes:
            shapes.append(shape)
    return shapes


def template_placements(grid, background, template, loose, anchors):
    """Every distinct copy of the template (a list of (row, col, colour)) whose anchor cells all land on
    loose cells of their colour and whose other cells land on background or beyond the border (a copy may
    be cut off by the border), as lists of the (row, col, colour) inside the grid."""
    height, width = len(grid), len(grid[0])
    placements = []
    counts = {}
    for colour in loose.values():
        counts[colour] = counts.get(colour, 0) + 1
    for shape in template_orientations(template):
        marks = [cell for cell in shape if cell[2] in anchors]
        # aligned on a mark of the anchor colour with the fewest loose cells: fewest places to try
        first_r, first_c, first_colour = min(marks, key=lambda cell: counts.get(cell[2], 0))
        for (mr, mc), colour in loose.items():
            if colour != first_colour:
                continue
            dr, dc = mr - first_r, mc - first_c
            fits = True
            for r, c, value in shape:
                y, x = r + dr, c + dc
                if value in anchors:
                    fits = loose.get((y, x), -1) == value
                elif 0 <= y < height and 0 <= x < width:
                    fits = grid[y][x] == background
                if not fits:
                    break
            placed = sorted([(r + dr, c + dc, value) for r, c, value in shape if 0 <= r + dr < height and 0 <= c + dc < width])
            if fits and placed not in placements:
                placements.append(placed)
    return placements


def stamp_on_markers(grid, background, keep_template, trim, diagonal):
    """Each multicolour object (its cells touching at a side, or also at a corner with `diagonal`) is
    a template; its anchors are its colours that also occur outside every template. With `trim`, a
    template is only its cells inside the box of its other (body) cells, and anchor cells beyond that
    box are loose marks that happen to touch it. A copy is stamped (turned or mirrored as needed, and
    maybe scaled up 2 or 3 times, its marks then blocks) wherever the loose anchor cells match it; the
    templates stay with `keep_template`, else they are erased. None when there is no template,
    nothing is stamped, or two copies share a mark or disagree on a cell (an ambiguous match). A
    negative background: each grid's commonest colour."""
    if background < 0:
        background = most_common_colour(grid)  # each grid its own background
    objects = find_objects(grid, background, diagonal, True)
    templates = [cells for cells in objects if len(object_colours(cells)) > 1 and len(cells) >= 3]
    if not templates or len(templates) > 4:
        return None
    inside = set([(r, c) for cells in templates for r, c, _ in cells])
    outside_colours = set([value for r, row in enumerate(grid) for c, value in enumerate(row) if value != background and (r, c) not in inside])
    if trim:
        templates = [template_body_box(cells, outside_colours) for cells in templates]
        inside = set([(r, c) for cells in templates for r, c, _ in cells])
    loose = {}
    for r, row in enumerate(grid):
        for c, value in enumerate(row):
            if value != background and (r, c) not in inside:
                loose[(r, c)] = value
    out = copy_grid(grid)
    if not keep_template:
        for cells in templates:
            for r, c, _ in cells:
                out[r][c] = background
    claimed = {}
    marked = set()
    for cells in templates:
        anchors = set([colour for _, _, colour in cells if colour in outside_colours])
        if not anchors or len(anchors) == len(object_colours(cells)):
            continue  # nothing to align it on, or nothing it would add
        placements = []
        for scale in (1, 2, 3):
            scaled = [(r * scale + i, c * scale + j, colour) for r, c, colour in cells for i in range(scale) for j in range(scale)]
            placements = placements + template_placements(grid, background, scaled, loose, anchors)
        for placed in placements:
            marks = [(r, c) for r, c, value in placed if (r, c) in loose]
            if len([1 for mark in marks if mark in marked]) > 0:
                return None  # a mark two copies fit: the marks do not say which
            marked.update(marks)
            for r, c, value in placed:
                if claimed.get((r, c), value) != value:
                    return None  # two copies disagree on a cell
                claimed[(r, c)] = value
    if not claimed:
        return None
    for (r, c), value in claimed.items():
        out[r][c] = value
    return out


def template_body_box(cells, anchors):
    """The template's cells inside the box of its cells of non-anchor colours."""
    body = [(r, c) for r, c, colour in cells if colour not in anchors]
    if not body:
        return cells
    top, bottom = min([r for r, _ in body]), max([r for r, _ in body])
    left, right = min([c for _, c in body]), max([c for _, c in body])
    return [(r, c, colour) for r, c, colour in cells if top <= r <= bottom and left <= c <= right]


def framed_hole(cells, grid, background):
    """The cells (row, col) inside the object's box that it leaves out, when its box's edge is all its
    own and they are all background (a frame around a hole); None otherwise."""
    top, left = min([r for r, _, _ in cells]), min([c for _, c, _ in cells])
    bottom, right = max([r for r, _, _ in cells]), max([c for _, c, _ in cells])
    own = set([(r, c) for r, c, _ in cells])
    hole = []
    for r in range(top, bottom + 1):
        for c in range(left, right + 1):
            if (r, c) in own:
                continue
            if r in (top, bottom) or c in (left, right) or grid[r][c] != background:
                return None
            hole.append((r, c))
    return hole if hole else None


def stamp_frame_on_hole(grid, background):
    """The frame with the largest hole is copied to the one other place where a patch of background of
    its hole's shape lies; None when no frame, two frames tie, or the hole fits nowhere else or in
    more than one place."""
    frames = []
    for cells in find_objects(grid, background, False, False):
        hole = framed_hole(cells, grid, background)
        if hole is not None:
            frames.append((len(hole), cells, hole))
    if not frames:
        return None
    frames.sort(key=lambda frame: -frame[0])
    if len(frames) > 1 and frames[1][0] == frames[0][0]:
        return None
    _, cells, hole = frames[0]
    height, width = len(grid), len(grid[0])
    top, left = min([r for r, _, _ in cells]), min([c for _, c, _ in cells])
    bottom, right = max([r for r, _, _ in cells]), max([c for _, c, _ in cells])
    places = []
    for dr in range(-top, height - bottom):
        for dc in range(-left, width - right):
            if (dr, dc) == (0, 0):
                continue
            if len([1 for r, c in hole if grid[r + dr][c + dc] != background]) == 0:
                places.append((dr, dc))
                if len(places) > 1:
                    return None
    if not places:
        return None
    dr, dc = places[0]
    out = copy_grid(grid)
    for r, c, colour in cells:
        out[r + dr][c + dc] = colour
    return out
