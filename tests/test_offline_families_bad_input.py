"""The families' steps on the edge grids the issue names (1x1, an empty and a crowded 30x30):
each either does not apply or gives a usable grid, never raises, and the sandbox agrees."""

from __future__ import annotations

import random

import pytest
from offline_family_checks import same_in_sandbox

from synth_lsp.offline.steps import Step, is_usable

FAMILY_STEPS = [
    Step("attract_objects", (2, False, 0), "attract"),
    Step("attract_objects", (2, True, 0), "attract diagonally"),
    Step("fly_to_walls", (0,), "walls"),
    Step("centre_in_frame", (3, 0), "frame"),
    Step("step_towards", (2, 0), "step"),
    Step("extend_periodic", (1, 2), "extend"),
    Step("fold_parts", (0,), "fold"),
    Step("parts_counts", (0,), "counts"),
    Step("pick_part", ("odd_colours", 0), "odd colours"),
    Step("pick_part", ("odd_shape", 0), "odd shape"),
    Step("crop_object", (0, True, True, "symmetric"), "symmetric"),
    Step("stamp_template", (0, False), "stamp"),
    Step("draw_to_largest", (), "lines"),
    Step("shoot_from_odd_cell", (0,), "shoot"),
    Step("sort_bars", (0, "right"), "sort"),
    Step("crop_to_rarest_colour", (0,), "rarest"),
]


def _crowded(seed: int) -> list[list[int]]:
    rng = random.Random(seed)
    return [[rng.choice([0, 0, 1, 2, 3, 5]) for _ in range(30)] for _ in range(30)]


EDGE_GRIDS = {
    "1x1 background": [[0]],
    "1x1 colour": [[2]],
    "30x30 empty": [[0] * 30 for _ in range(30)],
    "30x30 crowded": _crowded(7),
}


@pytest.mark.parametrize("name", list(EDGE_GRIDS))
def test_a_step_on_an_edge_grid_does_not_apply_or_gives_a_usable_grid(name):
    grid = EDGE_GRIDS[name]
    for step in FAMILY_STEPS:
        out = step.apply(grid)
        assert out is None or is_usable(out), step
        assert grid == EDGE_GRIDS[name]  # never changed in place


def test_the_sandbox_agrees_on_the_edge_grids(sandbox):
    same_in_sandbox(sandbox, FAMILY_STEPS, list(EDGE_GRIDS.values()))
