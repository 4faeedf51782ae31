"""Lines from marked cells to a target: each cell facing the largest piece draws a line of its
colour up to it; the background and the target are read from each grid."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.lines import draw_to_largest
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
    same_in_sandbox(sandbox, [Step("draw_to_largest", (), "lines")], grids)


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
