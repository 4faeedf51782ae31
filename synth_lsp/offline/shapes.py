"""What a step does to a grid's shape, and which shapes can still end as the train outputs.

The train outputs' shapes are known, so a chain's last step must leave shapes that either are
those shapes or divide them (a learned mosaic of tiles may still enlarge them; every other learned
last step keeps the shape). For many steps the shape of the result follows from the shape alone
(a mirror keeps it, a rotation swaps it, a scale multiplies it), so at the search's last level such
a step is skipped without running it when its result could not end right. Steps whose result's
shape depends on the content (crops, object selections) are always run.
"""

from __future__ import annotations

from synth_lsp.offline.steps import Grid, Step

Shape = tuple[int, int]

# the primitives whose result always has the shape of their input (checked by tests/test_offline_shapes.py)
SHAPE_KEEPING = frozenset(
    {
        "attract_objects",
        "broadcast_parts",
        "complete_symmetry",
        "connect_pairs",
        "continue_line_runs",
        "draw_border",
        "drop_objects",
        "erase_colour",
        "extend_lines",
        "fill_enclosed",
        "fill_object_boxes",
        "fill_pattern",
        "flip_left_right",
        "flip_up_down",
        "gravity",
        "hollow",
        "keep_centre_line",
        "keep_object",
        "mirror_complete",
        "symmetrize",
        "outline",
        "recolour_minor",
        "remove_object",
        "remove_small_objects",
        "repair_symmetry",
        "rotate_180",
        "shift",
        "transform_objects",
        # primitives/rays.py
        "border_pair_lines",
        "box_between_markers",
        "bounce_ray",
        "connect_across_lines",
        "elbow_line",
        "fill_open_lines",
        "recolour_from_edge",
        "connect_pairs_layered",
        "draw_marker_lines",
        "repeat_motif",
        "stamp_markers",
        # primitives/panels.py
        "paint_panels",
        "broadcast_panel",
        "stamp_key_on_markers",
    }
)
SWAPPING = frozenset({"rotate_90", "rotate_270", "transpose", "anti_transpose"})
ONE_CELL = frozenset({"symmetry_flag", "majority_colour_cell", "minority_colour_cell"})


def shape_of(grid: Grid) -> Shape:
    return len(grid), len(grid[0])


def shape_rule(step: Step) -> tuple | None:
    """How `step` sets the shape of its result, when the input's shape alone decides it; else None.
    Steps with the same rule give the same shapes (so the search checks each rule once a state)."""
    name = step.function
    if name in SHAPE_KEEPING:
        return ("keep",)
    if name in SWAPPING:
        return ("swap",)
    if name in ONE_CELL:
        return ("fixed", 1, 1)
    if name == "scale_up":
        return ("times", step.args[0], step.args[0])
    if name == "tile":
        return ("times", step.args[0], step.args[1])
    if name == "tile_self":
        return ("square",)
    if name == "crop_corner":
        return ("fixed", step.args[1], step.args[2])
    return None


def shape_by_rule(rule: tuple, shape: Shape) -> Shape:
    h, w = shape
    kind = rule[0]
    if kind == "keep":
        return shape
    if kind == "swap":
        return w, h
    if kind == "fixed":
        return rule[1], rule[2]
    if kind == "times":
        return h * rule[1], w * rule[2]
    return h * h, w * w  # "square": the grid tiled into itself


def shape_after(step: Step, shape: Shape) -> Shape | None:
    """The shape `step` gives a grid of `shape`, when that follows from the shape alone; else None."""
    rule = shape_rule(step)
    return None if rule is None else shape_by_rule(rule, shape)


def can_end_as(shapes: list[Shape], targets: list[Shape]) -> bool:
    """Whether a last state of these shapes can still give these train output shapes."""
    return all(th % h == 0 and tw % w == 0 for (h, w), (th, tw) in zip(shapes, targets))


def cannot_end_right(step: Step, shapes: list[Shape], targets: list[Shape]) -> bool:
    """True when `step`, as a chain's last step on states of `shapes`, surely cannot end as `targets`."""
    rule = shape_rule(step)
    return rule is not None and rule_cannot_end_right(rule, shapes, targets)


def rule_cannot_end_right(rule: tuple, shapes: list[Shape], targets: list[Shape]) -> bool:
    return not can_end_as([shape_by_rule(rule, shape) for shape in shapes], targets)
