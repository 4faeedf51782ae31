"""The built-in offline model: an ARC solver with no language model that writes scripts.

`synthesize` searches, on the host, over chains of our own grid primitives for rules that map the
train inputs to their outputs, and returns programs best first (full fits, then the best partial
fits) as readable, self-contained `.synth.py` scripts. Those scripts are scored in the sandbox like
any other candidate; the host search only decides what to propose.

It imports nothing else of synth_lsp: the optimizer calls it, and the sandbox scores what it writes.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass
from typing import Any, Callable

from synth_lsp.offline.confidence import claimed, confidence, evidence_text
from synth_lsp.offline.emit import emit_script
from synth_lsp.offline.pool import SearchWorkerDied, usable_cores
from synth_lsp.offline.search import SearchProgress, search_programs
from synth_lsp.offline.steps import describe

Grid = list[list[int]]

__all__ = ["NotAGridTask", "OfflineProgram", "SearchProgress", "SearchWorkerDied", "synthesize", "usable_cores"]


class NotAGridTask(ValueError):
    """The task's examples are not ARC-style grids, so the offline model cannot help."""


@dataclass(frozen=True)
class OfflineProgram:
    description: str  # human readable, e.g. "tile the grid into itself where it is filled"
    script: str  # a complete .synth.py script that runs in Monty
    train_correct: int  # train pairs the host search got exactly right
    train_total: int
    claimed: bool = False  # fits every train pair and passes cross-validation (see `confidence`)
    confidence: float = 0.0  # 0-1: cross-validation and simplicity; 0 for a partial fit
    evidence: str = ""  # what was checked, in words

    @property
    def fits(self) -> bool:
        """Reproduces every train pair (which alone is no proof it found the rule: see `claimed`)."""
        return self.train_correct == self.train_total

    def summary(self) -> str:
        """One line for a person: the rule, what it fits, and how far to trust it."""
        fit = f"fits all {self.train_total} train pairs" if self.fits else f"fits {self.train_correct}/{self.train_total} train pairs"
        trust = f", confidence {self.confidence:.2f}" if self.fits else ""
        return f"{self.description} ({fit}{trust})"


def synthesize(
    train_pairs: list[tuple[Grid, Grid]],
    time_budget_s: float = 10.0,
    max_programs: int = 8,
    test_inputs: list[Grid] | None = None,
    max_depth: int = 3,
    clock: Callable[[], float] = time.perf_counter,
    on_progress: Callable[[SearchProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    jobs: int = 1,
    program_budget: int | None = None,
) -> list[OfflineProgram]:
    """Programs for the train pairs, best first: full fits, then the best partial fits.

    `test_inputs` (optional, inputs only) let the search drop rules that break on them, and let
    local rules check that they know every situation the test inputs show. `clock` measures the
    budget (wall time; `time.process_time` for CPU time on a loaded machine). `on_progress` hears
    how the search goes (programs tried, the best fit so far, time left) a few times a second;
    `should_stop` cancels it (what was found so far is returned).
    `jobs` > 1 runs the search in that many processes (see `pool`; with a wall or CPU clock only).
    `program_budget` counts the budget in programs tried instead of seconds (`time_budget_s` is
    then not used): the result is the same on every run and machine for the same budget and jobs.
    Raises NotAGridTask when the pairs are not grids of colours 0-9, ValueError for a budget that is
    not a positive number (of seconds or programs) or jobs below 1, pool.SearchWorkerDied when every
    search process died.
    """
    _check_budget(time_budget_s, program_budget, jobs)
    _check_grids(train_pairs, test_inputs or [])
    pairs = [(inp, out) for inp, out in train_pairs]
    if jobs > 1:
        from synth_lsp.offline.pool import search_in_pool

        clock_name = "cpu" if clock is time.process_time else "wall"
        found = search_in_pool(
            pairs, list(test_inputs or []), jobs, time_budget_s, program_budget, clock_name, max_programs, max_depth, on_progress, should_stop
        )
    else:
        found = search_programs(
            pairs,
            list(test_inputs or []),
            time_budget_s=time_budget_s,
            max_programs=max_programs,
            max_depth=max_depth,
            clock=clock,
            on_progress=on_progress,
            should_stop=should_stop,
            program_budget=program_budget,
        )
    total = len(train_pairs)
    programs = []
    for f in found:
        evidence = evidence_text(f, total)
        programs.append(
            OfflineProgram(
                description=describe(f.steps),
                script=emit_script(f.steps, f.correct, total, evidence, confidence(f, total)),
                train_correct=f.correct,
                train_total=total,
                claimed=claimed(f, total),
                confidence=confidence(f, total),
                evidence=evidence,
            )
        )
    return programs


def _check_budget(time_budget_s: Any, program_budget: Any, jobs: Any) -> None:
    if program_budget is not None:
        if isinstance(program_budget, bool) or not isinstance(program_budget, int) or program_budget <= 0:
            raise ValueError(f"the offline search needs a budget of at least 1 program, not {program_budget!r}")
    elif isinstance(time_budget_s, bool) or not isinstance(time_budget_s, (int, float)) or not 0 < time_budget_s < math.inf:
        raise ValueError(f"the offline search needs a time budget of more than 0 seconds, not {time_budget_s!r}")
    if isinstance(jobs, bool) or not isinstance(jobs, int) or jobs < 1:
        raise ValueError(f"the offline search needs at least 1 job (process), not {jobs!r}")


def _check_grids(train_pairs: Any, test_inputs: list[Any]) -> None:
    if not isinstance(train_pairs, (list, tuple)) or not train_pairs:
        raise NotAGridTask(_not_grid("there are no train pairs"))
    for i, pair in enumerate(train_pairs):
        if not isinstance(pair, (list, tuple)) or len(pair) != 2:
            raise NotAGridTask(_not_grid(f"train pair {i + 1} is not an (input, output) pair"))
        for side, grid in zip(("input", "output"), pair):
            problem = _grid_problem(grid)
            if problem:
                raise NotAGridTask(_not_grid(f"the {side} of train pair {i + 1} {problem}"))
    for i, grid in enumerate(test_inputs):
        problem = _grid_problem(grid)
        if problem:
            raise NotAGridTask(_not_grid(f"test input {i + 1} {problem}"))


def _grid_problem(grid: Any) -> str | None:
    if not isinstance(grid, list) or not grid or not all(isinstance(row, list) for row in grid):
        return "is not a grid (a non-empty list of rows)"
    width = len(grid[0])
    if width == 0 or any(len(row) != width for row in grid):
        return "is not rectangular"
    if not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 9 for row in grid for v in row):
        return "holds values other than the colours 0-9"
    return None


def _not_grid(reason: str) -> str:
    return (
        "the offline model only helps with ARC-style grid tasks (input_grid -> output_grid, colours 0-9); "
        f"this task is not one: {reason}. Configure a language model for other tasks."
    )
