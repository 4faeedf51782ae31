"""Last steps whose parameters are learned from the train pairs: a colour map, a tile mosaic,
and local rules (a cell's new colour looked up from its neighbourhood).

Given what a program makes of each train input (`states`), the expected outputs and what it makes
of the test inputs, each learner returns the one step that turns every state into its output, or
None when no such step exists (a strict local rule also needs every test context to be known).
"""

from __future__ import annotations

from synth_lsp.offline.primitives.drawing import draw_rays
from synth_lsp.offline.primitives.geometry import dihedral
from synth_lsp.offline.primitives.local_rules import cell_context
from synth_lsp.offline.primitives.objects import find_objects, object_property, recolour_objects
from synth_lsp.offline.steps import Grid, Step


def learn_colour_map(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """A colour-for-colour table consistent across every cell of every pair."""
    if all(len(s) == 1 and len(s[0]) == 1 for s in states) and 2 * len({s[0][0] for s in states}) > len(states):
        return None  # single cells: a table fits anything unless each entry is seen twice on average
    mapping: dict[int, int] = {}
    for state, out in zip(states, outputs):
        if len(state) != len(out) or len(state[0]) != len(out[0]):
            return None
        for row, out_row in zip(state, out):
            for a, b in zip(row, out_row):
                if mapping.setdefault(a, b) != b:
                    return None
    changes = {a: b for a, b in sorted(mapping.items()) if a != b}
    if not changes:
        return None
    text = ", ".join(f"{a}->{b}" for a, b in changes.items())
    return Step("recolour", (changes,), f"colour map {{{text}}}")


def learn_mosaic(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """A layout of transformed copies of the state (see `primitives.tiling.arrange_tiles`)."""
    factors = set()
    for state, out in zip(states, outputs):
        h, w = len(state), len(state[0])
        if len(out) % h or len(out[0]) % w:
            return None
        factors.add((len(out) // h, len(out[0]) // w))
    if len(factors) != 1:
        return None
    down, across = factors.pop()
    if down * across < 2:
        return None
    layout = []
    for i in range(down):
        row = []
        for j in range(across):
            k = _tile_transform(states, outputs, i, j)
            if k is None:
                return None
            row.append(k)
        layout.append(row)
    if all(k == 0 for row in layout for k in row):
        label = f"tile {down}x{across}"
    else:
        names = "; ".join(", ".join(TILE_NAMES[k] for k in row) for row in layout)
        label = f"mosaic {down}x{across} of transformed copies ({names})"
    return Step("arrange_tiles", (layout,), label)


TILE_NAMES = {
    -1: "blank",
    0: "as is",
    1: "rotated 90",
    2: "rotated 180",
    3: "rotated 270",
    4: "mirrored left-right",
    5: "mirrored up-down",
    6: "transposed",
    7: "anti-transposed",
}


def _tile_transform(states: list[Grid], outputs: list[Grid], i: int, j: int) -> int | None:
    """The dihedral index (or -1 for blank) that fills tile (i, j) of every output."""
    for k in (0, 4, 5, 2, 1, 3, 6, 7, -1):
        if all(_tile_matches(state, out, i, j, k) for state, out in zip(states, outputs)):
            return k
    return None


def _tile_matches(state: Grid, out: Grid, i: int, j: int, k: int) -> bool:
    h, w = len(state), len(state[0])
    block = [row[j * w : (j + 1) * w] for row in out[i * h : (i + 1) * h]]
    if k < 0:
        return all(v == 0 for row in block for v in row)
    piece = dihedral(state, k)
    return piece == block


LOCAL_FEATURES = ("counts", "cross", "lines", "square")
SPARSE_FEATURES = ("open_square", "square", "open_cross", "cross", "lines")  # the most specific first: unseen contexts keep their colour
MAX_TABLE = 400  # a larger table is no rule a reader could follow


def _context_table(feature: str, states: list[Grid], outputs: list[Grid]) -> dict | None:
    """context -> output colour over every cell of every pair, None if a context maps two ways."""
    table: dict = {}
    for state, out in zip(states, outputs):
        if len(state) != len(out) or len(state[0]) != len(out[0]):
            return None
        for r in range(len(state)):
            for c in range(len(state[0])):
                key = cell_context(state, r, c, feature)
                if table.setdefault(key, out[r][c]) != out[r][c]:
                    return None
    return table


def learn_local_rule(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The simplest neighbourhood rule that explains every cell and knows every test context."""
    cells = sum(len(s) * len(s[0]) for s in states)
    for feature in LOCAL_FEATURES:
        table = _context_table(feature, states, outputs)
        # a table with a case for nearly every cell memorises the pairs instead of finding a rule
        if table is None or len(table) > MAX_TABLE or 2 * len(table) > cells:
            continue
        known = all(cell_context(t, r, c, feature) in table for t in tests for r in range(len(t)) for c in range(len(t[0])))
        if known:
            # a context no pair showed keeps its colour: a guess beats a script that stops
            return Step("apply_local_rule", (feature, table, True), f"local rule on the {feature} around each cell ({len(table)} cases)")
    return None


def sparse_local_rules(states: list[Grid], outputs: list[Grid]) -> list[tuple[float, Step]]:
    """Neighbourhood rules listing only the contexts that change colour (others keep theirs),
    one per feature that fits, each with its compression: changed cells explained per listed
    context. Weaker evidence than `learn_local_rule`: the search tries them last, best first."""
    if not all(len(s) == len(o) and len(s[0]) == len(o[0]) for s, o in zip(states, outputs)):
        return []
    changed = sum(a != b for s, o in zip(states, outputs) for row, out_row in zip(s, o) for a, b in zip(row, out_row))
    rules = []
    for feature in SPARSE_FEATURES:
        table = _context_table(feature, states, outputs)
        if table is None:
            continue
        changes = {key: colour for key, colour in table.items() if colour != key[0]}
        # a rule must explain more than it lists: some listed context covers several changed cells
        if changes and len(changes) <= MAX_TABLE and len(changes) < changed:
            rules.append((changed / len(changes), _sparse_step(feature, changes)))
    return rules


def sparse_local_rule(states: list[Grid], outputs: list[Grid], feature: str) -> Step | None:
    """The sparse rule on one feature (for cross-validation: relearned from fewer pairs)."""
    table = _context_table(feature, states, outputs)
    if table is None:
        return None
    changes = {key: colour for key, colour in table.items() if colour != key[0]}
    return _sparse_step(feature, changes) if changes else None


def _sparse_step(feature: str, changes: dict) -> Step:
    label = f"local rule on the {feature} around each cell ({len(changes)} changes, others kept)"
    return Step("apply_local_rule", (feature, changes, True), label)


OBJECT_PROPERTIES = ("size", "size_rank", "size_rank_up", "size_extreme", "shape", "height", "width", "touches_border", "has_hole")


def learn_object_recolouring(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """Objects repainted by a property (size, size rank, shape, ...): background cells stay,
    each object comes out in one colour (the background if it vanishes), and that colour
    follows from the property alone."""
    if not all(len(s) == len(o) and len(s[0]) == len(o[0]) for s, o in zip(states, outputs)):
        return None
    background = _shared_background(states)
    if not _only_objects_change(states, outputs, background):
        return None
    fits = []
    for diagonal in (False, True):
        found = [find_objects(s, background, diagonal, False) for s in states]
        for prop in OBJECT_PROPERTIES:
            table = _property_table(states, outputs, found, prop)
            if table is None:
                continue
            step = Step("recolour_objects", (background, diagonal, prop, table), f"recolour objects by {prop.replace('_', ' ')}")
            if all(step.apply(t) is not None for t in tests):
                fits.append((_objects_held_out(states, outputs, found, step), step))
    # the property whose table, learned without a pair, best predicts it; the first on a tie
    return max(fits, key=lambda fit: fit[0])[1] if fits else None


def _objects_held_out(states: list[Grid], outputs: list[Grid], found: list[list], step: Step) -> int:
    """Pairs the same property gets right from a table learned on the other pairs."""
    background, diagonal, prop, _ = step.args
    right = 0
    for i in range(len(states)):
        rest = [j for j in range(len(states)) if j != i]
        table = _property_table([states[j] for j in rest], [outputs[j] for j in rest], [found[j] for j in rest], prop)
        right += table is not None and recolour_objects(states[i], background, diagonal, prop, table) == outputs[i]
    return right


def _shared_background(states: list[Grid]) -> int:
    counts: dict[int, int] = {}
    for state in states:
        for row in state:
            for v in row:
                counts[v] = counts.get(v, 0) + 1
    return 0 if 0 in counts else max(sorted(counts), key=lambda c: counts[c])


def _only_objects_change(states: list[Grid], outputs: list[Grid], background: int) -> bool:
    changed = False
    for state, out in zip(states, outputs):
        for row, out_row in zip(state, out):
            for a, b in zip(row, out_row):
                if a != b:
                    if a == background:
                        return False  # only objects change (they may vanish)
                    changed = True
    return changed


def _property_table(states: list[Grid], outputs: list[Grid], found: list[list], prop: str) -> dict | None:
    table: dict = {}
    for state, out, objects in zip(states, outputs, found):
        for cells in objects:
            colours = set(out[r][c] for r, c, _ in cells)
            if len(colours) != 1:
                return None
            key = object_property(state, cells, objects, prop)
            if table.setdefault(key, colours.pop()) != out[cells[0][0]][cells[0][1]]:
                return None
    return table


COMPASS = ("up", "down", "left", "right", "up_left", "up_right", "down_left", "down_right")


def learn_rays(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """Rays shot from the cells of some colours in some directions (see `primitives.drawing.draw_rays`):
    a direction is kept for a colour when every ray cell it paints has that colour in the output."""
    if not all(len(s) == len(o) and len(s[0]) == len(o[0]) for s, o in zip(states, outputs)):
        return None
    background = _shared_background(states)
    if not _only_background_changes(states, outputs, background):
        return None
    colours = sorted({v for s in states for row in s for v in row} - {background})
    rays = []
    for colour in colours:
        directions = [d for d in COMPASS if _ray_fits(states, outputs, colour, d, background)]
        if directions:
            rays.append([colour, directions])
    if not rays:
        return None
    for order in (rays, rays[::-1]):
        step = Step("draw_rays", (order, background), "rays " + ", ".join(f"{c}: {'/'.join(d)}" for c, d in order))
        if all(step.apply(s) == o for s, o in zip(states, outputs)):
            return step
    return None


def _only_background_changes(states: list[Grid], outputs: list[Grid], background: int) -> bool:
    changed = False
    for state, out in zip(states, outputs):
        for row, out_row in zip(state, out):
            for a, b in zip(row, out_row):
                if a != b:
                    if a != background:
                        return False
                    changed = True
    return changed


def _ray_fits(states: list[Grid], outputs: list[Grid], colour: int, direction: str, background: int) -> bool:
    """Every cell the ray would paint is `colour` in the output, and some ray paints a cell."""
    painted = False
    for state, out in zip(states, outputs):
        drawn = draw_rays(state, [[colour, [direction]]], background)
        for row, drawn_row, out_row in zip(state, drawn, out):
            for before, after, want in zip(row, drawn_row, out_row):
                if before != after:
                    if want != colour:
                        return False
                    painted = True
    return painted


LEARNERS = (learn_colour_map, learn_mosaic)  # cheap: tried on every state
# Learners with few possible parameters (a colour for each of ten colours, a transform per tile, a
# set of directions per colour): a fit is no memorisation even when one pair shows an entry the
# others do not, so their fits are claimed without the exact leave-one-out check.
LOW_CAPACITY = (learn_colour_map, learn_mosaic, learn_rays)

# lines and drawing from marked cells (learned_rays.py: it imports nothing from this module)
from synth_lsp.offline.learned_rays import learn_elbow_line, learn_marker_lines, learn_marker_stamps, learn_motif_path

LEARNERS = LEARNERS + (learn_marker_lines, learn_marker_stamps, learn_motif_path, learn_elbow_line)
LOW_CAPACITY = LOW_CAPACITY + (learn_marker_lines, learn_elbow_line)
