"""Objects, the connected groups of non-background cells: finding them, picking one by a rule,
cropping to, keeping or removing it, denoising, boxes around them, their properties, and
recolouring each by a property.

`find_objects` is memoised during a search (see `memo`); the emitter copies it undecorated.
"""

from synth_lsp.offline.primitives.grids import blank_grid, cells_box, copy_grid
from synth_lsp.offline.primitives.geometry import crop, dihedral, rotate_90
from synth_lsp.offline.primitives.drawing import fill_enclosed
from synth_lsp.offline.primitives.memo import memoised


@memoised
def find_objects(grid, background, diagonal, multicolour):
    """Connected groups of non-background cells, each a list of (row, col, colour).

    `diagonal` joins cells that touch at a corner; `multicolour` joins touching cells of any
    colour (otherwise an object has one colour). Objects come in reading order of their first cell.
    """
    height, width = len(grid), len(grid[0])
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if diagonal:
        steps = steps + [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    seen = [[False] * width for _ in range(height)]
    objects = []
    for r in range(height):
        for c in range(width):
            if seen[r][c] or grid[r][c] == background:
                continue
            colour = grid[r][c]
            seen[r][c] = True
            stack = [(r, c)]
            cells = []
            while stack:
                y, x = stack.pop()
                cells.append((y, x, grid[y][x]))
                for dy, dx in steps:
                    ny, nx = y + dy, x + dx
                    if 0 <= ny < height and 0 <= nx < width and not seen[ny][nx]:
                        value = grid[ny][nx]
                        if value != background and (multicolour or value == colour):
                            seen[ny][nx] = True
                            stack.append((ny, nx))
            objects.append(sorted(cells))
    return objects


def object_shape(cells):
    """The object's cells relative to its bounding box, colours included: equal shapes compare equal."""
    top, left, _, _ = cells_box(cells)
    return tuple(sorted([(r - top, c - left, colour) for r, c, colour in cells]))


def object_colours(cells):
    return sorted(set([colour for _, _, colour in cells]))


def box_area(cells):
    top, left, bottom, right = cells_box(cells)
    return (bottom - top + 1) * (right - left + 1)


def select_object(objects, criterion):
    """Pick one object by a rule; None when there is nothing to pick or the rule is ambiguous."""
    if not objects:
        return None
    if criterion == "largest":
        return pick_unique_best(objects, lambda o: len(o))
    if criterion == "smallest":
        return pick_unique_best(objects, lambda o: -len(o))
    if criterion == "largest_box":
        return pick_unique_best(objects, lambda o: box_area(o))
    if criterion == "most_colours":
        return pick_unique_best(objects, lambda o: len(object_colours(o)))
    if criterion == "densest":
        return pick_unique_best(objects, lambda o: len(o) / box_area(o))
    if criterion == "has_hole":
        holed = [cells for cells in objects if has_hole(cells)]
        return holed[0] if len(holed) == 1 else None
    if criterion == "symmetric":
        # the one object that is its own mirror image (left-right or up-down): the odd one out
        chosen = [cells for cells in objects if is_mirror_symmetric(cells)]
        return chosen[0] if len(chosen) == 1 and len(objects) >= 2 else None
    if criterion == "first":
        return objects[0]
    if criterion == "last":
        return objects[-1]
    if criterion == "commonest_shape":
        keys = [str([(r, c) for r, c, _ in object_shape(cells)]) for cells in objects]
        counts = [keys.count(k) for k in keys]
        best = max(counts)
        winners = set([keys[i] for i in range(len(keys)) if counts[i] == best])
        if best < 2 or len(winners) != 1:
            return None
        return objects[counts.index(best)]
    if criterion == "unique_colour" or criterion == "unique_shape":
        keys = []
        for cells in objects:
            if criterion == "unique_colour":
                keys.append(tuple(object_colours(cells)))
            else:
                keys.append(tuple([(r, c) for r, c, _ in object_shape(cells)]))
        singles = [i for i in range(len(objects)) if keys.count(keys[i]) == 1]
        if len(singles) != 1 or len(objects) < 3:
            return None
        return objects[singles[0]]
    return None


def is_mirror_symmetric(cells):
    """Whether the object (colours included) equals its mirror image left-right or up-down."""
    shape = object_shape(cells)
    height = max([r for r, _, _ in shape])
    width = max([c for _, c, _ in shape])
    across = tuple(sorted([(r, width - c, colour) for r, c, colour in shape]))
    down = tuple(sorted([(height - r, c, colour) for r, c, colour in shape]))
    return across == shape or down == shape


def pick_unique_best(objects, score):
    scores = [score(cells) for cells in objects]
    best = max(scores)
    if scores.count(best) != 1:
        return None
    return objects[scores.index(best)]


def crop_object(grid, background, diagonal, multicolour, criterion):
    """Crop the grid to the bounding box of the object chosen by `criterion`."""
    chosen = select_object(find_objects(grid, background, diagonal, multicolour), criterion)
    if chosen is None:
        return None
    top, left, bottom, right = cells_box(chosen)
    return crop(grid, top, left, bottom, right)


def keep_object(grid, background, diagonal, multicolour, criterion):
    """Erase everything but the object chosen by `criterion`."""
    chosen = select_object(find_objects(grid, background, diagonal, multicolour), criterion)
    if chosen is None:
        return None
    out = blank_grid(len(grid), len(grid[0]), background)
    for r, c, colour in chosen:
        out[r][c] = colour
    return out


def remove_object(grid, background, diagonal, multicolour, criterion):
    """Erase the object chosen by `criterion`."""
    chosen = select_object(find_objects(grid, background, diagonal, multicolour), criterion)
    if chosen is None:
        return None
    out = copy_grid(grid)
    for r, c, _ in chosen:
        out[r][c] = background
    return out


def remove_small_objects(grid, background, size):
    """Erase every object (any colours, corners joining) of at most `size` cells: denoising."""
    out = copy_grid(grid)
    for cells in find_objects(grid, background, True, True):
        if len(cells) <= size:
            for r, c, _ in cells:
                out[r][c] = background
    return out


def fill_object_boxes(grid, colour, background):
    """Paint the background cells inside each object's bounding box with `colour`."""
    out = copy_grid(grid)
    for cells in find_objects(grid, background, True, True):
        top, left, bottom, right = cells_box(cells)
        for r in range(top, bottom + 1):
            for c in range(left, right + 1):
                if grid[r][c] == background:
                    out[r][c] = colour
    return out


def object_property(grid, cells, objects, prop):
    """A property of one object that a recolouring rule can depend on."""
    if prop == "size":
        return len(cells)
    if prop == "size_rank" or prop == "size_rank_up":
        sizes = sorted(set([len(o) for o in objects]), reverse=prop == "size_rank")
        return sizes.index(len(cells))
    if prop == "size_extreme":
        sizes = [len(o) for o in objects]
        if len(cells) == max(sizes):
            return "largest"
        return "smallest" if len(cells) == min(sizes) else "between"
    if prop == "shape":
        top, left, _, _ = cells_box(cells)
        return tuple(sorted([(r - top, c - left) for r, c, _ in cells]))
    top, left, bottom, right = cells_box(cells)
    if prop == "height":
        return bottom - top + 1
    if prop == "width":
        return right - left + 1
    if prop == "touches_border":
        return top == 0 or left == 0 or bottom == len(grid) - 1 or right == len(grid[0]) - 1
    if prop == "has_hole":
        return has_hole(cells)
    return None


def has_hole(cells):
    """Whether the object encloses some cells that are not its own."""
    top, left, bottom, right = cells_box(cells)
    mask = blank_grid(bottom - top + 1, right - left + 1, 0)
    for r, c, _ in cells:
        mask[r - top][c - left] = 1
    return fill_enclosed(mask, 2, 0) != mask


def recolour_objects(grid, background, diagonal, prop, table):
    """Give each single-colour object the colour `table` assigns to its property `prop`."""
    objects = find_objects(grid, background, diagonal, False)
    out = copy_grid(grid)
    for cells in objects:
        key = object_property(grid, cells, objects, prop)
        if key not in table:
            return None
        for r, c, _ in cells:
            out[r][c] = table[key]
    return out


def drop_objects(grid, direction, background, anchor):
    """Let every object (touching cells of any colours) slide towards one side ("down", "up",
    "left", "right") as one rigid piece, until it meets the border or a piece at rest; the
    pieces nearest that side move first, so they stack. Pieces holding the colour `anchor` (-1:
    none) stay where they are, and the others come to rest against them."""
    turns = {"down": 0, "right": 1, "up": 2, "left": 3}[direction]
    turned = grid
    for _ in range(turns):
        turned = rotate_90(turned)
    height = len(turned)
    out = blank_grid(height, len(turned[0]), background)
    pieces = find_objects(turned, background, True, True)
    moving = []
    for cells in pieces:
        if anchor in [cell[2] for cell in cells]:
            for r, c, value in cells:
                out[r][c] = value
        else:
            moving.append(cells)
    if anchor != -1 and len(moving) == len(pieces):
        return None  # nothing to come to rest against
    for cells in sorted(moving, key=lambda piece: -max([cell[0] for cell in piece])):
        fall = 0
        while fits_below(out, cells, fall + 1, background):
            fall += 1
        for r, c, value in cells:
            out[r + fall][c] = value
    for _ in range((4 - turns) % 4):
        out = rotate_90(out)
    return out


def fits_below(out, cells, fall, background):
    """Whether the cells, moved `fall` rows down, land on background inside the grid."""
    for r, c, _ in cells:
        if r + fall >= len(out) or out[r + fall][c] != background:
            return False
    return True


def transform_objects(grid, background, k):
    """Turn or mirror every object (touching cells of any colours) in place, inside its own
    bounding box, by the dihedral transform `k` (see `geometry.dihedral`); a turn that would not
    fit its box (a 90-degree turn of a non-square box) means the step does not apply."""
    out = copy_grid(grid)
    for cells in find_objects(grid, background, True, True):
        top, left, bottom, right = cells_box(cells)
        box = crop(grid, top, left, bottom, right)
        turned = dihedral(box, k)
        if len(turned) != len(box) or len(turned[0]) != len(box[0]):
            return None
        for r in range(len(box)):
            for c in range(len(box[0])):
                out[top + r][left + c] = turned[r][c]
    return out


def stamp_template(grid, background, keep_template):
    """The one object of several colours (cells of any colours touching at a side) is a template:
    every other object with its outline (the same cells relative to its box) takes its colours.
    The template stays with `keep_template`, else it is erased. None when there is no single
    template or nothing it matches."""
    objects = find_objects(grid, background, False, True)
    templates = [cells for cells in objects if len(object_colours(cells)) > 1]
    if len(templates) != 1:
        return None
    template = object_shape(templates[0])
    outline = [(r, c) for r, c, _ in template]
    out = copy_grid(grid)
    stamped = False
    for cells in objects:
        if cells is templates[0]:
            continue
        shape = object_shape(cells)
        if [(r, c) for r, c, _ in shape] != outline:
            continue
        top, left, _, _ = cells_box(cells)
        for r, c, colour in template:
            out[top + r][left + c] = colour
        stamped = True
    if not stamped:
        return None
    if not keep_template:
        for r, c, _ in templates[0]:
            out[r][c] = background
    return out
