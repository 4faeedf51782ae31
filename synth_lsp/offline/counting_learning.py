"""Last steps that put objects into an output (see `primitives.counting`), their parameters
found from the train pairs: what is counted (and of which colour), the colour drawn with, the
output's blank colour and shape, the order the cells are filled in, how the objects are ordered.

Each learner enumerates its few parameters from the task's facts and returns the first setting
that reproduces every pair, or None; the search cross-validates it like any learned step (left out,
each pair must follow from the others). Only the fill order of a count may be learned cell by cell
(`count_at_positions`), when no enumerated order fits. They run on the short chains only (the
search's depth-1 phase), where the objects still are as the input shows them.
"""

from __future__ import annotations

from synth_lsp.offline.primitives.counting import count_of, fill_order, main_colour, measure_objects, odd_one, ordered_colours, picture_key
from synth_lsp.offline.primitives.grids import cells_box
from synth_lsp.offline.primitives.grids import colour_counts
from synth_lsp.offline.steps import Grid, Step

MEASURES = ("cells", "objects", "diagonal_objects", "pieces", "colours")
OBJECT_UNITS = ("objects", "diagonal_objects", "pieces")
ORDER_KEYS = ("reading", "column", "size_desc", "size_asc")
PATTERNS = ("rows", "snake", "checker")
ODD_PROPERTIES = ("size", "colour_count", "pattern", "box")
MEASURE_WORDS = {
    "cells": "cells",
    "objects": "objects",
    "diagonal_objects": "objects (corners joining)",
    "pieces": "pieces of any colours",
    "colours": "colours",
}
KEY_WORDS = {"reading": "in reading order", "column": "left to right", "size_desc": "largest first", "size_asc": "smallest first"}
TURN_WORDS = ("", ", turned 90", ", turned 180", ", turned 270", ", mirrored left-right", ", mirrored up-down", ", transposed", ", anti-transposed")


def background_of(states: list[Grid]) -> int:
    counts: dict[int, int] = {}
    for state in states:
        for value, n in colour_counts(state).items():
            counts[value] = counts.get(value, 0) + n
    return 0 if 0 in counts else max(sorted(counts), key=lambda c: counts[c])


def _fixed_shape(outputs: list[Grid]) -> tuple[int, int] | None:
    shapes = {(len(out), len(out[0])) for out in outputs}
    return shapes.pop() if len(shapes) == 1 else None


def _measure_keys(states: list[Grid], background: int) -> list[tuple[str, int]]:
    """(what, colour) to count: any colour first, then each colour the inputs show."""
    colours = sorted({v for state in states for row in state for v in row} - {background})
    keys = []
    for what in MEASURES:
        keys.append((what, -1))
        if what == "colours":
            keys.append((what, -2))
        else:
            keys += [(what, colour) for colour in colours]
    return keys


def _matching_measures(states: list[Grid], background: int, counts: list[int]) -> list[tuple[str, int]]:
    return [key for key in _measure_keys(states, background) if all(count_of(s, background, key[0], key[1]) == n for s, n in zip(states, counts))]


def _paints(states: list[Grid], background: int, inks: list[set[int]], colour: int) -> list[int]:
    """Painting colours consistent with every pair's ink: a fixed colour, the counted one (-1),
    the input's commonest (-2). Pairs with nothing painted say nothing."""
    seen = set().union(*inks)
    paints = []
    if len(seen) == 1:
        paints.append(seen.pop())
    if colour >= 0 and all(ink <= {colour} for ink in inks):
        paints.append(-1)
    commonest = []
    for state in states:
        counts = {c: n for c, n in colour_counts(state).items() if c != background}
        commonest.append(max(sorted(counts), key=lambda c: counts[c]) if counts else None)
    if all(ink <= {c} for ink, c in zip(inks, commonest)) and None not in commonest:
        paints.append(-2)
    return list(dict.fromkeys(paints))


def _lit(outputs: list[Grid], blank: int) -> tuple[list[set], list[set[int]]] | None:
    """Per output, the cells not blank and their colours (one at most), else None."""
    lits, inks = [], []
    for out in outputs:
        cells = {(r, c) for r in range(len(out)) for c in range(len(out[0])) if out[r][c] != blank}
        ink = {out[r][c] for r, c in cells}
        if len(ink) > 1:
            return None
        lits.append(cells)
        inks.append(ink)
    return lits, inks


def _applies(step: Step, tests: list[Grid]) -> bool:
    return all(step.apply(t) is not None for t in tests)


def _paint_words(paint: int) -> str:
    return {-1: "in the counted colour", -2: "in the input's commonest colour"}.get(paint, f"in {paint}")


def _count_words(what: str, colour: int) -> str:
    if colour == -2:
        return "colours, the background too"
    return MEASURE_WORDS[what] + ("" if colour < 0 else f" of colour {colour}")


def learn_count_fill(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """A fixed-shape output with as many painted cells as the input has of something, filled in
    an enumerated order (else in an order learned cell by cell)."""
    shape = _fixed_shape(outputs)
    if shape is None or shape[0] * shape[1] > 100:
        return None
    height, width = shape
    background = background_of(states)
    for blank in dict.fromkeys([background] + sorted({v for out in outputs for row in out for v in row})):
        lit = _lit(outputs, blank)
        if lit is None:
            continue
        lits, inks = lit
        counts = [len(cells) for cells in lits]
        if len(set(counts)) < 2:
            continue  # the same count everywhere: a fixed picture explains it as well
        for what, colour in _matching_measures(states, background, counts):
            for paint in _paints(states, background, inks, colour):
                step = _ordered_count(states, lits, counts, (background, what, colour, paint, blank, height, width), tests)
                if step is not None:
                    return step
    return None


def _ordered_count(states: list[Grid], lits: list[set], counts: list[int], head: tuple, tests: list[Grid]) -> Step | None:
    _, what, colour, paint, blank, height, width = head
    words = f"{height}x{width} of {blank}, one cell {_paint_words(paint)} per {_count_words(what, colour)}"
    for pattern in PATTERNS:
        for k in range(8):
            order = fill_order(height, width, pattern, k)
            if order is None or not all(set(order[:n]) == cells for n, cells in zip(counts, lits)):
                continue
            step = Step("count_fill", head + (pattern, k), f"{words}, filled by {pattern}{TURN_WORDS[k]}")
            if _applies(step, tests):
                return step
    positions = _learned_positions(lits, counts)
    if positions is None:
        return None
    step = Step("count_at_positions", head[:5] + (height, width, positions), f"{words}, filled in a learned order of {len(positions)} cells")
    return step if _applies(step, tests) else None


def _learned_positions(lits: list[set], counts: list[int]) -> list[list[int]] | None:
    """The cells in the order larger counts add them (each count's cells those of the smaller
    ones and more; reading order among cells added together), or None."""
    by_count: dict[int, set] = {}
    for n, cells in zip(counts, lits):
        if by_count.setdefault(n, cells) != cells:
            return None
    positions: list[list[int]] = []
    before: set = set()
    for n in sorted(by_count):
        cells = by_count[n]
        if not before <= cells:
            return None
        positions += [[r, c] for r, c in sorted(cells - before)]
        before = cells
    return positions


LINE_SHAPES = ("row", "column", "square", "diagonal")


def learn_count_line(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """A row, a column, a square or a square's diagonal of one colour, as long as the input has
    of something."""
    background = background_of(states)
    for shape in LINE_SHAPES:
        counts = [_line_count(out, shape, background) for out in outputs]
        if None in counts or len(set(counts)) < 2:
            continue
        inks = [{v for row in out for v in row} - ({background} if shape == "diagonal" else set()) for out in outputs]
        for what, colour in _matching_measures(states, background, counts):
            for paint in _paints(states, background, inks, colour):
                step = Step(
                    "count_line", (background, what, colour, paint, shape), f"a {shape} of one cell {_paint_words(paint)} per {_count_words(what, colour)}"
                )
                if all(step.apply(s) == out for s, out in zip(states, outputs)) and _applies(step, tests):
                    return step
    return None


def _line_count(out: Grid, shape: str, background: int) -> int | None:
    """The n of an output that is an n-cell line, square or diagonal of one colour, else None."""
    height, width = len(out), len(out[0])
    if shape == "row":
        return width if height == 1 and len(set(out[0])) == 1 else None
    if shape == "column":
        return height if width == 1 and len({row[0] for row in out}) == 1 else None
    if height != width:
        return None
    if shape == "square":
        return height if len({v for row in out for v in row}) == 1 else None
    on = {out[i][i] for i in range(height)}
    off = {out[r][c] for r in range(height) for c in range(width) if r != c}
    return height if len(on) == 1 and off <= {background} and on != {background} else None


def learn_resize_by_count(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The input scaled up, or tiled n x n, by a count it holds."""
    factors = []
    for state, out in zip(states, outputs):
        h, w = len(state), len(state[0])
        if len(out) % h or len(out[0]) % w or len(out) // h != len(out[0]) // w:
            return None
        factors.append(len(out) // h)
    if len(set(factors)) < 2:
        return None  # one factor for all: a fixed scale or tiling says it
    background = background_of(states)
    for what, colour in _matching_measures(states, background, factors):
        for tiled in (False, True):
            how = "tile the grid n x n" if tiled else "scale up by n"
            step = Step("resize_by_count", (background, what, colour, tiled), f"{how}, n the count of {_count_words(what, colour)}")
            if all(step.apply(s) == out for s, out in zip(states, outputs)) and _applies(step, tests):
                return step
    return None


def _bar_lengths(state: Grid, background: int, what: str) -> dict[int, int]:
    if what == "cells":
        return {c: n for c, n in colour_counts(state).items() if c != background}
    lengths: dict[int, int] = {}
    for cells in measure_objects(state, background, what):
        colour = main_colour(cells)
        lengths[colour] = lengths.get(colour, 0) + 1
    return lengths


def _bar_shaped(out: Grid, background: int) -> bool:
    """Each colour's cells lie in one row or in one column."""
    rows: dict[int, set[int]] = {}
    cols: dict[int, set[int]] = {}
    for r, row in enumerate(out):
        for c, v in enumerate(row):
            if v != background:
                rows.setdefault(v, set()).add(r)
                cols.setdefault(v, set()).add(c)
    return bool(rows) and all(len(rows[v]) == 1 or len(cols[v]) == 1 for v in rows)


def learn_colour_bars(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """A histogram: a bar per colour as long as its count of cells (or objects), in some order,
    in any of the 8 orientations, tight or on a fixed-shape grid."""
    background = background_of(states)
    shape = _fixed_shape(outputs)
    sizes = [(0, 0)] + ([shape] if shape is not None else [])
    drawn = [{c: n for c, n in colour_counts(out).items() if c != background} for out in outputs]
    if not all(set(want) == {c for c in colour_counts(s) if c != background} for s, want in zip(states, drawn)):
        return None  # a bar for every colour of the input, and no other
    if not all(_bar_shaped(out, background) for out in outputs):
        return None
    for what in ("cells",) + OBJECT_UNITS:
        # cheap first: each colour's cells in the output are its bar, its count in the input
        if not all(_bar_lengths(s, background, what) == want for s, want in zip(states, drawn)):
            continue
        for key in ORDER_KEYS:
            for k in range(8):
                for height, width in sizes:
                    step = Step("colour_bars", (background, what, key, k, height, width), "")
                    if all(step.apply(s) == out for s, out in zip(states, outputs)) and _applies(step, tests):
                        unit = "cells" if what == "cells" else MEASURE_WORDS[what]
                        label = f"a bar per colour as long as its count of {unit}, {KEY_WORDS[key]}{TURN_WORDS[k]}"
                        return Step(step.function, step.args, label + (f", on {height}x{width}" if height else ""))
    return None


def learn_sequence(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The objects' colours (or the distinct colours) in some order, one cell each: along a row or
    a column (all but the first too), or filling a fixed-shape output in an enumerated order."""
    background = background_of(states)
    shape = _fixed_shape(outputs)
    lines = all(len(out) == 1 for out in outputs) or all(len(out[0]) == 1 for out in outputs)
    if not lines and (shape is None or shape[0] * shape[1] > 100):
        return None
    for what in OBJECT_UNITS + ("colours",):
        # every order holds the same colours: one look at them rules a kind of object out
        if not all(_could_hold(ordered_colours(s, background, what, "reading"), out, background) for s, out in zip(states, outputs)):
            continue
        for key in ORDER_KEYS:
            sequences = [ordered_colours(s, background, what, key) for s in states]
            words = f"the colours of the {MEASURE_WORDS[what]} {KEY_WORDS[key]}"
            step = _sequence_line(sequences, outputs, (background, what, key), words)
            if step is None and shape is not None:
                step = _sequence_grid(sequences, outputs, (background, what, key), shape, words)
            if step is not None and _applies(step, tests):
                return step
    return None


def _could_hold(sequence: list[int], out: Grid, background: int) -> bool:
    """Whether the output's cells (bar the blank ones) can be the sequence, or all of it but one."""
    if not sequence or len(sequence) > 900:
        return False
    cells = [v for row in out for v in row]
    if len(out) > 1 and len(out[0]) > 1:
        cells = [v for v in cells if v not in (background, 0)]
    spare = {}
    for colour in sequence:
        spare[colour] = spare.get(colour, 0) + 1
    for colour in cells:
        if spare.get(colour, 0) == 0:
            return False
        spare[colour] -= 1
    return sum(spare.values()) <= 1 or len(out) > 1 and len(out[0]) > 1


def _sequence_line(sequences: list[list[int]], outputs: list[Grid], head: tuple, words: str) -> Step | None:
    for vertical in (False, True):
        if not all((len(out[0]) if vertical else len(out)) == 1 for out in outputs):
            continue
        lines = [[row[0] for row in out] if vertical else out[0] for out in outputs]
        for skip in (0, 1):
            if all(seq[skip:] == line for seq, line in zip(sequences, lines)):
                way = "column" if vertical else "row"
                rest = ", all but the first" if skip else ""
                return Step("sequence_line", head + (vertical, skip), f"{words}{rest}, as a {way}")
    return None


def _sequence_grid(sequences: list[list[int]], outputs: list[Grid], head: tuple, shape: tuple[int, int], words: str) -> Step | None:
    height, width = shape
    if height == 1 or width == 1:
        return None  # a line: `_sequence_line` says it
    for blank in dict.fromkeys([head[0], 0]):
        filled = [sorted(v for row in out for v in row if v != blank) for out in outputs]
        if any(sorted(c for c in seq if c != blank) != cells or not seq for seq, cells in zip(sequences, filled)):
            continue
        for pattern in PATTERNS[:2]:
            for k in range(8):
                order = fill_order(height, width, pattern, k)
                if order is not None and all(_written(seq, order, out, blank) for seq, out in zip(sequences, outputs)):
                    return Step(
                        "sequence_fill", head + (blank, height, width, pattern, k), f"{words}, written into {height}x{width} by {pattern}{TURN_WORDS[k]}"
                    )
    return None


def _written(sequence: list[int], order: list, out: Grid, blank: int) -> bool:
    if len(sequence) > len(order):
        return False
    want = dict(zip(order, sequence))
    return all(out[r][c] == want.get((r, c), blank) for r in range(len(out)) for c in range(len(out[0])))


def learn_colour_by_objects(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """A fixed-shape output of one colour: the colour the most (or fewest) objects have."""
    shape = _fixed_shape(outputs)
    if shape is None:
        return None
    colours = []
    for out in outputs:
        values = {v for row in out for v in row}
        if len(values) != 1:
            return None
        colours.append(values.pop())
    if len(set(colours)) < 2:
        return None
    background = background_of(states)
    for what in OBJECT_UNITS:
        found = [measure_objects(s, background, what) for s in states]
        for most in (True, False):
            if all(_extreme_colour(objects, most) == want for objects, want in zip(found, colours)):
                which = "most" if most else "fewest"
                step = Step(
                    "colour_by_objects",
                    (background, what, most, shape[0], shape[1]),
                    f"{shape[0]}x{shape[1]} of the colour the {which} {MEASURE_WORDS[what]} have",
                )
                if _applies(step, tests):
                    return step
    return None


def _extreme_colour(objects: list, most: bool) -> int | None:
    tally: dict[int, int] = {}
    for cells in objects:
        colour = main_colour(cells)
        tally[colour] = tally.get(colour, 0) + 1
    if not tally:
        return None
    best = max(tally.values()) if most else min(tally.values())
    winners = [c for c, n in tally.items() if n == best]
    return winners[0] if len(winners) == 1 else None


def _filled(grid: Grid, background: int) -> int:
    return sum(v != background for row in grid for v in row)


def learn_side_by_side(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The objects cut out and laid in a row (or a column) in some order, 0 or 1 lines apart."""
    background = background_of(states)
    if not all(_filled(s, background) == _filled(out, background) for s, out in zip(states, outputs)):
        return None  # every object's cells, nothing more: as many filled cells as the input
    for what in OBJECT_UNITS:
        boxes = [[_box_shape(cells) for cells in measure_objects(s, background, what)] for s in states]
        for vertical in (False, True):
            for gap in (0, 1):
                # the layout's shape follows from the boxes alone: check it before laying anything
                if not all(sizes and _laid_shape(sizes, vertical, gap) == (len(out), len(out[0])) for sizes, out in zip(boxes, outputs)):
                    continue
                for key in ORDER_KEYS:
                    step = Step("objects_side_by_side", (background, what, key, vertical, gap), "")
                    if all(step.apply(s) == out for s, out in zip(states, outputs)) and _applies(step, tests):
                        way = "top to bottom" if vertical else "left to right"
                        apart = ", a line apart" if gap else ""
                        return Step(step.function, step.args, f"the {MEASURE_WORDS[what]} {KEY_WORDS[key]}, laid {way}{apart}")
    return None


def _laid_shape(sizes: list[tuple[int, int]], vertical: bool, gap: int) -> tuple[int, int]:
    along = sum(size[0 if vertical else 1] for size in sizes) + gap * (len(sizes) - 1)
    across = max(size[1 if vertical else 0] for size in sizes)
    return (along, across) if vertical else (across, along)


def _only_erased(state: Grid, out: Grid, background: int) -> bool:
    """Some cells become background, and nothing else changes."""
    changed = False
    for row, out_row in zip(state, out):
        for a, b in zip(row, out_row):
            if a != b:
                if b != background:
                    return False
                changed = True
    return changed


ONE_WORDS = {"objects": "object", "diagonal_objects": "object (corners joining)", "pieces": "piece of any colours"}


def learn_odd_object(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The one object that differs from all the others (which are alike) in one property: cropped
    out, kept alone or erased."""
    same = all(len(out) == len(s) and len(out[0]) == len(s[0]) for s, out in zip(states, outputs))
    smaller = all(len(out) <= len(s) and len(out[0]) <= len(s[0]) for s, out in zip(states, outputs))
    modes = ("keep", "remove") if same else ("crop",) if smaller else ()
    background = background_of(states)
    if same and not all(_only_erased(s, out, background) for s, out in zip(states, outputs)):
        return None
    for what in OBJECT_UNITS:
        for prop in ODD_PROPERTIES:
            crop_fits = True
            for state, out in zip(states, outputs):  # pair by pair: most settings fail on the first
                objects = measure_objects(state, background, what)
                chosen = odd_one(state, objects, prop) if 3 <= len(objects) <= 60 else None
                if chosen is None:
                    break
                crop_fits = crop_fits and _box_shape(chosen) == (len(out), len(out[0]))
            else:
                chosen = True
            if chosen is None:
                continue
            for mode in modes:
                if mode == "crop" and not crop_fits:
                    continue
                words = {"crop": "crop to", "keep": "keep only", "remove": "erase"}[mode]
                step = Step("odd_object", (background, what, prop, mode), f"{words} the {ONE_WORDS[what]} whose {prop.replace('_', ' ')} no other has")
                if all(step.apply(s) == out for s, out in zip(states, outputs)) and _applies(step, tests):
                    return step
    return None


def _box_shape(cells: list) -> tuple[int, int]:
    top, left, bottom, right = cells_box(cells)
    return bottom - top + 1, right - left + 1


def learn_picture_by_key(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The output is one of a few pictures, picked by the input's commonest colour or by a count:
    a table key -> picture in which some key repeats (a rule, not one entry per pair). Of the
    keys that fit, the one with the smallest table (the first on a tie)."""
    pictures = {str(out) for out in outputs}
    if len(pictures) < 2 or len(pictures) >= len(outputs):
        return None
    background = background_of(states)
    best: Step | None = None
    for what, colour in [("commonest", -1)] + _measure_keys(states, background):
        table: dict = {}
        for state, out in zip(states, outputs):
            key = picture_key(state, background, what, colour)
            if key is None or table.setdefault(key, out) != out:
                break
        else:
            if len(table) == len(pictures) and (best is None or len(table) < len(best.args[3])):
                by = "the commonest colour" if what == "commonest" else "the count of " + _count_words(what, colour)
                step = Step("picture_by_key", (background, what, colour, table), f"one of {len(table)} pictures, picked by {by}")
                if _applies(step, tests):
                    best = step
    return best


COUNTING_LEARNERS = (
    learn_count_fill,
    learn_count_line,
    learn_resize_by_count,
    learn_colour_bars,
    learn_sequence,
    learn_colour_by_objects,
    learn_side_by_side,
    learn_odd_object,
    learn_picture_by_key,
)
