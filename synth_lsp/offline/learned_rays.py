"""Learned last steps that draw from marked cells (see `primitives.rays`): whole rows and
columns through the cells of some colours, layered in an order the crossings show; and a small
stamp painted around every lone marker cell, one for all colours or one per colour.

Like `learned`, each learner returns the one step that turns every state into its output, or
None; the search cross-validates it (relearned without a pair, it must get that pair right).
"""

from __future__ import annotations

from itertools import permutations

from synth_lsp.offline.primitives.grids import colour_cells
from synth_lsp.offline.primitives.rays import (
    draw_marker_lines,
    elbow_line,
    lonely,
    repeat_motif,
    stamp_markers,
)
from synth_lsp.offline.steps import Grid, Step

AXES = ("row", "column", "both")
MAX_LINE_COLOURS = 5  # orders of more would cost more than such a rule is worth
STAMP_RADII = (1, 2)


def learn_marker_lines(
    states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()
) -> Step | None:
    """Rows and/or columns through every cell of some colours, painted over everything: each
    colour's axis is the one whose lines the output shows filled (mostly in that colour), and the
    order is the one the crossings agree with."""
    if not _same_shapes(states, outputs) or states == outputs:
        return None
    background = shared_background(states)
    if not _changes_lie_on_marker_lines(states, outputs, background):
        return None
    colours = sorted({v for s in states for row in s for v in row} - {background})
    chosen = []
    for colour in colours:
        axis = _line_axis(states, outputs, colour, background)
        if axis is not None:
            chosen.append([colour, axis])
    if not chosen or len(chosen) > MAX_LINE_COLOURS:
        return None
    for order in permutations(chosen):
        lines = [list(line) for line in order]
        if all(
            draw_marker_lines(s, lines, background) == o
            for s, o in zip(states, outputs)
        ):
            words = ", ".join(
                f"{c}: {axis}{'s' if axis != 'both' else ''}" for c, axis in lines
            )
            return Step(
                "draw_marker_lines",
                (lines, background),
                f"lines through the marked cells ({words}; later on top)",
            )
    return None


def _same_shapes(states: list[Grid], outputs: list[Grid]) -> bool:
    return all(
        len(s) == len(o) and len(s[0]) == len(o[0]) for s, o in zip(states, outputs)
    )


def shared_background(states: list[Grid]) -> int:
    """0 when it occurs, else the commonest colour over all the states."""
    counts: dict[int, int] = {}
    for state in states:
        for row in state:
            for v in row:
                counts[v] = counts.get(v, 0) + 1
    return 0 if 0 in counts else max(sorted(counts), key=lambda c: counts[c])


def _changes_lie_on_marker_lines(
    states: list[Grid], outputs: list[Grid], background: int
) -> bool:
    """Every changed cell shares a row or a column with an input cell of its new colour (cheap: it
    turns most states down before any axis is tried)."""
    for state, out in zip(states, outputs):
        rows = [set(row) for row in state]
        columns = [set(column) for column in zip(*state)]
        for r, (row, out_row) in enumerate(zip(state, out)):
            for c, (before, after) in enumerate(zip(row, out_row)):
                if before != after and (
                    after == background
                    or (after not in rows[r] and after not in columns[c])
                ):
                    return False
    return True


def _line_axis(
    states: list[Grid], outputs: list[Grid], colour: int, background: int
) -> str | None:
    """The axis whose lines through the colour's cells are filled in every output, and mostly in
    that colour (crossing lines may cover a few cells); of several, the one painting most cells."""
    best, best_own = None, 0
    for axis in AXES:
        own = other = 0
        filled = True
        for state, out in zip(states, outputs):
            for y, x in _line_cells(state, colour, axis):
                v = out[y][x]
                if v == colour:
                    own += 1
                elif v == background:
                    filled = False
                    break
                else:
                    other += 1
            if not filled:
                break
        if filled and own > other and own > best_own:
            best, best_own = axis, own
    return best


def _line_cells(state: Grid, colour: int, axis: str) -> set[tuple[int, int]]:
    height, width = len(state), len(state[0])
    cells = set()
    for r, c in colour_cells(state, colour):
        if axis in ("row", "both"):
            cells.update((r, x) for x in range(width))
        if axis in ("column", "both"):
            cells.update((y, c) for y in range(height))
    return cells


def learn_marker_stamps(
    states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()
) -> Step | None:
    """A stamp around every cell, else around every lone cell (only background at its sides):
    first one stamp for every colour (cells in the marker's own colour or a fixed one), then one
    per marker colour; the smallest window first. Only background cells may change."""
    if not _same_shapes(states, outputs) or states == outputs:
        return None
    background = shared_background(states)
    for state, out in zip(states, outputs):
        for row, out_row in zip(state, out):
            for before, after in zip(row, out_row):
                if before != after and before != background:
                    return None
    for lone_only in (False, True):  # the plainer rule first: around every cell
        markers = [_marker_cells(s, background, lone_only) for s in states]
        if not any(markers):
            continue
        for radius in STAMP_RADII:
            for shared in (True, False):
                stamps = _stamp_table(
                    states, outputs, markers, background, radius, shared
                )
                if not stamps:
                    continue
                if all(
                    stamp_markers(s, stamps, lone_only, background) == o
                    for s, o in zip(states, outputs)
                ):
                    return Step(
                        "stamp_markers",
                        (stamps, lone_only, background),
                        _stamp_label(stamps, lone_only, shared, radius),
                    )
    return None


def _stamp_label(stamps: dict, lone_only: bool, shared: bool, radius: int) -> str:
    cells = sum(len(entries) for entries in stamps.values())
    which = "lone cell" if lone_only else "cell"
    whose = (
        f"every {which}"
        if shared
        else f"each {which} of colour " + ", ".join(str(k) for k in sorted(stamps))
    )
    return f"a stamp around {whose} ({cells} cells, radius {radius})"


def _marker_cells(
    state: Grid, background: int, lone_only: bool
) -> list[tuple[int, int, int]]:
    return [
        (r, c, v)
        for r, row in enumerate(state)
        for c, v in enumerate(row)
        if v != background and (not lone_only or lonely(state, r, c, background))
    ]


def _stamp_table(
    states: list[Grid],
    outputs: list[Grid],
    markers: list,
    background: int,
    radius: int,
    shared: bool,
) -> dict[int, list[list[int]]] | None:
    """key (-1 when shared, else the marker's colour) -> [dy, dx, colour] painted around it; None
    when some offset shows two different paints. Only background cells in one marker's window
    are read: where two windows overlap, either stamp may have painted (the fit check decides)."""
    seen: dict[tuple[int, int, int], int] = {}
    for state, out, lone in zip(states, outputs, markers):
        height, width = len(state), len(state[0])
        covers: dict[tuple[int, int], int] = {}
        for r, c, _ in lone:
            for y in range(r - radius, r + radius + 1):
                for x in range(c - radius, c + radius + 1):
                    covers[(y, x)] = covers.get((y, x), 0) + 1
        for r, c, colour in lone:
            key = -1 if shared else colour
            for dy in range(-radius, radius + 1):
                for dx in range(-radius, radius + 1):
                    y, x = r + dy, c + dx
                    if (
                        not (0 <= y < height and 0 <= x < width)
                        or state[y][x] != background
                        or covers[(y, x)] > 1
                    ):
                        continue
                    v = out[y][x]
                    paint = -1 if shared and v == colour else v
                    if seen.setdefault((key, dy, dx), paint) != paint:
                        return None
    stamps: dict[int, list[list[int]]] = {}
    for (key, dy, dx), paint in sorted(seen.items()):
        if paint != background:
            stamps.setdefault(key, []).append([dy, dx, paint])
    return stamps


MAX_STEP = 4  # the largest shift between two copies of a motif, in rows or columns


def learn_motif_path(
    states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()
) -> Step | None:
    """A motif repeated from a lone seed cell along a fixed shift (see `primitives.rays.repeat_motif`),
    read from the pairs with a single lone cell (else from every pair, each changed cell given to
    its nearest seed): of the shifts that explain the changed cells as copies of one motif, the
    one with the smallest motif (one way before mirrored) that fits every pair. Only background
    cells may change."""
    if not _same_shapes(states, outputs) or states == outputs:
        return None
    background = shared_background(states)
    if not _only_background_painted(states, outputs, background):
        return None
    views = _seed_views(states, outputs, background, True) or _seed_views(
        states, outputs, background, False
    )
    if not views:
        return None
    fits = []
    for mirrored in (False, True):
        for dy in range(-MAX_STEP, MAX_STEP + 1):
            for dx in range(-MAX_STEP, MAX_STEP + 1):
                motif = _motif_for(views, (dy, dx), mirrored, background)
                if motif is not None:
                    # of equal motifs, the one by the seed (not by a wall), then the shortest shift
                    reach = max(abs(y) + abs(x) for y, x, _ in motif)
                    fits.append(
                        (
                            len(motif),
                            mirrored,
                            reach,
                            abs(dy) + abs(dx),
                            [dy, dx],
                            motif,
                        )
                    )
    for size, mirrored, _, _, step_shift, motif in sorted(fits, key=lambda f: f[:4]):
        step = Step(
            "repeat_motif",
            (motif, step_shift, mirrored, background),
            f"repeat a {size}-cell motif from each lone cell every ({step_shift[0]}, {step_shift[1]})"
            + (", both ways" if mirrored else ""),
        )
        if all(
            repeat_motif(s, motif, step_shift, mirrored, background) == o
            for s, o in zip(states, outputs)
        ):
            return step
    return None


MAX_SEEDS = 6  # more seeds in one pair: their paths cannot be told apart by nearness


def _seed_views(
    states: list[Grid], outputs: list[Grid], background: int, single: bool
) -> list:
    """(offset from the seed -> paint (-1: the seed's colour), seed row, column, state, exact) per
    seed: of the pairs with one lone cell (`single`: exact, every changed cell is its own), or
    of every pair, each changed cell given to the nearest seed (ties to none: not exact)."""
    views = []
    for state, out in zip(states, outputs):
        seeds = _marker_cells(state, background, True)
        if (len(seeds) != 1) if single else not 1 < len(seeds) <= MAX_SEEDS:
            continue
        mine: list[dict] = [{} for _ in seeds]
        for y, (row, out_row) in enumerate(zip(state, out)):
            for x, (before, v) in enumerate(zip(row, out_row)):
                if before == v:
                    continue
                distances = [abs(y - r) + abs(x - c) for r, c, _ in seeds]
                nearest = min(distances)
                if distances.count(nearest) == 1:
                    i = distances.index(nearest)
                    mine[i][(y - seeds[i][0], x - seeds[i][1])] = (
                        -1 if v == seeds[i][2] else v
                    )
        for (r, c, _), changed in zip(seeds, mine):
            if changed:
                views.append((changed, r, c, state, single))
    return views


def _only_background_painted(
    states: list[Grid], outputs: list[Grid], background: int
) -> bool:
    for state, out in zip(states, outputs):
        for row, out_row in zip(state, out):
            for before, after in zip(row, out_row):
                if before != after and before != background:
                    return False
    return True


def _motif_for(
    views: list, shift: tuple[int, int], mirrored: bool, background: int
) -> list[list[int]] | None:
    """The motif whose copies along `shift` paint exactly the changed cells of every view, or None.
    Its cells are the changed cells with none one shift back (the first copy); mirrored, the cells
    behind the seed (against the shift) are turned round the seed first."""
    if shift == (0, 0):
        return None
    motif: dict[tuple[int, int], int] = {}
    for changed, r, c, state, exact in views:
        ahead = changed
        if mirrored:
            ahead = {}
            for (oy, ox), paint in changed.items():
                behind = oy * shift[0] + ox * shift[1] < 0
                ahead[(-oy, -ox) if behind else (oy, ox)] = paint
        if exact and not _goes_on(ahead, shift, r, c, state, background, mirrored):
            return None
        for (oy, ox), paint in ahead.items():
            if (oy - shift[0], ox - shift[1]) not in ahead and motif.setdefault(
                (oy, ox), paint
            ) != paint:
                return None
    # a path repeats its motif: on average each motif cell is painted at least twice
    if not motif or 2 * len(motif) > sum(len(view[0]) for view in views):
        return None
    cells = [[y, x, paint] for (y, x), paint in sorted(motif.items())]
    for changed, r, c, state, exact in views:
        if (
            exact
            and _motif_cells(cells, shift, mirrored, r, c, state, background) != changed
        ):
            return None
    return cells


def _goes_on(
    ahead: dict,
    shift: tuple[int, int],
    r: int,
    c: int,
    state: Grid,
    background: int,
    mirrored: bool,
) -> bool:
    """A cheap necessary check on the cells nearest the seed, before the motif is built: one shift
    on from each, the path paints again, or meets the border or a cell that was not background."""
    height, width = len(state), len(state[0])
    for oy, ox in sorted(ahead, key=lambda o: abs(o[0]) + abs(o[1]))[:12]:
        ny, nx = oy + shift[0], ox + shift[1]
        if (ny, nx) in ahead:
            continue
        sign = -1 if mirrored and (oy, ox) not in _unturned(ahead, shift) else 1
        y, x = r + sign * ny, c + sign * nx
        if 0 <= y < height and 0 <= x < width and state[y][x] == background:
            return False
    return True


def _unturned(ahead: dict, shift: tuple[int, int]) -> set:
    """The offsets of `ahead` that lie ahead of the seed (not turned round it)."""
    return {o for o in ahead if o[0] * shift[0] + o[1] * shift[1] >= 0}


def _motif_cells(
    motif: list[list[int]],
    shift: tuple[int, int],
    mirrored: bool,
    r: int,
    c: int,
    state: Grid,
    background: int,
) -> dict:
    """Offset -> paint of every background cell the motif's copies cover (as `repeat_motif` paints
    them from a seed at (r, c))."""
    height, width = len(state), len(state[0])
    cells: dict[tuple[int, int], int] = {}
    for sign in (1, -1) if mirrored else (1,):
        for k in range(height + width):
            inside = False
            for dy, dx, paint in motif:
                oy, ox = sign * (dy + k * shift[0]), sign * (dx + k * shift[1])
                if 0 <= r + oy < height and 0 <= c + ox < width:
                    inside = True
                    if state[r + oy][c + ox] == background:
                        cells.setdefault((oy, ox), paint)
            if not inside:
                break
    return cells


def learn_elbow_line(
    states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()
) -> Step | None:
    """An L-shaped line between the two colours that have one cell in every state (see
    `primitives.rays.elbow_line`), in the one colour every changed cell takes, turning the way that
    fits every pair. Only background cells may change."""
    if not _same_shapes(states, outputs) or states == outputs:
        return None
    background = shared_background(states)
    if not _only_background_painted(states, outputs, background):
        return None
    painted = {
        v
        for s, o in zip(states, outputs)
        for row, out_row in zip(s, o)
        for a, v in zip(row, out_row)
        if a != v
    }
    if len(painted) != 1:
        return None
    line_colour = painted.pop()
    singles = None
    for state in states:
        counts: dict[int, int] = {}
        for row in state:
            for v in row:
                counts[v] = counts.get(v, 0) + 1
        here = {v for v, n in counts.items() if n == 1 and v != background}
        singles = here if singles is None else singles & here
    ends = sorted(singles or ())
    for start in ends:
        for end in ends:
            if start == end:
                continue
            for vertical_first in (True, False):
                args = (start, end, line_colour, vertical_first, background)
                if all(elbow_line(s, *args) == o for s, o in zip(states, outputs)):
                    turn = "down/up first" if vertical_first else "across first"
                    return Step(
                        "elbow_line",
                        args,
                        f"an L-shaped line of {line_colour} from the {start} cell to the {end} cell ({turn})",
                    )
    return None
