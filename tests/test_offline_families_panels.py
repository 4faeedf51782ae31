"""Grids split into panels: folding one panel over the other (mirrored), and picking the odd panel
out by its colours or its shape."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.parts import fold_parts, parts_counts, pick_part
from synth_lsp.offline.steps import Step

# two 3x3 panels either side of a grey divider
SIDE_BY_SIDE = [
    [1, 0, 0, 5, 0, 0, 0],
    [1, 1, 0, 5, 0, 2, 2],
    [0, 0, 0, 5, 0, 0, 0],
]


def test_folding_mirrors_the_second_panel_over_the_first():
    assert fold_parts(SIDE_BY_SIDE, 0) == [[1, 0, 0], [2, 2, 0], [0, 0, 0]]
    stacked = [
        [3, 0],
        [0, 0],
        [0, 0],
        [0, 4],
    ]  # no divider, taller than wide: top and bottom halves
    assert fold_parts(stacked, 0) == [[3, 4], [0, 0]]
    assert SIDE_BY_SIDE[1] == [1, 1, 0, 5, 0, 2, 2]  # the input is left alone


def test_a_grid_that_cannot_be_halved_is_not_folded():
    assert fold_parts([[1]], 0) is None
    assert fold_parts([[1, 2, 3], [4, 5, 6], [7, 8, 9]], 0) is None


PANELS = [
    [1, 1, 5, 2, 2, 5, 1, 0],
    [1, 0, 5, 2, 0, 5, 1, 1],
]


def test_the_odd_panel_out_by_colours_or_by_shape():
    # colours: the 2-panel is the only one not in 1; shape: the last one's filled cells differ
    assert pick_part(PANELS, "odd_colours", 0) == [[2, 2], [2, 0]]
    assert pick_part(PANELS, "odd_shape", 0) == [[1, 0], [1, 1]]
    assert (
        pick_part(PANELS, "odd_one_out", 0) is None
    )  # all three differ cell by cell: no single odd one
    alike = [[1, 5, 1, 5, 2]]
    assert pick_part(alike, "odd_colours", 0) == [[2]]
    assert (
        pick_part([[1, 5, 2]], "odd_shape", 0) is None
    )  # two panels: neither is the odd one


def test_the_sandbox_folds_and_picks_the_same_way(sandbox):
    steps = [Step("fold_parts", (0,), "fold"), Step("parts_counts", (0,), "counts")] + [
        Step("pick_part", (c, 0), c) for c in ("odd_colours", "odd_shape")
    ]
    same_in_sandbox(
        sandbox, steps, [SIDE_BY_SIDE, PANELS, [[1]], [[3, 0], [0, 0], [0, 0], [0, 4]]]
    )


def test_the_search_folds_panels_from_three_pairs(sandbox):
    train = [
        ([[1, 0, 5, 0, 0], [0, 0, 5, 0, 1]], [[1, 0], [1, 0]]),
        ([[0, 3, 5, 0, 3], [0, 0, 5, 0, 0]], [[3, 3], [0, 0]]),
        ([[0, 0, 5, 0, 0], [2, 0, 5, 2, 0]], [[0, 0], [2, 2]]),
    ]
    test_in = [[0, 0, 5, 4, 0], [7, 0, 5, 0, 0], [0, 0, 5, 0, 0]]
    test_out = [[0, 4], [7, 0], [0, 0]]
    best = search_finds(sandbox, train, test_in, test_out)
    assert "fold" in best.description


GRID_OF_PANELS = [
    [3, 0, 8, 0, 0],
    [3, 0, 8, 3, 0],
    [8, 8, 8, 8, 8],
    [0, 0, 8, 3, 3],
    [0, 0, 8, 3, 3],
]


def test_each_panel_becomes_the_count_of_its_filled_cells():
    assert parts_counts(GRID_OF_PANELS, 0) == [[2, 1], [0, 4]]
    assert parts_counts([[1, 2], [3, 4]], 0) is None  # no separator lines
    crowded = [
        [3] * 5 + [8] + [0] for _ in range(2)
    ]  # 10 cells in one panel: more than a colour can say
    assert parts_counts(crowded, 0) is None


def test_the_search_marks_the_panels_holding_two_cells(sandbox):
    def grid(a, b, c, d):
        """2x2 panels of 3x3 cells between lines of 8."""
        panels = [a, b, c, d]
        rows = []
        for top in (0, 2):
            for r in range(3):
                rows.append(panels[top][r] + [8] + panels[top + 1][r])
            if top == 0:
                rows.append([8] * 7)
        return rows

    one = [[6, 0, 0], [0, 0, 0], [0, 0, 0]]
    two = [[0, 0, 0], [6, 0, 0], [0, 0, 6]]
    three = [[0, 6, 0], [6, 0, 0], [0, 6, 0]]
    train = [
        (grid(one, two, three, one), [[0, 1], [0, 0]]),
        (grid(two, two, one, three), [[1, 1], [0, 0]]),
        (grid(three, one, two, one), [[0, 0], [1, 0]]),
    ]
    test_in = grid(one, three, one, two)
    best = search_finds(sandbox, train, test_in, [[0, 0], [0, 1]])
    assert "count" in best.description
