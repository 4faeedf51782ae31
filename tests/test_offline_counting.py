"""Objects into an output: counts drawn as cells, the objects' colours in order, the colour most
objects have, the objects side by side, the odd object out, a picture picked by a key; the
learners that find their parameters from the pairs; the same grids in the Monty sandbox."""

from __future__ import annotations

import random

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.counting_learning import (
    learn_colour_bars,
    learn_colour_by_objects,
    learn_count_fill,
    learn_count_line,
    learn_odd_object,
    learn_picture_by_key,
    learn_resize_by_count,
    learn_sequence,
    learn_side_by_side,
)
from synth_lsp.offline.cross_validation import leave_one_out
from synth_lsp.offline.primitives.counting import (
    colour_bars,
    colour_by_objects,
    count_at_positions,
    count_fill,
    count_line,
    count_of,
    odd_object,
    fill_order,
    objects_side_by_side,
    ordered_colours,
    picture_by_key,
    resize_by_count,
    sequence_fill,
    sequence_line,
)
from synth_lsp.offline.steps import Step

SCENE = [
    [1, 1, 0, 0, 0, 2],
    [0, 1, 0, 3, 0, 0],
    [0, 0, 0, 3, 0, 0],
    [2, 0, 0, 3, 0, 1],
    [0, 2, 0, 0, 0, 1],
]  # objects in reading order: 1 (3 cells), 2 (1), 3 (3), 2 (1), 1 (2), 2 (1): the two 2s at the left touch at a corner


def _crowded(seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(30)] for _ in range(30)]


EDGES = [[[0]], [[4]], [[0] * 30 for _ in range(30)], _crowded(3), SCENE]


def test_counts_of_cells_objects_pieces_and_colours():
    assert count_of(SCENE, 0, "cells", -1) == 11
    assert count_of(SCENE, 0, "cells", 3) == 3
    assert count_of(SCENE, 0, "cells", 0) == 0  # the background is never counted
    assert count_of(SCENE, 0, "objects", -1) == 6
    assert count_of(SCENE, 0, "diagonal_objects", -1) == 5  # the two 2s at the left join at a corner
    assert count_of(SCENE, 0, "objects", 2) == 3
    assert count_of(SCENE, 0, "pieces", -1) == 5
    assert count_of(SCENE, 0, "colours", -1) == 3
    assert count_of(SCENE, 0, "colours", -2) == 4  # the background too
    assert count_of([[0]], 0, "objects", -1) == 0


def test_fill_orders_walk_every_cell_once():
    assert fill_order(2, 3, "rows", 0) == [(0, 0), (0, 1), (0, 2), (1, 0), (1, 1), (1, 2)]
    assert fill_order(2, 3, "snake", 0) == [(0, 0), (0, 1), (0, 2), (1, 2), (1, 1), (1, 0)]
    assert fill_order(3, 3, "checker", 0)[:5] == [(0, 0), (0, 2), (1, 1), (2, 0), (2, 2)]
    assert fill_order(2, 3, "rows", 4)[:3] == [(0, 2), (0, 1), (0, 0)]  # mirrored: right to left
    assert fill_order(3, 2, "rows", 6) == [(0, 0), (1, 0), (2, 0), (0, 1), (1, 1), (2, 1)]  # transposed: down the columns
    assert fill_order(2, 3, "rows", 1) == [(0, 2), (1, 2), (0, 1), (1, 1), (0, 0), (1, 0)]  # turned: down from the top right
    for pattern in ("rows", "snake", "checker"):
        for k in range(8):
            order = fill_order(3, 4, pattern, k)
            assert order is None or sorted(order) == [(r, c) for r in range(3) for c in range(4)]
    assert fill_order(1, 1, "snake", 3) == [(0, 0)]


def test_a_count_is_drawn_as_that_many_cells():
    assert count_fill(SCENE, 0, "objects", 2, 8, 0, 2, 2, "rows", 0) == [[8, 8], [8, 0]]
    assert count_fill(SCENE, 0, "objects", 3, -1, 0, 1, 3, "rows", 0) == [[3, 0, 0]]  # in the counted colour
    assert count_fill(SCENE, 0, "cells", -1, 8, 0, 3, 3, "rows", 0) is None  # 11 cells do not fit in 9
    assert count_fill(SCENE, 0, "cells", 2, -1, 0, 2, 2, "rows", 0) == [[2, 2], [2, 0]]
    assert count_fill(SCENE, 0, "cells", -1, -1, 0, 3, 3, "rows", 0) is None  # no single counted colour
    assert count_fill(SCENE, 0, "cells", 2, -2, 0, 1, 4, "rows", 0) == [[1, 1, 1, 0]]  # in 1, the commonest colour
    assert count_at_positions(SCENE, 0, "objects", 1, 5, 0, 2, 2, [[1, 1], [0, 0]]) == [[5, 0], [0, 5]]
    assert count_at_positions(SCENE, 0, "objects", -1, 5, 0, 2, 2, [[1, 1], [0, 0]]) is None
    assert count_line(SCENE, 0, "objects", 2, 4, "row") == [[4, 4, 4]]
    assert count_line(SCENE, 0, "colours", -1, 7, "column") == [[7], [7], [7]]
    assert count_line(SCENE, 0, "objects", 1, -1, "square") == [[1, 1], [1, 1]]
    assert count_line(SCENE, 0, "colours", -1, 8, "diagonal") == [[8, 0, 0], [0, 8, 0], [0, 0, 8]]
    assert count_line([[0, 0]], 0, "objects", -1, 7, "column") is None  # nothing to count: no empty grid
    assert count_line(_crowded(2), 0, "cells", -1, 7, "row") is None  # beyond 30


def test_a_grid_scaled_or_tiled_by_a_count():
    grid = [[0, 2], [3, 0]]
    assert resize_by_count(grid, 0, "colours", -1, False) == [[0, 0, 2, 2], [0, 0, 2, 2], [3, 3, 0, 0], [3, 3, 0, 0]]
    assert resize_by_count(grid, 0, "cells", 3, True) == grid
    assert resize_by_count(grid, 0, "objects", 2, True) == [[0, 2], [3, 0]]
    assert resize_by_count([[0]], 0, "cells", -1, False) is None  # a count of 0
    assert resize_by_count([[1] * 10], 0, "cells", -1, True) is None  # 10 x 10 copies of a 1x10 row: too wide


def test_a_histogram_of_colours():
    grid = [
        [1, 0, 2, 2],
        [0, 2, 0, 3],
    ]  # 1: one cell, 2: three, 3: one
    assert colour_bars(grid, 0, "cells", "size_desc", 0, 0, 0) == [[2, 2, 2], [1, 0, 0], [3, 0, 0]]
    # turned 90 anticlockwise: columns standing on the bottom, in order from the left
    assert colour_bars(grid, 0, "cells", "reading", 3, 0, 0) == [[0, 2, 0], [0, 2, 0], [1, 2, 3]]
    assert colour_bars(grid, 0, "objects", "reading", 0, 3, 4) == [[1, 0, 0, 0], [2, 2, 0, 0], [3, 0, 0, 0]]  # two objects of 2
    assert colour_bars(grid, 0, "cells", "reading", 0, 2, 2) is None  # three bars do not fit in two rows
    assert colour_bars([[0]], 0, "cells", "reading", 0, 0, 0) is None


def test_the_objects_colours_in_order():
    assert ordered_colours(SCENE, 0, "objects", "reading") == [1, 2, 3, 2, 1, 2]
    assert ordered_colours(SCENE, 0, "objects", "column") == [1, 2, 2, 3, 2, 1]
    assert ordered_colours(SCENE, 0, "objects", "size_desc")[:2] == [1, 3]
    assert ordered_colours(SCENE, 0, "colours", "size_desc") == [1, 2, 3]  # 5 cells, then 3 and 3 by first cell
    assert ordered_colours(SCENE, 0, "colours", "column") == [1, 2, 3]
    assert sequence_fill(SCENE, 0, "objects", "reading", 0, 2, 3, "snake", 0) == [[1, 2, 3], [2, 1, 2]]
    assert sequence_fill(SCENE, 0, "objects", "reading", 0, 2, 2, "rows", 0) is None  # six do not fit in four
    assert sequence_line(SCENE, 0, "colours", "size_desc", True, 1) == [[2], [3]]
    assert sequence_line([[0]], 0, "objects", "reading", False, 0) is None


def test_the_colour_most_objects_have():
    assert colour_by_objects(SCENE, 0, "objects", True, 2, 2) == [[2, 2], [2, 2]]
    assert colour_by_objects(SCENE, 0, "objects", False, 1, 1) == [[3]]
    assert colour_by_objects(SCENE, 0, "diagonal_objects", True, 1, 1) is None  # 1 and 2 tie with two each
    assert colour_by_objects([[0, 0]], 0, "objects", True, 1, 1) is None


def test_objects_laid_side_by_side_in_order():
    grid = [
        [0, 0, 0, 4],
        [5, 5, 0, 4],
        [0, 0, 0, 0],
        [0, 6, 0, 0],
    ]
    assert objects_side_by_side(grid, 0, "objects", "size_asc", False, 0) == [[6, 4, 5, 5], [0, 4, 0, 0]]  # equal sizes in reading order
    assert objects_side_by_side(grid, 0, "objects", "column", True, 1) == [[5, 5], [0, 0], [6, 0], [0, 0], [4, 0], [4, 0]]
    assert objects_side_by_side([[0]], 0, "objects", "reading", False, 0) is None
    assert objects_side_by_side(_crowded(1), 0, "objects", "reading", False, 1) is None  # too wide for 30 columns


def test_the_odd_object_out():
    grid = [
        [1, 1, 0, 2, 2, 0, 3, 3],
        [1, 1, 0, 2, 2, 0, 3, 0],
    ]
    assert odd_object(grid, 0, "objects", "size", "crop") == [[3, 3], [3, 0]]
    assert odd_object(grid, 0, "objects", "box", "crop") is None  # every box is 2x2
    assert odd_object(grid, 0, "objects", "pattern", "crop") is None  # all three differ in colour: no single odd one
    same_colour = [[1, 1, 0, 1, 0, 1, 1], [1, 1, 0, 1, 0, 1, 1]]
    assert odd_object(same_colour, 0, "objects", "box", "crop") == [[1], [1]]
    two = [[1, 0, 1, 1]]
    assert odd_object(two, 0, "objects", "size", "crop") is None  # two objects: which is odd?
    assert odd_object(grid, 0, "objects", "size", "keep") == [[0, 0, 0, 0, 0, 0, 3, 3], [0, 0, 0, 0, 0, 0, 3, 0]]
    assert odd_object(grid, 0, "objects", "size", "remove") == [[1, 1, 0, 2, 2, 0, 0, 0], [1, 1, 0, 2, 2, 0, 0, 0]]
    patterned = [[1, 2, 0, 1, 2, 0, 2, 1]]
    assert odd_object(patterned, 0, "pieces", "pattern", "crop") == [[2, 1]]


def test_a_picture_picked_by_a_key():
    table = {1: [[1, 0], [0, 0]], 2: [[1, 1], [0, 0]]}
    assert picture_by_key([[0, 3, 0]], 0, "objects", -1, table) == [[1, 0], [0, 0]]
    assert picture_by_key([[3, 0, 3]], 0, "objects", -1, table) == [[1, 1], [0, 0]]
    assert picture_by_key([[3, 0, 3, 0, 3]], 0, "objects", -1, table) is None  # a key no pair showed
    assert picture_by_key([[2, 2, 5]], 0, "commonest", -1, {2: [[9]]}) == [[9]]
    table = {2: [[9]]}
    picture_by_key([[2]], 0, "commonest", -1, table)[0][0] = 1
    assert table == {2: [[9]]}  # a copy: the table is left alone


def _count_pair(n: int, colour: int, size: int = 6) -> list[list[int]]:
    grid = [[0] * size for _ in range(size)]
    for i in range(n):
        grid[(2 * i) // size * 2][(2 * i) % size] = colour
    return grid


def test_the_count_learner_finds_measure_colour_and_order():
    states = [_count_pair(n, 2) for n in (1, 3, 4)]
    outputs = []
    for n in (1, 3, 4):
        out = [[0] * 3 for _ in range(3)]
        for r, c in [(0, 0), (0, 2), (1, 1), (2, 0), (2, 2)][:n]:
            out[r][c] = 1
        outputs.append(out)
    step = learn_count_fill(states, outputs)
    assert step is not None and step.function == "count_fill"
    assert step.args[-2:] == ("checker", 0)
    assert step.apply(_count_pair(5, 2)) == [[1, 0, 1], [0, 1, 0], [1, 0, 1]]
    assert leave_one_out(learn_count_fill, states, outputs).exact == 3
    assert learn_count_fill(states, [[[1]]] * 3) is None  # the same output everywhere: no count


def test_a_fill_order_no_pattern_gives_is_learned_cell_by_cell():
    states = [_count_pair(n, 2) for n in (1, 2, 3, 2, 1)]
    order = [(0, 1), (2, 1), (1, 0)]
    outputs = []
    for n in (1, 2, 3, 2, 1):
        out = [[0, 0, 0], [0, 0, 0], [0, 0, 0]]
        for r, c in order[:n]:
            out[r][c] = 4
        outputs.append(out)
    step = learn_count_fill(states, outputs)
    assert step is not None and step.function == "count_at_positions"
    assert step.args[-1] == [[0, 1], [2, 1], [1, 0]]
    # the order is learned, so a count no pair showed is no guess: the step does not apply
    assert step.apply(_count_pair(4, 2)) is None
    broken = outputs[:2] + [[[4, 0, 0], [4, 0, 0], [4, 0, 0]]] + outputs[3:]  # three cells, but not those of two and more
    assert learn_count_fill(states, broken) is None or learn_count_fill(states, broken).function != "count_at_positions"


def test_the_line_and_sequence_learners():
    states = [_count_pair(n, 3) for n in (2, 4, 1)]
    step = learn_count_line(states, [[[3] * n] for n in (2, 4, 1)])
    assert step is not None and step.apply(_count_pair(5, 3)) == [[3] * 5]
    scenes = [
        [[0, 0, 4, 0], [7, 0, 0, 0], [0, 0, 0, 2]],
        [[5, 0, 0, 0], [0, 0, 0, 6], [0, 1, 0, 0]],
    ]
    outputs = [[[7, 0, 4, 2]], [[5, 1, 0, 6]]]
    assert learn_sequence(scenes, outputs) is None  # a blank among the colours is no sequence
    outputs = [[[7], [4], [2]], [[5], [1], [6]]]
    step = learn_sequence(scenes, outputs)
    assert step is not None and step.function == "sequence_line"
    assert step.apply([[0, 9], [8, 0]]) == [[8], [9]]
    outputs = [[[7, 4, 2]], [[5, 1, 6]]]
    assert learn_sequence(scenes, outputs).args[2] == "column"


def test_the_square_resize_and_histogram_learners():
    states = [_count_pair(n, 3) for n in (2, 4, 1)]
    diagonals = [[[5 if r == c else 0 for c in range(n)] for r in range(n)] for n in (2, 4, 1)]
    step = learn_count_line(states, diagonals)
    assert step is not None and step.args[-1] == "diagonal"
    small = [[[0, 1], [2, 0]], [[4, 4], [0, 0]], [[1, 2], [3, 0]]]
    scaled = [resize_by_count(g, 0, "colours", -1, False) for g in small]
    step = learn_resize_by_count(small, scaled)
    assert step is not None and step.apply([[7, 0], [0, 0]]) == [[7, 0], [0, 0]]
    assert learn_resize_by_count(small, [resize_by_count(g, 0, "colours", -2, True) for g in small[:1]] * 3) is None
    scenes = [[[1, 0, 2, 2], [0, 2, 0, 3]], [[4, 4, 0, 0], [0, 0, 0, 6]], [[7, 7, 7, 1], [1, 0, 0, 0]]]
    bars = [colour_bars(g, 0, "cells", "size_desc", 1, 0, 0) for g in scenes]
    step = learn_colour_bars(scenes, bars)
    assert step is not None and step.args[1:4] == ("cells", "size_desc", 1)
    assert learn_colour_bars(scenes, [[[1]]] * 3) is None


def test_the_colour_side_by_side_and_odd_object_learners():
    scenes = [
        [[1, 0, 1, 0, 2]],
        [[3, 0, 4, 0, 4]],
        [[5, 0, 5, 0, 5, 0, 6]],
    ]
    assert learn_colour_by_objects(scenes, [[[1]], [[4]], [[5]]]).args[2] is True
    assert learn_colour_by_objects(scenes, [[[2]], [[3]], [[6]]]).args[2] is False
    assert learn_colour_by_objects(scenes, [[[1]], [[1]], [[1]]]) is None  # one colour for all: no choice made
    step = learn_side_by_side(
        [[[0, 0, 2], [3, 3, 0]], [[4, 0, 0], [0, 0, 5]]],
        [[[3, 3, 2]], [[4, 5]]],
    )
    assert step is not None and step.function == "objects_side_by_side"
    odd = [
        [[1, 1, 0, 1, 1, 0, 1]],
        [[2, 0, 2, 2, 2, 0, 2, 2, 2]],
    ]
    step = learn_odd_object(odd, [[[1]], [[2]]])
    assert step is not None and step.apply([[3, 3, 0, 3, 0, 3, 3]]) == [[3]]


def test_a_picture_table_needs_a_key_that_repeats():
    states = [[[2, 0]], [[1, 0]], [[2, 2]], [[1, 1]]]
    pictures = {2: [[5, 5]], 1: [[0, 5]]}
    outputs = [pictures[s[0][0]] for s in states]
    step = learn_picture_by_key(states, outputs)
    assert step is not None and step.args[1] == "commonest"
    assert leave_one_out(learn_picture_by_key, states, outputs).exact == 4
    assert learn_picture_by_key(states[:2], outputs[:2]) is None  # one picture per pair: a list, not a rule


def test_the_sandbox_draws_the_same_grids(sandbox):
    steps = [
        Step("count_fill", (0, "objects", -1, 1, 0, 3, 3, "checker", 0), "count"),
        Step("count_fill", (0, "cells", 2, -1, 0, 2, 5, "snake", 5), "count"),
        Step("count_at_positions", (0, "diagonal_objects", -1, 4, 0, 2, 2, [[0, 1], [1, 0], [1, 1]]), "count"),
        Step("count_line", (0, "pieces", -1, -2, "column"), "count"),
        Step("count_line", (0, "colours", -1, 3, "diagonal"), "count"),
        Step("resize_by_count", (0, "colours", -1, True), "resize"),
        Step("colour_bars", (0, "cells", "size_desc", 1, 0, 0), "bars"),
        Step("colour_bars", (0, "objects", "column", 4, 10, 10), "bars"),
        Step("sequence_fill", (0, "objects", "column", 0, 3, 3, "snake", 0), "sequence"),
        Step("sequence_line", (0, "colours", "size_desc", False, 1), "sequence"),
        Step("colour_by_objects", (0, "objects", True, 2, 2), "colour"),
        Step("objects_side_by_side", (0, "objects", "size_desc", False, 1), "side by side"),
        Step("odd_object", (0, "objects", "size", "crop"), "odd"),
        Step("odd_object", (0, "pieces", "pattern", "crop"), "odd"),
        Step("odd_object", (0, "diagonal_objects", "box", "keep"), "odd"),
        Step("odd_object", (0, "objects", "colour_count", "remove"), "odd"),
        Step("picture_by_key", (0, "colours", -2, {1: [[1]], 4: [[2, 2]]}), "picture"),
    ]
    same_in_sandbox(sandbox, steps, EDGES)


def test_every_step_survives_the_edge_grids():
    for grid in EDGES:
        for what in ("cells", "objects", "diagonal_objects", "pieces", "colours"):
            assert count_fill(grid, 0, what, -1, 1, 0, 30, 30, "rows", 0) is not None or count_of(grid, 0, what, -1) > 900
            for key in ("reading", "column", "size_desc", "size_asc"):
                sequence_line(grid, 0, what, key, False, 0)
                if what != "cells":
                    objects_side_by_side(grid, 0, what, key, True, 0)
            for prop in ("size", "colour_count", "pattern", "box"):
                if what not in ("cells", "colours"):
                    odd_object(grid, 0, what, prop, "crop")


def test_the_search_counts_objects_into_a_fixed_grid(sandbox):
    def pair(n: int) -> tuple:
        grid = [[0] * 7 for _ in range(7)]
        for i in range(n):
            r, c = divmod(i, 3)
            grid[2 * r][2 * c] = 6
            grid[2 * r + 1][2 * c] = 6  # each object two cells tall
        out = [[0] * 4]
        for i in range(n):
            out[0][i] = 8
        return grid, out

    train = [pair(1), pair(3), pair(2), pair(4)]
    test_in, test_out = pair(4)
    test_in = [row[::-1] for row in test_in]  # moved: the count, not the picture, decides
    best = search_finds(sandbox, train, test_in, test_out)
    assert best.claimed


def test_the_search_lists_the_objects_colours_by_size(sandbox):
    def scene(colours: list[int], rows: list[int]) -> tuple:
        grid = [[0] * 8 for _ in range(8)]
        for i, colour in enumerate(colours):
            for k in range(len(colours) - i):  # the first colour gets the longest bar
                grid[rows[i]][k] = colour
        return grid, [[c] for c in colours]

    train = [scene([3, 1, 4], [4, 0, 6]), scene([2, 7], [5, 1]), scene([5, 9, 6, 1], [2, 6, 0, 4])]
    grid, _ = scene([8, 2, 3], [6, 2, 0])
    best = search_finds(sandbox, train, grid, [[8], [2], [3]])
    assert "largest first" in best.description


def test_the_learners_on_edge_grids_and_one_pair():
    from synth_lsp.offline.counting_learning import COUNTING_LEARNERS

    big = _crowded(5)
    cases = [
        ([[[0]], [[3]]], [[[0]], [[3]]]),
        ([big, [[0] * 30 for _ in range(30)]], [[[1]], [[2]]]),
        ([big, big], [big, big]),
        ([[[0, 1]], [[2, 2]]], [[[0] * 30 for _ in range(30)], [[1]]]),  # inconsistent shapes
    ]
    for states, outputs in cases:
        for learn in COUNTING_LEARNERS:
            step = learn(states, outputs, [])
            assert step is None or all(step.apply(s) == o for s, o in zip(states, outputs)), (learn.__name__, step)
    # one pair: nothing to cross-validate against, so no claim
    assert leave_one_out(learn_count_fill, [_count_pair(2, 2)], [[[1, 1, 0]]]).exact == 0


def test_a_count_from_one_pair_is_not_claimed():
    from synth_lsp.offline import synthesize

    programs = synthesize([(_count_pair(3, 2), [[4, 4, 4, 0]])], time_budget_s=1.0, max_programs=1)
    assert programs and not programs[0].claimed
