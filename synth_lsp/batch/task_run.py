"""One task of a batch, run where the engine puts it (a local worker process or a Ray worker):
evolve its script, then describe the best script's test pairs for the report. Returns a TaskRow;
never raises for a bad task (the row says why, and the batch goes on)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from synth_lsp.batch.report import TaskRow, TestPair, cross_validated


@dataclass(frozen=True)
class Job:
    name: str
    script: Path
    config: dict[str, Any]  # EvolveConfig fields (no API key: keys come from the environment)
    skip: bool = False  # its population already fits every train pair: only describe the best


def load(job: Job):
    from synth_lsp.core.task import load_task_for_script

    return load_task_for_script(job.script)


def describe_tests(task, script: str) -> list[TestPair]:
    """The best script run on every test pair (prediction, and whether it equals a known output)."""
    from synth_lsp.core.evaluation import evaluate, limits_for
    from synth_lsp.core.script_header import parse_header
    from synth_lsp.sandbox.runner import get_sandbox

    evaluation = evaluate(task, script, limits_for(parse_header(script)), sandbox=get_sandbox())
    pairs = []
    for verdict in evaluation.test:
        grid_key = "output_grid" if task.is_grid_task else None
        given = verdict.pair.inputs.get("input_grid") if grid_key else verdict.pair.inputs
        expected = verdict.pair.expected
        predicted = verdict.run.result if verdict.run.ok else None
        if grid_key:
            expected = expected.get(grid_key) if isinstance(expected, dict) else None
            predicted = predicted.get(grid_key) if isinstance(predicted, dict) else None
        error = verdict.error.headline() if verdict.error is not None else ""
        right = None if verdict.reward is None else verdict.passed
        pairs.append(TestPair(input=given, expected=expected, predicted=predicted, right=right, error=error))
    return pairs


def fill_best(row: TaskRow, task, population) -> None:
    best = population.best()
    if best is None:
        return
    row.train_passed, row.train_total = best.train_passed, best.train_total
    row.best_reward = best.train_reward
    row.best_id, row.best_origin, row.best_script = best.id, best.origin, best.script
    row.best_model = best_model(best.origin, best.note, [])
    row.best_note = best.note
    set_confidence(row, best.confidence, best.note)
    row.generation = population.generation
    row.tests = describe_tests(task, best.script)
    row.test_total = sum(1 for t in row.tests if t.right is not None)
    row.test_passed = sum(1 for t in row.tests if t.right)


def run_job(job: Job, on_progress: Callable[[dict[str, Any]], None], should_stop: Callable[[], bool]) -> TaskRow:
    from synth_lsp.core.task import TaskError
    from synth_lsp.optimizer import EvolveConfig, EvolveError, Population, PopulationError, population_path_for, run_evolve

    started = time.monotonic()
    row = TaskRow(task=job.name, script=str(job.script), state="running")
    try:
        task = load(job)
        if job.skip:
            population = Population.load(population_path_for(job.script))
            population.attach_task(task)
            fill_best(row, task, population)
            row.state, row.stop_reason = "skipped", "its population already fits every train pair"
        else:
            config = EvolveConfig(**job.config)
            result = run_evolve(task, job.script, config, on_progress=lambda p: on_progress(progress_dict(p)), should_stop=should_stop)
            fill_best(row, task, result.population)
            row.stop_reason = result.stop_reason
            row.state = "stopped" if result.stop_reason == "stopped by user" else "done"
            row.calls, row.tokens, row.cost_usd = result.spend.all_calls, result.spend.tokens, round(result.spend.cost_usd, 6)
            row.best_model = best_model(row.best_origin, row.best_note, result.by_model_and_origin)
    except (TaskError, EvolveError, PopulationError, OSError, UnicodeDecodeError) as exc:
        row.state, row.error = "error", str(exc)
    except Exception as exc:  # a bug must not take the batch down: the row says what happened
        row.state, row.error = "error", f"{type(exc).__name__}: {exc}"
    row.seconds = round(time.monotonic() - started, 3)
    return row


def set_confidence(row: TaskRow, confidence: float | None, note: str) -> None:
    row.best_confidence = confidence
    row.best_cross_validated = cross_validated(note) if confidence is not None else None


def best_model(origin: str, note: str, spend_rows: list[dict[str, Any]]) -> str:
    """The model that wrote the best script: the offline model, or the language model(s) that
    made candidates of its origin in the run's spend; nobody's for the user's own scripts."""
    if origin == "offline":
        return "offline"
    if origin in ("seed", "user"):
        return ""
    models = {row.get("model") for row in spend_rows if row.get("origin") == origin}
    return ", ".join(sorted(m for m in models if m)) or note


def progress_dict(progress) -> dict[str, Any]:
    return {
        "generation": progress.generation,
        "best_reward": progress.best_reward,
        "train_passed": progress.best_train_passed,
        "train_total": progress.train_total,
        "calls": progress.calls,
        "tokens": progress.tokens,
        "cost_usd": progress.cost_usd,
        "state": progress.state,
        "message": progress.message,
    }
