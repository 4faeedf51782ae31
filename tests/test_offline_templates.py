"""Templates copied onto marks: the primitive (turned and mirrored copies, cut off by the border,
marks touching the template), the learner, its cross-validation, refusals (ambiguous marks, marks
matching nothing, no template, bad input), and the same grids in the Monty sandbox."""

from __future__ import annotations

import random

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline import synthesize
from synth_lsp.offline.cross_validation import leave_one_out
from synth_lsp.offline.primitives.templates import stamp_frame_on_hole, stamp_on_markers
from synth_lsp.offline.steps import Step
from synth_lsp.offline.template_learning import learn_frame_copy, learn_marker_stamps

# the template: 2 is its body, 3 and 4 its anchors; the anchors' offset (a knight's move) tells all 8 turns apart
TEMPLATE = [[3, 0], [2, 2], [2, 4]]


def _turned(picture: list[list[int]], k: int) -> list[list[int]]:
    """k quarter turns clockwise, then a mirror (left-right) when k >= 4."""
    for _ in range(k % 4):
        picture = [list(row) for row in zip(*picture[::-1])]
    return [row[::-1] for row in picture] if k >= 4 else picture


def _paste(grid: list[list[int]], picture: list[list[int]], top: int, left: int, only: tuple = (2, 3, 4)) -> None:
    for r, row in enumerate(picture):
        for c, value in enumerate(row):
            if value in only and 0 <= top + r < len(grid) and 0 <= left + c < len(grid[0]):
                grid[top + r][left + c] = value


def _pair(size: int, at: tuple, copies: list, keep: bool = False, picture: list = TEMPLATE) -> tuple:
    """The template at `at`, and for each copy (k, top, left) its anchor cells alone in the input,
    the whole turned template in the output."""
    grid = [[0] * size for _ in range(size)]
    out = [[0] * size for _ in range(size)]
    _paste(grid, picture, *at)
    if keep:
        _paste(out, picture, *at)
    for k, top, left in copies:
        _paste(grid, _turned(picture, k), top, left, only=(3, 4))
        _paste(out, _turned(picture, k), top, left)
    return grid, out


TRAIN = [
    _pair(10, (0, 0), [(1, 5, 5), (6, 1, 6)]),
    _pair(9, (6, 7), [(3, 0, 0), (4, 4, 3)]),
    _pair(11, (4, 4), [(2, 0, 8), (7, 8, 0), (5, 1, 1)]),
]


def test_the_template_is_copied_turned_onto_its_marks_and_erased():
    for grid, out in TRAIN:
        assert stamp_on_markers(grid, 0, False, False, False) == out
    grid, out = _pair(10, (0, 0), [(1, 5, 5)], keep=True)
    assert stamp_on_markers(grid, 0, True, False, False) == out


def test_the_learner_finds_whether_the_template_stays():
    states, outputs = [s for s, _ in TRAIN], [o for _, o in TRAIN]
    step = learn_marker_stamps(states, outputs, [])
    assert step is not None and step.function == "stamp_on_markers" and step.args == (0, False, False, False)
    assert leave_one_out(learn_marker_stamps, states, outputs).exact == 3
    kept = [_pair(10, (0, 0), [(2, 5, 5)], keep=True), _pair(8, (5, 5), [(7, 0, 1)], keep=True)]
    step = learn_marker_stamps([s for s, _ in kept], [o for _, o in kept], [])
    assert step is not None and step.args == (0, True, False, False)
    test_in, test_out = _pair(12, (9, 0), [(6, 2, 2), (0, 7, 8)], keep=True)
    assert step.apply(test_in) == test_out


def test_a_copy_is_cut_off_by_the_border():
    longer = [[3, 0], [2, 2], [2, 4], [2, 0]]
    grid, out = _pair(8, (0, 0), [(0, 5, 5)], picture=longer)  # rows 5..8 of a grid of 8: the last row falls off
    assert grid[5][5] == 3 and grid[7][6] == 4 and stamp_on_markers(grid, 0, False, False, False) == out
    lone = _pair(8, (0, 0), [(0, 6, 5)])[0]  # the 4 falls off: the lone 3 fits every turn, so none is stamped
    assert stamp_on_markers(lone, 0, False, False, False) is None


def test_a_scaled_copy_on_blocks_with_each_grid_its_own_background():
    def scaled_pair(size, at, top, left, background):
        grid = [[0] * size for _ in range(size)]
        _paste(grid, TEMPLATE, *at)
        out = [list(row) for row in grid]
        double = [[v for v in row for _ in range(2)] for row in TEMPLATE for _ in range(2)]
        _paste(grid, double, top, left, only=(3, 4))
        _paste(out, double, top, left)
        paint = lambda g: [[background if v == 0 else v for v in row] for row in g]  # noqa: E731
        return paint(grid), paint(out)

    pairs = [scaled_pair(10, (0, 0), 4, 4, 0), scaled_pair(12, (9, 9), 1, 2, 6)]
    step = learn_marker_stamps([s for s, _ in pairs], [o for _, o in pairs], [])
    assert step is not None and step.args[0] == -1
    test_in, test_out = scaled_pair(11, (0, 8), 5, 0, 1)
    assert step.apply(test_in) == test_out


def test_a_mark_touching_the_template_is_cut_off_with_trim():
    boxed = [[3, 2], [2, 2], [2, 4]]  # anchors inside the body's box
    grid, out = _pair(10, (0, 0), [(1, 5, 5)], keep=True, picture=boxed)
    grid[1][2] = out[1][2] = 4  # a loose mark against the template's side: it joins the template's object
    assert stamp_on_markers(grid, 0, True, False, False) is None  # that template's anchors fit no marks
    assert stamp_on_markers(grid, 0, True, True, False) == out


def test_ambiguous_or_unmatched_marks_are_refused():
    # anchors on a diagonal: a turn and a mirror put them on the same cells with different bodies
    symmetric = [[3, 2, 0], [0, 2, 0], [2, 2, 4]]
    grid, _ = _pair(10, (0, 0), [(0, 5, 5)], picture=symmetric)
    assert stamp_on_markers(grid, 0, False, False, False) is None
    lonely = [[0] * 10 for _ in range(10)]
    _paste(lonely, TEMPLATE, 0, 0)
    lonely[6][6], lonely[6][7] = 3, 4  # the anchors one apart: no turn of the template puts them there
    assert stamp_on_markers(lonely, 0, False, False, False) is None
    states = [lonely, TRAIN[0][0]]
    assert learn_marker_stamps(states, [lonely, TRAIN[0][1]], []) is None  # a pair that does not change


def test_bad_input_gives_no_step():
    assert stamp_on_markers([[0]], 0, False, False, False) is None
    assert stamp_on_markers([[5]], 0, True, True, False) is None
    assert learn_marker_stamps([[[0]], [[0]]], [[[3]], [[3]]], []) is None
    assert learn_marker_stamps([[[0]], [[0, 1]]], [[[3]], [[2, 2]]], []) is None  # shapes change
    no_template = [[0] * 6 for _ in range(6)]
    no_template[1][1], no_template[4][2] = 3, 4
    assert stamp_on_markers(no_template, 0, False, False, False) is None
    rng = random.Random(3)
    noise = [[rng.choice([0, 2, 3, 4]) for _ in range(30)] for _ in range(30)]
    assert stamp_on_markers(noise, 0, False, False, False) is None  # many touching colours: no few templates
    big_in, big_out = _pair(30, (0, 0), [(5, 27, 27), (2, 12, 15)])
    assert stamp_on_markers(big_in, 0, False, False, False) == big_out
    step = learn_marker_stamps([big_in, TRAIN[1][0]], [big_out, TRAIN[1][1]], [])
    assert step is not None and step.apply(big_in) == big_out


def test_one_pair_is_never_claimed():
    state, out = TRAIN[0]
    assert leave_one_out(learn_marker_stamps, [state], [out]).exact == 0
    programs = synthesize([TRAIN[1]], time_budget_s=1.0, max_programs=1)
    assert programs and not programs[0].claimed


def test_the_search_finds_the_template_rule(sandbox):
    test_in, test_out = _pair(12, (9, 0), [(6, 2, 2), (0, 7, 8)])
    best = search_finds(sandbox, TRAIN, test_in, test_out)
    assert best.claimed and "template" in best.description


def _frame_pair(size: int, frame: tuple, patches: list, seed: int) -> tuple:
    """A checkerboard of 1s and 0s (no two 0s side by side), a frame of 5 (4x5, its hole 2x3) at `frame`,
    and 2x3 patches of 0 at `patches`; the output has the frame copied around the first patch."""
    grid = [[1 if (r + c + seed) % 2 == 0 else 0 for c in range(size)] for r in range(size)]
    for top, left in patches:
        for r in range(top, top + 2):
            for c in range(left, left + 3):
                grid[r][c] = 0
    out = [list(row) for row in grid]
    for target, at in ((grid, frame), (out, frame), (out, (patches[0][0] - 1, patches[0][1] - 1)) if patches else (out, frame)):
        top, left = at
        for r in range(top, top + 4):
            for c in range(left, left + 5):
                target[r][c] = 0 if 0 < r - top < 3 and 0 < c - left < 4 else 5
    return grid, out


FRAMES = [_frame_pair(12, (0, 0), [(7, 6)], 0), _frame_pair(14, (9, 8), [(2, 2)], 1), _frame_pair(10, (5, 1), [(1, 5)], 0)]


def test_the_frame_is_copied_to_the_one_place_its_hole_fits():
    for grid, out in FRAMES:
        assert stamp_frame_on_hole(grid, 0) == out
    step = learn_frame_copy([s for s, _ in FRAMES], [o for _, o in FRAMES], [])
    assert step is not None and step.function == "stamp_frame_on_hole"
    assert leave_one_out(learn_frame_copy, [s for s, _ in FRAMES], [o for _, o in FRAMES]).exact == 3
    assert learn_marker_stamps([s for s, _ in FRAMES], [o for _, o in FRAMES], []) is None


def test_a_hole_that_fits_twice_or_nowhere_is_refused():
    assert stamp_frame_on_hole(_frame_pair(14, (0, 0), [(6, 1), (10, 8)], 0)[0], 0) is None
    assert stamp_frame_on_hole(_frame_pair(12, (0, 0), [], 0)[0], 0) is None
    twins, _ = _frame_pair(14, (0, 0), [(10, 8)], 0)
    for r in range(4):
        twins[r][7:12] = twins[r][0:5]  # a second frame with as large a hole
    assert stamp_frame_on_hole(twins, 0) is None
    assert stamp_frame_on_hole([[0]], 0) is None and stamp_frame_on_hole([[5]], 0) is None
    assert learn_frame_copy([[[0]], [[0]]], [[[3]], [[3]]], []) is None


def test_the_sandbox_stamps_the_same_grids(sandbox):
    rng = random.Random(5)
    grids = [[[0]], [[4]], [[rng.choice([0, 2, 3, 4]) for _ in range(30)] for _ in range(30)], TRAIN[0][0], TRAIN[2][0], _pair(8, (0, 0), [(0, 6, 5)])[0], _pair(8, (0, 0), [(0, 5, 5)], picture=[[3, 0], [2, 2], [2, 4], [2, 0]])[0]]
    grids += [FRAMES[0][0], _frame_pair(14, (0, 0), [(6, 1), (10, 8)], 0)[0], _frame_pair(30, (25, 24), [(0, 0)], 1)[0]]
    steps = [Step("stamp_on_markers", (0, keep, trim, diagonal), "templates") for keep in (False, True) for trim in (False, True) for diagonal in (False, True)]
    steps.append(Step("stamp_frame_on_hole", (0,), "frame"))
    same_in_sandbox(sandbox, steps, grids)
