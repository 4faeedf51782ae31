"""Cells repainted by where they are (every k-th column, row or diagonal): the learned step, what it
refuses to learn, the sandbox, and the search finding it."""

from __future__ import annotations

import random

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.learned_positions import learn_position_recolouring
from synth_lsp.offline.primitives.colour import position_index, recolour_by_position
from synth_lsp.offline.steps import Step


def _every_third_column(width: int, seed: int) -> tuple[list[list[int]], list[list[int]]]:
    rng = random.Random(seed)
    grid = [[4 if rng.random() < 0.6 else 0 for _ in range(width)] for _ in range(3)]
    out = [[6 if v == 4 and c % 3 == 0 else v for c, v in enumerate(row)] for row in grid]
    return grid, out


def test_places_along_each_direction():
    assert [position_index(1, 2, 3, 5, kind) for kind in ("column", "column_from_right", "row", "row_from_bottom", "diagonal", "anti_diagonal")] == [2, 2, 1, 1, 3, 3]
    assert recolour_by_position([[4, 4, 4, 4]], "column", 3, {(4, 0): 6}) == [[6, 4, 4, 6]]
    assert recolour_by_position([[1], [1], [1]], "row_from_bottom", 2, {(1, 0): 2}) == [[2], [1], [2]]


def test_every_third_column_is_learned_and_generalises():
    pairs = [_every_third_column(w, s) for w, s in ((10, 1), (11, 2), (17, 3))]
    step = learn_position_recolouring([p[0] for p in pairs], [p[1] for p in pairs])
    assert step is not None and step.args[:2] == ("column", 3)
    test_in, test_out = _every_third_column(14, 9)
    assert step.apply(test_in) == test_out


def test_counted_from_the_right_when_the_widths_differ():
    def pair(width):
        grid = [[5] * width]
        return grid, [[3 if (width - 1 - c) % 2 == 0 else 5 for c in range(width)]]

    pairs = [pair(5), pair(6), pair(9)]
    step = learn_position_recolouring([p[0] for p in pairs], [p[1] for p in pairs])
    assert step.args[:2] == ("column_from_right", 2)
    assert step.apply([[5] * 4]) == [[5, 3, 5, 3]]


def test_what_is_not_learned():
    same = [[1, 2], [3, 4]]
    assert learn_position_recolouring([same], [same]) is None  # nothing changes
    assert learn_position_recolouring([[[1, 2]]], [[[2, 1]]]) is None  # a colour map: place does not matter
    assert learn_position_recolouring([[[1, 1]]], [[[1, 1, 1]]]) is None  # shapes differ
    # one train pair: each change is seen in that pair only, never a rule the pairs share
    assert learn_position_recolouring([[[4, 4, 4]]], [[[6, 4, 6]]]) is None
    # inconsistent shapes across pairs and a 1x1 grid: no rule, no error
    assert learn_position_recolouring([[[7]], [[7, 7], [7, 7]]], [[[7]], [[7, 1], [7, 7]]]) is None
    rng = random.Random(4)
    noise = [[rng.randint(0, 9) for _ in range(30)] for _ in range(30)]
    shuffled = [[rng.randint(0, 9) for _ in range(30)] for _ in range(30)]
    assert learn_position_recolouring([noise, shuffled], [shuffled, noise]) is None


def test_the_sandbox_agrees(sandbox):
    steps = [
        Step("recolour_by_position", ("column", 3, {(4, 0): 6}), "cols"),
        Step("recolour_by_position", ("anti_diagonal", 2, {(0, 1): 8, (1, 0): 2}), "anti"),
    ]
    grids = [[[0]], [[4] * 30 for _ in range(30)], [[4, 0, 1], [1, 0, 4]]]
    same_in_sandbox(sandbox, steps, grids)


def test_the_search_finds_every_third_column(sandbox):
    train = [_every_third_column(w, s) for w, s in ((10, 1), (11, 2), (17, 3), (13, 4))]
    test_in, test_out = _every_third_column(16, 5)
    best = search_finds(sandbox, train, test_in, test_out)
    assert "column mod 3" in best.description
