"""The offline model's grid primitives: what each does on small grids, and that the Monty sandbox
computes exactly what the host computes for every step the search can try."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from synth_lsp.offline.catalogue import build_catalogue, task_facts
from synth_lsp.offline.emit import _call, _sources, emit_script, needed_functions
from synth_lsp.offline.primitives import FUNCTIONS
from synth_lsp.offline.steps import Step
from synth_lsp.core.runs import RunLimits
from synth_lsp.sandbox.runner import Sandbox

# every primitive by name, whichever topic module defines it
P = SimpleNamespace(**FUNCTIONS)

G = [
    [1, 2, 0],
    [0, 3, 0],
]


def test_dihedral_transforms():
    assert P.rotate_90(G) == [[0, 1], [3, 2], [0, 0]]
    assert P.rotate_270(G) == [[0, 0], [2, 3], [1, 0]]
    assert P.rotate_180(G) == [[0, 3, 0], [0, 2, 1]]
    assert P.flip_left_right(G) == [[0, 2, 1], [0, 3, 0]]
    assert P.flip_up_down(G) == [[0, 3, 0], [1, 2, 0]]
    assert P.transpose(G) == [[1, 0], [2, 3], [0, 0]]
    assert P.anti_transpose(G) == [[0, 0], [3, 2], [0, 1]]
    # the 8 indices give 8 distinct images of an asymmetric grid, and never alias the input
    images = [P.dihedral(G, k) for k in range(8)]
    assert len({str(i) for i in images}) == 8
    images[0][0][0] = 9
    assert G[0][0] == 1


def test_crops():
    grid = [
        [0, 0, 0, 0],
        [0, 5, 6, 0],
        [0, 0, 7, 0],
    ]
    assert P.crop_to_content(grid, 0) == [[5, 6], [0, 7]]
    assert P.crop_to_colour(grid, 7) == [[7]]
    assert P.crop_to_content([[0, 0]], 0) is None
    assert P.crop_inside_colour([[4, 4, 4], [4, 4, 4]], 4) is None  # no inside
    framed = [[4, 4, 4, 4], [4, 1, 2, 4], [4, 3, 0, 4], [4, 4, 4, 4]]
    assert P.crop_inside_colour(framed, 4) == [[1, 2], [3, 0]]
    assert P.half([[1, 2, 3, 4]], "right") == [[3, 4]]
    assert P.crop_corner([[1, 2, 3], [4, 5, 6]], "bottom_right", 1, 2) == [[5, 6]]
    assert P.crop_corner([[1, 2, 3], [4, 5, 6], [7, 8, 9]], "centre", 1, 1) == [[5]]
    assert P.crop_corner([[1, 2]], "top_left", 2, 2) is None
    assert P.trim_border([[1, 1, 1], [1, 5, 1], [1, 1, 1]]) == [[5]]
    assert P.tile_unit([[1, 2, 1, 2], [3, 4, 3, 4]]) == [[1, 2], [3, 4]]
    assert P.tile_unit([[1, 2], [3, 4]]) is None
    assert P.half([[1], [2], [3]], "top") == [[1]]


def test_objects_and_selection():
    grid = [
        [1, 1, 0, 2],
        [1, 0, 0, 0],
        [0, 0, 3, 3],
        [0, 0, 3, 3],
    ]
    objects = P.find_objects(grid, 0, False, False)
    assert [len(o) for o in objects] == [3, 1, 4]
    assert P.crop_object(grid, 0, False, False, "largest") == [[3, 3], [3, 3]]
    assert P.crop_object(grid, 0, False, False, "smallest") == [[2]]
    assert P.crop_object(grid, 0, False, False, "first") == [[1, 1], [1, 0]]
    assert P.keep_object(grid, 0, False, False, "smallest") == [[0, 0, 0, 2], [0] * 4, [0] * 4, [0] * 4]
    assert P.remove_object(grid, 0, False, False, "largest")[2] == [0, 0, 0, 0]
    twins = [[1, 0, 1, 0, 2, 2]]
    assert P.crop_object(twins, 0, False, False, "commonest_shape") == [[1]]
    # corners join with `diagonal`; colours join with `multicolour`
    touching = [[1, 0], [0, 2]]
    assert len(P.find_objects(touching, 0, True, False)) == 2
    assert len(P.find_objects(touching, 0, True, True)) == 1
    # a tie is ambiguous, so nothing is chosen
    assert P.select_object(P.find_objects([[1, 0, 1]], 0, False, False), "largest") is None


def test_tiling_and_scaling():
    grid = [[1, 0], [0, 1]]
    assert P.tile_self(grid, False) == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]]
    assert P.tile_self(grid, True) == [[0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 0, 0]]
    assert P.tile([[1, 2]], 2, 2) == [[1, 2, 1, 2], [1, 2, 1, 2]]
    assert P.arrange_tiles([[1, 2]], [[0, 4], [-1, 0]]) == [[1, 2, 2, 1], [0, 0, 1, 2]]
    assert P.scale_up([[1, 2]], 2) == [[1, 1, 2, 2], [1, 1, 2, 2]]
    assert P.scale_down([[1, 1, 2, 2], [1, 1, 2, 2]], 2) == [[1, 2]]
    assert P.scale_down([[1, 1, 2]], 2) is None
    assert P.scale_by_colours([[1, 0], [0, 2]], 0) == P.scale_up([[1, 0], [0, 2]], 2)
    assert P.tile_self([[1] * 6], False) is None  # 36 columns: larger than any ARC grid
    assert P.dedupe_lines([[1, 1, 2], [1, 1, 2], [3, 3, 4]]) == [[1, 2], [3, 4]]
    assert P.remove_empty_lines([[0, 0, 0], [0, 5, 0]], 0) == [[5]]


def test_physics_and_drawing():
    assert P.gravity([[1, 0], [0, 0], [0, 2]], "down", 0) == [[0, 0], [0, 0], [1, 2]]
    assert P.gravity([[0, 1, 0, 2]], "left", 0) == [[1, 2, 0, 0]]
    ring = [[1, 1, 1], [1, 0, 1], [1, 1, 1]]
    assert P.fill_enclosed(ring, 4, 0) == [[1, 1, 1], [1, 4, 1], [1, 1, 1]]
    assert P.fill_enclosed([[0, 1]], 4, 0) == [[0, 1]]  # nothing enclosed
    assert P.outline([[0, 0, 0], [0, 5, 0]], 2, 0, False) == [[0, 2, 0], [2, 5, 2]]
    assert P.fill_object_boxes([[1, 0, 0], [0, 1, 0], [0, 0, 0]], 7, 0) == [[1, 7, 0], [7, 1, 0], [0, 0, 0]]
    assert P.hollow([[3] * 3] * 3, 0) == [[3, 3, 3], [3, 0, 3], [3, 3, 3]]
    assert P.extend_lines([[0, 0, 0], [0, 7, 0]], "up", 0) == [[0, 7, 0], [0, 7, 0]]
    assert P.connect_pairs([[2, 0, 0, 2]], "horizontal", -1, 0) == [[2, 2, 2, 2]]
    assert P.connect_pairs([[2, 0, 0, 2]], "horizontal", 9, 0) == [[2, 9, 9, 2]]
    assert P.connect_pairs([[2, 0, 0, 2]], "vertical", -1, 0) == [[2, 0, 0, 2]]
    assert P.connect_pairs([[4, 0, 0], [0, 0, 0], [0, 0, 4]], "diagonal", -1, 0) == [[4, 0, 0], [0, 4, 0], [0, 0, 4]]
    assert P.connect_pairs([[2, 0, 3, 2]], "both", -1, 0) == [[2, 0, 3, 2]]  # blocked by another colour
    # rays: a diagonal leaves a block only from its corner
    block = [[0, 0, 0, 0], [0, 0, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]
    assert P.draw_rays(block, [[1, ["up_left"]]], 0) == [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 1], [0, 0, 1, 1]]
    assert P.draw_rays([[0, 0, 3]], [[3, ["left"]]], 0) == [[3, 3, 3]]
    assert P.shift([[1, 2], [3, 4]], 1, 0, 0) == [[0, 0], [1, 2]]
    assert P.draw_border([[0] * 3] * 3, 8) == [[8, 8, 8], [8, 0, 8], [8, 8, 8]]


def test_objects_fall_as_whole_pieces_and_stack():
    # an L-piece and a dot above it: the L lands on the floor, the dot on the L
    grid = [[0, 2, 0], [0, 0, 0], [1, 0, 0], [1, 1, 0], [0, 0, 0]]
    assert P.drop_objects(grid, "down", 0, -1) == [[0, 0, 0], [0, 0, 0], [0, 0, 0], [1, 2, 0], [1, 1, 0]]
    assert P.drop_objects([[0, 3, 0, 4]], "left", 0, -1) == [[3, 4, 0, 0]]
    # an anchor stays; the others come to rest against it
    wall = [[0, 0, 0, 5], [6, 0, 0, 5], [0, 0, 0, 5]]
    assert P.drop_objects(wall, "right", 0, 5) == [[0, 0, 0, 5], [0, 0, 6, 5], [0, 0, 0, 5]]
    assert P.drop_objects([[0, 6, 0]], "right", 0, 5) is None  # no anchor piece to rest against


def test_each_object_is_turned_or_mirrored_in_its_own_box():
    grid = [[1, 2, 0, 0], [0, 0, 0, 3], [0, 0, 0, 4]]
    assert P.transform_objects(grid, 0, 4) == [[2, 1, 0, 0], [0, 0, 0, 3], [0, 0, 0, 4]]
    assert P.transform_objects(grid, 0, 5) == [[1, 2, 0, 0], [0, 0, 0, 4], [0, 0, 0, 3]]
    assert P.transform_objects(grid, 0, 1) is None  # a 1x2 box cannot turn 90 degrees in place
    assert P.transform_objects([[5, 6], [0, 7]], 0, 1) == [[0, 5], [7, 6]]


def test_a_repeating_pattern_is_repainted_under_its_patch():
    pattern = [[(r * 2 + c) % 3 + 1 for c in range(6)] for r in range(6)]
    holed = [row[:] for row in pattern]
    for r, c in ((1, 1), (1, 2), (2, 1), (2, 2), (4, 5)):
        holed[r][c] = 0
    assert P.fill_pattern(holed, 0) == pattern
    assert P.pattern_under_patch(holed, 0) == [row[1:6] for row in pattern[1:5]]
    assert P.fill_pattern(pattern, 0) is None  # nothing painted over
    noise = [[1, 2, 3], [4, 0, 5], [6, 7, 8]]
    assert P.fill_pattern(noise, 0) is None  # no pattern repeats


def test_symmetry():
    assert P.complete_symmetry([[1, 2, 1], [3, 4, 9]], 9) == [[1, 2, 1], [3, 4, 3]]
    assert P.complete_symmetry([[1, 9, 1]], 9) == [[1, 9, 1]]  # the mirror of the hole is the hole
    assert P.complete_symmetry([[1, 2, 9]], 9) == [[1, 2, 1]]
    assert P.mirror_complete([[1, 0, 0]], "left_right", 0) == [[1, 0, 1]]


def test_symmetry_repair_finds_an_off_centre_mirror():
    # a left-right symmetric picture whose axis sits between columns 1 and 2 of a 5-wide grid
    # (the last column is cut off), with a patch of 9 over two cells
    grid = [
        [1, 2, 2, 1, 0],
        [3, 9, 4, 3, 0],
        [5, 6, 9, 5, 0],
        [7, 8, 8, 7, 0],
    ]
    repaired = P.repair_symmetry(grid, 9)
    assert repaired[1][:4] == [3, 4, 4, 3]
    assert repaired[2][:4] == [5, 6, 6, 5]
    assert P.hidden_region(grid, 9) == [[4, 4], [6, 6]]
    assert P.repair_symmetry([[1, 2], [3, 9]], 9) is None  # too little agrees to trust a mirror


def test_counts_and_summaries():
    assert P.count_to_row([[0, 3, 0], [3, 0, 3]], 0) == [[3, 3, 3]]
    grid = [
        [1, 1, 0, 5, 0, 0, 0],
        [1, 0, 0, 5, 0, 0, 2],
        [5, 5, 5, 5, 5, 5, 5],
        [0, 0, 0, 5, 4, 4, 0],
    ]
    assert P.parts_summary(grid, 0) == [[1, 2], [0, 4]]
    ring = [[0, 0, 0, 0, 0], [0, 3, 3, 3, 0], [0, 3, 0, 3, 0], [0, 3, 3, 3, 0], [0, 0, 0, 0, 6]]
    assert P.crop_object(ring, 0, False, False, "has_hole") == [[3, 3, 3], [3, 0, 3], [3, 3, 3]]


def test_parts_and_logic():
    # separator column of 5; 1s in each half
    grid = [
        [1, 0, 5, 1, 1],
        [0, 1, 5, 0, 1],
    ]
    assert P.split_parts(grid) == [[[1, 0], [0, 1]], [[1, 1], [0, 1]]]
    assert P.combine_halves(grid, "and", 0) == [[1, 0], [0, 1]]
    assert P.combine_halves(grid, "xor", 0) == [[0, 1], [0, 0]]
    assert P.combine_halves(grid, "nor", 0) == [[0, 0], [1, 0]]
    assert P.overlay_parts([[1, 0, 5, 0, 2], [0, 0, 5, 3, 3]], 0, False) == [[1, 2], [3, 3]]
    assert P.overlay_parts([[1, 0, 5, 0, 2], [0, 0, 5, 3, 3]], 0, True) == [[1, 2], [3, 3]]
    assert P.overlay_parts([[1, 1, 5, 2, 2], [0, 0, 5, 0, 0]], 0, True) == [[1, 1], [0, 0]]
    parts = [[1, 1, 5, 1, 1, 5, 2, 1], [0, 0, 5, 0, 0, 5, 0, 0]]
    assert P.pick_part(parts, "odd_one_out", 0) == [[2, 1], [0, 0]]
    assert P.broadcast_parts([[1, 0, 5, 0, 0], [0, 0, 5, 0, 2]], 0) == [[1, 0, 5, 1, 0], [0, 2, 5, 0, 2]]
    # a full column of a colour that also paints the picture is no separator
    assert P.separator_colour([[9, 0, 1], [9, 9, 0], [9, 0, 0]]) is None
    # an empty row of background is not a separator
    assert P.separator_colour([[0, 0], [1, 2]]) is None


def test_objects_recoloured_by_a_property():
    grid = [
        [5, 5, 0, 5],
        [5, 5, 0, 0],
        [0, 0, 0, 5],
    ]
    objects = P.find_objects(grid, 0, False, False)
    sizes = [P.object_property(grid, o, objects, "size") for o in objects]
    assert sizes == [4, 1, 1]
    assert [P.object_property(grid, o, objects, "size_extreme") for o in objects] == ["largest", "smallest", "smallest"]
    assert P.recolour_objects(grid, 0, False, "size", {4: 2, 1: 0}) == [[2, 2, 0, 0], [2, 2, 0, 0], [0, 0, 0, 0]]
    assert P.recolour_objects(grid, 0, False, "size", {4: 2}) is None  # a size the table does not know
    ring = [[1, 1, 1], [1, 0, 1], [1, 1, 1]]
    assert P.object_property(ring, P.find_objects(ring, 0, False, False)[0], [], "has_hole") is True


def test_local_rules():
    grid = [[0, 1, 0]]
    assert P.cell_context(grid, 0, 0, "cross") == (0, -1, -1, -1, 1)
    assert P.cell_context(grid, 0, 0, "open_cross") == (0, 0, 0, 0, 1)
    table = {(0, 0, 0, 0, 1): 4, (1, 0, 0, 0, 0): 1, (0, 0, 0, 1, 0): 4}
    assert P.apply_local_rule(grid, "open_cross", table, False) == [[4, 1, 4]]
    assert P.apply_local_rule([[0, 0]], "open_cross", table, False) is None  # unseen context
    assert P.apply_local_rule([[0, 0]], "open_cross", table, True) == [[0, 0]]
    assert P.recolour([[1, 2]], {1: 3}) == [[3, 2]]
    assert P.recolour_minor([[1, 1, 2], [3, 1, 1]], 5) == [[1, 1, 5], [5, 1, 1]]
    assert P.keep_centre_line([[1, 2, 3], [4, 5, 6]], "column", 0) == [[0, 2, 0], [0, 5, 0]]
    assert P.keep_centre_line([[1, 2], [3, 4]], "row", 0) is None
    assert P.symmetry_flag([[1, 2, 1]], "left_right") == [[1]]
    assert P.symmetry_flag([[1, 2, 2]], "left_right") == [[0]]


SAMPLE_TASK = [
    (
        [[0, 1, 0, 0], [1, 1, 5, 2], [0, 0, 5, 2], [3, 0, 5, 0]],
        [[2, 2], [2, 2]],
    ),
    (
        [[4, 4, 0], [0, 4, 0], [0, 0, 6]],
        [[4, 4, 0, 4], [0, 4, 0, 0]],
    ),
]
SAMPLE_GRIDS = [
    [[0, 1, 0, 0], [1, 1, 5, 2], [0, 0, 5, 2], [3, 0, 5, 0]],
    [[2, 0, 5, 0, 2], [0, 0, 5, 2, 2], [5, 5, 5, 5, 5], [1, 0, 5, 0, 1], [1, 0, 5, 0, 1]],
    [[0, 0, 0, 0, 0, 0], [0, 3, 3, 3, 0, 0], [0, 3, 0, 3, 0, 4], [0, 3, 3, 3, 0, 0], [0, 0, 0, 0, 0, 0]],
    [[1, 2, 2, 1, 0], [3, 9, 4, 3, 0], [5, 6, 9, 5, 0], [7, 8, 8, 7, 0]],
]


@pytest.fixture(scope="module")
def sandbox():
    with Sandbox(processes=1) as box:
        yield box


@pytest.mark.parametrize("grid", SAMPLE_GRIDS, ids=["small", "separated", "ring", "masked"])
def test_every_catalogue_step_gives_the_same_grid_in_the_sandbox(sandbox, grid):
    """One sandbox run per grid: every step the search may try, written as the emitter writes it."""
    steps = build_catalogue(task_facts(SAMPLE_TASK))
    steps += [
        _step("recolour", ({1: 7, 5: 0},)),
        _step("arrange_tiles", ([[0, 4], [5, -1]],)),
        _step("apply_local_rule", ("square", {(0, -1, -1, -1, -1, 0, -1, 1, 1): 3}, True)),
        _step("apply_local_rule", ("counts", {(0, 2, 1): 8}, True)),
        _step("apply_local_rule", ("lines", {}, True)),
        _step("recolour_objects", (0, False, "size_rank", {0: 3, 1: 4, 2: 6})),
        _step("repair_symmetry", (9,)),
        _step("hidden_region", (9,)),
        _step("repair_symmetry", (5,)),
        _step("hidden_region", (5,)),
        _step("recolour_objects", (0, True, "shape", {((0, 0),): 7})),
        _step("recolour_objects", (0, False, "has_hole", {True: 1, False: 2})),
        _step("recolour_objects", (0, False, "touches_border", {True: 1, False: 2})),
        _step("fill_pattern", (9,)),
        _step("pattern_under_patch", (9,)),
        _step("fill_pattern", (0,)),
        _step("drop_objects", ("down", 0, -1)),
        _step("drop_objects", ("left", 0, 5)),
        _step("transform_objects", (0, 4)),
        _step("transform_objects", (0, 1)),
    ]
    sources = "\n\n".join(_source(name) for name in needed_functions(tuple(steps)))
    calls = "\n".join(f"out.append({_call(step)})" for step in steps)
    script = f"{sources}\n\ngrid = inputs['grid']\nout = []\n{calls}\nresult = {{'out': out}}\n"
    run = sandbox.run(script, {"grid": grid}, RunLimits(time_s=10, memory_mb=256))
    assert run.ok, run.error
    host = [getattr(P, step.function)(grid, *step.args) for step in steps]
    assert len(run.result["out"]) == len(steps)
    for step, want, got in zip(steps, host, run.result["out"]):
        assert got == want, step
    # the sample exercises most steps: a grid out of nearly every one
    assert sum(out is not None for out in host) > len(steps) // 2


def _step(function, args):
    return Step(function, args, function)


def _source(name):
    return _sources()[name]


def test_every_primitive_has_its_source_from_def_on():
    assert list(_sources()) == list(FUNCTIONS)
    assert all(source.startswith("def ") for source in _sources().values())


def test_an_object_step_copies_find_objects_without_the_host_side_memo(sandbox):
    step = Step("crop_object", (0, True, True, "largest"), "crop to the largest of the objects")
    # helpers come from three topic modules: objects, geometry (crop) and grids (cells_box)
    assert {"find_objects", "select_object", "crop", "cells_box"} <= set(needed_functions((step,)))
    script = emit_script((step,), 1, 1)
    assert "def find_objects(grid, background, diagonal, multicolour):" in script
    assert "@" not in script
    assert "contextvars" not in script and "memoised" not in script and "_MEMO" not in script
    grid = SAMPLE_GRIDS[2]
    run = sandbox.run(script, {"input_grid": grid})
    assert run.ok, run.error
    assert run.result == {"output_grid": step.apply(grid)} and step.apply(grid) is not None


def test_topic_modules_take_helpers_only_from_the_layers_below():
    import inspect

    from synth_lsp.offline.primitives import TOPICS, memo

    for i, module in enumerate(TOPICS):
        below = {m.__name__ for m in TOPICS[:i]} | {memo.__name__}
        imported = {v.__module__ for v in vars(module).values() if inspect.isfunction(v) and v.__module__ != module.__name__}
        assert imported <= below, module.__name__
