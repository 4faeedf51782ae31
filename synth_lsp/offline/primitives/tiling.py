"""Tiles: the grid repeated, tiled into itself or laid out as a mosaic of transformed copies; the
repeating unit of a grid; runs of repeated rows and columns collapsed.
"""

from synth_lsp.offline.primitives.grids import blank_grid, copy_grid
from synth_lsp.offline.primitives.geometry import crop, dihedral, transpose


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
