"""Grid primitives of the offline model, written once for two places.

The search runs these functions on the host (they are ours, not model output), and the emitter
copies the source of the ones a program uses, with their helpers, verbatim into the script that
runs in the Monty sandbox. So every function here must stay within Monty's walls: plain Python,
no imports, no generators or `yield`, no `del`, no classes, no bound methods passed as values.

Conventions: a grid is a list of rows of ints; a primitive never mutates its input and returns a
new grid, or None when it does not apply (the search then drops that branch).
"""


# ---- basics -------------------------------------------------------------------------------


def copy_grid(grid):
    return [list(row) for row in grid]


def blank_grid(height, width, colour):
    return [[colour] * width for _ in range(height)]


def colour_counts(grid):
    counts = {}
    for row in grid:
        for value in row:
            counts[value] = counts.get(value, 0) + 1
    return counts


def most_common_colour(grid):
    counts = colour_counts(grid)
    # ties go to the smallest colour, so the choice is deterministic
    return max(sorted(counts), key=lambda c: counts[c])


# ---- the dihedral group -------------------------------------------------------------------


def rotate_90(grid):
    """Quarter turn clockwise."""
    return [list(row) for row in zip(*grid[::-1])]


def rotate_180(grid):
    return [row[::-1] for row in grid[::-1]]


def rotate_270(grid):
    """Quarter turn anticlockwise."""
    return [list(row) for row in zip(*grid)][::-1]


def flip_left_right(grid):
    return [row[::-1] for row in grid]


def flip_up_down(grid):
    return [list(row) for row in grid[::-1]]


def transpose(grid):
    return [list(row) for row in zip(*grid)]


def anti_transpose(grid):
    return rotate_180(transpose(grid))


def dihedral(grid, k):
    """The k-th of the 8 symmetries of a rectangle (0 = identity), in the order of the names above."""
    symmetries = (copy_grid, rotate_90, rotate_180, rotate_270, flip_left_right, flip_up_down, transpose, anti_transpose)
    return symmetries[k](grid)


# ---- cropping -----------------------------------------------------------------------------


def crop(grid, top, left, bottom, right):
    """The sub-grid of rows top..bottom and columns left..right (inclusive)."""
    return [list(row[left : right + 1]) for row in grid[top : bottom + 1]]


def cells_box(cells):
    """(top, left, bottom, right) of a list of (row, col, ...) cells."""
    rows = [cell[0] for cell in cells]
    cols = [cell[1] for cell in cells]
    return min(rows), min(cols), max(rows), max(cols)


def crop_to_content(grid, background):
    """Crop to the bounding box of every cell that is not background."""
    cells = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] != background:
                cells.append((r, c))
    if not cells:
        return None
    top, left, bottom, right = cells_box(cells)
    return crop(grid, top, left, bottom, right)


def colour_cells(grid, colour):
    """The (row, column) of every cell of one colour, in reading order."""
    cells = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] == colour:
                cells.append((r, c))
    return cells


def crop_to_colour(grid, colour):
    """Crop to the bounding box of the cells of one colour."""
    cells = colour_cells(grid, colour)
    if not cells:
        return None
    top, left, bottom, right = cells_box(cells)
    return crop(grid, top, left, bottom, right)


def crop_inside_colour(grid, colour):
    """The cells strictly inside the bounding box of one colour (e.g. inside a drawn frame)."""
    cells = colour_cells(grid, colour)
    if not cells:
        return None
    top, left, bottom, right = cells_box(cells)
    if bottom - top < 2 or right - left < 2:
        return None
    return crop(grid, top + 1, left + 1, bottom - 1, right - 1)


def crop_corner(grid, corner, height, width):
    """The `height` x `width` block at a corner ("top_left", "top_right", "bottom_left",
    "bottom_right") or in the "centre"."""
    rows, cols = len(grid), len(grid[0])
    if height > rows or width > cols:
        return None
    top = 0 if corner.startswith("top") else rows - height
    left = 0 if corner.endswith("left") else cols - width
    if corner == "centre":
        if (rows - height) % 2 or (cols - width) % 2:
            return None
        top, left = (rows - height) // 2, (cols - width) // 2
    return crop(grid, top, left, top + height - 1, left + width - 1)


def trim_border(grid):
    """Drop the outermost ring of cells."""
    if len(grid) < 3 or len(grid[0]) < 3:
        return None
    return crop(grid, 1, 1, len(grid) - 2, len(grid[0]) - 2)


def tile_unit(grid):
    """The smallest block that, repeated, makes up the whole grid (None if the grid is its own)."""
    height, width = len(grid), len(grid[0])
    for unit_h in range(1, height + 1):
        if all([grid[r] == grid[r % unit_h] for r in range(height)]):
            break
    for unit_w in range(1, width + 1):
        if all([row[c] == row[c % unit_w] for row in grid for c in range(width)]):
            break
    if unit_h == height and unit_w == width:
        return None
    return crop(grid, 0, 0, unit_h - 1, unit_w - 1)


def half(grid, which):
    """One half of the grid ("left", "right", "top", "bottom"), skipping a middle separator line."""
    height, width = len(grid), len(grid[0])
    if which == "left" or which == "right":
        size = width // 2
        if size == 0:
            return None
        if which == "left":
            return [list(row[:size]) for row in grid]
        return [list(row[width - size :]) for row in grid]
    size = height // 2
    if size == 0:
        return None
    if which == "top":
        return copy_grid(grid[:size])
    return copy_grid(grid[height - size :])


# ---- objects ------------------------------------------------------------------------------


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


# ---- tiling and scaling -------------------------------------------------------------------


def tile(grid, down, across):
    """Repeat the grid `down` times vertically and `across` times horizontally."""
    if len(grid) * down > 30 or len(grid[0]) * across > 30:
        return None
    rows = [list(row) * across for row in grid]
    out = []
    for _ in range(down):
        out = out + copy_grid(rows)
    return out


def tile_self(grid, where_background):
    """Kronecker product of the grid with itself: a copy of the grid in place of every cell that is
    not background (or, with `where_background`, every cell that is), background elsewhere."""
    background = 0
    height, width = len(grid), len(grid[0])
    if height * height > 30 or width * width > 30:
        return None  # larger than any ARC grid
    out = blank_grid(height * height, width * width, background)
    for R in range(height):
        for C in range(width):
            if (grid[R][C] == background) != where_background:
                continue
            for r in range(height):
                for c in range(width):
                    out[R * height + r][C * width + c] = grid[r][c]
    return out


def arrange_tiles(grid, layout):
    """A mosaic of transformed copies: `layout[i][j]` is the dihedral index (see `dihedral`) of the
    copy in tile row i, column j, or -1 for a blank (background 0) tile."""
    pieces = {}
    for tile_row in layout:
        for k in tile_row:
            if k >= 0 and k not in pieces:
                pieces[k] = dihedral(grid, k)
    if not pieces:
        return None
    shapes = set([(len(p), len(p[0])) for p in pieces.values()])
    if len(shapes) != 1:
        return None
    height, width = len(grid), len(grid[0])
    for shape in shapes:
        height, width = shape
    out = []
    for tile_row in layout:
        for r in range(height):
            row = []
            for k in tile_row:
                row = row + (pieces[k][r] if k >= 0 else [0] * width)
            out.append(row)
    return out


def scale_up(grid, factor):
    if len(grid) * factor > 30 or len(grid[0]) * factor > 30:
        return None
    out = []
    for row in grid:
        wide = []
        for value in row:
            wide = wide + [value] * factor
        for _ in range(factor):
            out.append(list(wide))
    return out


def scale_by_colours(grid, background):
    """Scale up by the number of distinct non-background colours."""
    factor = len([c for c in colour_counts(grid) if c != background])
    if factor < 1:
        return None
    return scale_up(grid, factor)


def scale_down(grid, factor):
    """Shrink by an integer factor, keeping each block's most common colour."""
    height, width = len(grid), len(grid[0])
    if height % factor or width % factor:
        return None
    out = []
    for R in range(height // factor):
        row = []
        for C in range(width // factor):
            block = crop(grid, R * factor, C * factor, R * factor + factor - 1, C * factor + factor - 1)
            row.append(most_common_colour(block))
        out.append(row)
    return out


def dedupe_lines(grid):
    """Collapse runs of identical rows, then runs of identical columns."""
    rows = [list(grid[0])]
    for row in grid[1:]:
        if row != rows[-1]:
            rows.append(list(row))
    cols = transpose(rows)
    kept = [cols[0]]
    for col in cols[1:]:
        if col != kept[-1]:
            kept.append(col)
    return transpose(kept)


def remove_empty_lines(grid, background):
    """Drop every row and every column that holds only background."""
    rows = [list(row) for row in grid if any([v != background for v in row])]
    if not rows:
        return None
    cols = [col for col in transpose(rows) if any([v != background for v in col])]
    return transpose(cols)


# ---- colours ------------------------------------------------------------------------------


def recolour(grid, mapping):
    """Replace colours by the table learned from the examples; other colours stay."""
    return [[mapping.get(value, value) for value in row] for row in grid]


def erase_colour(grid, colour, background):
    return [[background if value == colour else value for value in row] for row in grid]


def recolour_minor(grid, colour):
    """Paint every cell that is not of the grid's most common colour with `colour`."""
    common = most_common_colour(grid)
    return [[value if value == common else colour for value in row] for row in grid]


def keep_centre_line(grid, axis, background):
    """Keep only the middle column ("column") or the middle row ("row"); erase the rest."""
    height, width = len(grid), len(grid[0])
    out = blank_grid(height, width, background)
    if axis == "column":
        if width % 2 == 0:
            return None
        for r in range(height):
            out[r][width // 2] = grid[r][width // 2]
    else:
        if height % 2 == 0:
            return None
        out[height // 2] = list(grid[height // 2])
    return out


def symmetry_flag(grid, kind):
    """[[1]] when the grid equals its mirror image ("left_right", "up_down"), else [[0]]."""
    image = flip_left_right(grid) if kind == "left_right" else flip_up_down(grid)
    return [[1 if image == grid else 0]]


def majority_colour_cell(grid, background):
    """A 1x1 grid of the most common non-background colour."""
    counts = colour_counts(grid)
    colours = sorted([c for c in counts if c != background])
    if not colours:
        return None
    return [[max(colours, key=lambda c: counts[c])]]


def count_to_row(grid, background):
    """A single row with one cell per non-background cell, in the most common such colour."""
    counts = colour_counts(grid)
    colours = sorted([c for c in counts if c != background])
    if not colours:
        return None
    total = sum([counts[c] for c in colours])
    if total > 30:
        return None
    return [[max(colours, key=lambda c: counts[c])] * total]


def parts_summary(grid, background):
    """One cell per part between separator lines, in the part's most common non-background
    colour (background for an empty part), laid out as the parts are."""
    lines = separator_lines(grid)
    if lines is None:
        return None
    colour, sep_rows, sep_cols = lines
    height, width = len(grid), len(grid[0])
    out = []
    for top, bottom in spans_between(sep_rows, height):
        row = []
        for left, right in spans_between(sep_cols, width):
            counts = colour_counts(crop(grid, top, left, bottom, right))
            filled = sorted([c for c in counts if c != background])
            row.append(max(filled, key=lambda c: counts[c]) if filled else background)
        out.append(row)
    return out


def minority_colour_cell(grid, background):
    """A 1x1 grid of the least common non-background colour."""
    counts = colour_counts(grid)
    colours = sorted([c for c in counts if c != background])
    if not colours:
        return None
    return [[min(colours, key=lambda c: counts[c])]]


# ---- physics and drawing ------------------------------------------------------------------


def gravity(grid, direction, background):
    """Let every non-background cell fall towards one side ("down", "up", "left", "right")."""
    turns = {"down": 0, "right": 1, "up": 2, "left": 3}[direction]
    turned = grid
    for _ in range(turns):
        turned = rotate_90(turned)
    cols = transpose(turned)
    fallen = []
    for col in cols:
        solid = [v for v in col if v != background]
        fallen.append([background] * (len(col) - len(solid)) + solid)
    out = transpose(fallen)
    for _ in range((4 - turns) % 4):
        out = rotate_90(out)
    return out


def fill_enclosed(grid, colour, background):
    """Paint background cells that cannot reach the border (through background) with `colour`."""
    height, width = len(grid), len(grid[0])
    outside = [[False] * width for _ in range(height)]
    stack = []
    for r in range(height):
        for c in range(width):
            on_edge = r == 0 or c == 0 or r == height - 1 or c == width - 1
            if on_edge and grid[r][c] == background:
                outside[r][c] = True
                stack.append((r, c))
    while stack:
        y, x = stack.pop()
        for dy, dx in [(-1, 0), (1, 0), (0, -1), (0, 1)]:
            ny, nx = y + dy, x + dx
            if 0 <= ny < height and 0 <= nx < width and not outside[ny][nx] and grid[ny][nx] == background:
                outside[ny][nx] = True
                stack.append((ny, nx))
    out = copy_grid(grid)
    for r in range(height):
        for c in range(width):
            if grid[r][c] == background and not outside[r][c]:
                out[r][c] = colour
    return out


def outline(grid, colour, background, diagonal):
    """Paint background cells that touch a non-background cell with `colour`."""
    height, width = len(grid), len(grid[0])
    steps = [(-1, 0), (1, 0), (0, -1), (0, 1)]
    if diagonal:
        steps = steps + [(-1, -1), (-1, 1), (1, -1), (1, 1)]
    out = copy_grid(grid)
    for r in range(height):
        row = grid[r]
        for c in range(width):
            if row[c] == background:
                continue
            for dy, dx in steps:
                y, x = r + dy, c + dx
                if 0 <= y < height and 0 <= x < width and grid[y][x] == background:
                    out[y][x] = colour
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


def hollow(grid, background):
    """Erase the inside of shapes: cells whose four neighbours all have the same colour as them."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    for r in range(1, height - 1):
        for c in range(1, width - 1):
            v = grid[r][c]
            if v != background and grid[r - 1][c] == v and grid[r + 1][c] == v and grid[r][c - 1] == v and grid[r][c + 1] == v:
                out[r][c] = background
    return out


def extend_lines(grid, direction, background):
    """Shoot a ray from every non-background cell in `direction` ("up", "down", "left", "right",
    "horizontal", "vertical", "cross") over background cells, up to the border."""
    height, width = len(grid), len(grid[0])
    rays = {
        "up": [(-1, 0)],
        "down": [(1, 0)],
        "left": [(0, -1)],
        "right": [(0, 1)],
        "horizontal": [(0, -1), (0, 1)],
        "vertical": [(-1, 0), (1, 0)],
        "cross": [(-1, 0), (1, 0), (0, -1), (0, 1)],
        "diagonals": [(-1, -1), (-1, 1), (1, -1), (1, 1)],
    }[direction]
    out = copy_grid(grid)
    for r in range(height):
        for c in range(width):
            colour = grid[r][c]
            if colour == background:
                continue
            for dy, dx in rays:
                paint_ray(grid, out, r, c, dy, dx, colour, background)
    return out


def paint_ray(grid, out, r, c, dy, dx, colour, background):
    """Paint `colour` into `out` from (r, c) in steps of (dy, dx), over background cells of
    `grid`, up to the border or the first other cell."""
    height, width = len(grid), len(grid[0])
    y, x = r + dy, c + dx
    while 0 <= y < height and 0 <= x < width and grid[y][x] == background:
        out[y][x] = colour
        y, x = y + dy, x + dx


def direction_step(direction):
    """(row step, column step) of a compass direction."""
    return {
        "up": (-1, 0),
        "down": (1, 0),
        "left": (0, -1),
        "right": (0, 1),
        "up_left": (-1, -1),
        "up_right": (-1, 1),
        "down_left": (1, -1),
        "down_right": (1, 1),
    }[direction]


def draw_rays(grid, rays, background):
    """For each [colour, directions] in `rays` (in order), shoot a ray from every cell of that
    colour in each direction (diagonals from corners only), over background cells of the
    input, up to the border."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    for colour, directions in rays:
        for r in range(height):
            for c in range(width):
                if grid[r][c] != colour:
                    continue
                for direction in directions:
                    dy, dx = direction_step(direction)
                    if dy and dx and (colour_at(grid, r + dy, c, -1) == colour or colour_at(grid, r, c + dx, -1) == colour):
                        continue  # a diagonal ray leaves a shape only from its corner
                    paint_ray(grid, out, r, c, dy, dx, colour, background)
    return out


def connect_pairs(grid, direction, line_colour, background):
    """Draw a straight line between two cells of the same colour facing each other across
    background, along rows ("horizontal"), columns ("vertical"), "both" or the two "diagonal"
    directions; the line takes the
    cells' colour, or `line_colour` when that is not -1."""
    height, width = len(grid), len(grid[0])
    rays = {"horizontal": [(0, 1)], "vertical": [(1, 0)], "both": [(0, 1), (1, 0)], "diagonal": [(1, 1), (1, -1)]}[direction]
    out = copy_grid(grid)
    for r in range(height):
        for c in range(width):
            colour = grid[r][c]
            if colour == background:
                continue
            for dy, dx in rays:
                y, x = r + dy, c + dx
                while 0 <= y < height and 0 <= x < width and grid[y][x] == background:
                    y, x = y + dy, x + dx
                if 0 <= y < height and 0 <= x < width and grid[y][x] == colour and (y, x) != (r + dy, c + dx):
                    y, x = r + dy, c + dx
                    while grid[y][x] == background:
                        out[y][x] = colour if line_colour == -1 else line_colour
                        y, x = y + dy, x + dx
    return out


def shift(grid, down, right, background):
    """Move the whole picture by (down, right) cells; what leaves the grid is lost."""
    height, width = len(grid), len(grid[0])
    out = blank_grid(height, width, background)
    for r in range(height):
        for c in range(width):
            y, x = r + down, c + right
            if 0 <= y < height and 0 <= x < width:
                out[y][x] = grid[r][c]
    return out


def draw_border(grid, colour):
    """Paint the outermost ring of cells."""
    out = copy_grid(grid)
    height, width = len(grid), len(grid[0])
    for r in range(height):
        for c in range(width):
            if r == 0 or c == 0 or r == height - 1 or c == width - 1:
                out[r][c] = colour
    return out


# ---- objects recoloured by a property ------------------------------------------------------


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


# ---- symmetry -----------------------------------------------------------------------------


def complete_symmetry(grid, unknown):
    """Repaint the cells of colour `unknown` from their mirror images (left-right, up-down, the
    half turn and, for square grids, the diagonal), using whichever mirror holds a known colour."""
    height, width = len(grid), len(grid[0])
    out = copy_grid(grid)
    for r in range(height):
        for c in range(width):
            if grid[r][c] != unknown:
                continue
            mirrors = [(r, width - 1 - c), (height - 1 - r, c), (height - 1 - r, width - 1 - c)]
            if height == width:
                mirrors = mirrors + [(c, r), (width - 1 - c, height - 1 - r)]
            for y, x in mirrors:
                if grid[y][x] != unknown:
                    out[r][c] = grid[y][x]
                    break
    return out


def best_mirror(grid, unknown, kind):
    """The mirror of the picture that the known cells agree with best, allowing an off-centre
    axis: for "columns" the sum a with column c mirrored to a - c, for "rows" likewise, for
    "diagonal" the offset d with (r, c) mirrored to (c + d, r - d). None when no mirror has zero
    disagreements and covers at least a quarter of the grid."""
    height, width = len(grid), len(grid[0])
    if kind == "columns":
        candidates = range(width // 2, width + width // 2)
    elif kind == "rows":
        candidates = range(height // 2, height + height // 2)
    else:
        candidates = range(-(height // 4), height // 4 + 1)
    best, best_matches = None, (height * width) // 4
    for a in candidates:
        matches = 0
        clean = True
        for r in range(height):
            for c in range(width):
                y, x = mirrored(r, c, kind, a)
                if not (0 <= y < height and 0 <= x < width):
                    continue
                v, m = grid[r][c], grid[y][x]
                if v == unknown or m == unknown:
                    continue
                if v != m:
                    clean = False
                    break
                matches += 1
            if not clean:
                break
        if clean and matches > best_matches:
            best, best_matches = a, matches
    return best


def mirrored(r, c, kind, a):
    if kind == "columns":
        return r, a - c
    if kind == "rows":
        return a - r, c
    return c + a, r - a


def repair_symmetry(grid, unknown):
    """Repaint the cells of colour `unknown` from their images under the mirrors the rest of the
    picture obeys (see `best_mirror`), also through two mirrors in turn."""
    height, width = len(grid), len(grid[0])
    mirrors = []
    for kind in ("columns", "rows", "diagonal"):
        a = best_mirror(grid, unknown, kind)
        if a is not None:
            mirrors.append((kind, a))
    if not mirrors:
        return None
    out = copy_grid(grid)
    for _ in range(3):
        missing = 0
        for r in range(height):
            for c in range(width):
                if out[r][c] != unknown:
                    continue
                images = []
                for kind, a in mirrors:
                    images.append(mirrored(r, c, kind, a))
                    for kind2, a2 in mirrors:
                        if kind2 != kind:
                            y, x = mirrored(r, c, kind, a)
                            images.append(mirrored(y, x, kind2, a2))
                for y, x in images:
                    if 0 <= y < height and 0 <= x < width and out[y][x] != unknown:
                        out[r][c] = out[y][x]
                        break
                if out[r][c] == unknown:
                    missing += 1
        if missing == 0:
            break
    return out


def hidden_region(grid, unknown):
    """What the symmetric picture shows under the patch of colour `unknown`."""
    repaired = repair_symmetry(grid, unknown)
    patch = crop_to_colour(grid, unknown)
    if repaired is None or patch is None:
        return None
    top, left, bottom, right = cells_box(colour_cells(grid, unknown))
    return crop(repaired, top, left, bottom, right)


def mirror_complete(grid, kind, background):
    """Overlay the grid with its mirror image ("left_right", "up_down", "both", "diagonal"):
    background cells take the mirrored colour."""
    images = {"left_right": [4], "up_down": [5], "both": [4, 5, 2], "diagonal": [6], "rotations": [1, 2, 3]}[kind]
    out = copy_grid(grid)
    for k in images:
        image = dihedral(grid, k)
        if len(image) != len(grid) or len(image[0]) != len(grid[0]):
            return None
        for r in range(len(grid)):
            for c in range(len(grid[0])):
                if out[r][c] == background and image[r][c] != background:
                    out[r][c] = image[r][c]
    return out


# ---- grids split into parts ---------------------------------------------------------------


def separator_colour(grid):
    """The colour of the full-length separator lines, or None. It is never the grid's most common
    colour (empty background rows are no separators) and appears nowhere but on its lines; among
    several candidates, the one that cuts the grid into equal parts wins, then the one with the
    most lines."""
    height, width = len(grid), len(grid[0])
    common = most_common_colour(grid)
    candidates = set()
    for r in range(height):
        if len(set(grid[r])) == 1 and grid[r][0] != common:
            candidates.add(grid[r][0])
    for c in range(width):
        if len(set([grid[r][c] for r in range(height)])) == 1 and grid[0][c] != common:
            candidates.add(grid[0][c])
    best, best_score = None, None
    for colour in sorted(candidates):
        rows = [r for r in range(height) if grid[r] == [colour] * width]
        cols = [c for c in range(width) if [grid[r][c] for r in range(height)] == [colour] * height]
        on_lines = 0
        for r in range(height):
            for c in range(width):
                if grid[r][c] == colour and (r in rows or c in cols):
                    on_lines += 1
        if on_lines != colour_counts(grid)[colour]:
            continue  # the colour also paints the picture: its full lines are part of it
        sizes = set()
        for top, bottom in spans_between(rows, height):
            for left, right in spans_between(cols, width):
                sizes.add((bottom - top, right - left))
        score = (len(sizes) == 1, len(rows) + len(cols))
        if best_score is None or score > best_score:
            best, best_score = colour, score
    return best


def separator_lines(grid):
    """The separator colour (see `separator_colour`) and the rows and columns it fills, or None."""
    colour = separator_colour(grid)
    if colour is None:
        return None
    height, width = len(grid), len(grid[0])
    rows = [r for r in range(height) if grid[r] == [colour] * width]
    cols = [c for c in range(width) if [grid[r][c] for r in range(height)] == [colour] * height]
    return colour, rows, cols


def split_parts(grid):
    """Split the grid into parts at its separator lines (see `separator_colour`), else None."""
    lines = separator_lines(grid)
    if lines is None:
        return None
    colour, sep_rows, sep_cols = lines
    height, width = len(grid), len(grid[0])
    parts = []
    row_spans = spans_between(sep_rows, height)
    col_spans = spans_between(sep_cols, width)
    if len(row_spans) * len(col_spans) < 2:
        return None
    for top, bottom in row_spans:
        for left, right in col_spans:
            parts.append(crop(grid, top, left, bottom, right))
    return parts


def spans_between(lines, size):
    """The runs of indices in 0..size-1 between the separator `lines`."""
    spans = []
    start = 0
    for line in lines + [size]:
        if line > start:
            spans.append((start, line - 1))
        start = line + 1
    return spans


def two_parts(grid):
    """The grid as two equal parts: split at separator lines when there are exactly two parts,
    otherwise halves (left/right for wide grids, top/bottom for tall ones)."""
    parts = split_parts(grid)
    if parts is not None and len(parts) == 2:
        first, second = parts
    else:
        height, width = len(grid), len(grid[0])
        if width >= height and width % 2 == 0:
            first, second = half(grid, "left"), half(grid, "right")
        elif height % 2 == 0:
            first, second = half(grid, "top"), half(grid, "bottom")
        else:
            return None
    if len(first) != len(second) or len(first[0]) != len(second[0]):
        return None
    return first, second


def combine_halves(grid, operation, background):
    """Cell-wise logic between the two parts of the grid: 1 where `operation` ("and", "or", "xor",
    "nor", "left_only", "right_only") holds for "is not background", else 0."""
    parts = two_parts(grid)
    if parts is None:
        return None
    first, second = parts
    out = []
    for r in range(len(first)):
        row = []
        for c in range(len(first[0])):
            a = first[r][c] != background
            b = second[r][c] != background
            if operation == "and":
                hit = a and b
            elif operation == "or":
                hit = a or b
            elif operation == "xor":
                hit = a != b
            elif operation == "nor":
                hit = not a and not b
            elif operation == "left_only":
                hit = a and not b
            else:
                hit = b and not a
            row.append(1 if hit else 0)
        out.append(row)
    return out


def overlay_parts(grid, background, reverse):
    """Stack the parts between separator lines (or the two halves): later parts paint over earlier
    ones where they are not background (earlier over later with `reverse`)."""
    parts = split_parts(grid)
    if parts is None:
        pair = two_parts(grid)
        if pair is None:
            return None
        parts = list(pair)
    height, width = len(parts[0]), len(parts[0][0])
    for part in parts:
        if len(part) != height or len(part[0]) != width:
            return None
    if reverse:
        parts = parts[::-1]
    out = copy_grid(parts[0])
    for part in parts[1:]:
        for r in range(height):
            for c in range(width):
                if part[r][c] != background:
                    out[r][c] = part[r][c]
    return out


def broadcast_parts(grid, background):
    """Overlay every part between the separator lines and write the union back into each part."""
    lines = separator_lines(grid)
    if lines is None:
        return None
    colour, sep_rows, sep_cols = lines
    height, width = len(grid), len(grid[0])
    boxes = []
    for top, bottom in spans_between(sep_rows, height):
        for left, right in spans_between(sep_cols, width):
            boxes.append((top, left, bottom, right))
    sizes = set([(b[2] - b[0], b[3] - b[1]) for b in boxes])
    if len(boxes) < 2 or len(sizes) != 1:
        return None
    union = overlay_parts(grid, background, False)
    out = copy_grid(grid)
    for top, left, _, _ in boxes:
        for r in range(len(union)):
            for c in range(len(union[0])):
                out[top + r][left + c] = union[r][c]
    return out


def pick_part(grid, criterion, background):
    """Choose one part between separator lines: "odd_one_out" (the part unlike all others),
    "most_cells" / "fewest_cells" (of non-background), "most_colours"."""
    parts = split_parts(grid)
    if parts is None or len(parts) < 2:
        return None
    if criterion == "odd_one_out":
        keys = [str(p) for p in parts]
        singles = [i for i in range(len(parts)) if keys.count(keys[i]) == 1]
        if len(singles) != 1:
            return None
        return parts[singles[0]]
    scores = []
    for part in parts:
        counts = colour_counts(part)
        filled = sum([n for colour, n in counts.items() if colour != background])
        if criterion == "most_cells":
            scores.append(filled)
        elif criterion == "fewest_cells":
            scores.append(-filled)
        else:
            scores.append(len([colour for colour in counts if colour != background]))
    best = max(scores)
    if scores.count(best) != 1:
        return None
    return copy_grid(parts[scores.index(best)])


# ---- local rules learned cell by cell -----------------------------------------------------


def colour_at(grid, r, c, outside):
    """The colour at (r, c), or `outside` beyond the border."""
    if 0 <= r < len(grid) and 0 <= c < len(grid[0]):
        return grid[r][c]
    return outside


def cell_context(grid, r, c, feature):
    """What a local rule looks at around one cell; the cell's own colour always comes first.

    "cross": the cell and its four neighbours; "square": the 3x3 block around it (beyond the
    border: -1, or 0 for the "open_" variants, which treat the border like empty space);
    "lines": the cell and the sets of colours on its row and on its column; "counts": the cell
    and how many of its 4 and of its diagonal neighbours share its colour.
    """
    here = grid[r][c]
    outside = 0 if feature.startswith("open_") else -1
    if feature == "cross" or feature == "open_cross":
        return (
            here,
            colour_at(grid, r - 1, c, outside),
            colour_at(grid, r + 1, c, outside),
            colour_at(grid, r, c - 1, outside),
            colour_at(grid, r, c + 1, outside),
        )
    if feature == "square" or feature == "open_square":
        block = [here]
        for dy in (-1, 0, 1):
            for dx in (-1, 0, 1):
                if dy != 0 or dx != 0:
                    block.append(colour_at(grid, r + dy, c + dx, outside))
        return tuple(block)
    if feature == "lines":
        column = [grid[y][c] for y in range(len(grid))]
        return (here, tuple(sorted(set(grid[r]))), tuple(sorted(set(column))))
    same_side = 0
    same_corner = 0
    for dy, dx in [(-1, 0), (1, 0), (0, -1), (0, 1)]:
        if colour_at(grid, r + dy, c + dx, -1) == here:
            same_side += 1
    for dy, dx in [(-1, -1), (-1, 1), (1, -1), (1, 1)]:
        if colour_at(grid, r + dy, c + dx, -1) == here:
            same_corner += 1
    return (here, same_side, same_corner)


def apply_local_rule(grid, feature, table, keep_unseen):
    """Recolour every cell by looking its context up in `table` (learned from the examples).

    A context the examples never showed keeps its colour with `keep_unseen`; otherwise the rule
    does not apply to this grid."""
    out = []
    for r in range(len(grid)):
        row = []
        for c in range(len(grid[0])):
            key = cell_context(grid, r, c, feature)
            if key in table:
                row.append(table[key])
            elif keep_unseen:
                row.append(grid[r][c])
            else:
                return None
        out.append(row)
    return out
