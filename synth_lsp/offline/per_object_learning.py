"""A last step learned object by object (see `primitives.per_object`): every object of every
train pair must be explained by one transform (kept, erased, recoloured, turned, filled,
outlined, moved, slid, extended), and the transform must follow from one property of the object
(its colour, size rank, whether its shape repeats, ...) through a small table.

For each object the learner lists the transforms that agree with the output locally (the cells
the object becomes have those colours there, what it leaves is background), with the changed cells
each explains; for a key, the objects sharing a key value must share a transform. Per value the
transform explaining the most changed cells (the simplest on a tie) is taken, then a few
runners-up; a table must explain at least as many cells as changed, and is then rendered on every
pair and must reproduce it exactly (moves interact, so the local check is only a filter). Tables
stay small, and a test object whose key no pair showed makes the step inapplicable: no claim. Like
the counting learners, it runs on the short chains only, where inputs and outputs have the same
shape; the search cross-validates it leave-one-out like any learned step."""

from __future__ import annotations

from synth_lsp.offline.counting_learning import background_of
from synth_lsp.offline.primitives.grids import cells_box
from synth_lsp.offline.primitives.motion import approach
from synth_lsp.offline.primitives.objects import find_objects
from synth_lsp.offline.primitives.per_object import object_keys, per_object_transform, transformed_cells
from synth_lsp.offline.steps import Grid, Step

# simplest first: a key with one value (one transform for every object), then properties
KEYS = (
    "all",
    "colour",
    "size_extreme",
    "touches_border",
    "has_hole",
    "colour_count",
    "shape_shared",
    "odd_size",
    "odd_colour_count",
    "odd_pattern",
    "odd_box",
    "size_rank",
    "size_rank_up",
)
MODES = ((False, False), (True, False), (True, True))  # (diagonal, multicolour) of find_objects
MAX_OBJECTS = 30  # more objects per grid: a texture, not objects with identities
MAX_ENTRIES = 4  # a larger table lists objects instead of stating a rule
MAX_MOVER = 64  # cells: larger objects are not searched for a move
CHOICES = 3  # transforms tried per key value
MAX_TABLES = 16  # combinations rendered per key
SIDES = ("up", "down", "left", "right")
KEY_WORDS = {
    "all": "every object",
    "colour": "by colour",
    "size_extreme": "largest / smallest / others",
    "touches_border": "by whether it touches the border",
    "has_hole": "by whether it has a hole",
    "colour_count": "by its number of colours",
    "shape_shared": "by whether its shape repeats",
    "odd_size": "the odd one out by size",
    "odd_colour_count": "the odd one out by colour count",
    "odd_pattern": "the odd one out by pattern",
    "odd_box": "the odd one out by box",
    "size_rank": "by size rank (largest first)",
    "size_rank_up": "by size rank (smallest first)",
}


def learn_per_object(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The first (key, object kind) whose table explains every object of every pair."""
    if not _gate(states, outputs):
        return None
    background = background_of(states)
    for diagonal, multicolour in MODES:
        found = [find_objects(s, background, diagonal, multicolour) for s in states]
        if any(not objects or len(objects) > MAX_OBJECTS for objects in found):
            continue
        options = _options(states, outputs, found, background)
        if options is None:
            continue  # some object no transform explains
        for key in KEYS:
            step = _keyed_step(states, outputs, tests, found, options, background, diagonal, multicolour, key)
            if step is not None:
                return step
    return None


def _options(states: list[Grid], outputs: list[Grid], found: list[list], background: int) -> list | None:
    """Per pair, per object, the transforms that fit it; None as soon as one object has none."""
    options = []
    for state, out, objects in zip(states, outputs, found):
        colours = _changed_colours(state, out, background)
        pair = []
        for cells in objects:
            fits = _fitting(state, out, cells, objects, background, colours)
            if not fits:
                return None
            pair.append(fits)
        options.append(pair)
    return options


def _gate(states: list[Grid], outputs: list[Grid]) -> bool:
    """Cheap, before any object is found: same shapes, and something changes."""
    if not states or not all(len(s) == len(o) and len(s[0]) == len(o[0]) for s, o in zip(states, outputs)):
        return False
    return any(s != o for s, o in zip(states, outputs))


def _changed_colours(state: Grid, out: Grid, background: int) -> list[int]:
    colours = {b for row, out_row in zip(state, out) for a, b in zip(row, out_row) if a != b}
    return sorted(colours - {background})


def _fitting(state: Grid, out: Grid, cells: list, objects: list, background: int, colours: list[int]) -> dict[tuple, int]:
    """The transforms under which this object agrees with the output, simplest first, each with
    the number of changed cells it explains (a kept object explains none). What the output shows
    on the object's own cells rules out most kinds before any is tried."""
    own = [out[r][c] for r, c, _ in cells]
    if all(want == colour for want, (_, _, colour) in zip(own, cells)):
        # the object stays: it may add cells around it, or be a piece that cannot move further
        tried = [("keep",)] + [t for c in colours for t in (("fill_holes", c), ("fill_box", c), ("outline", c, False), ("outline", c, True))]
        fits = _agreeing(state, out, cells, tried + [("ray", side) for side in SIDES], background)
        fits.update({("slide", side): 0 for side in SIDES})
        anchors = {cell[2] for other in objects if other is not cells for cell in other} - {cell[2] for cell in cells}
        fits.update({("toward", colour): 0 for colour in sorted(anchors)})
        return fits
    if all(want == background for want in own):
        tried = [("delete",)] + [("holes", c) for c in colours]
    elif len(set(own)) == 1:
        tried = [("recolour", own[0])]
    else:
        tried = [("turn", k) for k in range(1, 8)] + [(kind, c) for c in colours for kind in ("inside", "edge")]
        palette = _palette(cells, own)
        if palette is not None:
            tried.append(("palette", palette))
    fits = _agreeing(state, out, cells, tried, background)
    fits.update(_moves(state, out, cells, objects, background))
    return fits


def _palette(cells: list, own: list[int]) -> tuple | None:
    """The colour map the output shows inside the object, as sorted (old, new) pairs of the
    colours that change; None when one colour becomes two."""
    mapping: dict[int, int] = {}
    for (_, _, colour), want in zip(cells, own):
        if mapping.setdefault(colour, want) != want:
            return None
    changes = tuple(sorted((a, b) for a, b in mapping.items() if a != b))
    return changes if changes else None


def _agreeing(state: Grid, out: Grid, cells: list, tried: list[tuple], background: int) -> dict[tuple, int]:
    fits = {}
    for transform in tried:
        gain = _agrees(state, out, cells, transform, background)
        if gain is not None:
            fits[transform] = gain
    return fits


def _agrees(state: Grid, out: Grid, cells: list, transform: tuple, background: int) -> int | None:
    """The changed cells the transform explains, or None when it disagrees with the output."""
    painted = transformed_cells(state, cells, transform, background)
    if painted is None:
        return None
    placed = set()
    for r, c, colour in painted:
        if out[r][c] != colour:
            return None
        placed.add((r, c))
    # what the object leaves is background (a piece moved there is checked when rendering)
    left = [(r, c) for r, c, _ in cells if (r, c) not in placed]
    if any(out[r][c] != background for r, c in left):
        return None
    return len(left) + sum(state[r][c] != out[r][c] for r, c in placed)


def _moves(state: Grid, out: Grid, cells: list, objects: list, background: int) -> dict[tuple, int]:
    """Moves whose landing place the output shows: a fixed offset, a slide to a side, a slide
    towards a piece of some colour (the exact stop is checked when rendering), each with the
    changed cells its landing explains."""
    if len(cells) > MAX_MOVER:
        return {}
    offsets = _offsets(out, cells)
    if not offsets:
        return {}
    own = {(r, c) for r, c, _ in cells}
    gains = {}
    for dy, dx in offsets:
        landed = {(r + dy, c + dx) for r, c in own}
        gains[(dy, dx)] = sum(state[y][x] != out[y][x] for y, x in landed) + sum(out[r][c] == background for r, c in own - landed)
    moves = {("move", dy, dx): gains[(dy, dx)] for dy, dx in offsets if (dy, dx) != (0, 0)}
    for side, (sy, sx) in zip(SIDES, ((-1, 0), (1, 0), (0, -1), (0, 1))):
        along = [gains[o] for o in offsets if _along(o[0], o[1], sy, sx)]
        if along:
            moves[("slide", side)] = max(along)
    anchor_colours = sorted({cell[2] for other in objects if other is not cells for cell in other} - {cell[2] for cell in cells})
    for colour in anchor_colours:
        anchors = [other for other in objects if other is not cells and colour in [cell[2] for cell in other]]
        plan = approach(cells, anchors, False)
        if plan is None:
            if (0, 0) in gains:
                moves[("toward", colour)] = 0
            continue
        along = [gains[o] for o in offsets if _along(o[0], o[1], plan[1], plan[2])]
        if along:
            moves[("toward", colour)] = max(along)
    return moves


def _along(dy: int, dx: int, sy: int, sx: int) -> bool:
    """Whether (dy, dx) is zero or some steps of (sy, sx)."""
    k = dy * sy + dx * sx
    return k >= 0 and (dy, dx) == (k * sy, k * sx)


def _offsets(out: Grid, cells: list) -> list[tuple[int, int]]:
    """Every shift of the object that lands it on cells of its colours in the output."""
    r0, c0, first = cells[0]
    height, width = len(out), len(out[0])
    top, left, bottom, right = cells_box(cells)
    found = []
    for y in range(height):
        for x in range(width):
            if out[y][x] != first:
                continue
            dy, dx = y - r0, x - c0
            if top + dy < 0 or left + dx < 0 or bottom + dy >= height or right + dx >= width:
                continue
            if all(out[r + dy][c + dx] == colour for r, c, colour in cells):
                found.append((dy, dx))
    return found


def _keyed_step(
    states: list[Grid],
    outputs: list[Grid],
    tests: list[Grid],
    found: list[list],
    options: list[list[list[tuple]]],
    background: int,
    diagonal: bool,
    multicolour: bool,
    key: str,
) -> Step | None:
    shared: dict = {}  # key value -> {transform: changed cells explained} fitting each object of that value
    for state, objects, pair in zip(states, found, options):
        for value, fits in zip(object_keys(state, objects, key), pair):
            if value in shared:
                shared[value] = {t: gain + fits[t] for t, gain in shared[value].items() if t in fits}
            else:
                if len(shared) == MAX_ENTRIES:
                    return None
                shared[value] = dict(fits)
            if not shared[value]:
                return None
    # per value, the transform explaining the most changed cells, the simplest on a tie; then
    # the runners-up, a few combinations at most
    ranked = {value: sorted(fits, key=lambda t, fits=fits: -fits[t])[:CHOICES] for value, fits in shared.items()}
    changed = sum(a != b for s, o in zip(states, outputs) for row, out_row in zip(s, o) for a, b in zip(row, out_row))
    for table in _tables(ranked):
        if sum(shared[value][t] for value, t in table.items()) < changed:
            continue  # some changed cell no object's transform explains
        step = _checked_step(states, outputs, tests, background, diagonal, multicolour, key, table)
        if step is not None:
            return step
    return None


def _tables(ranked: dict) -> list[dict]:
    tables = [{}]
    for value, choices in ranked.items():
        tables = [{**table, value: t} for table in tables for t in choices]
    return tables[:MAX_TABLES]


def _checked_step(
    states: list[Grid], outputs: list[Grid], tests: list[Grid], background: int, diagonal: bool, multicolour: bool, key: str, table: dict
) -> Step | None:
    if all(t == ("keep",) for t in table.values()):
        return None
    args = (background, diagonal, multicolour, key, table)
    if not all(per_object_transform(s, *args) == o for s, o in zip(states, outputs)):
        return None
    if not all(per_object_transform(t, *args) is not None for t in tests):
        return None  # a test object whose key no pair showed, or a transform that does not fit
    kinds = ", ".join(f"{value}: {_words(t)}" for value, t in table.items()) if key != "all" else _words(table[0])
    return Step("per_object_transform", args, f"each object {KEY_WORDS[key]}: {kinds}")


def _words(transform: tuple) -> str:
    kind = transform[0]
    if kind in ("keep", "delete"):
        return "kept" if kind == "keep" else "erased"
    if kind == "move":
        return f"moved by ({transform[1]}, {transform[2]})"
    if kind == "slide":
        return f"slid {transform[1]}"
    if kind == "toward":
        return f"slid towards colour {transform[1]}"
    if kind == "ray":
        return f"extended {transform[1]}"
    if kind == "turn":
        return f"turned ({transform[1]})"
    if kind == "palette":
        return "colours " + ", ".join(f"{a}->{b}" for a, b in transform[1])
    return f"{kind.replace('_', ' ')} {transform[1]}"


PER_OBJECT_LEARNERS = (learn_per_object,)
