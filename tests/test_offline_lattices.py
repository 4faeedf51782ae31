"""A repeating pattern under a sheared lattice (diagonal stripes, staggered rows) repainted where a
mask hides it, on the host and in the sandbox; and the search finding that rule."""

from __future__ import annotations

import random

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.patterns import fill_pattern, lattice_agrees, pattern_lattices
from synth_lsp.offline.steps import Step


def _stripes(height: int, width: int, colours: list[int], slope: int = 1) -> list[list[int]]:
    return [[colours[(c + slope * r) % len(colours)] for c in range(width)] for r in range(height)]


def _masked(grid: list[list[int]], cells, colour: int = 0) -> list[list[int]]:
    out = [row[:] for row in grid]
    for r, c in cells:
        out[r][c] = colour
    return out


def test_diagonal_stripes_seen_in_one_corner_fill_the_grid():
    full = _stripes(7, 7, [2, 8, 3])
    # only the top-left corner is known: no row or column shows a whole period
    corner = [[full[r][c] if r + c < 3 else 0 for c in range(7)] for r in range(7)]
    assert fill_pattern(corner, 0) == full


def test_staggered_rows_and_a_mask_of_any_colour():
    full = _stripes(6, 8, [1, 4, 4, 6], slope=2)  # each row the one above shifted by two
    holed = _masked(full, [(2, 3), (2, 4), (3, 3), (3, 4), (5, 7)], colour=9)
    assert fill_pattern(holed, 9) == full


def test_a_plain_tiling_comes_before_a_sheared_one_of_as_many_classes():
    grid = [[1, 2, 1, 2], [3, 4, 3, 4], [1, 2, 0, 2], [3, 4, 3, 4]]
    assert pattern_lattices(grid, 0)[0] == (1, 1, 0)
    assert fill_pattern(grid, 0)[2][2] == 1
    agrees: dict = {}
    assert lattice_agrees(grid, 0, 2, 2, 0, agrees)
    assert not lattice_agrees(grid, 0, 1, 2, 1, agrees)


def test_no_pattern_no_fill():
    rng = random.Random(3)
    noise = [[rng.randint(1, 8) for _ in range(30)] for _ in range(30)]
    noise[10][10] = 0
    assert fill_pattern(noise, 0) is None
    assert fill_pattern([[0]], 0) is None  # one hole and nothing known
    assert fill_pattern([[5]], 0) is None  # nothing hidden
    assert fill_pattern([[0] * 30 for _ in range(30)], 0) is None


def test_a_30x30_stripe_pattern_with_a_large_hole():
    full = _stripes(30, 30, [1, 2, 3, 4, 5], slope=3)
    holed = _masked(full, [(r, c) for r in range(8, 20) for c in range(5, 25)])
    assert fill_pattern(holed, 0) == full


def test_the_sandbox_agrees(sandbox):
    grids = [
        [[full if r + c < 3 else 0 for c, full in enumerate(row)] for r, row in enumerate(_stripes(7, 7, [2, 8, 3]))],
        _masked(_stripes(6, 8, [1, 4, 4, 6], slope=2), [(2, 3), (3, 4)]),
        [[0]],
        [[1, 0], [0, 1]],
    ]
    same_in_sandbox(sandbox, [Step("fill_pattern", (0,), "fill")], grids)


def test_the_search_finds_stripes_from_a_few_cells(sandbox):
    def pair(colours, cells):
        full = _stripes(7, 7, colours)
        return _masked(full, [(r, c) for r in range(7) for c in range(7) if (r, c) not in cells]), full

    train = [
        pair([2, 8, 3], {(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (2, 0)}),
        pair([1, 2, 4], {(6, 6), (6, 5), (5, 6), (4, 6), (6, 4), (5, 5), (3, 6)}),
        pair([4, 8, 3], {(3, 3), (3, 4), (3, 5), (4, 3), (4, 4), (2, 4)}),
    ]
    test_in, test_out = pair([6, 1, 5], {(0, 6), (0, 5), (0, 4), (1, 5), (1, 4), (2, 4)})
    best = search_finds(sandbox, train, test_in, test_out)
    assert "repeating pattern" in best.description


def test_a_run_on_a_row_and_a_column_goes_on_to_the_borders():
    from synth_lsp.offline.primitives.patterns import continue_line_runs, continue_run

    assert continue_run([0, 0, 8, 3, 2, 0, 0, 0], 0) == [3, 2, 8, 3, 2, 8, 3, 2]
    assert continue_run([0, 5, 0, 0], 0) is None  # a single cell has no period to go on with
    assert continue_run([1, 2, 0, 3, 4], 0) is None  # two runs
    grid = [[0] * 7 for _ in range(7)]
    grid[3][1:4] = [8, 3, 2]
    grid[1][2], grid[2][2] = 4, 6  # the column through the cross: 4, 6, 3
    out = continue_line_runs(grid, 0)
    assert out[3] == [2, 8, 3, 2, 8, 3, 2]
    assert [row[2] for row in out] == [3, 4, 6, 3, 4, 6, 3]
    assert continue_line_runs([[0]], 0) is None and continue_line_runs([[0] * 30 for _ in range(30)], 0) is None
    full = [[1] * 30 for _ in range(30)]
    assert continue_line_runs(full, 0) == full


def test_the_sandbox_continues_runs_the_same_way(sandbox):
    grid = [[0] * 7 for _ in range(7)]
    grid[3][1:4] = [8, 3, 2]
    same_in_sandbox(sandbox, [Step("continue_line_runs", (0,), "runs")], [grid, [[0]], [[1, 2]]])
