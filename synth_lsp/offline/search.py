"""Breadth-first search over chains of primitive calls, on the host.

A state is what the chain so far makes of every input (train inputs, then any test inputs: using
test *inputs* is fair, it drops chains that break on them; test outputs are never seen). States
that equal one already seen are dropped, so each distinct intermediate result is expanded once.
Every state is checked as a final answer, and again with a learned last step (colour map,
mosaic). The search stops at the first full fit (the shortest, so the simplest), at the time
budget, or when the depth limit is exhausted; the best partial fits are kept along the way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

from synth_lsp.offline.catalogue import build_catalogue, task_facts
from synth_lsp.offline.learned import LEARNERS
from synth_lsp.offline.steps import Grid, Step

Fingerprint = tuple


@dataclass(frozen=True)
class Found:
    """A chain of steps and how well it does on the train pairs."""

    steps: tuple[Step, ...]
    train_outputs: tuple[Grid, ...]
    correct: int  # train pairs reproduced exactly
    cell_score: float  # mean share of right cells (0 for a wrong shape), to rank partial fits

    @property
    def rank(self) -> tuple[int, float, int]:
        return (self.correct, self.cell_score, -len(self.steps))


@dataclass
class _State:
    steps: tuple[Step, ...]
    grids: list[Grid]  # train inputs then test inputs, as transformed so far


class _Keeper:
    """The full fits in order found, and the best partial fits (distinct outputs)."""

    def __init__(self, n_train: int, keep: int):
        self.n_train = n_train
        self.keep = keep
        self.full: list[Found] = []
        self.partial: list[Found] = []

    def offer(self, found: Found) -> None:
        if found.correct == self.n_train:
            self.full.append(found)
            return
        if found.correct == 0 and found.cell_score == 0:
            return
        if len(self.partial) >= self.keep and found.rank <= self.partial[-1].rank:
            return
        self.partial.append(found)
        self.partial.sort(key=lambda f: f.rank, reverse=True)
        del self.partial[self.keep :]

    def best(self, limit: int) -> list[Found]:
        return (self.full + self.partial)[:limit]


def search(
    train_pairs: list[tuple[Grid, Grid]],
    test_inputs: list[Grid] = (),
    time_budget_s: float = 10.0,
    max_programs: int = 8,
    max_depth: int = 3,
    max_states: int = 200_000,
) -> list[Found]:
    deadline = time.perf_counter() + time_budget_s
    outputs = [out for _, out in train_pairs]
    n_train = len(train_pairs)
    catalogue = build_catalogue(task_facts(train_pairs))
    keeper = _Keeper(n_train, max_programs)
    start = _State((), [inp for inp, _ in train_pairs] + list(test_inputs))
    seen: set[Fingerprint] = {_fingerprint(start.grids)}
    _judge(start, outputs, keeper)
    frontier = [start]
    for _depth in range(max_depth):
        next_frontier: list[_State] = []
        for state in frontier:
            for step in catalogue:
                if keeper.full or time.perf_counter() > deadline or len(seen) > max_states:
                    return keeper.best(max_programs)
                grids = _apply(step, state.grids)
                if grids is None:
                    continue
                key = _fingerprint(grids)
                if key in seen:
                    continue
                seen.add(key)
                child = _State(state.steps + (step,), grids)
                _judge(child, outputs, keeper)
                next_frontier.append(child)
        frontier = next_frontier
    return keeper.best(max_programs)


def _apply(step: Step, grids: list[Grid]) -> list[Grid] | None:
    out = []
    for grid in grids:
        result = step.apply(grid)
        if result is None:
            return None
        out.append(result)
    return out


def _fingerprint(grids: list[Grid]) -> Fingerprint:
    return tuple(tuple(map(tuple, grid)) for grid in grids)


def _judge(state: _State, outputs: list[Grid], keeper: _Keeper) -> None:
    """Offer the state as an answer, and with each learned last step that fits it."""
    n = len(outputs)
    train_states = state.grids[:n]
    keeper.offer(_score(state.steps, train_states, outputs))
    for learn in LEARNERS:
        step = learn(train_states, outputs)
        if step is None:
            continue
        finished = _apply(step, state.grids)
        if finished is not None:
            keeper.offer(_score(state.steps + (step,), finished[:n], outputs))


def _score(steps: tuple[Step, ...], produced: list[Grid], outputs: list[Grid]) -> Found:
    correct = 0
    cells = 0.0
    for got, want in zip(produced, outputs):
        if got == want:
            correct += 1
            cells += 1.0
        elif len(got) == len(want) and len(got[0]) == len(want[0]):
            same = sum(a == b for row, want_row in zip(got, want) for a, b in zip(row, want_row))
            cells += same / (len(want) * len(want[0]))
    return Found(steps, tuple(produced), correct, cells / len(outputs))
