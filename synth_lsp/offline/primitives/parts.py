"""Grids cut into parts at their separator lines (or into halves): splitting, logic between two
halves, parts overlaid or copied into each other, one part picked, one cell per part.
"""

from synth_lsp.offline.primitives.grids import colour_counts, copy_grid, most_common_colour
from synth_lsp.offline.primitives.geometry import crop, half


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
    "odd_colours" / "odd_shape" (the one part whose set of colours, or whose filled cells, no other
    part shares), "most_cells" / "fewest_cells" (of non-background), "most_colours"."""
    parts = split_parts(grid)
    if parts is None or len(parts) < 2:
        return None
    if criterion in ("odd_one_out", "odd_colours", "odd_shape"):
        keys = [part_key(p, criterion, background) for p in parts]
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


def fold_parts(grid, background):
    """Fold the grid along its middle (the separator line, or between the halves): the second part,
    mirrored onto the first, paints over it where it is not background."""
    parts = two_parts(grid)
    if parts is None:
        return None
    first, second = parts
    side_by_side = len(first) == len(grid)
    if side_by_side:
        mirrored = [row[::-1] for row in second]
    else:
        mirrored = [list(row) for row in second[::-1]]
    out = copy_grid(first)
    for r in range(len(first)):
        for c in range(len(first[0])):
            if mirrored[r][c] != background:
                out[r][c] = mirrored[r][c]
    return out


def part_key(part, criterion, background):
    """What two parts must share to count as alike for `pick_part`."""
    if criterion == "odd_colours":
        return str(sorted({v for row in part for v in row if v != background}))
    if criterion == "odd_shape":
        return str([[v != background for v in row] for row in part])
    return str(part)


def parts_counts(grid, background):
    """One cell per part between separator lines, laid out as the parts are, holding the number
    of the part's non-background cells (0-9; a colour map can then name the counts that matter).
    None when a part holds more than 9 or there are no separator lines."""
    lines = separator_lines(grid)
    if lines is None:
        return None
    _, sep_rows, sep_cols = lines
    out = []
    for top, bottom in spans_between(sep_rows, len(grid)):
        row = []
        for left, right in spans_between(sep_cols, len(grid[0])):
            filled = 0
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    if grid[r][c] != background:
                        filled += 1
            if filled > 9:
                return None
            row.append(filled)
        out.append(row)
    return out
