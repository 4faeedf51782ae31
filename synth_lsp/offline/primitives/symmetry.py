"""Mirror symmetry: whether the grid has it, and the picture completed from its mirror images,
including cells hidden under a patch of one colour.
"""

from synth_lsp.offline.primitives.grids import cells_box, colour_cells, copy_grid
from synth_lsp.offline.primitives.geometry import crop, crop_to_colour, dihedral, flip_left_right, flip_up_down


def symmetry_flag(grid, kind):
    """[[1]] when the grid equals its mirror image ("left_right", "up_down"), else [[0]]."""
    image = flip_left_right(grid) if kind == "left_right" else flip_up_down(grid)
    return [[1 if image == grid else 0]]


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
