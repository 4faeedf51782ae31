"""Scoring a script on a task: run every pair in the sandbox, validate, compare, reward.

Train pairs are what a script is scored on. Test pairs are held out: they are run and reported
separately (when their answer is known) and never used to choose between scripts.

The failure contract: a run that fails (error, timeout, missing or invalid `result`) yields the
task's default result together with its captured output, so a caller can always score it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from synth_lsp.core.runs import Runner, RunError, RunLimits, RunResult
from synth_lsp.core.schema import SchemaProblem, check_arc_result, check_schema_result
from synth_lsp.core.script_header import ScriptHeader, parse_header
from synth_lsp.core.scoring import Diff, diff_results, exact_match
from synth_lsp.core.task import Pair, Task


@dataclass(frozen=True)
class PairVerdict:
    pair: Pair
    run: RunResult  # the raw run (its `error` says why it failed, if it did)
    output: Any  # what is scored: the result, or the task's default when the run failed
    reward: float | None  # None when the expected output is unknown (unpublished test pair)
    diff: Diff | None
    schema_problems: tuple[SchemaProblem, ...] = ()

    @property
    def passed(self) -> bool:
        return self.reward == 1.0

    @property
    def error(self) -> RunError | None:
        return self.run.error


@dataclass(frozen=True)
class Evaluation:
    script: str
    train: tuple[PairVerdict, ...]
    test: tuple[PairVerdict, ...]
    duration_s: float  # wall time of the whole evaluation
    limits: RunLimits

    @property
    def train_rewards(self) -> list[float]:
        return [v.reward or 0.0 for v in self.train]

    @property
    def train_reward(self) -> float:
        """Mean ExactMatch over the train pairs."""
        return sum(self.train_rewards) / len(self.train) if self.train else 0.0

    @property
    def train_passed(self) -> int:
        return sum(1 for v in self.train if v.passed)

    @property
    def scored_test(self) -> tuple[PairVerdict, ...]:
        return tuple(v for v in self.test if v.reward is not None)

    @property
    def test_passed(self) -> int:
        return sum(1 for v in self.scored_test if v.passed)

    @property
    def test_reward(self) -> float | None:
        scored = self.scored_test
        return sum(v.reward for v in scored) / len(scored) if scored else None

    @property
    def solved(self) -> bool:
        return bool(self.train) and self.train_passed == len(self.train)

    def errors(self) -> list[tuple[PairVerdict, RunError]]:
        return [(v, v.error) for v in self.train + self.test if v.error is not None]


def limits_for(header: ScriptHeader, base: RunLimits = RunLimits()) -> RunLimits:
    """Run limits: the caller's settings, overridden by the script's header."""
    changes: dict[str, Any] = {}
    if header.get("time_limit"):
        changes["time_s"] = float(header.get("time_limit"))
    if header.get("memory_mb"):
        changes["memory_mb"] = float(header.get("memory_mb"))
    if header.get("recursion_limit"):
        changes["recursion_depth"] = int(header.get("recursion_limit"))
    return replace(base, **changes) if changes else base


def validate_result(task: Task, result: Any) -> list[SchemaProblem]:
    if task.kind == "arc":
        return check_arc_result(result)
    return check_schema_result(result, task.output_schema)


def evaluate(
    task: Task,
    script: str,
    limits: RunLimits | None = None,
    *,
    sandbox: Runner,
    include_test: bool = True,
) -> Evaluation:
    """Run the script on the task's pairs with `sandbox` (the caller's: the core owns no pool)."""
    import time

    if limits is None:
        limits = limits_for(parse_header(script))
    pairs = list(task.train) + (list(task.test) if include_test else [])
    started = time.perf_counter()
    runs = sandbox.run_many(script, [p.inputs for p in pairs], limits)
    verdicts = [judge(task, pair, run) for pair, run in zip(pairs, runs)]
    duration = time.perf_counter() - started
    n_train = len(task.train)
    return Evaluation(
        script=script,
        train=tuple(verdicts[:n_train]),
        test=tuple(verdicts[n_train:]),
        duration_s=duration,
        limits=limits,
    )


def evaluate_many(task: Task, scripts: list[str], limits: RunLimits, *, sandbox: Runner, include_test: bool = True) -> list[Evaluation]:
    """`evaluate` of several scripts with the same limits (the candidates of a generation): a
    sandbox that can run them as a batch (`run_batch`, one round trip for all) does."""
    import time

    run_batch = getattr(sandbox, "run_batch", None)
    if run_batch is None or len(scripts) < 2:
        return [evaluate(task, script, limits, sandbox=sandbox, include_test=include_test) for script in scripts]
    pairs = list(task.train) + (list(task.test) if include_test else [])
    started = time.perf_counter()
    batch = run_batch(scripts, [p.inputs for p in pairs], limits)
    each = (time.perf_counter() - started) / len(scripts)  # the batch's time, shared
    n_train = len(task.train)
    out = []
    for script, runs in zip(scripts, batch):
        verdicts = [judge(task, pair, run) for pair, run in zip(pairs, runs)]
        out.append(Evaluation(script, tuple(verdicts[:n_train]), tuple(verdicts[n_train:]), each, limits))
    return out


def judge(task: Task, pair: Pair, run: RunResult) -> PairVerdict:
    """Validate a run's result, apply the failure contract, score and diff it."""
    problems: tuple[SchemaProblem, ...] = ()
    if run.error is None:
        problems = tuple(validate_result(task, run.result))
        if problems:
            run = replace(
                run,
                result=None,
                error=RunError("schema", "", "result does not match the schema: " + "; ".join(str(p) for p in problems[:3])),
            )
    output = run.result if run.error is None else task.default_result
    if pair.expected is None:
        return PairVerdict(pair, run, output, None, None, problems)
    reward = exact_match(pair.expected, output, task.mask)
    grid_key = "output_grid" if task.kind == "arc" else None
    diff = diff_results(pair.expected, run.result if run.error is None else None, task.mask, grid_key)
    return PairVerdict(pair, run, output, reward, diff, problems)
