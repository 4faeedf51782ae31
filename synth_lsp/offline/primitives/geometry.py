"""Where cells go: the eight symmetries of a rectangle, crops (to content, a colour, a frame, a
corner, a half), trims, shifts, gravity and scaling up or down.
"""

from synth_lsp.offline.primitives.grids import blank_grid, cells_box, colour_cells, colour_counts, copy_grid, most_common_colour


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


def crop(grid, top, left, bottom, right):
    """The sub-grid of rows top..bottom and columns left..right (inclusive)."""
    return [list(row[left : right + 1]) for row in grid[top : bottom + 1]]


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


def remove_empty_lines(grid, background):
    """Drop every row and every column that holds only background."""
    rows = [list(row) for row in grid if any([v != background for v in row])]
    if not rows:
        return None
    cols = [col for col in transpose(rows) if any([v != background for v in col])]
    return transpose(cols)


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


def crop_to_rarest_colour(grid, background):
    """Crop to the bounding box of the least common colour other than the background (the odd
    colour out among noise); None on a tie for the rarest."""
    counts = colour_counts(grid)
    colours = [c for c in counts if c != background]
    if not colours:
        return None
    fewest = min([counts[c] for c in colours])
    rarest = [c for c in colours if counts[c] == fewest]
    if len(rarest) != 1:
        return None
    return crop_to_colour(grid, rarest[0])
