"""Continuing a repeating pattern beyond the grid (rather than tiling it), and the search finding
that rule from pairs whose period does not divide the width."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.patterns import extend_periodic, line_period
from synth_lsp.offline.steps import Step


def test_the_period_of_a_line():
    assert line_period([2, 3, 3, 2, 3, 3, 2]) == 3
    assert line_period([1, 1, 1]) == 1
    assert line_period([1, 2, 3]) == 3
    assert line_period([[1], [2], [1], [2]]) == 2  # whole rows repeat too


def test_a_pattern_goes_on_where_tiling_would_restart_it():
    grid = [[0, 0, 0, 0, 0, 0, 0], [2, 3, 3, 2, 3, 3, 2], [0, 0, 0, 0, 0, 0, 0]]
    wider = extend_periodic(grid, 1, 2)
    assert wider[1] == [2, 3, 3] * 4 + [2, 3]
    assert wider[0] == [0] * 14 and len(wider) == 3
    taller = extend_periodic([[1, 2], [3, 4], [1, 2]], 2, 1)
    assert taller == [[1, 2], [3, 4]] * 3
    assert grid[1] == [2, 3, 3, 2, 3, 3, 2]  # the input is left alone


def test_a_grid_that_repeats_nowhere_has_no_pattern_to_continue():
    assert extend_periodic([[1, 2], [3, 4]], 2, 2) is None
    assert (
        extend_periodic([[5]], 1, 3) is None
    )  # one cell: plain tiling makes the same guess


def test_the_sandbox_continues_it_the_same_way(sandbox):
    steps = [
        Step("extend_periodic", (d, a), "extend") for d, a in ((1, 2), (2, 1), (3, 3))
    ]
    grids = [
        [[0, 0, 0, 0, 0, 0, 0], [2, 3, 3, 2, 3, 3, 2]],
        [[1, 2], [3, 4]],
        [[7]],
        [[1, 2], [3, 4], [1, 2]],
    ]
    same_in_sandbox(sandbox, steps, grids)


def test_the_search_continues_a_pattern_to_twice_the_width(sandbox):
    train = [
        (
            [[0, 0, 0, 0, 0], [1, 4, 4, 1, 4], [0, 0, 0, 0, 0]],
            [[0] * 10, [1, 4, 4] * 3 + [1], [0] * 10],
        ),
        (
            [[6, 6, 8, 6, 6, 8, 6], [0, 0, 0, 0, 0, 0, 0]],
            [[6, 6, 8] * 4 + [6, 6], [0] * 14],
        ),
        ([[0, 0, 0, 0], [3, 5, 3, 5], [3, 5, 3, 5]], [[0] * 8, [3, 5] * 4, [3, 5] * 4]),
    ]
    test_in = [[0, 0, 0, 0, 0, 0, 0, 0], [2, 2, 7, 2, 2, 7, 2, 2]]
    test_out = [[0] * 16, [2, 2, 7] * 5 + [2]]
    best = search_finds(sandbox, train, test_in, test_out)
    assert "repeating pattern" in best.description
