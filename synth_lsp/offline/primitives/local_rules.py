"""Local rules: each cell's new colour looked up, in a table learned from the train pairs (see
`synth_lsp.offline.learned`), from what surrounds it.
"""

from synth_lsp.offline.primitives.grids import colour_at


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
