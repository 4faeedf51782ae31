"""Grids read as panels of equal size: cut at separator lines, into a fixed number or size of equal
blocks, or into a strip of squares. Panels combined cell by cell (a truth table over which panels
are filled there, a priority order), one panel picked, each panel summarised to one cell, panels
painted by their position or copied into each other, a key picture stamped on markers, a cell
expanded into a block.

A layout is (mode, a, b): "lines" (separator lines, see `parts.separator_lines`), "count" (a x b
equal blocks), "size" (blocks of a x b cells), "strip" (squares of the grid's shorter side),
"corners" (the a x b blocks in the grid's corners, which may overlap);
"cells" is "lines" with panels of any sizes (only where no cell-by-cell match is needed).
"""

from synth_lsp.offline.primitives.grids import cells_box, colour_cells, colour_counts, copy_grid, most_common_colour
from synth_lsp.offline.primitives.geometry import crop, dihedral, flip_left_right, flip_up_down, transpose
from synth_lsp.offline.primitives.parts import separator_lines, spans_between


def panel_boxes(grid, mode, a, b):
    """[boxes (top, left, bottom, right) in reading order, panel rows, panel columns] of the layout,
    or None unless it cuts the grid into at least two panels of one size (any sizes for "cells")."""
    height, width = len(grid), len(grid[0])
    if mode == "corners":
        # the four a x b blocks in the corners, overlapping when they are more than half the grid
        if a > height or b > width or (a == height and b == width):
            return None
        tops = [0] if a == height else [0, height - a]
        lefts = [0] if b == width else [0, width - b]
        boxes = [(top, left, top + a - 1, left + b - 1) for top in tops for left in lefts]
        return [boxes, len(tops), len(lefts)]
    if mode == "lines" or mode == "cells":
        lines = separator_lines(grid)
        if lines is None:
            return None
        row_spans = spans_between(lines[1], height)
        col_spans = spans_between(lines[2], width)
    else:
        if mode == "count":
            down, across = a, b
        elif mode == "size":
            if a < 1 or b < 1 or height % a or width % b:
                return None
            down, across = height // a, width // b
        else:
            side = min(height, width)
            if max(height, width) % side:
                return None
            down, across = height // side, width // side
        if down < 1 or across < 1 or height % down or width % across:
            return None
        h, w = height // down, width // across
        row_spans = [(i * h, i * h + h - 1) for i in range(down)]
        col_spans = [(j * w, j * w + w - 1) for j in range(across)]
    if len(row_spans) * len(col_spans) < 2:
        return None
    boxes = []
    for top, bottom in row_spans:
        for left, right in col_spans:
            boxes.append((top, left, bottom, right))
    sizes = set([(box[2] - box[0], box[3] - box[1]) for box in boxes])
    if len(sizes) != 1 and mode != "cells":
        return None
    return [boxes, len(row_spans), len(col_spans)]


def panel_list(grid, mode, a, b):
    """The panels of the layout in reading order, or None."""
    cut = panel_boxes(grid, mode, a, b)
    if cut is None:
        return None
    return [crop(grid, box[0], box[1], box[2], box[3]) for box in cut[0]]


def panel_case(panels, r, c, background):
    """Which panels are filled at (r, c), as a number: bit i for panel i."""
    case = 0
    for i in range(len(panels)):
        if panels[i][r][c] != background:
            case += 1 << i
    return case


def panel_logic(grid, mode, a, b, table, background):
    """Panels combined cell by cell: the cell takes `table[case]`, the case being which panels are
    filled there (see `panel_case`); None when a case has no entry (-1) or the panel count differs."""
    panels = panel_list(grid, mode, a, b)
    if panels is None or len(table) != 1 << len(panels):
        return None
    out = []
    for r in range(len(panels[0])):
        row = []
        for c in range(len(panels[0][0])):
            value = table[panel_case(panels, r, c, background)]
            if value < 0:
                return None
            row.append(value)
        out.append(row)
    return out


def panel_overlay(grid, mode, a, b, order, by_colour, background):
    """Panels stacked: each cell takes the filled value that comes first in `order`, a list of
    colours (`by_colour`, unlisted colours last) or of panel indices; background where none is filled."""
    panels = panel_list(grid, mode, a, b)
    if panels is None:
        return None
    if not by_colour:
        if sorted(order) != list(range(len(panels))):
            return None
        panels = [panels[i] for i in order]
    out = []
    for r in range(len(panels[0])):
        row = []
        for c in range(len(panels[0][0])):
            best, rank = background, None
            for panel in panels:
                value = panel[r][c]
                if value == background:
                    continue
                here = (order.index(value) if value in order else len(order)) if by_colour else 0
                if rank is None or here < rank:
                    best, rank = value, here
            row.append(best)
        out.append(row)
    return out


def panel_score(panel, criterion, background):
    """A panel's value under a criterion of `pick_panel` (larger is picked)."""
    counts = colour_counts(panel)
    filled = sum([n for colour, n in counts.items() if colour != background])
    if criterion == "most_cells":
        return filled
    if criterion == "fewest_cells":
        return -filled
    if criterion == "most_colours":
        return len([colour for colour in counts if colour != background])
    if criterion == "fewest_colours":
        return -len([colour for colour in counts if colour != background])
    mirrors = 0
    if panel == flip_left_right(panel):
        mirrors += 1
    if panel == flip_up_down(panel):
        mirrors += 1
    if len(panel) == len(panel[0]) and panel == transpose(panel):
        mirrors += 1
    return mirrors if criterion == "most_symmetric" else -mirrors


def panel_key(panel, criterion, background):
    """What two panels must share to count as alike for the odd-one-out criteria of `pick_panel`."""
    if criterion == "odd_colours":
        return str(sorted(set([v for row in panel for v in row if v != background])))
    if criterion == "odd_shape":
        return str([[v != background for v in row] for row in panel])
    if criterion == "odd_count":
        return str(len([v for row in panel for v in row if v != background]))
    return str(panel)


def pick_panel(grid, mode, a, b, criterion, background):
    """One panel: the odd one out ("odd_panel", "odd_colours", "odd_shape", "odd_count": the one
    whose picture, colours, filled cells or count of them no other panel shares), or the one
    panel with the highest score (see `panel_score`)."""
    panels = panel_list(grid, mode, a, b)
    if panels is None:
        return None
    if criterion.startswith("odd_"):
        keys = [panel_key(p, criterion, background) for p in panels]
        singles = [i for i in range(len(panels)) if keys.count(keys[i]) == 1]
        if len(singles) != 1 or len(panels) < 3:
            return None
        return copy_grid(panels[singles[0]])
    scores = [panel_score(p, criterion, background) for p in panels]
    best = max(scores)
    if scores.count(best) != 1:
        return None
    return copy_grid(panels[scores.index(best)])


def panel_value(panel, how, background):
    """One number for a panel: its commonest colour ("commonest"), its commonest filled colour
    ("filled", background when empty), 1 if any cell is filled ("any"), its count of filled cells."""
    counts = colour_counts(panel)
    if how == "commonest":
        return max(sorted(counts), key=lambda c: counts[c])
    filled = sorted([c for c in counts if c != background])
    if how == "filled":
        return max(filled, key=lambda c: counts[c]) if filled else background
    if how == "any":
        return 1 if filled else 0
    return sum([counts[c] for c in filled])


def summarise_panels(grid, mode, a, b, how, mapping, background):
    """One cell per panel, laid out as the panels are: the panel's value (see `panel_value`),
    renamed through `mapping` (value -> colour, a value not in it kept)."""
    cut = panel_boxes(grid, mode, a, b)
    if cut is None:
        return None
    boxes, rows, cols = cut
    out = []
    for i in range(rows):
        row = []
        for j in range(cols):
            box = boxes[i * cols + j]
            value = panel_value(crop(grid, box[0], box[1], box[2], box[3]), how, background)
            row.append(mapping.get(value, value))
        out.append(row)
    return out


def paint_panels(grid, mode, a, b, count, colours, background):
    """The background cells of panel i (in reading order) painted with `colours[i]`, panels not
    listed left as they are; None unless the layout has `count` panels."""
    cut = panel_boxes(grid, mode, a, b)
    if cut is None or len(cut[0]) != count:
        return None
    out = copy_grid(grid)
    for i in range(count):
        if i not in colours:
            continue
        box = cut[0][i]
        for r in range(box[0], box[2] + 1):
            for c in range(box[1], box[3] + 1):
                if out[r][c] == background:
                    out[r][c] = colours[i]
    return out


def broadcast_panel(grid, mode, a, b, transforms, background):
    """The panel with the most filled cells (the only one with that many) copied into the others:
    panel i becomes the source under the dihedral transform `transforms[i]` (-1: kept as is)."""
    cut = panel_boxes(grid, mode, a, b)
    if cut is None or len(cut[0]) != len(transforms):
        return None
    panels = [crop(grid, box[0], box[1], box[2], box[3]) for box in cut[0]]
    scores = [panel_score(p, "most_cells", background) for p in panels]
    if scores.count(max(scores)) != 1:
        return None
    source = panels[scores.index(max(scores))]
    out = copy_grid(grid)
    for box, k in zip(cut[0], transforms):
        if k < 0:
            continue
        piece = dihedral(source, k)
        if len(piece) != box[2] - box[0] + 1 or len(piece[0]) != box[3] - box[1] + 1:
            return None
        for r in range(len(piece)):
            for c in range(len(piece[0])):
                out[box[0] + r][box[1] + c] = piece[r][c]
    return out


def stamp_key_on_markers(grid, marker, background):
    """The key picture (the box of every cell neither background, `marker` nor on a separator
    line; odd sides) stamped centred on each cell of the marker colour outside it."""
    lines = separator_lines(grid)
    sep_rows, sep_cols = (lines[1], lines[2]) if lines is not None else ([], [])
    cells = []
    for r in range(len(grid)):
        for c in range(len(grid[0])):
            if grid[r][c] != background and grid[r][c] != marker and r not in sep_rows and c not in sep_cols:
                cells.append((r, c))
    if not cells:
        return None
    top, left, bottom, right = cells_box(cells)
    if (bottom - top) % 2 or (right - left) % 2:
        return None
    key = crop(grid, top, left, bottom, right)
    half_h, half_w = (bottom - top) // 2, (right - left) // 2
    out = copy_grid(grid)
    stamped = 0
    for r, c in colour_cells(grid, marker):
        if top <= r <= bottom and left <= c <= right:
            continue
        stamped += 1
        for i in range(len(key)):
            for j in range(len(key[0])):
                y, x = r - half_h + i, c - half_w + j
                if 0 <= y < len(grid) and 0 <= x < len(grid[0]):
                    out[y][x] = key[i][j]
    return out if stamped else None


def expand_cells(grid, kinds, by_commonest, background):
    """Each cell becomes a block of the grid's size: by the cell's colour (or, `by_commonest`, by
    whether it is the grid's commonest colour: key 1, else 0), `kinds` says 0 (blank, the
    background), 1 (a copy of the grid), 2 (the grid in the cell's colour where it is filled),
    3 (a solid block of the cell's colour); None for a key it does not list."""
    height, width = len(grid), len(grid[0])
    if height * height > 30 or width * width > 30:
        return None
    commonest = most_common_colour(grid)
    out = [[background] * (width * width) for _ in range(height * height)]
    for r in range(height):
        for c in range(width):
            key = grid[r][c]
            if by_commonest:
                key = 1 if grid[r][c] == commonest else 0
            kind = kinds.get(key, -1)
            if kind < 0:
                return None
            for i in range(height):
                for j in range(width):
                    if kind == 1:
                        value = grid[i][j]
                    elif kind == 2:
                        value = grid[r][c] if grid[i][j] != background else background
                    elif kind == 3:
                        value = grid[r][c]
                    else:
                        value = background
                    out[r * height + i][c * width + j] = value
    return out
