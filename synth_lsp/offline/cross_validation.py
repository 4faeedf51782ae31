"""Leave-one-out for the steps that learn from the pairs: relearned on all train pairs but one, how
does a step do on the one left out? A table that needs every pair to cover the next one has
memorised them rather than found the rule (see `confidence`)."""

from __future__ import annotations

from dataclasses import dataclass
from operator import eq
from typing import Callable

from synth_lsp.offline.steps import Grid


@dataclass(frozen=True)
class HeldOut:
    exact: int  # pairs got exactly right by the step learned from the others
    cells: float  # mean share of right cells on the pair left out (0 for a wrong shape or no step)


def leave_one_out(learn: Callable, states: list[Grid], outputs: list[Grid]) -> HeldOut:
    """How the learner does on each pair when it learns from the other pairs alone: a table that
    needs every pair to cover the next one has memorised them rather than found the rule. With a
    single pair there is nothing to learn from: nothing is predicted."""
    if len(states) < 2:
        return HeldOut(0, 0.0)
    right, cells = 0, 0.0
    for i in range(len(states)):
        rest = states[:i] + states[i + 1 :], outputs[:i] + outputs[i + 1 :]
        try:
            step = learn(rest[0], rest[1], ())
        except (IndexError, ValueError, KeyError, ZeroDivisionError, TypeError):
            step = None
        got = step.apply(states[i]) if step is not None else None
        right += got == outputs[i]
        cells += changed_share(states[i], got, outputs[i]) if got is not None else 0.0
    return HeldOut(right, cells / len(states))


def changed_share(state: Grid, got: Grid, want: Grid) -> float:
    """The share of the cells the rule had to change that it got right (all cells when the shape
    changes): unchanged background would otherwise make any table look good."""
    if got == want:
        return 1.0
    if len(state) != len(want) or len(state[0]) != len(want[0]):
        return cell_share(got, want)
    if len(got) != len(want) or len(got[0]) != len(want[0]):
        return 0.0
    changed = right = 0
    for s_row, g_row, w_row in zip(state, got, want):
        for s, g, w in zip(s_row, g_row, w_row):
            if s != w:
                changed += 1
                right += g == w
    return right / changed if changed else 0.0


def cell_share(got: Grid, want: Grid) -> float:
    if got == want:
        return 1.0
    if len(got) != len(want) or len(got[0]) != len(want[0]):
        return 0.0
    return sum(sum(map(eq, row, want_row)) for row, want_row in zip(got, want)) / (len(want) * len(want[0]))
