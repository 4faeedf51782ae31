"""Which primitive calls the search tries for one task.

Parameters come from the train pairs (never the test outputs): the background colour, the colours
that occur, and the integer size ratios between inputs and outputs. Order matters: within a depth
the search tries steps in this order, so simpler and more common rules come first.
"""

from __future__ import annotations

from dataclasses import dataclass

from synth_lsp.offline.steps import Grid, Step

GEOMETRY = (
    ("rotate_90", "rotate 90 clockwise"),
    ("rotate_180", "rotate 180"),
    ("rotate_270", "rotate 90 anticlockwise"),
    ("flip_left_right", "mirror left-right"),
    ("flip_up_down", "mirror up-down"),
    ("transpose", "transpose"),
    ("anti_transpose", "anti-transpose"),
)
# how each selection rule of `primitives.objects.select_object` reads in a description
CRITERION_WORDS = {
    "largest": "largest",
    "smallest": "smallest",
    "largest_box": "widest-spread",
    "most_colours": "most colourful",
    "densest": "densest",
    "unique_colour": "odd-coloured",
    "unique_shape": "odd-shaped",
    "commonest_shape": "commonest-shaped",
    "has_hole": "holed",
    "symmetric": "mirror-symmetric",
    "first": "first (reading order)",
    "last": "last (reading order)",
}
CRITERIA = ("largest", "smallest", "largest_box", "most_colours", "symmetric", "densest", "unique_colour", "unique_shape", "commonest_shape", "has_hole", "first", "last")
OBJECT_KINDS = ((True, True, "objects"), (False, False, "single-colour objects"), (True, False, "single-colour diagonal objects"))


@dataclass(frozen=True)
class TaskFacts:
    """What the train pairs say about the parameters worth trying."""

    background: int
    input_colours: tuple[int, ...]
    output_colours: tuple[int, ...]
    hidden_colours: tuple[int, ...]  # in every input and in no output: likely a mask over the picture
    output_shape: tuple[int, int] | None  # when every output has the same shape
    up_factors: tuple[int, ...]  # output side / input side, when an integer > 1
    down_factors: tuple[int, ...]  # input side / output side, when an integer > 1
    outputs_smaller: bool = False  # every output has fewer cells than its input: a part of it was picked
    adds_cells: bool = False  # same shapes, and each output only paints background cells of its input (some)
    adds_over_hidden: bool = False  # likewise, where the hidden colours also count as background
    adds_over_rarest: bool = False  # likewise, where each input's rarest colour also does and is gone from the output


def task_facts(train_pairs: list[tuple[Grid, Grid]]) -> TaskFacts:
    counts: dict[int, int] = {}
    input_colours: set[int] = set()
    output_colours: set[int] = set()
    ups: set[int] = set()
    in_every_input: set[int] | None = None
    downs: set[int] = set()
    for inp, out in train_pairs:
        for row in inp:
            for v in row:
                counts[v] = counts.get(v, 0) + 1
                input_colours.add(v)
        for row in out:
            output_colours.update(row)
        here = {v for row in inp for v in row}
        in_every_input = here if in_every_input is None else in_every_input & here
        for a, b in ((len(inp), len(out)), (len(inp[0]), len(out[0]))):
            if b > a and b % a == 0:
                ups.add(b // a)
            if a > b and a % b == 0:
                downs.add(a // b)
    out_shapes = {(len(out), len(out[0])) for _, out in train_pairs}
    background = 0 if 0 in counts else max(sorted(counts), key=lambda c: counts[c])
    return TaskFacts(
        background=background,
        input_colours=tuple(sorted(input_colours)),
        output_colours=tuple(sorted(output_colours)),
        output_shape=out_shapes.pop() if len(out_shapes) == 1 else None,
        hidden_colours=tuple(sorted((in_every_input or set()) - output_colours)),
        up_factors=tuple(sorted(ups)),
        down_factors=tuple(sorted(downs)),
        outputs_smaller=all(len(out) * len(out[0]) < len(inp) * len(inp[0]) for inp, out in train_pairs),
        adds_cells=only_paints(train_pairs, {background}),
        adds_over_hidden=only_paints(train_pairs, {background} | ((in_every_input or set()) - output_colours)),
        adds_over_rarest=all(only_paints([(inp, out)], {background, rarest(inp, background)}) and rarest(inp, background) not in {v for row in out for v in row}
                             for inp, out in train_pairs),
    )


def rarest(grid: Grid, background: int) -> int:
    counts: dict[int, int] = {}
    for row in grid:
        for v in row:
            if v != background:
                counts[v] = counts.get(v, 0) + 1
    return min(sorted(counts), key=lambda v: counts[v]) if counts else -1


def only_paints(train_pairs: list[tuple[Grid, Grid]], free: set[int]) -> bool:
    """Every output has its input's shape, differs from it somewhere, and only where the input has a colour of `free`."""
    for inp, out in train_pairs:
        if len(inp) != len(out) or len(inp[0]) != len(out[0]) or inp == out:
            return False
        for row_in, row_out in zip(inp, out):
            for a, b in zip(row_in, row_out):
                if a != b and a not in free:
                    return False
    return True


SYMMETRY_GROUPS = {  # the largest group first: when it fits, it says the most about the missing cells
    "d4": "mirrors and quarter turns",
    "r90": "quarter turns",
    "both": "left-right and up-down mirrors",
    "diagonals": "diagonal mirrors",
    "r180": "half turn",
    "lr": "left-right mirror",
    "ud": "up-down mirror",
    "tr": "main-diagonal mirror",
    "anti": "anti-diagonal mirror",
}
SYMMETRY_SCOPES = {
    "objects": "each object",
    "content": "the content",
    "grid": "the picture about its centre",
    "smallest": "the picture about the smallest object's centre",
}


def symmetrize_steps(facts: TaskFacts, out_colours: list[int]) -> list[Step]:
    """Objects completing their own symmetry (primitives/object_symmetry.py), only where the
    outputs just paint background cells of the inputs (or cells of a hidden colour)."""
    hiddens = [-1] if facts.adds_cells else []
    if facts.adds_over_hidden:
        hiddens += list(facts.hidden_colours)
    if facts.adds_over_rarest:
        hiddens.append(-2)
    paints = [-1] + [c for c in out_colours if c not in facts.input_colours]
    steps = []
    for hidden in hiddens:
        for paint in paints:
            for group, group_words in SYMMETRY_GROUPS.items():
                for scope, scope_words in SYMMETRY_SCOPES.items():
                    words = f"complete the {group_words} symmetry of {scope_words}"
                    words += "" if paint < 0 else f" in colour {paint}"
                    words += "" if hidden == -1 else f", under the colour-{hidden} patch" if hidden >= 0 else ", under the patch of the rarest colour"
                    steps.append(Step("symmetrize", (facts.background, scope, group, paint, hidden), words))
    return steps


def build_catalogue(facts: TaskFacts) -> list[Step]:
    bg = facts.background
    foreground = [c for c in facts.input_colours if c != bg]
    out_colours = [c for c in facts.output_colours if c != bg]
    steps: list[Step] = [Step(name, (), label) for name, label in GEOMETRY]

    steps.append(Step("crop_to_content", (bg,), "crop to the content"))
    steps.append(Step("crop_to_rarest_colour", (bg,), "crop to the rarest colour"))
    for c in foreground:
        steps.append(Step("crop_to_colour", (c,), f"crop to colour {c}"))
        steps.append(Step("crop_inside_colour", (c,), f"crop inside the colour-{c} frame"))
    if facts.outputs_smaller:
        # regions a frame marks (primitives/frames.py)
        steps.append(Step("crop_between_corners", (bg, False, False), "crop to the rectangle four same-colour corners mark"))
        steps.append(Step("crop_between_corners", (bg, True, False), "crop to inside the four same-colour corners"))
        steps.append(Step("crop_between_corners", (bg, True, True), "crop to inside the four same-colour corners, painted in their colour"))
        steps.append(Step("fit_into_frame", (bg,), "the frame with the rest of the picture scaled to fill it"))
    for which in ("left", "right", "top", "bottom"):
        steps.append(Step("half", (which,), f"{which} half"))
    steps.append(Step("trim_border", (), "drop the outer ring"))
    steps.append(Step("tile_unit", (), "the repeating unit of the grid"))
    if facts.output_shape:
        h, w = facts.output_shape
        for corner in ("top_left", "top_right", "bottom_left", "bottom_right", "centre"):
            steps.append(Step("crop_corner", (corner, h, w), f"the {h}x{w} block at the {corner.replace('_', ' ')}"))
    for diagonal, multicolour, kind in OBJECT_KINDS:
        for criterion in CRITERIA:
            steps.append(Step("crop_object", (bg, diagonal, multicolour, criterion), f"crop to the {CRITERION_WORDS[criterion]} of the {kind}"))
    for criterion in CRITERIA:
        steps.append(Step("keep_object", (bg, True, True, criterion), f"keep only the {CRITERION_WORDS[criterion]} object"))
        steps.append(Step("remove_object", (bg, True, True, criterion), f"remove the {CRITERION_WORDS[criterion]} object"))
    steps.append(Step("remove_small_objects", (bg, 1), "remove single-cell noise"))
    steps.append(Step("remove_small_objects", (bg, 2), "remove objects of at most 2 cells"))

    for where_background in (False, True):
        label = "tile the grid into itself where it is " + ("background" if where_background else "filled")
        steps.append(Step("tile_self", (where_background,), label))
    for f in sorted(set(facts.up_factors) | {2, 3}):
        steps.append(Step("scale_up", (f,), f"scale up x{f}"))
    steps.append(Step("scale_by_colours", (bg,), "scale up by the number of colours"))
    for f in sorted(set(facts.down_factors) | {2, 3}):
        steps.append(Step("scale_down", (f,), f"scale down x{f}"))
    for down, across in ((1, 2), (2, 1), (2, 2), (3, 3), (1, 3), (3, 1)):
        steps.append(Step("tile", (down, across), f"tile {down}x{across}"))
    for f in facts.up_factors:
        for down, across in ((1, f), (f, 1), (f, f)):
            steps.append(Step("extend_periodic", (down, across), f"continue the repeating pattern to {down}x{across} the size"))
    steps.append(Step("dedupe_lines", (), "collapse repeated rows and columns"))
    steps.append(Step("remove_empty_lines", (bg,), "drop empty rows and columns"))

    for c in foreground:
        steps.append(Step("erase_colour", (c, bg), f"erase colour {c}"))
    for c in out_colours:
        steps.append(Step("recolour_minor", (c,), f"paint every cell not of the main colour with {c}"))
    for axis in ("column", "row"):
        steps.append(Step("keep_centre_line", (axis, bg), f"keep only the middle {axis}"))
    for kind in ("left_right", "up_down"):
        steps.append(Step("symmetry_flag", (kind,), f"1 if the grid is {kind.replace('_', '-')} symmetric, else 0"))
    steps.append(Step("majority_colour_cell", (bg,), "the most common colour as 1x1"))
    steps.append(Step("minority_colour_cell", (bg,), "the least common colour as 1x1"))
    steps.append(Step("count_to_row", (bg,), "a row as long as the count of filled cells"))
    steps.append(Step("parts_summary", (bg,), "one cell per part between the separator lines"))
    steps.append(Step("parts_counts", (bg,), "the count of filled cells of each part between the separator lines"))

    for direction in ("down", "up", "left", "right"):
        steps.append(Step("gravity", (direction, bg), f"let cells fall {direction}"))
    for direction in ("down", "up", "left", "right"):
        steps.append(Step("drop_objects", (direction, bg, -1), f"let objects fall {direction} as whole pieces"))
    for align in ("right", "left"):
        steps.append(Step("sort_bars", (bg, align), f"sort the rows' bars by length into a staircase ({align}-aligned)"))
    for k, words in ((4, "mirror each object left-right"), (5, "mirror each object up-down"), (2, "turn each object 180"), (1, "turn each object 90 clockwise"), (3, "turn each object 90 anticlockwise"), (6, "transpose each object")):
        steps.append(Step("transform_objects", (bg, k), f"{words} in place"))
    steps.append(Step("stamp_template", (bg, False), "paint every object shaped like the many-coloured one in its colours, then erase it"))
    steps.append(Step("stamp_template", (bg, True), "paint every object shaped like the many-coloured one in its colours"))
    for anchor in foreground:
        for direction in ("down", "up", "left", "right"):
            steps.append(Step("drop_objects", (direction, bg, anchor), f"move objects {direction} until they touch the colour-{anchor} piece"))
    for anchor in foreground:
        steps.append(Step("attract_objects", (anchor, False, bg), f"move objects straight towards the colour-{anchor} piece until they touch it"))
        steps.append(Step("attract_objects", (anchor, True, bg), f"move objects towards the colour-{anchor} piece (diagonally too) until they touch it"))
    steps.append(Step("fly_to_walls", (bg,), "move each piece to the border wall of its colour (none: it vanishes)"))
    for anchor in foreground:
        steps.append(Step("step_towards", (anchor, bg), f"move every other piece one cell towards the colour-{anchor} piece"))
    for marker in foreground:
        steps.append(Step("centre_in_frame", (marker, bg), f"move the picture to the centre of the frame the colour-{marker} cells mark"))
    for c in out_colours:
        steps.append(Step("fill_enclosed", (c, bg), f"fill enclosed areas with {c}"))
    for c in out_colours:
        steps.append(Step("outline", (c, bg, False), f"outline shapes with {c}"))
        steps.append(Step("outline", (c, bg, True), f"outline shapes (with corners) with {c}"))
    for c in out_colours:
        steps.append(Step("fill_object_boxes", (c, bg), f"fill the boxes around objects with {c}"))
    steps.append(Step("hollow", (bg,), "hollow out shapes"))
    for direction in ("up", "down", "left", "right", "horizontal", "vertical", "cross", "diagonals"):
        steps.append(Step("extend_lines", (direction, bg), f"extend cells {direction} to the border"))
    steps.append(Step("continue_line_runs", (bg,), "continue each line's repeating run to the borders"))
    for direction in ("both", "horizontal", "vertical", "diagonal"):
        steps.append(Step("connect_pairs", (direction, -1, bg), f"connect same-colour cells facing each other ({direction})"))
    steps.append(Step("draw_to_largest", (), "draw a line from each cell that faces the largest piece up to it"))
    steps.append(Step("shoot_from_odd_cell", (bg,), "shoot a ray from each object's odd-coloured cell through the object to the border"))
    new_colours = [c for c in out_colours if c not in facts.input_colours]
    for c in new_colours:
        for direction in ("both", "horizontal", "vertical"):
            steps.append(Step("connect_pairs", (direction, c, bg), f"join same-colour cells facing each other with {c} ({direction})"))
    for down, right in ((1, 0), (-1, 0), (0, 1), (0, -1), (1, 1), (1, -1), (-1, 1), (-1, -1)):
        steps.append(Step("shift", (down, right, bg), f"shift by ({down}, {right})"))
    for c in out_colours:
        steps.append(Step("draw_border", (c,), f"draw a border of {c}"))

    for c in facts.input_colours:
        steps.append(Step("complete_symmetry", (c,), f"repaint colour {c} from the symmetric cells"))
    for c in facts.hidden_colours:
        steps.append(Step("fill_pattern", (c,), f"repaint colour {c} from the repeating pattern"))
        steps.append(Step("pattern_under_patch", (c,), f"what the repeating pattern shows under the colour-{c} patch"))
    for c in facts.hidden_colours:
        steps.append(Step("repair_symmetry", (c,), f"repaint colour {c} from the picture's mirror images"))
        steps.append(Step("hidden_region", (c,), f"what the mirror images show under the colour-{c} patch"))
    for kind in ("left_right", "up_down", "both", "diagonal", "rotations"):
        steps.append(Step("mirror_complete", (kind, bg), f"complete {kind} symmetry"))
    steps.extend(symmetrize_steps(facts, out_colours))

    for op in ("and", "or", "xor", "nor", "left_only", "right_only"):
        steps.append(Step("combine_halves", (op, bg), f"{op.upper()} of the two halves"))
    steps.append(Step("overlay_parts", (bg, False), "overlay the parts"))
    steps.append(Step("broadcast_parts", (bg,), "copy the union of the parts into every part"))
    steps.append(Step("overlay_parts", (bg, True), "overlay the parts in reverse order"))
    steps.append(Step("fold_parts", (bg,), "fold the grid in two along its middle (the second part mirrored over the first)"))
    for criterion in ("odd_one_out", "odd_colours", "odd_shape", "most_cells", "fewest_cells", "most_colours"):
        steps.append(Step("pick_part", (criterion, bg), f"pick the part with {criterion.replace('_', ' ')}"))
    # lines and drawing from marked cells (primitives/rays.py)
    for hollow in (False, True):
        steps.append(Step("box_between_markers", (hollow, bg), "draw the box each colour's lone markers span" + (" (outline)" if hollow else "")))
    for on_top in ("vertical", "horizontal"):
        steps.append(Step("connect_pairs_layered", (on_top, -1, bg), f"connect same-colour cells facing each other ({on_top} lines on top)"))
    for heading in ("up", "down", "left", "right"):
        steps.append(Step("bounce_ray", (heading, bg), f"a diagonal ray from each lone cell {heading}, bouncing off the side walls"))
    steps.append(Step("connect_across_lines", (bg,), "connect same-colour cells facing each other across the separator lines"))
    steps.append(Step("border_pair_lines", (bg,), "draw the lines that same-colour cells on opposite borders mark, clear the rest"))
    for c in [c for c in out_colours if c not in facts.input_colours]:
        steps.append(Step("fill_open_lines", (c, bg), f"paint the rows and columns open from wall to wall with {c}"))
    for edge in ("left", "top", "right", "bottom"):
        steps.append(Step("recolour_from_edge", (edge, bg), f"paint each line's cells in the colour of its marker on the {edge} edge"))
    return steps
