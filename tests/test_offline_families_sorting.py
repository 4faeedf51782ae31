"""Sorting: each row's bar, ordered by length into a staircase, pushed to one side."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.sorting import sort_bars
from synth_lsp.offline.steps import Step

BARS = [
    [0, 2, 2, 0, 0],
    [0, 0, 0, 0, 0],
    [3, 3, 3, 3, 0],
    [0, 0, 0, 4, 0],
]


def test_bars_are_stacked_shortest_first_and_pushed_to_one_side():
    assert sort_bars(BARS, 0, "right") == [
        [0, 0, 0, 0, 0],
        [0, 0, 0, 0, 4],
        [0, 0, 0, 2, 2],
        [0, 3, 3, 3, 3],
    ]
    assert sort_bars(BARS, 0, "left")[3] == [3, 3, 3, 3, 0]
    assert sort_bars([[1, 2, 0]], 0, "right") == [
        [0, 1, 2]
    ]  # a bar keeps its colours in order
    assert sort_bars([[0, 0], [0, 0]], 0, "left") is None
    assert BARS[0] == [0, 2, 2, 0, 0]  # the input is left alone


def test_the_sandbox_sorts_the_same_way(sandbox):
    steps = [Step("sort_bars", (0, align), "sort") for align in ("left", "right")]
    same_in_sandbox(sandbox, steps, [BARS, [[1, 2, 0]], [[0, 0], [0, 0]], [[5]]])


def test_the_search_sorts_bars_into_a_staircase(sandbox):
    train = [
        (BARS, [[0, 0, 0, 0, 0], [0, 0, 0, 0, 4], [0, 0, 0, 2, 2], [0, 3, 3, 3, 3]]),
        ([[0, 6, 6, 6], [5, 0, 0, 0]], [[0, 0, 0, 5], [0, 6, 6, 6]]),
        ([[7, 7, 0], [0, 0, 0], [0, 0, 1]], [[0, 0, 0], [0, 0, 1], [0, 7, 7]]),
    ]
    test_in = [[9, 9, 9, 0], [0, 0, 0, 0], [0, 8, 0, 0], [0, 0, 3, 3]]
    best = search_finds(
        sandbox,
        train,
        test_in,
        [[0, 0, 0, 0], [0, 0, 0, 8], [0, 0, 3, 3], [0, 9, 9, 9]],
    )
    assert "sort" in best.description
