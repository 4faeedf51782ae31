"""Lines from marked cells: each cell facing the largest piece draws a line of its colour up to
it (the background and the target are read from each grid); an object's odd-coloured cell shoots
a ray through the object and out the other side."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.lines import draw_to_largest, shoot_from_odd_cell
from synth_lsp.offline.steps import Step


def _grid(rows: list[str]) -> list[list[int]]:
    return [[int(ch) for ch in row] for row in rows]


SCENE = _grid(
    [
        "8888888",
        "8338884",
        "8338888",
        "8888888",
        "8588888",
        "8888818",
    ]
)


def test_cells_facing_the_largest_piece_draw_a_line_up_to_it():
    assert draw_to_largest(SCENE) == _grid(
        [
            "8888888",
            "8334444",
            "8338888",
            "8588888",
            "8588888",
            "8888818",  # faces nothing: no line
        ]
    )
    assert SCENE[1] == [8, 3, 3, 8, 8, 8, 4]  # the input is left alone


def test_no_line_or_no_single_largest_piece_means_the_step_does_not_apply():
    assert draw_to_largest(_grid(["000", "010", "000"])) is None  # one piece only
    assert (
        draw_to_largest(_grid(["1100", "0000", "0022"])) is None
    )  # a tie for the largest
    assert draw_to_largest(_grid(["1100", "0000", "0002"])) is None  # the 2 faces no 1
    assert draw_to_largest([[0]]) is None


def test_the_sandbox_draws_the_same_lines(sandbox):
    grids = [
        SCENE,
        _grid(["000", "010", "000"]),
        _grid(["1100", "0000", "0022"]),
        [[0]],
    ]
    steps = [
        Step("draw_to_largest", (), "lines"),
        Step("shoot_from_odd_cell", (0,), "shoot"),
    ]
    same_in_sandbox(sandbox, steps, grids + [ARROW])


def test_the_search_draws_lines_to_the_block_from_three_pairs(sandbox):
    train = [
        (
            _grid(["8888888", "8338884", "8338888", "8888888", "8588888"]),
            _grid(["8888888", "8334444", "8338888", "8588888", "8588888"]),
        ),
        (
            _grid(["22222", "21112", "21112", "22222", "22262"]),
            _grid(["22222", "21112", "21112", "22262", "22262"]),
        ),
        (
            _grid(["000000", "000000", "700330", "000330"]),
            _grid(["000000", "000000", "777330", "000330"]),
        ),
    ]
    test_in = _grid(["5555", "5445", "5445", "5555", "5595"])
    best = search_finds(
        sandbox, train, test_in, _grid(["5555", "5445", "5445", "5595", "5595"])
    )
    assert "line" in best.description


ARROW = _grid(
    [
        "0000000",
        "0200000",
        "0220000",
        "0122000",
        "0220000",
        "0200000",
        "0000030",
    ]
)


ARROW_SHOT = _grid(
    [
        "0000000",
        "0200000",
        "0220000",
        "0122111",  # from the 1 through the 2s, then on to the border
        "0220000",
        "0200000",
        "0000030",  # a lone cell points nowhere
    ]
)


def test_an_odd_cell_shoots_through_its_object_towards_its_bulk():
    assert shoot_from_odd_cell(ARROW, 0) == ARROW_SHOT
    assert (
        shoot_from_odd_cell(_grid(["000", "030", "000"]), 0) is None
    )  # a lone cell points nowhere
    assert shoot_from_odd_cell(_grid(["212"]), 0) is None  # balanced: no direction
    assert (
        shoot_from_odd_cell(_grid(["0000", "0120", "0220"]), 0) is None
    )  # diagonal bulk: no axis


def test_the_search_shoots_rays_from_odd_cells(sandbox):
    train = [
        (ARROW, ARROW_SHOT),
        (
            _grid(["00000", "00000", "00400", "04440", "00500"]),
            _grid(["00500", "00500", "00400", "04440", "00500"]),
        ),
        (_grid(["000000", "866000", "000000"]), _grid(["000000", "866888", "000000"])),
    ]
    test_in = _grid(["0000", "0000", "0000", "0777", "0090"])
    best = search_finds(
        sandbox, train, test_in, _grid(["0090", "0090", "0090", "0777", "0090"])
    )
    assert "ray" in best.description
