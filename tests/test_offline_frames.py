"""Regions a frame marks: the rectangle four same-colour corners span, and the rest of the picture
scaled into a drawn frame; on edge grids, in the sandbox, and found by the search."""

from __future__ import annotations

import random

import pytest
from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.catalogue import build_catalogue, task_facts
from synth_lsp.offline.primitives.frames import corner_rectangle, crop_between_corners, fit_into_frame, is_frame
from synth_lsp.offline.steps import Step, is_usable


def _blank(height: int, width: int) -> list[list[int]]:
    return [[0] * width for _ in range(height)]


def _corners(grid, top, left, bottom, right, colour):
    for r, c in ((top, left), (top, right), (bottom, left), (bottom, right)):
        grid[r][c] = colour
    return grid


def test_four_corners_mark_a_rectangle_to_crop():
    grid = _corners(_blank(8, 9), 1, 2, 5, 7, 4)
    grid[3][4] = grid[3][5] = 2
    grid[7][0] = 2  # outside the corners
    assert crop_between_corners(grid, 0, False, False) == [row[2:8] for row in grid[1:6]]
    assert crop_between_corners(grid, 0, True, False) == [[0, 0, 0, 0], [0, 2, 2, 0], [0, 0, 0, 0]]
    assert crop_between_corners(grid, 0, True, True) == [[0, 0, 0, 0], [0, 4, 4, 0], [0, 0, 0, 0]]
    assert grid[3][4] == 2  # the input is left alone


def test_a_frame_drawn_between_corners_wins_over_corners_that_line_up_by_chance():
    grid = _blank(12, 12)
    _corners(grid, 1, 1, 6, 4, 8)
    for r in range(2, 6):
        grid[r][1] = grid[r][4] = 5  # the frame's sides
    _corners(grid, 3, 3, 10, 10, 8)  # a larger rectangle of lone corners (sharing one corner cell)
    assert corner_rectangle(grid, 0, 40) == (1, 1, 6, 4)


def test_no_corners_or_too_many_cells_of_the_colour():
    assert crop_between_corners(_blank(5, 5), 0, False, False) is None
    assert crop_between_corners([[3]], 0, True, True) is None
    assert crop_between_corners(_corners(_blank(5, 5), 0, 0, 1, 4, 2), 0, False, False) is None  # only two rows: no 3x3
    full = [[1] * 30 for _ in range(30)]  # 900 cells of one colour: not read as markers
    assert crop_between_corners(full, 0, False, False) is None


def test_the_rest_of_the_picture_is_scaled_into_the_frame():
    grid = _blank(12, 12)
    for i in range(6):
        grid[5][5 + i] = grid[10][5 + i] = grid[5 + i][5] = grid[5 + i][10] = 2  # a 6x6 frame, 4x4 inside
    grid[0][0], grid[0][1], grid[1][1] = 3, 3, 7  # a 2x2 piece, with one background cell
    out = fit_into_frame(grid, 0)
    assert len(out) == 6 and out[0] == [2] * 6
    assert [row[1:5] for row in out[1:5]] == [[3, 3, 3, 3], [3, 3, 3, 3], [0, 0, 7, 7], [0, 0, 7, 7]]
    assert is_frame([(5, c, 2) for c in range(5, 11)] + [(10, c, 2) for c in range(5, 11)] + [(r, 5, 2) for r in range(6, 10)] + [(r, 10, 2) for r in range(6, 10)])
    assert not is_frame([(0, 0, 1), (0, 1, 1), (1, 0, 1), (1, 1, 1)])  # a block is no frame


def test_no_frame_two_frames_or_a_piece_that_does_not_divide_the_inside():
    assert fit_into_frame(_blank(6, 6), 0) is None
    frame = _blank(9, 9)
    for i in range(5):
        frame[0][i] = frame[4][i] = frame[i][0] = frame[i][4] = 1
    assert fit_into_frame(frame, 0) is None  # nothing else to fit
    odd = [row[:] for row in frame]
    odd[7][7] = odd[7][8] = 6  # 1x2 into a 3x3 inside
    assert fit_into_frame(odd, 0) is None
    single = [row[:] for row in frame]
    single[7][7] = 6
    assert fit_into_frame(single, 0)[2] == [1, 6, 6, 6, 1]


def _crowded(seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(30)] for _ in range(30)]


STEPS = [
    Step("crop_between_corners", (0, False, False), "corners"),
    Step("crop_between_corners", (0, True, False), "inside"),
    Step("crop_between_corners", (0, True, True), "inside, painted"),
    Step("fit_into_frame", (0,), "fit"),
]
EDGE_GRIDS = [[[0]], [[4]], _blank(30, 30), _crowded(5), _corners(_blank(30, 30), 0, 0, 29, 29, 6)]


@pytest.mark.parametrize("index", range(len(EDGE_GRIDS)))
def test_edge_grids_give_nothing_or_a_usable_grid(index):
    for step in STEPS:
        out = step.apply(EDGE_GRIDS[index])
        assert out is None or is_usable(out), step


def test_the_sandbox_agrees(sandbox):
    grid = _corners(_blank(8, 9), 1, 2, 5, 7, 4)
    grid[3][4] = 2
    same_in_sandbox(sandbox, STEPS, [grid, [[0]], _crowded(5)])


def test_the_steps_are_only_offered_when_the_outputs_are_smaller():
    same = [([[1, 0], [0, 1]], [[0, 1], [1, 0]])]
    smaller = [([[1, 0], [0, 1]], [[1]])]
    assert not any(step.function == "crop_between_corners" for step in build_catalogue(task_facts(same)))
    assert sum(step.function in ("crop_between_corners", "fit_into_frame") for step in build_catalogue(task_facts(smaller))) == 4


def test_the_search_crops_inside_the_corners_and_paints_the_content(sandbox):
    def pair(seed, colour):
        rng = random.Random(seed)
        grid = _blank(12, 12)
        top, left = rng.randint(0, 3), rng.randint(0, 3)
        bottom, right = top + rng.randint(4, 7), left + rng.randint(4, 7)
        _corners(grid, top, left, bottom, right, colour)
        inside = []
        for r in range(top + 1, bottom):
            row = []
            for c in range(left + 1, right):
                if rng.random() < 0.4:
                    grid[r][c] = 2
                row.append(colour if grid[r][c] else 0)
            inside.append(row)
        return grid, inside

    train = [pair(1, 4), pair(2, 3), pair(3, 8)]
    test_in, test_out = pair(4, 6)
    best = search_finds(sandbox, train, test_in, test_out)
    assert "corners" in best.description
