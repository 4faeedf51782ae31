"""Basic helpers every other topic builds on: copies, blank grids, colour counts, the cells of a
colour and the bounding box of cells, the colour at a position (with a value beyond the border).
"""



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


def cells_box(cells):
    """(top, left, bottom, right) of a list of (row, col, ...) cells."""
    rows = [cell[0] for cell in cells]
    cols = [cell[1] for cell in cells]
    return min(rows), min(cols), max(rows), max(cols)


def colour_cells(grid, colour):
    """The (row, column) of every cell of one colour, in reading order."""
    cells = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] == colour:
                cells.append((r, c))
    return cells


def colour_at(grid, r, c, outside):
    """The colour at (r, c), or `outside` beyond the border."""
    if 0 <= r < len(grid) and 0 <= c < len(grid[0]):
        return grid[r][c]
    return outside
