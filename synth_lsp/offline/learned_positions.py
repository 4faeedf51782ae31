"""A learned last step that repaints cells by where they are: every k-th column (counted from the
left or the right), row, or diagonal changes colour (see `primitives.colour.recolour_by_position`).

Like `learned`, the learner returns the one step that turns every state into its output, or None;
the search cross-validates it (relearned without a pair, it must get that pair right).
"""

from __future__ import annotations

from synth_lsp.offline.primitives.colour import position_index
from synth_lsp.offline.steps import Grid, Step

POSITION_KINDS = ("column", "column_from_right", "row", "row_from_bottom", "diagonal", "anti_diagonal")
PERIODS = (2, 3, 4, 5)
KIND_WORDS = {
    "column": "column",
    "column_from_right": "column from the right",
    "row": "row",
    "row_from_bottom": "row from the bottom",
    "diagonal": "diagonal",
    "anti_diagonal": "anti-diagonal",
}


def learn_position_recolouring(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    """The shortest period and first direction under which a cell's new colour follows from its
    colour and its place modulo the period, when that place matters (some colour comes out two
    ways in different places: else a colour map is the simpler rule). Colours that always come
    out one way change the same in every place."""
    if not states or not all(len(s) == len(o) and len(s[0]) == len(o[0]) for s, o in zip(states, outputs)) or states == outputs:
        return None
    fixed, varying = _outcomes(states, outputs)
    if not varying:
        return None  # every colour comes out one way: a colour map, if anything
    for period in PERIODS:
        for kind in POSITION_KINDS:
            table = _position_table(states, outputs, varying, kind, period)
            if table is None:
                continue
            changes = {(a, p): b for (a, p), b in sorted(table.items()) if a != b}
            for a, b in sorted(fixed.items()):
                if a != b:
                    for p in range(period):
                        changes[(a, p)] = b
            words = ", ".join(f"{a} at {p}->{b}" for (a, p), b in changes.items())
            return Step("recolour_by_position", (kind, period, changes), f"recolour by {KIND_WORDS[kind]} mod {period} ({words})")
    return None


def _outcomes(states: list[Grid], outputs: list[Grid]) -> tuple[dict, dict]:
    """The colours that always come out one way (colour -> new colour), and the cells of those
    that come out two ways or more (colour -> [(pair, row, column)]): only those need a place."""
    seen: dict = {}
    cells: dict = {}
    for i, (state, out) in enumerate(zip(states, outputs)):
        for r, (row, out_row) in enumerate(zip(state, out)):
            for c, (a, b) in enumerate(zip(row, out_row)):
                seen.setdefault(a, set()).add(b)
                cells.setdefault(a, []).append((i, r, c))
    fixed = {a: next(iter(news)) for a, news in seen.items() if len(news) == 1}
    varying = {a: cells[a] for a, news in seen.items() if len(news) > 1}
    return fixed, varying


def _position_table(states: list[Grid], outputs: list[Grid], varying: dict, kind: str, period: int) -> dict | None:
    """(colour, place mod period) -> new colour for the colours that come out two ways; None when
    one such key comes out two ways too, or a change is seen in one pair only."""
    table: dict = {}
    pairs: dict = {}
    for colour, cells in varying.items():
        for i, r, c in cells:
            state = states[i]
            key = (colour, position_index(r, c, len(state), len(state[0]), kind) % period)
            if table.setdefault(key, outputs[i][r][c]) != outputs[i][r][c]:
                return None
            pairs.setdefault(key, set()).add(i)
    # a change only one pair shows is that pair's detail, not a rule the pairs share
    if any(table[key] != key[0] and len(pairs[key]) < 2 for key in table):
        return None
    return table
