"""Objects into an output: a count drawn as cells of a fixed-shape grid (or a row or a column),
the objects' colours ordered by position or size written cell by cell, the colour that most
(or fewest) objects have filling the output, the objects laid side by side in order, and the
odd object out picked by a property no other object shares.

A *measure* says what is counted: "cells", "objects" (side-touching cells of one colour),
"diagonal_objects" (corners join too), "pieces" (touching cells of any colours, corners join)
or "colours" (distinct non-background colours; -2: with the background), of one colour or of
any (-1).
A fill *order* walks the output's cells: "rows" (reading order), "snake" (rows, every other one
backwards) or "checker" (the cells of one checkerboard colour first), turned by a dihedral
transform `k` (see `geometry.dihedral`).
"""

from synth_lsp.offline.primitives.grids import blank_grid, cells_box, colour_counts
from synth_lsp.offline.primitives.geometry import dihedral, scale_up
from synth_lsp.offline.primitives.objects import find_objects, object_colours, object_shape


def measure_objects(grid, background, what):
    """The objects a measure counts: side-touching, corner-touching or many-coloured pieces."""
    if what == "objects":
        return find_objects(grid, background, False, False)
    if what == "diagonal_objects":
        return find_objects(grid, background, True, False)
    return find_objects(grid, background, True, True)


def count_of(grid, background, what, colour):
    """How many of `what` (see the module's docstring) of `colour` (-1: any) the grid holds."""
    if what == "cells":
        counts = colour_counts(grid)
        if colour >= 0:
            return counts.get(colour, 0) if colour != background else 0
        return sum([n for c, n in counts.items() if c != background])
    if what == "colours":
        # -2: every colour, the background too (a grid with no clear background)
        return len([c for c in colour_counts(grid) if c != background or colour == -2])
    objects = measure_objects(grid, background, what)
    if colour < 0:
        return len(objects)
    return len([cells for cells in objects if colour in object_colours(cells)])


def fill_order(height, width, pattern, k):
    """The cells of a height x width grid in the order `pattern` turned by `k` walks them (a quarter
    turn walks a grid of the swapped shape, then turns it to height x width)."""
    if k in (1, 3, 6, 7):
        base_height, base_width = width, height
    else:
        base_height, base_width = height, width
    index = blank_grid(base_height, base_width, 0)
    cells = []
    for r in range(base_height):
        for c in range(base_width):
            cells.append((r, c))
    if pattern == "checker":
        cells = [cell for cell in cells if (cell[0] + cell[1]) % 2 == 0] + [cell for cell in cells if (cell[0] + cell[1]) % 2 == 1]
    for n in range(len(cells)):
        r, c = cells[n]
        if pattern == "snake" and r % 2 == 1:
            c = base_width - 1 - c
        index[r][c] = n
    turned = dihedral(index, k)
    if len(turned) != height or len(turned[0]) != width:
        return None
    order = [None] * (height * width)
    for r in range(height):
        for c in range(width):
            order[turned[r][c]] = (r, c)
    return order


def paint_colour(grid, background, colour, paint):
    """The colour to draw with: `paint` itself, or (-1) the counted colour, or (-2) the grid's
    commonest non-background colour."""
    if paint >= 0:
        return paint
    if paint == -1:
        return colour if colour >= 0 else None
    counts = colour_counts(grid)
    colours = sorted([c for c in counts if c != background])
    if not colours:
        return None
    return max(colours, key=lambda c: counts[c])


def count_fill(grid, background, what, colour, paint, blank, height, width, pattern, k):
    """A height x width grid of `blank` whose first n cells (in the fill order) are painted, n the
    count of `what` of `colour`; None when n does not fit."""
    n = count_of(grid, background, what, colour)
    order = fill_order(height, width, pattern, k)
    ink = paint_colour(grid, background, colour, paint)
    if order is None or ink is None or n > len(order):
        return None
    out = blank_grid(height, width, blank)
    for r, c in order[:n]:
        out[r][c] = ink
    return out


def count_at_positions(grid, background, what, colour, paint, blank, height, width, positions):
    """Like `count_fill`, along an order of cells learned from the pairs (`positions`)."""
    n = count_of(grid, background, what, colour)
    ink = paint_colour(grid, background, colour, paint)
    if ink is None or n > len(positions):
        return None
    out = blank_grid(height, width, blank)
    for r, c in positions[:n]:
        out[r][c] = ink
    return out


def count_line(grid, background, what, colour, paint, shape):
    """n cells of the painting colour, n the count, as a "row", a "column", a "square" (n x n) or
    the "diagonal" of an n x n grid of background; None for no count or one beyond 30."""
    n = count_of(grid, background, what, colour)
    ink = paint_colour(grid, background, colour, paint)
    if ink is None or n < 1 or n > 30:
        return None
    if shape == "column":
        return [[ink] for _ in range(n)]
    if shape == "square":
        return blank_grid(n, n, ink)
    if shape == "diagonal":
        out = blank_grid(n, n, background)
        for i in range(n):
            out[i][i] = ink
        return out
    return [[ink] * n]


def resize_by_count(grid, background, what, colour, tiled):
    """The grid scaled up (or, `tiled`, repeated n x n times) by n, the count; None for n < 1 or a
    result beyond 30x30."""
    n = count_of(grid, background, what, colour)
    if n < 1 or len(grid) * n > 30 or len(grid[0]) * n > 30:
        return None
    if tiled:
        return [list(row) * n for _ in range(n) for row in grid]
    return scale_up(grid, n)


def main_colour(cells):
    """An object's commonest colour (the smallest on a tie)."""
    counts = {}
    for _, _, colour in cells:
        counts[colour] = counts.get(colour, 0) + 1
    return max(sorted(counts), key=lambda c: counts[c])


def ordered_objects(grid, background, what, key):
    """The objects in order: "reading" (top row, then left), "column" (left, then top), "size_desc"
    or "size_asc" (cells; ties in reading order)."""
    objects = measure_objects(grid, background, what)
    if key == "column":
        return sorted(objects, key=lambda cells: (cells_box(cells)[1], cells_box(cells)[0]))
    if key == "size_desc":
        return sorted(objects, key=lambda cells: -len(cells))
    if key == "size_asc":
        return sorted(objects, key=lambda cells: len(cells))
    return sorted(objects, key=lambda cells: (cells_box(cells)[0], cells_box(cells)[1]))


def ordered_colours(grid, background, what, key):
    """The colours of the objects in order (see `ordered_objects`); with `what` "colours", the
    distinct colours instead, by first cell ("reading", "column") or by cell count ("size_desc",
    "size_asc")."""
    if what != "colours":
        return [main_colour(cells) for cells in ordered_objects(grid, background, what, key)]
    counts = colour_counts(grid)
    firsts = {}
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            value = grid[r][c]
            if value != background:
                place = (c, r) if key == "column" else (r, c)
                if value not in firsts or place < firsts[value]:
                    firsts[value] = place
    colours = sorted(firsts, key=lambda colour: firsts[colour])
    if key == "size_desc":
        return sorted(colours, key=lambda colour: -counts[colour])
    if key == "size_asc":
        return sorted(colours, key=lambda colour: counts[colour])
    return colours


def sequence_fill(grid, background, what, key, blank, height, width, pattern, k):
    """The ordered colours (see `ordered_colours`) written cell by cell along the fill order of a
    height x width grid of `blank`; None when they do not fit."""
    colours = ordered_colours(grid, background, what, key)
    order = fill_order(height, width, pattern, k)
    if order is None or not colours or len(colours) > len(order):
        return None
    out = blank_grid(height, width, blank)
    for i in range(len(colours)):
        r, c = order[i]
        out[r][c] = colours[i]
    return out


def sequence_line(grid, background, what, key, vertical, skip):
    """The ordered colours as one row (or column), less the first `skip` of them."""
    colours = ordered_colours(grid, background, what, key)[skip:]
    if not colours or len(colours) > 30:
        return None
    if vertical:
        return [[colour] for colour in colours]
    return [colours]


def colour_by_objects(grid, background, what, most, height, width):
    """A height x width grid of the colour that the most (or, with `most` False, the fewest)
    objects have; None on a tie."""
    tally = {}
    for cells in measure_objects(grid, background, what):
        colour = main_colour(cells)
        tally[colour] = tally.get(colour, 0) + 1
    if not tally:
        return None
    scores = [(tally[c] if most else -tally[c], c) for c in tally]
    best = max(scores)
    if [s for s, _ in scores].count(best[0]) != 1:
        return None
    return blank_grid(height, width, best[1])


def colour_bars(grid, background, what, key, k, height, width):
    """A bar per colour (see `ordered_colours`) as long as its count (of cells, or with `what` an
    object kind, of objects of that colour), one row each from the left in order, on background,
    then turned by `k` (see `geometry.dihedral`: 3 stands them as columns on the bottom, in order
    from the left). The bars'
    grid is as tight as they are, or `height` x `width` (after the turn) when those are not 0; None
    when the bars do not fit."""
    colours = ordered_colours(grid, background, "colours" if what == "cells" else what, key)
    colours = list(dict.fromkeys(colours))
    if what == "cells":
        counts = colour_counts(grid)
        lengths = [counts[c] for c in colours]
    else:
        objects = measure_objects(grid, background, what)
        lengths = [len([cells for cells in objects if main_colour(cells) == c]) for c in colours]
    if not colours:
        return None
    rows, cols = len(colours), max(lengths)
    if height > 0:
        rows, cols = (width, height) if k in (1, 3, 6, 7) else (height, width)
    if len(colours) > rows or max(lengths) > cols or rows > 30 or cols > 30:
        return None
    out = blank_grid(rows, cols, background)
    for i in range(len(colours)):
        for j in range(lengths[i]):
            out[i][j] = colours[i]
    return dihedral(out, k)


def objects_side_by_side(grid, background, what, key, vertical, gap):
    """The objects (each its bounding box, only its own cells) in order (see `ordered_objects`),
    laid left to right (or top to bottom), `gap` background lines apart, aligned at the top (or
    left); None when there are none or they would not fit in 30x30."""
    objects = ordered_objects(grid, background, what, key)
    if not objects:
        return None
    boxes = [cells_box(cells) for cells in objects]
    sizes = [(bottom - top + 1, right - left + 1) for top, left, bottom, right in boxes]
    if vertical:
        height = sum([h for h, _ in sizes]) + gap * (len(objects) - 1)
        width = max([w for _, w in sizes])
    else:
        height = max([h for h, _ in sizes])
        width = sum([w for _, w in sizes]) + gap * (len(objects) - 1)
    if height > 30 or width > 30:
        return None
    out = blank_grid(height, width, background)
    offset = 0
    for i in range(len(objects)):
        top, left = boxes[i][0], boxes[i][1]
        for r, c, colour in objects[i]:
            if vertical:
                out[offset + r - top][c - left] = colour
            else:
                out[r - top][offset + c - left] = colour
        offset += (sizes[i][0] if vertical else sizes[i][1]) + gap
    return out


def odd_object_key(grid, cells, prop):
    """The property an odd object out differs in: its size, its colours, its shape with its
    colours, its bounding box's size."""
    if prop == "size":
        return len(cells)
    if prop == "colour_count":
        return len(object_colours(cells))
    if prop == "pattern":
        return object_shape(cells)
    top, left, bottom, right = cells_box(cells)
    return (bottom - top + 1, right - left + 1)


def odd_one(grid, objects, prop):
    """Of three or more objects, the one whose `prop` no other has while the others share theirs."""
    if len(objects) < 3:
        return None
    keys = [odd_object_key(grid, cells, prop) for cells in objects]
    singles = [i for i in range(len(objects)) if keys.count(keys[i]) == 1]
    if len(singles) != 1 or len({str(key) for key in keys}) != 2:
        return None
    return objects[singles[0]]


def odd_object(grid, background, what, prop, mode):
    """The one object (of three or more) whose `prop` no other object has, the others all alike in
    it: cropped to its bounding box (`mode` "crop"), kept alone ("keep") or erased ("remove");
    None when there is no such single object."""
    chosen = odd_one(grid, measure_objects(grid, background, what), prop)
    if chosen is None:
        return None
    if mode == "crop":
        top, left, bottom, right = cells_box(chosen)
        return [row[left : right + 1] for row in grid[top : bottom + 1]]
    if mode == "keep":
        out = blank_grid(len(grid), len(grid[0]), background)
        for r, c, colour in chosen:
            out[r][c] = colour
        return out
    out = [list(row) for row in grid]
    for r, c, _ in chosen:
        out[r][c] = background
    return out


def picture_key(grid, background, what, colour):
    """What picks the output picture: the commonest non-background colour (`what` "commonest")
    or a count (see `count_of`)."""
    if what == "commonest":
        return paint_colour(grid, background, -1, -2)
    return count_of(grid, background, what, colour)


def picture_by_key(grid, background, what, colour, table):
    """The picture `table` holds for the grid's key (see `picture_key`); None for a key no pair showed."""
    key = picture_key(grid, background, what, colour)
    if key not in table:
        return None
    return [list(row) for row in table[key]]
