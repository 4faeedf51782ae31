"""Last steps over grids read as panels (see `primitives.panels`), their few parameters learned
from the train pairs: the layout, a truth table over which panels are filled at a cell, a priority
order of colours or panels, the criterion that picks a panel, how a panel reads as one cell, the
colour each panel position is painted, the marker a key picture is stamped on, what each colour of
cell expands into.

Every learner is gated by shapes first (panels must have the output's shape, or the panel layout
must be the output's), so on a task without panels it costs a few divisions. Each returns the
first setting that reproduces every pair, or None; the search cross-validates it leave-one-out.
They run on the short chains only (the search's depth-1 phase), like the counting learners.
"""

from __future__ import annotations

from itertools import permutations

from synth_lsp.offline.counting_learning import background_of
from synth_lsp.offline.primitives.geometry import dihedral
from synth_lsp.offline.primitives.grids import most_common_colour
from synth_lsp.offline.primitives.panels import panel_boxes, panel_case, panel_list, panel_value
from synth_lsp.offline.steps import Grid, Step

Layout = tuple[str, int, int]
MAX_LOGIC_PANELS = 4  # 16 cases: a larger truth table is more than a few pairs can pin down
MAX_ORDERED_PANELS = 5  # 120 orders to try
MAX_PANELS = 30
PICK_CRITERIA = (
    "odd_panel",
    "odd_colours",
    "odd_shape",
    "odd_count",
    "most_cells",
    "fewest_cells",
    "most_colours",
    "fewest_colours",
    "most_symmetric",
    "least_symmetric",
)
SUMMARIES = ("filled", "commonest", "any", "count")
SUMMARY_WORDS = {"filled": "commonest filled colour", "commonest": "commonest colour", "any": "1 if it has a filled cell", "count": "count of filled cells"}
LOGIC_NAMES = {(0, 0, 0, 1): "AND", (0, 1, 1, 1): "OR", (0, 1, 1, 0): "XOR", (1, 0, 0, 0): "NOR", (1, 1, 1, 0): "NAND"}
KIND_WORDS = ("blank", "a copy of the grid", "the grid in its colour", "a solid block")


def _shape(grid: Grid) -> tuple[int, int]:
    return len(grid), len(grid[0])


def _layout_words(layout: Layout) -> str:
    mode, a, b = layout
    if mode == "lines":
        return "the panels between the separator lines"
    if mode == "count":
        return f"the {a}x{b} equal panels"
    if mode == "size":
        return f"the {a}x{b} panels"
    if mode == "corners":
        return f"the {a}x{b} corners"
    return "the square panels of the strip"


_LAST_LAYOUTS: list = []  # (states, outputs, layouts) of the last call: the search asks three times per state


def panel_shaped_layouts(states: list[Grid], outputs: list[Grid]) -> list[Layout]:
    """Layouts that cut every state into at least two panels of its output's shape."""
    if _LAST_LAYOUTS and _LAST_LAYOUTS[0] is states and _LAST_LAYOUTS[1] is outputs:
        return _LAST_LAYOUTS[2]
    found = _panel_shaped_layouts(states, outputs)
    _LAST_LAYOUTS[:] = [states, outputs, found]
    return found


def _panel_shaped_layouts(states: list[Grid], outputs: list[Grid]) -> list[Layout]:
    if any(_shape(s) == _shape(o) for s, o in zip(states, outputs)):
        return []
    if any(len(o) * len(o[0]) < 2 or len(s) < len(o) or len(s[0]) < len(o[0]) for s, o in zip(states, outputs)):
        return []  # single cells are no panels (any order or table fits them); panels fit inside
    candidates: list[Layout] = []
    # equal blocks, or blocks with one separator line between them
    if all(len(s) % len(o) == 0 or (len(s) - len(o)) % (len(o) + 1) == 0 for s, o in zip(states, outputs)):
        candidates.append(("lines", 0, 0))
        counts = {(len(s) // len(o), len(s[0]) // len(o[0])) for s, o in zip(states, outputs)}
        if len(counts) == 1:
            candidates.append(("count",) + counts.pop())
        sizes = {_shape(o) for o in outputs}
        if len(sizes) == 1:
            candidates.append(("size",) + sizes.pop())
        candidates.append(("strip", 0, 0))
    sizes = {_shape(o) for o in outputs}
    # corners that cover the grid but for at most one line between them (otherwise they are crops)
    if len(sizes) == 1 and all(2 * len(o) + 1 >= len(s) and 2 * len(o[0]) + 1 >= len(s[0]) for s, o in zip(states, outputs)):
        candidates.append(("corners",) + sizes.pop())
    found, cuts = [], []
    for layout in candidates:
        boxes = []
        for state, out in zip(states, outputs):
            cut = panel_boxes(state, *layout)
            if cut is None:
                break
            top, left, bottom, right = cut[0][0]
            if (bottom - top + 1, right - left + 1) != _shape(out) or len(cut[0]) > MAX_PANELS:
                break
            boxes.append(cut[0])
        else:
            if boxes not in cuts:  # two layouts that cut alike are one
                cuts.append(boxes)
                found.append(layout)
    return found


def _has_full_line(grid: Grid) -> bool:
    """A row or column of one colour: cheaper to ask than where the separator lines are."""
    return any(len(set(row)) == 1 for row in grid) or any(len(set(column)) == 1 for column in zip(*grid))


def _fixed_count(states: list[Grid], layout: Layout) -> int | None:
    """The panel count of the layout when every state has the same one."""
    counts = {len(panel_boxes(s, *layout)[0]) for s in states}
    return counts.pop() if len(counts) == 1 else None


def learn_panel_logic(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """Panels combined cell by cell by a truth table over which of them are filled there (2^N cases
    for N panels), each case giving an output colour: AND, OR, XOR, NOR and any other function."""
    background = None
    for layout in panel_shaped_layouts(states, outputs):
        n = _fixed_count(states, layout)
        if n is None or n > MAX_LOGIC_PANELS:
            continue
        background = background_of(states) if background is None else background
        table = _truth_table(states, outputs, layout, n, background)
        if table is None or len(set(v for v in table if v >= 0)) < 2:
            continue
        seen = sum(v >= 0 for v in table)
        name = LOGIC_NAMES.get(tuple(int(v != background) for v in table)) if n == 2 and seen == 4 else None
        words = f"{name} of" if name else f"a {seen}-case truth table over which of"
        return Step("panel_logic", (*layout, table, background), f"{words} {_layout_words(layout)} ({n}) are filled, cell by cell")
    return None


def _truth_table(states: list[Grid], outputs: list[Grid], layout: Layout, n: int, background: int) -> list[int] | None:
    table = [-1] * (1 << n)
    for state, out in zip(states, outputs):
        panels = panel_list(state, *layout)
        for r in range(len(out)):
            for c in range(len(out[0])):
                case = panel_case(panels, r, c, background)
                if table[case] < 0:
                    table[case] = out[r][c]
                elif table[case] != out[r][c]:
                    return None
    return table


def learn_panel_overlay(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """Panels stacked with a learned priority: of the colours (the first listed wins a cell), or
    of the panels (the first filled one in the order wins)."""
    background = None
    for layout in panel_shaped_layouts(states, outputs):
        background = background_of(states) if background is None else background
        stacks = [panel_list(s, *layout) for s in states]
        order = _colour_order(stacks, outputs, background)
        if order is not None:
            step = Step("panel_overlay", (*layout, order, True, background), f"overlay {_layout_words(layout)}, colour over colour: {' > '.join(map(str, order))}")
            if all(step.apply(s) == o for s, o in zip(states, outputs)):
                return step
        n = _fixed_count(states, layout)
        if n is None or n > MAX_ORDERED_PANELS:
            continue
        for ranking in permutations(range(n)):
            step = Step("panel_overlay", (*layout, list(ranking), False, background), f"overlay {_layout_words(layout)}, panel over panel: {', '.join(map(str, ranking))}")
            if all(step.apply(s) == o for s, o in zip(states, outputs)):
                return step
    return None


def _colour_order(stacks: list[list[Grid]], outputs: list[Grid], background: int) -> list[int] | None:
    """The colours in an order where each cell's output colour beats every other filled one there,
    or None when the pairs contradict each other (or a cell's colour is in none of its panels)."""
    beats: dict[int, set[int]] = {}
    colours: set[int] = set()
    for panels, out in zip(stacks, outputs):
        for r in range(len(out)):
            for c in range(len(out[0])):
                here = {p[r][c] for p in panels} - {background}
                colours |= here
                want = out[r][c]
                if want == background and not here:
                    continue
                if want not in here:
                    return None
                beats.setdefault(want, set()).update(here - {want})
    order: list[int] = []
    left = set(colours)
    while left:
        # a colour nothing left beats comes next; the smallest first, so the order is deterministic
        free = sorted(c for c in left if not any(c in beats.get(d, set()) for d in left if d != c))
        if not free:
            return None  # a cycle: no priority order explains every cell
        order.append(free[0])
        left.discard(free[0])
    return order


def learn_panel_pick(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The panel picked by a property: the odd one out, or the one with the most or fewest cells,
    colours or mirror symmetries."""
    background = None
    for layout in panel_shaped_layouts(states, outputs):
        background = background_of(states) if background is None else background
        for criterion in PICK_CRITERIA:
            step = Step("pick_panel", (*layout, criterion, background), f"pick the panel with {criterion.replace('_', ' ')} of {_layout_words(layout)}")
            if all(step.apply(s) == o for s, o in zip(states, outputs)):
                return step
    return None


def summary_layouts(states: list[Grid], outputs: list[Grid]) -> list[Layout]:
    """Layouts whose panels, one cell each, lay out as every output."""
    if not all(len(s) >= len(o) and len(s[0]) >= len(o[0]) and _shape(s) != _shape(o) for s, o in zip(states, outputs)):
        return []
    found: list[Layout] = []
    shapes = {_shape(o) for o in outputs}
    sizes = {(len(s) // len(o), len(s[0]) // len(o[0])) for s, o in zip(states, outputs)}
    for layout in [("lines", 0, 0)] + ([("count",) + shapes.pop()] if len(shapes) == 1 else []) + ([("size",) + sizes.pop()] if len(sizes) == 1 else []):
        cuts = [panel_boxes(s, *layout) for s in states]
        if all(cut is not None and (cut[1], cut[2]) == _shape(o) for cut, o in zip(cuts, outputs)):
            found.append(layout)
    return found


def learn_panel_summary(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """One cell per panel: its commonest (filled) colour, whether it has a filled cell, or its count
    of filled cells, renamed through a small learned table (value -> colour)."""
    layouts = summary_layouts(states, outputs)
    if not layouts:
        return None
    background = background_of(states)
    cells = sum(len(o) * len(o[0]) for o in outputs)
    best: tuple[int, Step] | None = None
    for layout in layouts:
        cuts = [panel_boxes(s, *layout) for s in states]
        for how in SUMMARIES:
            mapping = _value_map(states, outputs, cuts, how, background)
            if mapping is None:
                continue
            changes = {v: c for v, c in sorted(mapping.items()) if v != c}
            if 2 * len(changes) > cells:
                continue  # one renaming per output cell or so is a list of the answers, not a rule
            label = f"one cell per panel of {_layout_words(layout)}: its {SUMMARY_WORDS[how]}"
            if changes:
                label += " as " + ", ".join(f"{v}->{c}" for v, c in changes.items())
            # the reading that needs the fewest renamings (the first on a tie)
            if best is None or len(changes) < best[0]:
                best = (len(changes), Step("summarise_panels", (*layout, how, changes, background), label))
    return best[1] if best else None


def _value_map(states: list[Grid], outputs: list[Grid], cuts: list, how: str, background: int) -> dict[int, int] | None:
    mapping: dict[int, int] = {}
    for state, out, (boxes, rows, cols) in zip(states, outputs, cuts):
        for i in range(rows):
            for j in range(cols):
                top, left, bottom, right = boxes[i * cols + j]
                panel = [row[left : right + 1] for row in state[top : bottom + 1]]
                if mapping.setdefault(panel_value(panel, how, background), out[i][j]) != out[i][j]:
                    return None
    return mapping


def learn_panel_paint(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """Each panel's background painted with the colour of its position (the same in every pair),
    everything else kept."""
    if any(_shape(s) != _shape(o) for s, o in zip(states, outputs)) or not all(map(_has_full_line, states)):
        return None
    layout = ("cells", 0, 0)
    cuts = [panel_boxes(s, *layout) for s in states]
    if any(cut is None for cut in cuts) or len({len(cut[0]) for cut in cuts}) != 1:
        return None
    background = background_of(states)
    seen: list[int | None] = [None] * len(cuts[0][0])  # per position: -1 kept, else the colour painted
    for state, out, cut in zip(states, outputs, cuts):
        inside = set()
        for k, (top, left, bottom, right) in enumerate(cut[0]):
            for r in range(top, bottom + 1):
                for c in range(left, right + 1):
                    inside.add((r, c))
                    if state[r][c] != background:
                        if out[r][c] != state[r][c]:
                            return None
                        continue
                    want = -1 if out[r][c] == background else out[r][c]
                    if seen[k] is None:
                        seen[k] = want
                    elif seen[k] != want:
                        return None
        if any(state[r][c] != out[r][c] for r in range(len(state)) for c in range(len(state[0])) if (r, c) not in inside):
            return None
    # only the painted positions are parameters: a kept panel costs nothing to describe
    colours = {i: c for i, c in enumerate(seen) if c is not None and c >= 0}
    if not colours:
        return None
    words = f"{len(colours)} of {len(seen)}"
    return Step("paint_panels", (*layout, len(seen), colours, background), f"paint the background of each panel between the separator lines by its position ({words})")


def learn_panel_broadcast(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The fullest panel copied into the others, each position under its own learned turn or mirror
    (one of 8, or kept): a small table, like a mosaic's."""
    if any(_shape(s) != _shape(o) or s == o for s, o in zip(states, outputs)):
        return None
    background = None
    lines = all(map(_has_full_line, states))
    strips = all(len(s) != len(s[0]) and max(_shape(s)) % min(_shape(s)) == 0 for s in states)
    for layout in (("lines", 0, 0),) * lines + (("strip", 0, 0),) * strips:
        cuts = [panel_boxes(s, *layout) for s in states]
        if any(cut is None for cut in cuts) or len({len(cut[0]) for cut in cuts}) != 1:
            continue
        background = background_of(states) if background is None else background
        transforms = []
        for i in range(len(cuts[0][0])):
            options = [k for k in (-1, 0, 4, 5, 2, 1, 3, 6, 7) if all(_broadcast_fits(s, o, cut, i, k, background) for s, o, cut in zip(states, outputs, cuts))]
            if not options:
                break
            transforms.append(options[0])
        else:
            if all(k < 0 for k in transforms):
                continue
            words = ", ".join("kept" if k < 0 else TURN_NAMES[k] for k in transforms)
            step = Step("broadcast_panel", (*layout, transforms, background), f"copy the fullest of {_layout_words(layout)} into the others ({words})")
            if all(step.apply(s) == o for s, o in zip(states, outputs)):
                return step
    return None


TURN_NAMES = ("as is", "rotated 90", "rotated 180", "rotated 270", "mirrored left-right", "mirrored up-down", "transposed", "anti-transposed")


def _broadcast_fits(state: Grid, out: Grid, cut: list, i: int, k: int, background: int) -> bool:
    top, left, bottom, right = cut[0][i]
    want = [row[left : right + 1] for row in out[top : bottom + 1]]
    if k < 0:
        return want == [row[left : right + 1] for row in state[top : bottom + 1]]
    panels = [[row[b[1] : b[3] + 1] for row in state[b[0] : b[2] + 1]] for b in cut[0]]
    filled = [sum(v != background for row in p for v in row) for p in panels]
    if filled.count(max(filled)) != 1:
        return False
    return dihedral(panels[filled.index(max(filled))], k) == want


def learn_key_stamps(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The key picture of each grid stamped centred on the cells of a marker colour (the colour
    enumerated: one parameter)."""
    if any(_shape(s) != _shape(o) for s, o in zip(states, outputs)):
        return None
    background = background_of(states)
    # a marker cell is overwritten by the key's centre: the marker is a colour of some changed cell
    # (cheap: it spares a stamp per colour on every state of every same-shape task)
    changed = {a for s, o in zip(states, outputs) for row, out_row in zip(s, o) for a, b in zip(row, out_row) if a != b}
    colours = set.intersection(*[{v for row in s for v in row} for s in states])
    for marker in sorted(colours & changed - {background}):
        step = Step("stamp_key_on_markers", (marker, background), f"stamp the key picture centred on each cell of colour {marker}")
        if all(step.apply(s) == o for s, o in zip(states, outputs)):
            return step
    return None


def learn_cell_blocks(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """Each cell expanded into a block of the grid's own size, by its colour (or by whether it is
    the grid's commonest colour): blank, a copy of the grid, the grid's shape in the cell's colour,
    or a solid block."""
    if any(_shape(o) != (len(s) * len(s), len(s[0]) * len(s[0])) for s, o in zip(states, outputs)):
        return None
    background = background_of(outputs)  # the blank blocks' colour, which the inputs may not show
    for by_commonest in (False, True):
        if by_commonest and any(most_common_colour(s) == background for s in states):
            continue  # the commonest colour is the background: its blocks would be blank either way
        kinds = _block_kinds(states, outputs, by_commonest, background)
        if kinds is None:
            continue
        shown = [kind for key, kind in kinds.items() if by_commonest or key != background]
        if 1 not in shown and 2 not in shown:
            continue  # no block shows the grid: a scale-up, which the catalogue already has
        keys = {1: "the commonest colour", 0: "the others"} if by_commonest else {}
        words = "; ".join(f"{keys.get(key, key)}: {KIND_WORDS[kind]}" for key, kind in kinds.items())
        return Step("expand_cells", (kinds, by_commonest, background), f"each cell becomes a block of the grid's size ({words})")
    return None


def _block_kinds(states: list[Grid], outputs: list[Grid], by_commonest: bool, background: int) -> dict[int, int] | None:
    options: dict[int, set[int]] = {}
    for state, out in zip(states, outputs):
        h, w = _shape(state)
        commonest = most_common_colour(state)
        for r in range(h):
            for c in range(w):
                block = [row[c * w : (c + 1) * w] for row in out[r * h : (r + 1) * h]]
                colour = state[r][c]
                key = int(colour == commonest) if by_commonest else colour
                fits = {kind for kind in range(4) if block == _block(state, colour, kind, background)}
                options[key] = options.get(key, fits) & fits
                if not options[key]:
                    return None
    # the likeliest reading first: a copy, then the grid recoloured, then blank, then solid (blank
    # first for the background, whose recoloured grid is blank too)
    return {key: min(fits, key=((0, 1, 2, 3) if key == background and not by_commonest else (1, 2, 0, 3)).index) for key, fits in sorted(options.items())}


def _block(grid: Grid, colour: int, kind: int, background: int) -> Grid:
    if kind == 1:
        return [list(row) for row in grid]
    if kind == 2:
        return [[colour if v != background else background for v in row] for row in grid]
    if kind == 3:
        return [[colour] * len(grid[0]) for _ in grid]
    return [[background] * len(grid[0]) for _ in grid]


PANEL_LEARNERS = (learn_panel_logic, learn_panel_overlay, learn_panel_pick, learn_panel_summary, learn_panel_paint, learn_panel_broadcast, learn_key_stamps, learn_cell_blocks)
