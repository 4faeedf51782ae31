"""An object completes its own symmetry: per object, over the content, about the grid's centre or
about a marker's centre, under a patch of another colour; on edge grids, in the sandbox, and
found by the search."""

from __future__ import annotations

import random

import pytest
from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline import synthesize
from synth_lsp.offline.catalogue import SYMMETRY_GROUPS, SYMMETRY_SCOPES, build_catalogue, task_facts
from synth_lsp.offline.primitives.object_symmetry import rarest_colour, sym_image, symmetrize
from synth_lsp.offline.steps import Step, is_usable


def _blank(height: int, width: int) -> list[list[int]]:
    return [[0] * width for _ in range(height)]


def _paint(grid, top, left, rows):
    """Paint the strings of digits `rows` (`.` for background) at (top, left)."""
    for dr, row in enumerate(rows):
        for dc, ch in enumerate(row):
            if ch != ".":
                grid[top + dr][left + dc] = int(ch)
    return grid


STAR = ["3.8.3", ".2.2.", "8.4.8", ".2.2.", "3.8.3"]  # its own image under every mirror and quarter turn


def test_each_object_gets_back_its_missing_corners():
    full = _paint(_paint(_blank(12, 12), 1, 1, STAR), 6, 6, STAR)
    broken = [row[:] for row in full]
    broken[1][1] = broken[5][5] = broken[10][10] = 0  # corners of both stars gone (one of them twice)
    broken[10][6] = 0
    assert symmetrize(broken, 0, "objects", "d4", -1, -1) == full
    assert symmetrize(broken, 0, "objects", "r90", -1, -1) == full
    assert broken[1][1] == 0  # the input is left alone


def test_a_mirror_that_would_land_on_another_colour_is_not_the_symmetry():
    grid = _paint(_blank(6, 6), 1, 1, ["12", "3."])  # no mirror of this maps colours onto themselves
    assert symmetrize(grid, 0, "objects", "lr", -1, -1) is None
    assert symmetrize(grid, 0, "objects", "d4", -1, -1) is None
    assert symmetrize(grid, 0, "objects", "tr", -1, -1) is None  # the transpose sends the 2 onto the 3


def test_an_off_centre_axis_is_found_when_a_column_is_missing():
    # the object's box is one column short on the left, so its box centre is off by half a cell
    grid = _paint(_blank(7, 9), 1, 1, ["..5.5", ".55555", "5.5.5"])
    out = symmetrize(grid, 0, "content", "lr", -1, -1)
    assert [row[1:8] for row in out[1:4]] == [[0, 0, 5, 0, 5, 0, 0], [0, 5, 5, 5, 5, 5, 0], [5, 0, 5, 0, 5, 0, 5]]


def test_a_half_turn_about_the_grid_centre_painted_in_a_new_colour():
    grid = _paint(_blank(6, 6), 0, 0, ["11....", ".1....", "......"])
    assert symmetrize(grid, 0, "grid", "r180", 2, -1) is None  # nothing agrees yet: no sign of the symmetry
    grid[5][5] = 1  # the image of (0, 0)
    out = symmetrize(grid, 0, "grid", "r180", 2, -1)
    assert out[5][4:] == [2, 1] and out[4][4] == 2 and out[0][:2] == [1, 1]
    assert sum(v == 2 for row in out for v in row) == 2


def test_the_smallest_object_gives_the_centre_of_the_mirrors():
    grid = _blank(11, 11)
    _paint(grid, 4, 4, ["4.4", ".4.", "4.4"])  # the marker, centre (5, 5)
    _paint(grid, 1, 1, ["222", "22.", "2.."])  # the piece to mirror about it
    out = symmetrize(grid, 0, "smallest", "both", -1, -1)
    assert out[1][7:10] == [2, 2, 2] and out[9][1:3] == [2, 2] and out[9][8:10] == [2, 2] and out[8][9] == 2 and out[5] == grid[5]
    assert symmetrize(_paint(_blank(5, 5), 1, 1, ["22"]), 0, "smallest", "both", -1, -1) is None  # one object: no marker


def test_a_patch_of_the_rarest_colour_is_lifted_and_the_mirror_fills_under_it():
    grid = _paint(_blank(6, 8), 1, 1, ["6..6", "6666", "6..6"])
    grid[1][3] = grid[1][4] = grid[2][4] = 1  # the patch hides a part of the object
    assert rarest_colour(grid, 0) == 1
    out = symmetrize(grid, 0, "objects", "lr", -1, -2)
    assert out == _paint(_blank(6, 8), 1, 1, ["6..6", "6666", "6..6"])


def test_images_between_cells_do_not_count():
    assert sym_image(0, 0, 1, 0, "r90") is None  # a quarter turn about a centre between two rows only
    assert sym_image(0, 0, 2, 2, "r90") == (0, 2)
    assert sym_image(3, 1, 4, 4, "tr") == (1, 3)


def _crowded(seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(30)] for _ in range(30)]


STEPS = [
    Step("symmetrize", (0, scope, group, paint, hidden), "sym")
    for scope in SYMMETRY_SCOPES
    for group in SYMMETRY_GROUPS
    for paint, hidden in ((-1, -1), (4, -2))
]
EDGE_GRIDS = [[[0]], [[4]], _blank(30, 30), [[7] * 30 for _ in range(30)], _crowded(5)]


@pytest.mark.parametrize("index", range(len(EDGE_GRIDS)))
def test_edge_grids_give_nothing_or_a_usable_grid(index):
    for step in STEPS:
        out = step.apply(EDGE_GRIDS[index])
        assert out is None or is_usable(out), step
    assert symmetrize([[0]], 0, "objects", "d4", -1, -1) is None  # nothing to complete


def test_the_sandbox_agrees(sandbox):
    star = _paint(_blank(8, 8), 1, 1, STAR)
    star[1][1] = 0
    same_in_sandbox(sandbox, STEPS[::5], [star, [[0]], _crowded(5)])


def test_the_steps_are_only_offered_when_the_outputs_only_paint_background():
    adds = [([[1, 0], [0, 0]], [[1, 1], [0, 0]])]
    recolours = [([[1, 0], [0, 0]], [[2, 1], [0, 0]])]
    same = [([[1, 0], [0, 0]], [[1, 0], [0, 0]])]
    assert sum(step.function == "symmetrize" for step in build_catalogue(task_facts(adds))) == len(SYMMETRY_SCOPES) * len(SYMMETRY_GROUPS)
    assert not any(step.function == "symmetrize" for step in build_catalogue(task_facts(recolours)))
    assert not any(step.function == "symmetrize" for step in build_catalogue(task_facts(same)))


def _symmetric_pair(seed: int):
    """A few objects, each its own left-right mirror image in its own box, with cells knocked out."""
    rng = random.Random(seed)
    out = _blank(14, 14)
    for top, left in ((1, 1), (8, 7)):
        colours = [rng.choice([2, 3, 4, 6]) for _ in range(2)]
        for r in range(4):
            for c in range(2):
                if rng.random() < 0.7 or c == 0:
                    out[top + r][left + c] = out[top + r][left + 4 - c] = colours[r % 2]
        out[top][left + 2] = 5  # the middle column, so every object spans its box
    inp = [row[:] for row in out]
    for top, left in ((1, 1), (8, 7)):
        for r in range(4):
            if rng.random() < 0.5 and inp[top + r][left + 4]:
                inp[top + r][left + 4] = 0  # the right edge knocked out here and there
        inp[top][left] = inp[top][left + 4] = 0  # one corner pair gone: the box keeps its width by the others
        inp[top][left] = out[top][left]
    return inp, out


def test_the_search_completes_each_objects_mirror(sandbox):
    train = [_symmetric_pair(s) for s in (1, 2, 3)]
    test_in, test_out = _symmetric_pair(4)
    best = search_finds(sandbox, train, test_in, test_out)
    assert "symmetry" in best.description or "symmetric" in best.description


def test_one_train_pair_is_never_claimed():
    inp, out = _symmetric_pair(1)
    programs = synthesize([(inp, out)], time_budget_s=4.0, max_programs=1)
    assert programs and programs[0].fits and not programs[0].claimed
