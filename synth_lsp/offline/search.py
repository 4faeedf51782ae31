"""Breadth-first search over chains of primitive calls, on the host.

A state is what the chain so far makes of every input (train inputs, then any test inputs: using
test *inputs* is fair, it drops chains that break on them; test outputs are never seen). States
that equal one already seen are dropped, so each distinct intermediate result is expanded once.
Every state is checked as a final answer, and again with a learned last step (see `learned`).
Every full fit with a learned last step is cross-validated (relearned without a pair, it must
get that pair right, for each pair: see `confidence`); one that fails has likely memorised the
pairs: it is kept but does not end the search. The search stops at the first claimed fit (found
in order of simplicity), at the budget, or when the depth limit is exhausted; the best
partial fits are kept along the way.

The budget is seconds on a clock (wall or CPU time: the result depends on the machine's speed), or
a number of programs tried (`program_budget`: every step applied and every learner tried counts
one; the result is then the same on every machine and run). A search can be one *shard* of a
larger one (`shard=(k, n)`, see `pool`): it computes every first step, as they all must be known
to drop repeats, but judges and extends only every n-th distinct one, from the k-th.
"""

from __future__ import annotations

import math
import threading
import time
from dataclasses import dataclass, replace
from typing import Callable

from synth_lsp.offline.catalogue import build_catalogue, task_facts
from synth_lsp.offline.confidence import claimed, confidence
from synth_lsp.offline.counting_learning import COUNTING_LEARNERS
from synth_lsp.offline.cross_validation import cell_share, leave_one_out
from synth_lsp.offline.learned import LEARNERS, LOW_CAPACITY, learn_local_rule, learn_object_recolouring, learn_rays, sparse_local_rule, sparse_local_rules
from synth_lsp.offline.learned_positions import learn_position_recolouring
from synth_lsp.offline.panel_learners import PANEL_LEARNERS
from synth_lsp.offline.per_object_learning import PER_OBJECT_LEARNERS
from synth_lsp.offline.primitives.memo import memoised_objects
from synth_lsp.offline.shapes import rule_cannot_end_right, shape_of, shape_rule
from synth_lsp.offline.steps import Grid, Step, describe
from synth_lsp.offline.template_learning import TEMPLATE_LEARNERS

Fingerprint = tuple
_ONE_SEARCH = threading.Lock()
SPARSE_SHARE = 0.1  # the budget's final share kept for the last-resort sparse local rules


@dataclass(frozen=True)
class Found:
    """A chain of steps and how well it does on the train pairs."""

    steps: tuple[Step, ...]
    train_outputs: tuple[Grid, ...]
    correct: int  # train pairs reproduced exactly
    cell_score: float  # mean share of right cells (0 for a wrong shape), to rank partial fits
    held_out: int = -1  # pairs a learned last step, refitted without them, still gets right (-1: nothing learned)
    held_out_cells: float = -1.0  # mean share of right cells of those refits on the pair left out (-1: not checked)
    low_capacity: bool = False  # the learned step has few possible parameters (see `learned.LOW_CAPACITY`)
    rivals: int = 0  # pairs that a program found before it fits all others of, and gets wrong

    @property
    def rank(self) -> tuple[int, float, int]:
        return (self.correct, self.cell_score, -len(self.steps))


@dataclass
class _State:
    steps: tuple[Step, ...]
    grids: list[Grid]  # train inputs then test inputs, as transformed so far
    promise: tuple[int, float] = (0, 0.0)  # (train outputs whose shape it has, share of right cells)


class _Keeper:
    """The full fits in the order found, and the best partial fits (one per distinct score).

    Only a claimed fit (see `confidence.claimed`) ends the search; the others wait, in case a rule
    that generalises turns up.

    It also cross-validates the search's own choice: with pair i left out, the search would have
    stopped at the first program that fits the other pairs. When such a program came before a full
    fit and gets pair i wrong, pair i does not follow from the others: that fit has a *rival*."""

    def __init__(self, n_train: int, keep: int, outputs: list[Grid] | None = None):
        self.n_train = n_train
        self.keep = keep
        self.outputs = outputs
        self.full: list[Found] = []
        self.partial: list[Found] = []
        self.rival_pairs: set[int] = set()  # pairs some program so far gets wrong while fitting all others
        self.sure = False  # a claimed fit is among the full ones: the search may stop (asked at every step)
        self.tried = 0  # programs tried: steps applied and learners tried (the unit of a program budget)
        self.pruned = 0  # steps not run: their result's shape could not end as the outputs

    def offer(self, found: Found) -> None:
        if found.correct == self.n_train:
            fit = replace(found, rivals=len(self.rival_pairs))
            self.full.append(fit)
            self.sure = self.sure or claimed(fit, self.n_train)
            return
        self._note_rival(found)
        if found.correct == 0 and found.cell_score == 0:
            return
        if len(self.partial) >= self.keep and found.rank <= self.partial[-1].rank:
            return
        # a longer chain that scores the same as a kept one adds nothing for a reader to work on
        if any(f.rank[:2] == found.rank[:2] for f in self.partial):
            return
        self.partial.append(found)
        self.partial.sort(key=lambda f: f.rank, reverse=True)
        del self.partial[self.keep :]

    def _note_rival(self, found: Found) -> None:
        if self.outputs is None or self.n_train < 2 or found.correct != self.n_train - 1:
            return
        for i, (got, want) in enumerate(zip(found.train_outputs, self.outputs)):
            if got != want:
                self.rival_pairs.add(i)

    def best(self, limit: int) -> list[Found]:
        # claimed fits first, then by confidence (cross-validation, then simplicity), then in the
        # order found (simplest first); partial fits after every full fit
        n = self.n_train
        order = {id(f): i for i, f in enumerate(self.full)}
        full = sorted(self.full, key=lambda f: (not claimed(f, n), -confidence(f, n), order[id(f)]))
        return (full + self.partial)[:limit]


@dataclass(frozen=True)
class SearchProgress:
    """How a search is going, for a progress display."""

    programs_tried: int  # distinct programs (what they make of the inputs) tried so far
    best_correct: int  # train pairs the best program so far reproduces
    train_total: int
    best: str  # that program, in words
    seconds_left: float  # 0 when the budget is counted in programs
    programs_left: int = -1  # of a program budget; -1 when the budget is in seconds
    note: str = ""  # e.g. a search worker that died, for the user


class _Reporter:
    """Calls `on_progress` at most every `every_s` of the search's clock."""

    def __init__(
        self,
        on_progress: Callable[[SearchProgress], None] | None,
        clock: Callable[[], float],
        deadline: float,
        every_s: float = 0.25,
        in_programs: bool = False,
    ):
        self.on_progress, self.clock, self.deadline, self.every_s = on_progress, clock, deadline, every_s
        self.in_programs = in_programs  # the clock counts programs; reports still come by wall time
        self.next_at = -math.inf

    def tick(self, tried: int, keeper: "_Keeper", final: bool = False) -> None:
        if self.on_progress is None:
            return
        wall = time.monotonic()
        if not final and wall < self.next_at:
            return
        self.next_at = wall + self.every_s
        now = self.clock()
        left = max(0.0, self.deadline - now) if now != math.inf else 0.0
        best = keeper.best(1)
        found = best[0] if best else None
        self.on_progress(
            SearchProgress(
                programs_tried=keeper.tried,
                best_correct=found.correct if found else 0,
                train_total=keeper.n_train,
                best=describe(found.steps) if found else "",
                seconds_left=0.0 if self.in_programs else left,
                programs_left=int(left) if self.in_programs else -1,
            )
        )


def search_programs(
    train_pairs: list[tuple[Grid, Grid]],
    test_inputs: list[Grid] = (),
    time_budget_s: float = 10.0,
    max_programs: int = 8,
    max_depth: int = 3,
    max_states: int = 200_000,
    clock: Callable[[], float] = time.perf_counter,
    on_progress: Callable[[SearchProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    program_budget: int | None = None,
    shard: tuple[int, int] = (0, 1),
) -> list[Found]:
    """`clock` measures the budget: wall time by default; a benchmark on a shared machine passes
    `time.process_time` so that other processes' load does not shrink the search. With
    `program_budget` the budget is that many programs tried instead (and `time_budget_s` and `clock`
    are not used): deterministic. `on_progress` hears how it goes a few times a second; once
    `should_stop` answers True the search ends as if its budget were spent, and returns what it
    found so far. `shard=(k, n)`: only the k-th of n shares of the first steps (see `pool`)."""
    keeper_box: list[_Keeper] = []  # the keeper counts the programs tried, for a program budget
    if program_budget is not None:
        time_budget_s = float(program_budget)
        clock = lambda: float(keeper_box[0].tried) if keeper_box else 0.0  # noqa: E731
    if should_stop is not None:
        base_clock = clock
        clock = lambda: math.inf if should_stop() else base_clock()  # noqa: E731 (every phase checks the clock)
    # one search at a time: searches are CPU-bound under the GIL, so overlapping ones only share
    # the budget. The memo of object finding is per search (a context variable), not shared.
    with _ONE_SEARCH, memoised_objects():
        started = clock()
        reporter = _Reporter(on_progress, clock, started + time_budget_s, in_programs=program_budget is not None)
        keeper = _Keeper(len(train_pairs), max_programs, [out for _, out in train_pairs])
        keeper_box.append(keeper)
        return _search(train_pairs, list(test_inputs), clock, started + time_budget_s, max_depth, max_states, reporter, keeper, shard)


def _search(
    train_pairs: list[tuple[Grid, Grid]],
    test_inputs: list[Grid],
    clock: Callable[[], float],
    deadline: float,
    max_depth: int,
    max_states: int,
    reporter: _Reporter,
    keeper: _Keeper,
    shard: tuple[int, int] = (0, 1),
) -> list[Found]:
    """Phases, simplest rules first: chains of one step, each also with a colour map or mosaic;
    then rays, object recolourings, strict local rules, counts and per-object tables on those; then longer chains; last,
    sparse local rules, in the budget's final share that the longer chains leave alone."""
    outputs = [out for _, out in train_pairs]
    catalogue = build_catalogue(task_facts(train_pairs))
    start = _State((), [inp for inp, _ in train_pairs] + test_inputs)
    seen: set[Fingerprint] = {_fingerprint(start.grids)}
    part, parts = shard
    if part == 0:
        _judge(start, outputs, keeper, LEARNERS)
    reserve = deadline - (deadline - clock()) * SPARSE_SHARE
    short = [start]
    frontier = [start]
    for depth in range(1, max_depth + 1):
        mine = (lambda i: i % parts == part) if depth == 1 and parts > 1 else None
        last = depth == max_depth  # its states are only judged: prune steps whose result cannot end right
        frontier = _expand(frontier, catalogue, seen, outputs, keeper, clock, reserve, max_states, reporter, mine, last, defer=depth > 1)
        if depth == 1:
            short += frontier
            short_learners = (learn_rays, learn_object_recolouring, learn_local_rule, learn_position_recolouring) + COUNTING_LEARNERS + PANEL_LEARNERS + PER_OBJECT_LEARNERS + TEMPLATE_LEARNERS
            _judge_all(short, outputs, keeper, short_learners, clock, reserve)
        if keeper.sure or not frontier:
            break
    if not keeper.full:
        _offer_best_sparse_rule(short, outputs, keeper, clock, deadline)
    reporter.tick(len(seen), keeper, final=True)
    return keeper.best(keeper.keep)


def _expand(
    frontier: list[_State],
    catalogue: list[Step],
    seen: set[Fingerprint],
    outputs: list[Grid],
    keeper: _Keeper,
    clock: Callable[[], float],
    deadline: float,
    max_states: int,
    reporter: _Reporter,
    mine: Callable[[int], bool] | None = None,
    last: bool = False,
    defer: bool = False,
) -> list[_State]:
    """Every new state one step beyond the frontier, judged as it comes; stops early on a full
    fit, at the deadline or past `max_states` distinct states. With `mine`, the i-th distinct new
    state is only kept when `mine(i)`; the others are still seen, so no other shard repeats them.
    A step whose result's shape cannot end as the outputs (see `shapes`) is not run on the `last`
    level, and with `defer` it runs only after every other step of the level (it may still lead
    somewhere one step later)."""
    children: list[_State] = []
    distinct = 0
    for state, step in _moves(frontier, catalogue, outputs, keeper, last, defer):
        if keeper.sure or clock() > deadline or len(seen) > max_states:
            return children
        keeper.tried += 1
        grids = _apply(step, state.grids)
        if grids is None:
            continue
        key = _fingerprint(grids)
        if key in seen:
            continue
        seen.add(key)
        distinct += 1
        if mine is not None and not mine(distinct - 1):
            continue
        child = _State(state.steps + (step,), grids)
        _judge(child, outputs, keeper, LEARNERS)
        children.append(child)
        reporter.tick(len(seen), keeper)
    return children


def _moves(frontier: list[_State], catalogue: list[Step], outputs: list[Grid], keeper: _Keeper, last: bool, defer: bool):
    """(state, step) in the order to try them: most promising states first (when the budget runs
    out mid-level, the likelier half is done), steps that can still end right before the others."""
    n = len(outputs)
    targets = [shape_of(out) for out in outputs]
    rules = [shape_rule(step) for step in catalogue]
    later = []
    for state in sorted(frontier, key=lambda s: s.promise, reverse=True):
        shapes = [shape_of(grid) for grid in state.grids[:n]]
        hopeless: dict[tuple, bool] = {}  # per shape rule, for this state
        for step, rule in zip(catalogue, rules):
            if rule is None or not (last or defer):
                yield state, step
                continue
            if rule not in hopeless:
                hopeless[rule] = rule_cannot_end_right(rule, shapes, targets)
            if hopeless[rule]:
                if last:
                    keeper.pruned += 1
                else:
                    later.append((state, step))
                continue
            yield state, step
    yield from later


def _offer_best_sparse_rule(states: list[_State], outputs: list[Grid], keeper: _Keeper, clock: Callable[[], float], deadline: float) -> None:
    """The last resort: of the sparse local rules on the short chains, one on the shortest chain,
    and of those the one that compresses the changes best (changed cells per listed context)."""
    n = len(outputs)
    best: tuple[tuple[int, float], _State, Step] | None = None
    for state in states:
        if clock() > deadline:
            break
        for ratio, step in sparse_local_rules(state.grids[:n], outputs):
            rank = (-len(state.steps), ratio)
            if best is None or rank > best[0]:
                best = (rank, state, step)
    if best is not None:
        _, state, step = best
        finished = _apply(step, state.grids)
        if finished is not None:
            found = _score(state.steps + (step,), finished[:n], outputs)
            feature = step.args[0]
            relearn = lambda s, o, tests=(): sparse_local_rule(s, o, feature)  # noqa: E731
            keeper.offer(_cross_validated(found, relearn, state.grids[:n], outputs))


def _judge_all(
    states: list[_State], outputs: list[Grid], keeper: _Keeper, learners: tuple, clock: Callable[[], float], deadline: float
) -> None:
    for state in states:
        if keeper.sure or clock() > deadline:
            return
        _judge(state, outputs, keeper, learners, offer_plain=False)


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


def _judge(state: _State, outputs: list[Grid], keeper: _Keeper, learners: tuple, offer_plain: bool = True) -> None:
    """Offer the state as an answer, and with each learned last step that fits it."""
    n = len(outputs)
    train_states = state.grids[:n]
    if offer_plain:
        found = _score(state.steps, train_states, outputs)
        keeper.offer(found)
        shapes = sum(len(g) == len(o) and len(g[0]) == len(o[0]) for g, o in zip(train_states, outputs))
        state.promise = (shapes, found.cell_score)
    for learn in learners:
        keeper.tried += 1
        try:
            step = learn(train_states, outputs, state.grids[n:])
        except (IndexError, ValueError, KeyError, ZeroDivisionError, TypeError):
            continue  # a learner meeting a grid it cannot read is a learner that found nothing
        if step is None:
            continue
        finished = _apply(step, state.grids)
        if finished is None:
            continue
        found = _score(state.steps + (step,), finished[:n], outputs)
        keeper.offer(_cross_validated(found, learn, train_states, outputs))


def _cross_validated(found: Found, learn: Callable, states: list[Grid], outputs: list[Grid]) -> Found:
    """A full fit with a learned last step, with what leave-one-out says of it."""
    if found.correct != len(outputs):
        return found
    held_out = leave_one_out(learn, states, outputs)
    return replace(found, held_out=held_out.exact, held_out_cells=held_out.cells, low_capacity=learn in LOW_CAPACITY)


def _score(steps: tuple[Step, ...], produced: list[Grid], outputs: list[Grid]) -> Found:
    correct = sum(got == want for got, want in zip(produced, outputs))
    cells = sum(cell_share(got, want) for got, want in zip(produced, outputs))
    return Found(steps, tuple(produced), correct, cells / len(outputs))
