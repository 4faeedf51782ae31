"""Lines and drawing from marked cells (`primitives.rays`, `learned_rays`): whole rows and columns
through markers layered in a learned order, boxes spanned by corner markers, pair lines with one
direction on top, diagonal rays bouncing off the side walls, and stamps learned around marker
cells. Each on handmade grids, in the real Monty sandbox, found by the search, and on bad input."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.cross_validation import leave_one_out
from synth_lsp.offline.learned_rays import (
    learn_elbow_line,
    learn_marker_lines,
    learn_marker_stamps,
    learn_motif_path,
)
from synth_lsp.offline.primitives.rays import (
    border_pair_lines,
    bounce_ray,
    box_between_markers,
    connect_across_lines,
    connect_pairs_layered,
    draw_marker_lines,
    elbow_line,
    fill_open_lines,
    full_line_colour,
    recolour_from_edge,
    repeat_motif,
    stamp_markers,
)
from synth_lsp.offline.steps import Step


def _grid(rows: list[str]) -> list[list[int]]:
    return [[int(ch) for ch in row] for row in rows]


def _blank(height: int, width: int) -> list[list[int]]:
    return [[0] * width for _ in range(height)]


# --- rows and columns through markers -------------------------------------------------------

MARKED = _grid(["00000", "00200", "00000", "30000", "00000"])


def test_marker_lines_paint_whole_rows_and_columns_later_ones_on_top():
    lines = [[2, "column"], [3, "row"]]
    assert draw_marker_lines(MARKED, lines, 0) == _grid(
        ["00200", "00200", "00200", "33333", "00200"]
    )
    # the other order: the column crosses the row
    assert draw_marker_lines(MARKED, lines[::-1], 0) == _grid(
        ["00200", "00200", "00200", "33233", "00200"]
    )
    assert draw_marker_lines(MARKED, [[2, "both"]], 0) == _grid(
        ["00200", "22222", "00200", "30200", "00200"]
    )
    assert MARKED[0] == [0, 0, 0, 0, 0]  # the input is left alone


def test_marker_lines_need_a_listed_colour_on_the_grid():
    assert draw_marker_lines(MARKED, [[7, "row"]], 0) is None
    assert draw_marker_lines([[0]], [[2, "row"]], 0) is None
    assert draw_marker_lines([[2]], [[2, "row"]], 0) == [[2]]


def _lines_rule(grid: list[list[int]]) -> list[list[int]]:
    """The task the learner must find: 4 paints columns, then 6 paints rows over them."""
    return draw_marker_lines(grid, [[4, "column"], [6, "row"]], 0)


LINE_INPUTS = [
    _grid(["000000", "040000", "000000", "000060", "000000"]),
    _grid(["0000", "0006", "0000", "0400", "0000", "0060"]),
    _grid(["00000", "00004", "00000", "60000", "00400"]),
]


def test_the_axis_and_the_order_of_marker_lines_are_learned_and_cross_validated():
    outputs = [_lines_rule(g) for g in LINE_INPUTS]
    step = learn_marker_lines(LINE_INPUTS, outputs)
    assert step is not None and step.args[0] == [[4, "column"], [6, "row"]]
    assert leave_one_out(learn_marker_lines, LINE_INPUTS, outputs).exact == len(
        LINE_INPUTS
    )
    # a change no marker line explains: no rule
    wrong = [row[:] for row in outputs[0]]
    wrong[4][5] = 6
    assert learn_marker_lines(LINE_INPUTS[:1], [wrong]) is None
    assert learn_marker_lines(LINE_INPUTS, LINE_INPUTS) is None  # nothing changes


def test_the_search_finds_marker_lines(sandbox):
    train = [(g, _lines_rule(g)) for g in LINE_INPUTS]
    test_in = _grid(["0000000", "0000600", "0400000", "0000000", "0000040", "0600000"])
    search_finds(sandbox, train, test_in, _lines_rule(test_in))


# --- boxes between corner markers -----------------------------------------------------------

CORNERS = _grid(["000000", "010000", "000000", "000100", "000002", "200000"])


def test_lone_markers_of_a_colour_span_a_box():
    assert box_between_markers(CORNERS, False, 0) == _grid(
        ["000000", "011100", "011100", "011100", "222222", "222222"]
    )
    assert box_between_markers(CORNERS, True, 0) == _grid(
        ["000000", "011100", "010100", "011100", "222222", "222222"]
    )


def test_no_box_without_two_lone_markers_spanning_an_area():
    assert (
        box_between_markers(_grid(["0000", "0110", "0000"]), False, 0) is None
    )  # touching: a piece
    assert (
        box_between_markers(_grid(["1001", "0000"]), False, 0) is None
    )  # one row: no area
    assert (
        box_between_markers(_grid(["000", "010", "000"]), False, 0) is None
    )  # a single marker
    assert box_between_markers([[5]], False, 0) is None


def test_the_search_draws_boxes_between_markers(sandbox):
    train = [
        (
            _grid(["00000", "03000", "00000", "00030", "00000"]),
            _grid(["00000", "03330", "03330", "03330", "00000"]),
        ),
        (_grid(["7000", "0000", "0007"]), _grid(["7777", "7777", "7777"])),
        (
            _grid(["000000", "040000", "000004", "000000"]),
            _grid(["000000", "044444", "044444", "000000"]),
        ),
    ]
    test_in = _grid(["00000", "00600", "00000", "00000", "60000"])
    search_finds(
        sandbox, train, test_in, _grid(["00000", "66600", "66600", "66600", "66600"])
    )


# --- pair lines with one direction on top ---------------------------------------------------

PAIRS = _grid(["00300", "00000", "20002", "00000", "00300"])


def test_crossing_pair_lines_take_the_colour_of_the_direction_on_top():
    assert connect_pairs_layered(PAIRS, "vertical", -1, 0) == _grid(
        ["00300", "00300", "22322", "00300", "00300"]
    )
    assert connect_pairs_layered(PAIRS, "horizontal", -1, 0) == _grid(
        ["00300", "00300", "22222", "00300", "00300"]
    )
    assert connect_pairs_layered(PAIRS, "vertical", 8, 0) == _grid(
        ["00300", "00800", "28882", "00800", "00300"]
    )
    assert (
        connect_pairs_layered(_grid(["10", "02"]), "vertical", -1, 0) is None
    )  # no pair faces another
    assert connect_pairs_layered([[0]], "vertical", -1, 0) is None


# --- rays bouncing off the side walls -------------------------------------------------------


def test_a_diagonal_ray_bounces_off_the_side_walls_until_the_far_wall():
    seed = _blank(6, 3)
    seed[5][0] = 1
    assert bounce_ray(seed, "up", 0) == _grid(
        ["010", "100", "010", "001", "010", "100"]
    )
    # heading right from the middle of the left wall, bouncing off the top and bottom
    side = _blank(3, 5)
    side[2][0] = 4
    assert bounce_ray(side, "right", 0) == _grid(["00400", "04040", "40004"])


def test_a_bouncing_ray_stops_at_another_cell_and_needs_a_lone_seed():
    seed = _blank(5, 3)
    seed[4][0] = 1
    seed[1][1] = 5  # in the way
    # the 5 is a lone cell too: its own ray leaves at the top
    assert bounce_ray(seed, "up", 0) == _grid(["005", "050", "001", "010", "100"])
    assert (
        bounce_ray(_grid(["000", "000", "110"]), "up", 0) is None
    )  # a piece, not a lone cell
    assert bounce_ray([[1]], "up", 0) is None  # nowhere to go
    assert bounce_ray(_grid(["0", "0", "3"]), "up", 0) == _grid(
        ["3", "3", "3"]
    )  # one column: straight up


def test_the_search_bounces_a_ray_and_recolours_the_rest(sandbox):
    def rule(height: int, width: int) -> tuple[list[list[int]], list[list[int]]]:
        grid = _blank(height, width)
        grid[height - 1][0] = 1
        return grid, [
            [8 if v == 0 else v for v in row] for row in bounce_ray(grid, "up", 0)
        ]

    train = [rule(8, 2), rule(8, 3), rule(9, 4)]
    test_in, test_out = rule(10, 5)
    best = search_finds(sandbox, train, test_in, test_out)
    assert "bouncing" in best.description


# --- stamps around marker cells -------------------------------------------------------------


def _stamp_rule(grid: list[list[int]]) -> list[list[int]]:
    """2s get 4 at their corners, 1s get 7 at their sides; other colours nothing."""
    stamps = {
        2: [[-1, -1, 4], [-1, 1, 4], [1, -1, 4], [1, 1, 4]],
        1: [[-1, 0, 7], [0, -1, 7], [0, 1, 7], [1, 0, 7]],
    }
    out = stamp_markers(grid, stamps, False, 0)
    return grid if out is None else out


STAMP_INPUTS = [
    _grid(["0000000", "0200000", "0000000", "0000100", "0000000"]),
    _grid(["000000", "000010", "000000", "020000", "000000", "000080"]),
    _grid(["00000", "01000", "00000", "00020", "00000"]),
]


def test_a_stamp_is_painted_around_each_marker_over_background_only():
    out = stamp_markers(
        _grid(["000", "020", "005"]), {2: [[1, 1, 4], [-1, 0, -1]]}, False, 0
    )
    assert out == _grid(
        ["020", "020", "005"]
    )  # the 5 is not painted over; -1 is the marker's colour
    lone = _grid(["0000", "0220", "0000"])
    assert stamp_markers(lone, {-1: [[-1, 0, 3]]}, True, 0) is None  # no lone cell
    assert stamp_markers(lone, {-1: [[-1, 0, 3]]}, False, 0) == _grid(
        ["0330", "0220", "0000"]
    )
    assert stamp_markers([[0]], {-1: [[0, 1, 3]]}, False, 0) is None


def test_stamps_are_learned_per_colour_and_cross_validated():
    outputs = [_stamp_rule(g) for g in STAMP_INPUTS]
    step = learn_marker_stamps(STAMP_INPUTS, outputs)
    assert step is not None and step.function == "stamp_markers"
    assert sorted(step.args[0]) == [1, 2]  # the 8 marks nothing
    assert leave_one_out(learn_marker_stamps, STAMP_INPUTS, outputs).exact == len(
        STAMP_INPUTS
    )
    test_in = _grid(["0000000", "0001000", "0000000", "0200080", "0000000"])
    assert step.apply(test_in) == _stamp_rule(test_in)


def test_one_stamp_in_the_markers_own_colour_is_preferred():
    def rule(grid):  # every marker grows a plus of its own colour
        return stamp_markers(
            grid, {-1: [[-1, 0, -1], [0, -1, -1], [0, 1, -1], [1, 0, -1]]}, False, 0
        )

    inputs = [
        _grid(["00000", "03000", "00000", "00060"]),
        _grid(["0000", "0020", "0000"]),
    ]
    step = learn_marker_stamps(inputs, [rule(g) for g in inputs])
    assert step is not None and list(step.args[0]) == [-1]
    unseen = _grid(
        ["000", "090", "000"]
    )  # a colour no pair showed still gets the stamp
    assert step.apply(unseen) == rule(unseen)


def test_stamps_refuse_what_is_no_stamp():
    grid = _grid(["000", "010", "000"])
    assert (
        learn_marker_stamps([grid], [_grid(["000", "020", "000"])]) is None
    )  # the marker itself changes
    assert learn_marker_stamps([grid], [grid]) is None
    assert learn_marker_stamps([[[0]]], [[[1]]]) is None  # no marker at all
    assert learn_marker_stamps([grid], [_grid(["00", "00"])]) is None  # another shape


def test_the_search_stamps_markers(sandbox):
    train = [(g, _stamp_rule(g)) for g in STAMP_INPUTS]
    test_in = _grid(
        ["00000000", "00100000", "00000020", "00000000", "02000000", "00000000"]
    )
    best = search_finds(sandbox, train, test_in, _stamp_rule(test_in))
    assert "stamp" in best.description


# --- a motif repeated along a path from a seed ---------------------------------------------

ZIGZAG = [
    [1, -1, -1],
    [1, 1, -1],
    [2, 0, -1],
]  # below the seed: its corners, then under it


def test_a_motif_repeats_from_each_lone_seed_until_it_leaves_the_grid():
    seed = _grid(["0300", "0000", "0000", "0000", "0000"])
    assert repeat_motif(seed, ZIGZAG, [2, 0], False, 0) == _grid(
        ["0300", "3030", "0300", "3030", "0300"]
    )
    # mirrored: the point reflection of the path on the other side of the seed too
    stair = [[-1, 0, 5], [-1, 1, 5]]
    assert repeat_motif(
        _grid(["00000", "00000", "00800", "00000", "00000"]), stair, [-1, 1], True, 0
    ) == _grid(["00055", "00550", "00800", "05500", "55000"])
    assert (
        repeat_motif(_grid(["0330", "0000"]), ZIGZAG, [2, 0], False, 0) is None
    )  # no lone seed
    assert repeat_motif([[3]], ZIGZAG, [2, 0], False, 0) is None


def _zigzag(grid: list[list[int]]) -> list[list[int]]:
    return repeat_motif(grid, ZIGZAG, [2, 0], False, 0)


MOTIF_INPUTS = [
    _grid(["0200080", "0000000", "0000000", "0000000", "0000000", "0000000"]),
    _grid(["00040", "00000", "00000", "00000", "00000", "00000", "00000"]),
    _grid(["0000600", "0000000", "0000000", "0000000", "0000000"]),
]


def test_the_motif_and_its_shift_are_learned_from_the_pairs():
    outputs = [_zigzag(g) for g in MOTIF_INPUTS]
    step = learn_motif_path(MOTIF_INPUTS, outputs)
    assert step is not None and step.args[:3] == (ZIGZAG, [2, 0], False)
    assert leave_one_out(learn_motif_path, MOTIF_INPUTS, outputs).exact == len(
        MOTIF_INPUTS
    )
    # only pairs with two seeds: the changed cells are split by the nearest seed
    two = [MOTIF_INPUTS[0], _grid(["1000100", "0000000", "0000000", "0000000"])]
    step = learn_motif_path(two, [_zigzag(g) for g in two])
    assert step is not None and step.args[1] == [2, 0]
    test_in = _grid(["00000", "00000", "00900", "00000", "00000", "00000"])
    assert step.apply(test_in) == _zigzag(test_in)


def test_no_motif_path_where_cells_change_that_no_copy_explains():
    grid = _grid(["0300", "0000", "0000"])
    assert (
        learn_motif_path([grid], [_grid(["0300", "0000", "0005"])]) is None
    )  # painted once: no path
    assert (
        learn_motif_path([grid], [_grid(["0500", "0000", "0000"])]) is None
    )  # the seed itself changes
    assert (
        learn_motif_path([_blank(3, 3)], [_grid(["000", "010", "000"])]) is None
    )  # no seed
    assert learn_motif_path([grid], [grid]) is None


def test_the_search_repeats_a_motif(sandbox):
    train = [(g, _zigzag(g)) for g in MOTIF_INPUTS]
    test_in = _grid(
        [
            "00700000",
            "00000000",
            "00000000",
            "00000000",
            "00000000",
            "00000000",
            "00000000",
        ]
    )
    best = search_finds(sandbox, train, test_in, _zigzag(test_in))
    assert "motif" in best.description


# --- lines across separator lines, lines between border markers -----------------------------

CELLS = _grid(["20502", "55555", "00500", "55555", "20500"])


def test_cells_facing_each_other_across_separator_lines_are_joined():
    assert full_line_colour(CELLS, 0) == 5
    assert connect_across_lines(CELLS, 0) == _grid(
        ["22522", "55555", "20500", "55555", "20500"]
    )
    assert connect_across_lines(_grid(["20002"]), 0) is None  # no separator lines
    assert connect_across_lines(_grid(["25003", "55555"]), 0) is None  # nothing to join
    assert (
        full_line_colour(_grid(["555", "050", "000"]), 0) is None
    )  # a 5 off its line: part of the picture


BORDERS = _grid(["030004", "000000", "200012", "010000", "000000", "030010"])


def test_same_colour_cells_on_opposite_borders_mark_lines_and_the_rest_is_cleared():
    # 2 pairs up across the rows, 3 down a column; the 1s also paint the picture: no line; 4 has no partner
    assert border_pair_lines(BORDERS, 0) == _grid(
        ["030000", "030000", "232222", "030000", "030000", "030000"]  # columns on top
    )
    assert border_pair_lines(_grid(["100", "001"]), 0) is None
    assert border_pair_lines([[3]], 0) is None


# --- an L-shaped line between two markers --------------------------------------------------

ENDS = _grid(["00000", "08000", "00000", "00020", "00000"])


def test_an_elbow_joins_the_two_markers_turning_once():
    assert elbow_line(ENDS, 8, 2, 4, True, 0) == _grid(
        ["00000", "08000", "04000", "04420", "00000"]
    )
    assert elbow_line(ENDS, 8, 2, 4, False, 0) == _grid(
        ["00000", "08440", "00040", "00020", "00000"]
    )
    assert (
        elbow_line(_grid(["0808", "0002"]), 8, 2, 4, True, 0) is None
    )  # two 8s: which one?
    assert (
        elbow_line(_grid(["82"]), 8, 2, 4, True, 0) is None
    )  # side by side: nothing to paint


def _elbow(grid):
    return elbow_line(grid, 8, 2, 4, True, 0)


ELBOW_INPUTS = [
    ENDS,
    _grid(["000000", "000020", "000000", "080000"]),
    _grid(["0020", "0000", "0000", "0000", "8000"]),
]


def test_the_ends_colour_and_turn_of_an_elbow_are_learned():
    outputs = [_elbow(g) for g in ELBOW_INPUTS]
    step = learn_elbow_line(ELBOW_INPUTS, outputs)
    assert step is not None and step.apply(ELBOW_INPUTS[1]) == outputs[1]
    assert leave_one_out(learn_elbow_line, ELBOW_INPUTS, outputs).exact == len(
        ELBOW_INPUTS
    )
    test_in = _grid(["2000000", "0000000", "0000000", "0000080"])
    assert step.apply(test_in) == _elbow(test_in)
    two_colours = [row[:] for row in outputs[0]]
    two_colours[2][1] = 5  # the line is not one colour
    assert learn_elbow_line(ELBOW_INPUTS[:1], [two_colours]) is None


def test_the_search_finds_an_elbow(sandbox):
    train = [(g, _elbow(g)) for g in ELBOW_INPUTS]
    test_in = _grid(["2000000", "0000000", "0000000", "0000080"])
    best = search_finds(sandbox, train, test_in, _elbow(test_in))
    assert "L-shaped" in best.description


# --- rows and columns open from wall to wall ----------------------------------------------

FRAME = _grid(["88888", "80008", "80808", "20002", "22222"])


def test_rows_and_columns_empty_between_their_border_cells_are_painted():
    # row 1 and row 3 are open; column 1 and 3 too; row 2 and column 2 are blocked by the 8 inside
    assert fill_open_lines(FRAME, 3, 0) == _grid(
        ["88888", "83338", "83838", "23332", "22222"]
    )
    assert fill_open_lines(_grid(["888", "808", "888"]), 3, 0) == _grid(
        ["888", "838", "888"]
    )
    assert fill_open_lines(_grid(["000", "808", "000"]), 3, 0) == _grid(
        ["000", "838", "000"]
    )
    assert (
        fill_open_lines(_grid(["0008", "8000"]), 3, 0) is None
    )  # no row or column has both ends filled
    assert fill_open_lines([[8]], 3, 0) is None


# --- lines recoloured by their marker on an edge -------------------------------------------

EDGE = _grid(["10550", "00000", "20505", "30000"])


def test_each_line_takes_the_colour_of_its_marker_on_the_edge():
    assert recolour_from_edge(EDGE, "left", 0) == _grid(
        ["10110", "00000", "20202", "30000"]
    )
    assert recolour_from_edge(EDGE, "right", 0) == _grid(
        ["10550", "00000", "50505", "30000"]
    )  # only row 2 is marked
    assert recolour_from_edge(EDGE, "top", 0) == _grid(
        ["10550", "00000", "10505", "10000"]
    )
    assert (
        recolour_from_edge(_grid(["1000", "0000"]), "left", 0) is None
    )  # nothing to recolour
    assert recolour_from_edge([[4]], "bottom", 0) is None


# --- the sandbox and bad input --------------------------------------------------------------


def _big() -> list[list[int]]:
    grid = _blank(30, 30)
    grid[29][0] = 1
    grid[0][29] = 1
    grid[15][4] = 2
    grid[3][20] = 2
    return grid


def test_every_primitive_runs_the_same_in_the_sandbox(sandbox):
    steps = [
        Step(
            "draw_marker_lines", ([[2, "column"], [3, "row"], [1, "both"]], 0), "lines"
        ),
        Step("box_between_markers", (False, 0), "boxes"),
        Step("box_between_markers", (True, 0), "outlines"),
        Step("connect_pairs_layered", ("vertical", -1, 0), "pairs"),
        Step("connect_pairs_layered", ("horizontal", 8, 0), "pairs"),
        Step("bounce_ray", ("up", 0), "bounce"),
        Step("bounce_ray", ("right", 0), "bounce"),
        Step(
            "stamp_markers",
            ({2: [[1, 1, 4], [-1, -1, 4]], -1: [[0, 1, -1]]}, False, 0),
            "stamp",
        ),
        Step("stamp_markers", ({-1: [[0, -2, 5]]}, True, 0), "stamp"),
        Step("repeat_motif", (ZIGZAG, [2, 0], False, 0), "motif"),
        Step("repeat_motif", ([[-1, 0, 5], [-1, 1, 5]], [-1, 1], True, 0), "motif"),
        Step("connect_across_lines", (0,), "across"),
        Step("border_pair_lines", (0,), "borders"),
        Step("elbow_line", (8, 2, 4, True, 0), "elbow"),
        Step("elbow_line", (1, 2, 3, False, 0), "elbow"),
        Step("fill_open_lines", (3, 0), "open"),
        Step("recolour_from_edge", ("left", 0), "edge"),
        Step("recolour_from_edge", ("bottom", 0), "edge"),
    ]
    grids = [
        MARKED,
        CORNERS,
        PAIRS,
        STAMP_INPUTS[0],
        _big(),
        [[0]],
        [[3]],
        _grid(["0", "0", "3"]),
    ]
    same_in_sandbox(sandbox, steps, grids)


def test_bad_grids_give_a_grid_or_none_never_an_error():
    full = [[7] * 30 for _ in range(30)]  # no background at all
    for grid in ([[0]], [[4]], full, _blank(30, 30), _big()):
        for out in (
            draw_marker_lines(grid, [[1, "row"], [2, "column"]], 0),
            box_between_markers(grid, False, 0),
            connect_pairs_layered(grid, "vertical", -1, 0),
            bounce_ray(grid, "down", 0),
            bounce_ray(grid, "left", 0),
            stamp_markers(grid, {-1: [[1, 1, 3]]}, False, 0),
            repeat_motif(grid, ZIGZAG, [2, 0], True, 0),
            connect_across_lines(grid, 0),
            border_pair_lines(grid, 0),
            elbow_line(grid, 1, 2, 3, True, 0),
            fill_open_lines(grid, 3, 0),
            recolour_from_edge(grid, "top", 0),
        ):
            assert out is None or (
                len(out) == len(grid) and len(out[0]) == len(grid[0])
            )
    assert learn_marker_lines([full], [full]) is None
    assert learn_marker_stamps([_blank(30, 30)], [_blank(30, 30)]) is None
    assert learn_motif_path([full], [_blank(30, 30)]) is None
