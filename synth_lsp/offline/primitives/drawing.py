"""Painting over the background: enclosed areas filled, outlines, hollowed shapes, rays to the
border, lines between facing cells, a border ring.
"""

from synth_lsp.offline.primitives.grids import colour_at, copy_grid


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


def draw_border(grid, colour):
    """Paint the outermost ring of cells."""
    out = copy_grid(grid)
    height, width = len(grid), len(grid[0])
    for r in range(height):
        for c in range(width):
            if r == 0 or c == 0 or r == height - 1 or c == width - 1:
                out[r][c] = colour
    return out
