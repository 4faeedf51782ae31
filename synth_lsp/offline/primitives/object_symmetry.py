"""An object completes its own symmetry: each object (or the whole content, or the picture about
its centre, or everything about the centre of the smallest object) is made symmetric under a group
of mirrors and turns, the missing cells painted from their images.

Centres are kept doubled (row + row, col + col) so that a centre between two cells is an integer.
A centre is chosen among the few near the region's box centre: the one whose images of the
region's cells agree with the most existing cells and never land on a cell of another colour or
off the grid (a conflict means "not this symmetry about this centre").
"""

from synth_lsp.offline.primitives.grids import cells_box, copy_grid
from synth_lsp.offline.primitives.objects import find_objects


def symmetry_elements(group):
    """The non-identity mirrors and turns of a group, by name."""
    return {
        "lr": ["lr"],
        "ud": ["ud"],
        "both": ["lr", "ud", "r180"],
        "r180": ["r180"],
        "r90": ["r90", "r180", "r270"],
        "diagonals": ["tr", "anti", "r180"],
        "tr": ["tr"],
        "anti": ["anti"],
        "d4": ["lr", "ud", "r180", "r90", "r270", "tr", "anti"],
    }[group]


def sym_image(r, c, a, b, element):
    """The image of cell (r, c) under `element` about the doubled centre (a, b); None when it
    falls between cells."""
    dr, dc = 2 * r - a, 2 * c - b
    if element == "lr":
        dc = -dc
    elif element == "ud":
        dr = -dr
    elif element == "r180":
        dr, dc = -dr, -dc
    elif element == "r90":
        dr, dc = dc, -dr
    elif element == "r270":
        dr, dc = -dc, dr
    elif element == "tr":
        dr, dc = dc, dr
    else:
        dr, dc = -dc, -dr
    y, x = a + dr, b + dc
    if y % 2 or x % 2:
        return None
    return y // 2, x // 2


def centre_agreement(grid, cells, a, b, elements, background):
    """How many images of the cells land on another cell of their own colour (a cell on the axis,
    its own image, says nothing), and how many on background (cells to paint); None on a conflict
    (an image off the grid, between cells, or on another colour)."""
    height, width = len(grid), len(grid[0])
    agree, paint = 0, 0
    for r, c, colour in cells:
        for element in elements:
            image = sym_image(r, c, a, b, element)
            if image is None:
                return None
            y, x = image
            if not (0 <= y < height and 0 <= x < width):
                return None
            v = grid[y][x]
            if v == background:
                paint += 1
            elif v != colour:
                return None
            elif (y, x) != (r, c):
                agree += 1
    return agree, paint


def best_centre(grid, cells, centres, elements, background):
    """The first of `centres` with no conflict, some agreement, and the most agreeing images less
    images to paint (the symmetry the picture already shows most of); None when none has it."""
    best, best_score = None, None
    for a, b in centres:
        counts = centre_agreement(grid, cells, a, b, elements, background)
        if counts is None or counts[0] == 0:
            continue
        score = counts[0] - counts[1]
        if best_score is None or score > best_score:
            best, best_score = (a, b), score
    return best


def centres_near(cells, reach):
    """The doubled centres within `reach` half-cells of the cells' box centre, nearest first."""
    top, left, bottom, right = cells_box([(r, c) for r, c, _ in cells])
    offsets = []
    for da in range(-reach, reach + 1):
        for db in range(-reach, reach + 1):
            offsets.append((abs(da) + abs(db), da, db))
    offsets.sort()
    return [(top + bottom + da, left + right + db) for _, da, db in offsets]


def rarest_colour(grid, background):
    """The least common non-background colour (the first on a tie), -1 for none."""
    counts = {}
    for row in grid:
        for v in row:
            if v != background:
                counts[v] = counts.get(v, 0) + 1
    best = -1
    for v in sorted(counts):
        if best < 0 or counts[v] < counts[best]:
            best = v
    return best


def symmetrize(grid, background, scope, group, paint, hidden):
    """Complete the symmetry `group` (see `symmetry_elements`) of each region of `scope`:
    "objects" (each connected object, about a centre near its box's), "content" (all non-background
    cells, likewise), "grid" (all of them about the grid's centre), "smallest" (all of them about
    the centre of the smallest one-colour object's box). Only background cells are painted, in `paint`, or in
    the colour of the cell they mirror when `paint` is -1. Cells of colour `hidden` (-1: none; -2:
    the rarest colour) are first erased. None when no region has the symmetry."""
    height, width = len(grid), len(grid[0])
    work = copy_grid(grid)
    if hidden == -2:
        hidden = rarest_colour(grid, background)
    if hidden >= 0:
        for r in range(height):
            for c in range(width):
                if work[r][c] == hidden:
                    work[r][c] = background
    everything = [(r, c, work[r][c]) for r in range(height) for c in range(width) if work[r][c] != background]
    if not everything:
        return None
    regions = []
    if scope == "objects":
        for cells in find_objects(work, background, True, True):
            regions.append((cells, centres_near(cells, 3)))
    elif scope == "content":
        regions.append((everything, centres_near(everything, 3)))
    elif scope == "grid":
        regions.append((everything, [(height - 1, width - 1)]))
    else:
        objects = find_objects(work, background, True, False)
        if len(objects) < 2:
            return None
        smallest = objects[0]
        for cells in objects:
            if len(cells) < len(smallest):
                smallest = cells
        top, left, bottom, right = cells_box([(r, c) for r, c, _ in smallest])
        regions.append((everything, [(top + bottom, left + right)]))
    elements = symmetry_elements(group)
    out = copy_grid(work)
    found = False
    for cells, centres in regions:
        centre = best_centre(work, cells, centres, elements, background)
        if centre is None:
            continue
        found = True
        for r, c, colour in cells:
            for element in elements:
                y, x = sym_image(r, c, centre[0], centre[1], element)
                if out[y][x] == background:
                    out[y][x] = colour if paint < 0 else paint
    return out if found else None
