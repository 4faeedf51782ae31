"""Objects transformed one by one: each object gets one of a few transforms (kept, erased,
recoloured, turned in its box, its box or holes filled, outlined, moved, slid until it meets
something, extended as a ray), the transform picked from a table by a property of the object
(its colour, its size rank, whether its shape repeats, whether it is the odd one out, ...).

A transform is a tuple: ("keep",), ("delete",), ("recolour", c), ("palette", ((a, b), ...))
(colours mapped inside the object), ("turn", k) (see
`geometry.dihedral`), ("inside", c) / ("edge", c) (the cells with all eight neighbours in the
object, or the others, recoloured), ("fill_box", c), ("fill_holes", c), ("holes", c) (the object
erased, its holes filled), ("outline", c, diagonal),
("ray", direction), ("move", dy, dx), ("slide", direction) (until the border or a piece at
rest), ("toward", c) (slide towards the piece of colour c it faces until it meets something).
"""

from synth_lsp.offline.primitives.grids import blank_grid, cells_box, copy_grid
from synth_lsp.offline.primitives.geometry import dihedral
from synth_lsp.offline.primitives.drawing import direction_step, fill_enclosed
from synth_lsp.offline.primitives.objects import find_objects, object_colours, object_property, object_shape
from synth_lsp.offline.primitives.motion import approach, slide_nearest_first
from synth_lsp.offline.primitives.counting import main_colour, odd_one


def object_keys(grid, objects, key):
    """The property of each object that picks its transform ("all": one transform for every
    object), computed for all objects at once (some compare each object with the others)."""
    if key == "all":
        return [0 for _ in objects]
    if key == "colour":
        return [main_colour(cells) for cells in objects]
    if key == "shape_shared":
        # its outline (colours aside) repeats in another object
        outlines = [str([(r, c) for r, c, _ in object_shape(cells)]) for cells in objects]
        return [outlines.count(outline) > 1 for outline in outlines]
    if key == "colour_count":
        return [len(object_colours(cells)) for cells in objects]
    if key in ("odd_size", "odd_colour_count", "odd_pattern", "odd_box"):
        odd = odd_one(grid, objects, key[4:])
        return [cells is odd for cells in objects]
    return [object_property(grid, cells, objects, key) for cells in objects]


def object_mask(cells, top, left, bottom, right, background):
    """The object alone in its bounding box, the rest background."""
    mask = blank_grid(bottom - top + 1, right - left + 1, background)
    for r, c, colour in cells:
        mask[r - top][c - left] = colour
    return mask


def transformed_cells(grid, cells, transform, background):
    """The cells (row, col, colour) an object becomes in place (not for moves), or None when the
    transform does not fit (a turn that does not fit its box)."""
    kind = transform[0]
    if kind == "keep":
        return cells
    if kind == "delete":
        return []
    if kind == "recolour":
        return [(r, c, transform[1]) for r, c, _ in cells]
    if kind == "palette":
        # a colour map inside the object: pairs (old, new); a new background colour erases the cell
        mapping = dict(transform[1])
        return [(r, c, mapping.get(colour, colour)) for r, c, colour in cells if mapping.get(colour, colour) != background]
    if kind == "inside" or kind == "edge":
        # cells with all eight neighbours in the object are inside, the others its edge
        own = set([(r, c) for r, c, _ in cells])
        result = []
        for r, c, colour in cells:
            inside = True
            for dy in (-1, 0, 1):
                for dx in (-1, 0, 1):
                    if (r + dy, c + dx) not in own:
                        inside = False
            result.append((r, c, transform[1] if inside == (kind == "inside") else colour))
        return result
    top, left, bottom, right = cells_box(cells)
    if kind == "turn":
        mask = object_mask(cells, top, left, bottom, right, background)
        turned = dihedral(mask, transform[1])
        if len(turned) != len(mask) or len(turned[0]) != len(mask[0]):
            return None
        result = []
        for r in range(len(turned)):
            for c in range(len(turned[0])):
                if turned[r][c] != background:
                    result.append((top + r, left + c, turned[r][c]))
        return result
    added = []
    if kind == "fill_box":
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                added.append((r, c))
    elif kind == "fill_holes" or kind == "holes":
        mask = object_mask(cells, top, left, bottom, right, background)
        filled = fill_enclosed(mask, -1, background)
        for r in range(len(mask)):
            for c in range(len(mask[0])):
                if filled[r][c] == -1:
                    added.append((top + r, left + c))
    elif kind == "outline":
        steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
        if transform[2]:
            steps = steps + [(-1, -1), (-1, 1), (1, -1), (1, 1)]
        for r, c, _ in cells:
            for dy, dx in steps:
                added.append((r + dy, c + dx))
    elif kind == "ray":
        dy, dx = direction_step(transform[1])
        colour = main_colour(cells)
        result = list(cells)
        for r, c, _ in cells:
            y, x = r + dy, c + dx
            while 0 <= y < len(grid) and 0 <= x < len(grid[0]) and grid[y][x] == background:
                result.append((y, x, colour))
                y, x = y + dy, x + dx
        return result
    else:
        return None
    colour = transform[1]
    result = [] if kind == "holes" else list(cells)
    for r, c in added:
        if 0 <= r < len(grid) and 0 <= c < len(grid[0]) and grid[r][c] == background:
            result.append((r, c, colour))
    return result


def per_object_transform(grid, background, diagonal, multicolour, key, table):
    """Every object (see `objects.find_objects`) transformed by the entry `table` holds for its
    `key` (see `object_keys`). Objects that stay are painted first, then those moved by a fixed
    offset, then the sliding ones, nearest their goal first, each until it meets the border or a
    piece already placed. None when some object's key is not in the table, there are no objects,
    or a transform does not fit."""
    objects = find_objects(grid, background, diagonal, multicolour)
    if not objects:
        return None
    out = blank_grid(len(grid), len(grid[0]), background)
    movers = []
    keys = object_keys(grid, objects, key)
    for i in range(len(objects)):
        cells, value = objects[i], keys[i]
        if value not in table:
            return None
        transform = table[value]
        if transform[0] in ("move", "slide", "toward"):
            movers.append((cells, transform))
            continue
        painted = transformed_cells(grid, cells, transform, background)
        if painted is None:
            return None
        for r, c, colour in painted:
            out[r][c] = colour
    slides = []
    for cells, transform in movers:
        if transform[0] == "move":
            for r, c, colour in cells:
                y, x = r + transform[1], c + transform[2]
                if y < 0 or x < 0 or y >= len(grid) or x >= len(grid[0]):
                    return None
                out[y][x] = colour
            continue
        if transform[0] == "slide":
            dy, dx = direction_step(transform[1])
            gap = slide_gap(grid, cells, dy, dx)
        else:
            anchors = [other for other in objects if transform[1] in [cell[2] for cell in other] and other is not cells]
            plan = approach(cells, anchors, False) if anchors else None
            if plan is None:
                for r, c, colour in cells:
                    out[r][c] = colour
                continue
            gap, dy, dx = plan
        slides.append((gap, cells, dy, dx))
    return slide_nearest_first(out, slides, background)


def slide_gap(grid, cells, dy, dx):
    """How far the object is from the border it slides towards (the nearest move first)."""
    top, left, bottom, right = cells_box(cells)
    if dy > 0:
        return len(grid) - 1 - bottom
    if dy < 0:
        return top
    if dx > 0:
        return len(grid[0]) - 1 - right
    return left
