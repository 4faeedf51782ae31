"""Objects that move until they touch: each piece slides towards a fixed piece (straight, or
diagonally too) and stops against it; the search finds the rule from a few pairs."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.motion import (
    attract_objects,
    centre_in_frame,
    fly_to_walls,
    step_towards,
)
from synth_lsp.offline.steps import Step


def _grid(rows: list[str]) -> list[list[int]]:
    return [[int(ch) for ch in row] for row in rows]


SCENE = _grid(
    [
        "000500000",
        "000000000",
        "000220050",
        "000220000",
        "000000000",
        "000000000",
        "000000500",
    ]
)


WALLED = _grid(
    [
        "0111110",
        "2030003",
        "2005002",
        "2000403",
        "2000003",
        "0444440",
    ]
)


def test_pieces_fly_to_the_wall_of_their_colour_or_vanish():
    moved = _grid(
        [
            "0111110",
            "2000033",  # the 3 goes right to the 3 on the right wall
            "2000002",  # the 5 faces no wall of its colour: it vanishes
            "2000003",
            "2000403",  # the 4 drops to the 4-wall below
            "0444440",
        ]
    )
    assert fly_to_walls(WALLED, 0) == moved
    assert fly_to_walls(_grid(["000", "010", "000"]), 0) is None  # no walls
    assert fly_to_walls(_grid(["100", "000", "002"]), 0) is None  # only walls


def test_pieces_slide_straight_until_they_touch_the_anchor():
    out = attract_objects(SCENE, 2, False, 0)
    assert out == _grid(
        [
            "000000000",
            "000500000",
            "000225000",
            "000220000",
            "000000000",
            "000000000",
            "000000500",  # faces no anchor: stays
        ]
    )
    assert SCENE[0][3] == 5  # the input is left alone


def test_with_diagonal_a_piece_that_faces_no_anchor_slides_to_its_corner():
    out = attract_objects(SCENE, 2, True, 0)
    assert out[6][6] == 0 and out[4][4] == 5  # up-left until its corner meets the 2s
    assert sum(v == 5 for row in out for v in row) == 3  # no piece lost or doubled


def test_pieces_in_a_row_stack_up_against_the_anchor():
    # the piece under the 3 rises to it; the others face no anchor and stay
    assert attract_objects(
        _grid(["3000000", "0000000", "5500505"]), 3, False, 0
    ) == _grid(["3000000", "5500000", "0000505"])
    assert attract_objects(
        _grid(["0000000", "0000000", "3055005"]), 3, False, 0
    ) == _grid(["0000000", "0000000", "3555000"])


def test_no_anchor_or_nothing_to_move_means_the_step_does_not_apply():
    assert attract_objects(SCENE, 7, False, 0) is None
    assert attract_objects(_grid(["000", "020", "000"]), 2, False, 0) is None
    assert attract_objects([[0]], 2, True, 0) is None
    # a diagonal slide that misses the anchor is no rule
    assert (
        attract_objects(
            _grid(["50000", "00000", "00002", "00000", "00000"]), 2, True, 0
        )
        is None
    )


def test_the_sandbox_moves_them_the_same_way(sandbox):
    steps = [
        Step("attract_objects", (2, diagonal, 0), "attract")
        for diagonal in (False, True)
    ]
    same_in_sandbox(sandbox, steps, [SCENE, _grid(["000", "020", "000"]), [[0]]])


def _pair(rows_in: list[str], rows_out: list[str]):
    return _grid(rows_in), _grid(rows_out)


def test_the_search_finds_move_until_touch_from_three_pairs(sandbox):
    train = [
        _pair(
            ["00400", "00000", "00000", "00110", "00110"],
            ["00000", "00000", "00400", "00110", "00110"],
        ),
        _pair(
            ["0000000", "0110004", "0110000", "0000000"],
            ["0000000", "0114000", "0110000", "0000000"],
        ),
        _pair(
            ["00000", "00000", "11000", "11000", "00000", "40000"],
            ["00000", "00000", "11000", "11000", "40000", "00000"],
        ),
    ]
    test_in = _grid(["000000", "000000", "000000", "000011", "400011", "000000"])
    test_out = _grid(["000000", "000000", "000000", "000011", "000411", "000000"])
    best = search_finds(sandbox, train, test_in, test_out)
    assert "touch" in best.description


FRAMED = _grid(
    [
        "3000030",
        "0000000",
        "0000000",
        "0000000",
        "3000030",
        "0000022",
    ]
)


def test_the_picture_moves_to_the_centre_of_the_marked_frame():
    assert centre_in_frame(FRAMED, 3, 0) == _grid(
        [
            "3000030",
            "0000000",
            "0022000",
            "0000000",
            "3000030",
            "0000000",
        ]
    )
    assert (
        centre_in_frame(FRAMED, 2, 0) is None
    )  # the 2s frame nothing that fits inside them
    assert (
        centre_in_frame(_grid(["30003", "00000", "00220", "30003"]), 3, 0) is None
    )  # two rows for one: no centre
    assert centre_in_frame(_grid(["303"]), 3, 0) is None  # nothing to move


def test_pieces_take_one_step_towards_the_anchor():
    grid = _grid(["30000", "00000", "00002", "00000", "00500"])
    assert step_towards(grid, 2, 0) == _grid(
        ["00000", "03000", "00002", "00050", "00000"]
    )
    assert (
        step_towards(_grid(["0320"]), 2, 0) is None
    )  # already touching: nothing moves
    assert (
        step_towards(_grid(["2003002"]), 2, 0) is None
    )  # two anchor pieces: which way?
    assert step_towards(_grid(["300"]), 2, 0) is None  # no anchor
