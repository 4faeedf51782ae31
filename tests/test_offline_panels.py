"""Grids read as panels: the layouts, panels combined by a learned truth table or priority, a panel
picked, panels summarised to one cell, painted by position or copied into each other, a cell
expanded into a block; the learners that find their parameters; the same grids in the sandbox."""

from __future__ import annotations

import random

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.cross_validation import leave_one_out
from synth_lsp.offline.panel_learners import (
    PANEL_LEARNERS,
    learn_cell_blocks,
    learn_key_stamps,
    learn_panel_broadcast,
    learn_panel_logic,
    learn_panel_overlay,
    learn_panel_paint,
    learn_panel_pick,
    learn_panel_summary,
)
from synth_lsp.offline.primitives.panels import (
    broadcast_panel,
    expand_cells,
    paint_panels,
    panel_boxes,
    panel_list,
    panel_logic,
    panel_overlay,
    pick_panel,
    stamp_key_on_markers,
    summarise_panels,
)
from synth_lsp.offline.steps import Step


def _crowded(seed: int, size: int = 30) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(size)] for _ in range(size)]


# three 2x2 panels either side of grey dividers
THREE = [
    [1, 0, 5, 2, 2, 5, 0, 0],
    [0, 0, 5, 0, 2, 5, 0, 3],
]
UNEQUAL = [
    [1, 5, 2, 2],
    [0, 5, 2, 2],
]  # a 2x1 and a 2x2 panel
EDGES = [[[0]], [[4]], [[0] * 30 for _ in range(30)], _crowded(3), THREE, UNEQUAL]


def test_layouts_cut_at_lines_into_counts_sizes_and_strips():
    assert panel_list(THREE, "lines", 0, 0) == [[[1, 0], [0, 0]], [[2, 2], [0, 2]], [[0, 0], [0, 3]]]
    grid = [[1, 2, 3, 4], [5, 6, 7, 8]]
    assert panel_list(grid, "count", 1, 2) == [[[1, 2], [5, 6]], [[3, 4], [7, 8]]]
    assert panel_list(grid, "size", 2, 1) == [[[1], [5]], [[2], [6]], [[3], [7]], [[4], [8]]]
    assert panel_list(grid, "strip", 0, 0) == [[[1, 2], [5, 6]], [[3, 4], [7, 8]]]
    assert panel_boxes(grid, "count", 3, 1) is None  # 2 rows do not split in 3
    assert panel_boxes(UNEQUAL, "lines", 0, 0) is None  # panels of unequal size are no layout
    assert panel_boxes(UNEQUAL, "cells", 0, 0)[0] == [(0, 0, 1, 0), (0, 2, 1, 3)]  # but can be painted
    for mode in ("lines", "strip", "cells"):
        assert panel_boxes([[7]], mode, 0, 0) is None
    assert panel_boxes([[7]], "count", 1, 1) is None  # one panel is no panels
    assert len(panel_boxes(_crowded(1), "size", 3, 3)[0]) == 100
    # corners: four blocks, overlapping in the middle row here; a block as large as the grid is none
    five = [[1, 0, 0, 0, 2], [0, 0, 0, 0, 0], [0, 0, 7, 0, 0], [0, 0, 0, 0, 0], [3, 0, 0, 0, 4]]
    assert [p[0][0] for p in panel_list(five, "corners", 3, 2)] == [1, 0, 0, 0]
    assert panel_boxes(five, "corners", 3, 2)[0] == [(0, 0, 2, 1), (0, 3, 2, 4), (2, 0, 4, 1), (2, 3, 4, 4)]
    assert panel_boxes(five, "corners", 5, 5) is None and panel_boxes(five, "corners", 6, 1) is None


def test_corners_are_a_layout_only_when_they_cover_the_grid():
    from synth_lsp.offline.panel_learners import panel_shaped_layouts

    grids = [[[0] * 7 for _ in range(5)], [[0] * 7 for _ in range(5)]]
    assert ("corners", 3, 3) in panel_shaped_layouts(grids, [[[0] * 3 for _ in range(3)]] * 2)  # one line left between
    assert panel_shaped_layouts(grids, [[[0] * 2 for _ in range(2)]] * 2) == []  # small blocks in the corners are crops


def test_a_truth_table_over_three_panels():
    # a cell is 4 where exactly one panel is filled, 0 otherwise (no two-panel operation)
    table = [0, 4, 4, 0, 4, 0, 0, 0]
    assert panel_logic(THREE, "lines", 0, 0, table, 0) == [[0, 4], [0, 0]]
    grid = [[1, 0, 5, 2, 0, 5, 0, 0], [0, 0, 5, 0, 0, 5, 3, 3]]
    assert panel_logic(grid, "lines", 0, 0, table, 0) == [[0, 0], [4, 4]]
    assert panel_logic(THREE, "lines", 0, 0, [0, 4, 4, 0], 0) is None  # a table for two panels


def test_an_unknown_case_makes_no_guess():
    # case 3 (panels 0 and 1 filled) was never seen: the step does not apply there
    grid = [[1, 5, 1, 5, 0], [0, 5, 0, 5, 0]]
    assert panel_logic(grid, "lines", 0, 0, [0, 4, 4, -1, 4, 0, 0, 0], 0) is None


def _three_panel_pair(seed: int) -> tuple[list[list[int]], list[list[int]]]:
    """Three 3x3 panels side by side; the output marks the cells where exactly one is filled."""
    rng = random.Random(seed)
    panels = [[[rng.choice([0, c]) for _ in range(3)] for _ in range(3)] for c in (1, 2, 3)]
    grid = [panels[0][r] + [5] + panels[1][r] + [5] + panels[2][r] for r in range(3)]
    out = [[6 if sum(p[r][c] != 0 for p in panels) == 1 else 0 for c in range(3)] for r in range(3)]
    return grid, out


def test_the_truth_table_is_learned_and_cross_validated():
    pairs = [_three_panel_pair(seed) for seed in range(6)]
    states, outputs = [p[0] for p in pairs], [p[1] for p in pairs]
    step = learn_panel_logic(states, outputs)
    assert step is not None and step.function == "panel_logic"
    assert all(step.apply(s) == o for s, o in zip(states, outputs))
    assert leave_one_out(learn_panel_logic, states, outputs).exact == len(states)
    # two panels: the usual operations by name
    blank = [0, 0, 5, 0, 0]  # a second row: in a one-row grid every column is a full line
    halves = [[[1, 0, 5, 2, 2], blank], [[0, 1, 5, 0, 2], blank], [[1, 1, 5, 0, 0], blank]]
    xor = [[[0, 3], [0, 0]], [[0, 0], [0, 0]], [[3, 3], [0, 0]]]
    assert learn_panel_logic(halves, xor).label.startswith("XOR")
    nor = [[[0, 0], [3, 3]], [[3, 0], [3, 3]], [[0, 0], [3, 3]]]
    assert learn_panel_logic(halves, nor).label.startswith("NOR")


def test_contradicting_pairs_learn_no_table():
    states = [[[1, 5, 0]], [[1, 5, 0]]]
    assert learn_panel_logic(states, [[[2]], [[3]]]) is None  # single cells are no panels either
    states = [[[1, 0, 5, 0, 0]], [[1, 0, 5, 0, 0]]]
    assert learn_panel_logic(states, [[[2, 0]], [[3, 0]]]) is None  # one case, two colours


def test_overlay_by_colour_priority_and_by_panel_priority():
    assert panel_overlay(THREE, "lines", 0, 0, [3, 2, 1], True, 0) == [[2, 2], [0, 3]]
    assert panel_overlay(THREE, "lines", 0, 0, [2, 0, 1], False, 0) == [[1, 2], [0, 3]]
    assert panel_overlay(THREE, "lines", 0, 0, [0, 1], False, 0) is None  # not an order of the 3 panels
    # the learner: 2 beats 1 and 3, 3 beats 1
    blank = [0, 0, 5, 0, 0, 5, 0, 0]
    grids = [[[1, 1, 5, 2, 0, 5, 3, 3], blank], [[1, 0, 5, 0, 2, 5, 3, 3], blank], [[1, 1, 5, 0, 0, 5, 3, 0], blank]]
    outputs = [[[2, 3], [0, 0]], [[3, 2], [0, 0]], [[3, 1], [0, 0]]]
    step = learn_panel_overlay(grids, outputs)
    assert step.args[3] == [2, 3, 1] and step.args[4] is True
    # a cycle: 1 beats 2 in one pair, 2 beats 1 in another; no panel order fits either
    twice = [[1, 0, 5, 2, 0], [0, 0, 5, 0, 0]]
    assert learn_panel_overlay([twice, twice], [[[1, 0], [0, 0]], [[2, 0], [0, 0]]]) is None


def test_a_panel_picked_as_the_odd_one_or_by_a_property():
    strip = [[1, 1, 2, 2, 1, 1], [1, 0, 0, 0, 0, 1]]  # three 2x2 squares
    assert pick_panel(strip, "strip", 0, 0, "odd_colours", 0) == [[2, 2], [0, 0]]
    assert pick_panel(strip, "strip", 0, 0, "most_cells", 0) is None  # a tie
    assert pick_panel(strip, "strip", 0, 0, "fewest_cells", 0) == [[2, 2], [0, 0]]
    assert pick_panel(strip, "strip", 0, 0, "least_symmetric", 0) == [[1, 1], [0, 1]]  # mirrors along no axis
    grids = [[[1, 1, 4, 4, 1, 1], [1, 1, 0, 4, 1, 1]], [[2, 0, 2, 2, 2, 2], [2, 2, 2, 2, 2, 2]]]
    outputs = [[[4, 4], [0, 4]], [[2, 0], [2, 2]]]
    assert learn_panel_pick(grids, outputs).args[3] == "odd_panel"


def test_panels_summarised_to_one_cell_each():
    noisy = [[3, 3, 0, 0], [3, 5, 0, 5], [0, 0, 2, 2], [0, 0, 2, 2]]
    assert summarise_panels(noisy, "count", 2, 2, "commonest", {}, 0) == [[3, 0], [0, 2]]
    assert summarise_panels(noisy, "count", 2, 2, "filled", {}, 0) == [[3, 5], [0, 2]]
    assert summarise_panels(noisy, "count", 2, 2, "count", {4: 1, 3: 0}, 0) == [[1, 1], [0, 1]]
    other = [[0, 0, 4, 4], [0, 5, 4, 4], [6, 6, 0, 0], [6, 6, 0, 0]]
    step = learn_panel_summary([noisy, other], [[[3, 0], [0, 2]], [[0, 4], [6, 0]]])
    assert step.args[3] == "commonest" and step.args[4] == {}  # the reading with no renaming


def test_panels_painted_by_position_even_of_unequal_size():
    grids = [[[0, 5, 0, 0], [0, 5, 1, 0]], [[0, 5, 0, 0], [0, 5, 0, 0]]]
    outputs = [[[7, 5, 0, 0], [7, 5, 1, 0]], [[7, 5, 0, 0], [7, 5, 0, 0]]]
    step = learn_panel_paint(grids, outputs)
    assert step.args[3:5] == (2, {0: 7})
    assert paint_panels(UNEQUAL, "cells", 0, 0, 2, {1: 9}, 0) == UNEQUAL  # no background left to paint
    assert paint_panels(THREE, "cells", 0, 0, 2, {0: 9}, 0) is None  # three panels, not two
    # a position kept in one pair and painted in the other is no rule
    assert learn_panel_paint(grids, [outputs[0], grids[1]]) is None


def test_the_fullest_panel_copied_into_the_others_turned():
    grid = [[1, 2, 5, 0, 0], [0, 3, 5, 0, 0]]
    assert broadcast_panel(grid, "lines", 0, 0, [-1, 2], 0) == [[1, 2, 5, 3, 0], [0, 3, 5, 2, 1]]
    other = [[4, 4, 5, 0, 0], [0, 6, 5, 0, 0]]
    outputs = [[[1, 2, 5, 3, 0], [0, 3, 5, 2, 1]], [[4, 4, 5, 6, 0], [0, 6, 5, 4, 4]]]
    step = learn_panel_broadcast([grid, other], outputs)
    assert step.args[3] == [-1, 2]  # the source kept, the other panel the source turned 180
    assert broadcast_panel([[1, 5, 1], [0, 5, 0]], "lines", 0, 0, [0, 0], 0) is None  # two fullest panels


def test_the_key_picture_stamped_on_each_marker():
    grid = [
        [2, 3, 2, 5, 0, 0, 0, 0],
        [0, 4, 0, 5, 0, 0, 1, 0],
        [0, 3, 0, 5, 0, 0, 0, 0],
        [0, 0, 0, 5, 0, 0, 0, 0],
        [0, 0, 0, 5, 1, 0, 0, 0],
    ]  # the key left of the divider, two markers of colour 1 right of it
    out = stamp_key_on_markers(grid, 1, 0)
    assert [row[5:] for row in out[:3]] == [[2, 3, 2], [0, 4, 0], [0, 3, 0]]
    assert [row[3:6] for row in out[3:]] == [[2, 3, 2], [0, 4, 0]]  # cut at the border, over the divider
    assert stamp_key_on_markers(grid, 7, 0) is None  # no marker
    assert stamp_key_on_markers([[2, 3, 0, 1], [0, 0, 0, 0]], 1, 0) is None  # an even-sided key has no centre
    step = learn_key_stamps([grid], [out])
    assert step.args == (1, 0)


def test_each_cell_expanded_into_a_block():
    grid = [[2, 0], [0, 1]]
    kinds = {0: 0, 1: 3, 2: 1}
    assert expand_cells(grid, kinds, False, 0) == [[2, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]
    assert expand_cells(grid, {0: 0, 2: 1}, False, 0) is None  # colour 1 has no block
    assert expand_cells(_crowded(2), {0: 0, 1: 1, 2: 1, 3: 1, 5: 1}, False, 0) is None  # 900x900 is beyond ARC
    pairs = [([[2, 0], [0, 2]], expand_cells([[2, 0], [0, 2]], {0: 0, 2: 1}, False, 0)), ([[0, 2], [2, 2]], expand_cells([[0, 2], [2, 2]], {0: 0, 2: 1}, False, 0))]
    step = learn_cell_blocks([p[0] for p in pairs], [p[1] for p in pairs])
    assert step.args[:2] == ({0: 0, 2: 1}, False)
    # a copy where the cell has the grid's commonest colour, whichever colour that is
    grids = [[[3, 3, 1], [1, 3, 2], [2, 2, 3]], [[4, 1, 1], [1, 4, 1], [2, 2, 1]]]
    outputs = [expand_cells(g, {1: 1, 0: 0}, True, 0) for g in grids]
    assert outputs[0][0][:6] == [3, 3, 1, 3, 3, 1] and outputs[1][0][:6] == [0, 0, 0, 4, 1, 1]
    step = learn_cell_blocks(grids, outputs)
    assert step.args[:2] == ({0: 0, 1: 1}, True)


def test_the_sandbox_draws_the_same_grids(sandbox):
    steps = [
        Step("panel_logic", ("lines", 0, 0, [0, 4, 4, 0, 4, 0, 0, 0], 0), "logic"),
        Step("panel_logic", ("count", 1, 2, [0, 1, 1, 0], 0), "logic"),
        Step("panel_overlay", ("lines", 0, 0, [3, 2, 1], True, 0), "overlay"),
        Step("panel_overlay", ("strip", 0, 0, [1, 0], False, 0), "overlay"),
        Step("pick_panel", ("size", 2, 2, "odd_colours", 0), "pick"),
        Step("pick_panel", ("lines", 0, 0, "most_symmetric", 0), "pick"),
        Step("summarise_panels", ("count", 2, 2, "commonest", {}, 0), "summary"),
        Step("summarise_panels", ("size", 3, 3, "count", {2: 1}, 0), "summary"),
        Step("paint_panels", ("cells", 0, 0, 2, {1: 9}, 0), "paint"),
        Step("broadcast_panel", ("lines", 0, 0, [-1, 2, 1], 0), "broadcast"),
        Step("stamp_key_on_markers", (1, 0), "stamp"),
        Step("stamp_key_on_markers", (3, 0), "stamp"),
        Step("expand_cells", ({0: 0, 4: 1}, False, 0), "expand"),
        Step("expand_cells", ({0: 3, 1: 1}, True, 0), "expand"),
    ]
    same_in_sandbox(sandbox, steps, EDGES)


def test_the_search_finds_and_claims_a_three_panel_table(sandbox):
    pairs = [_three_panel_pair(seed) for seed in range(5)]
    best = search_finds(sandbox, pairs[:4], pairs[4][0], pairs[4][1])
    assert best.claimed


def test_the_learners_on_edge_grids_bad_shapes_and_one_pair():
    big = _crowded(5)
    cases = [
        ([[[0]], [[3]]], [[[0]], [[3]]]),  # 1x1
        ([big, [[0] * 30 for _ in range(30)]], [[[1]], [[2]]]),  # 30x30 to one cell
        ([big, big], [big, big]),  # 30x30 kept
        ([big], [[row[:15] for row in big[:15]]]),
        ([[[0, 1]], [[2, 2]]], [[[0] * 30 for _ in range(30)], [[1]]]),  # inconsistent shapes
        ([UNEQUAL, UNEQUAL], [[[1], [1]], [[2], [2]]]),  # panels of unequal size
        ([THREE, [[1, 5, 1, 5, 1, 5, 1]]], [[[1, 1], [1, 1]], [[1]]]),  # three panels, then four
    ]
    for states, outputs in cases:
        for learn in PANEL_LEARNERS:
            step = learn(states, outputs, [])
            assert step is None or all(step.apply(s) == o for s, o in zip(states, outputs)), (learn.__name__, step)
    # one pair: nothing to cross-validate against, so no claim
    pair = _three_panel_pair(1)
    assert learn_panel_logic([pair[0]], [pair[1]]) is not None
    assert leave_one_out(learn_panel_logic, [pair[0]], [pair[1]]).exact == 0


def test_a_table_from_one_pair_is_not_claimed():
    from synth_lsp.offline import synthesize

    pair = _three_panel_pair(2)
    programs = synthesize([pair], time_budget_s=1.0, max_programs=1)
    assert programs and not programs[0].claimed
