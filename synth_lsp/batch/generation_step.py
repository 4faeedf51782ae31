"""One generation of one task, as a pure function of its inputs, for engines whose workers share no
disk with the driver (Ray): the task, the script and the stored population go in; the new
population's text, the spend and the best's test predictions come out. The worker works in a private
temporary folder removed afterwards; only the driver writes the user's files. A generation that is
lost with its worker is simply run again from the same population: nothing is counted twice."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from synth_lsp.batch.report import TestPair


class Secrets:
    """API keys for the worker's environment: in memory only, never shown (a repr in a log or an
    error message says how many, not what)."""

    def __init__(self, values: dict[str, str] | None = None):
        self._values = dict(values or {})

    def __repr__(self) -> str:
        return f"Secrets({len(self._values)} hidden)"

    def apply(self) -> None:
        import os

        os.environ.update(self._values)


@dataclass(frozen=True)
class StepInput:
    name: str
    task: Any  # core.task.Task, loaded by the driver (its examples path need not exist here)
    script: str  # the file's text (the start of a new population)
    population: str | None  # the stored population's text; None when there is none yet
    config: dict[str, Any]  # EvolveConfig fields for this one generation (generations=0 only describes)
    secrets: Secrets = field(default_factory=Secrets)  # the models' API-key variables


@dataclass
class StepOutput:
    population: str  # the population file's new text
    generation: int
    stop_reason: str  # the run's own words ("ran the 1 generation(s) asked for", "budget: ...")
    calls: int
    tokens: int
    cost_usd: float
    best_id: str = ""
    best_origin: str = ""
    best_note: str = ""
    best_script: str = ""
    best_reward: float = 0.0
    best_confidence: float | None = None  # the offline model's, for its program
    train_passed: int = 0
    train_total: int = 0
    by_model_and_origin: list[dict[str, Any]] = field(default_factory=list)
    tests: list[TestPair] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    node: str = ""  # where it ran (host name and pid), for the record


def run_step(step: StepInput) -> StepOutput:
    import os
    import socket

    from synth_lsp.batch.task_run import describe_tests
    from synth_lsp.core.task import SCRIPT_SUFFIX
    from synth_lsp.optimizer import EvolveConfig, population_path_for, run_evolve

    step.secrets.apply()
    with tempfile.TemporaryDirectory(prefix="synth-lsp-step-") as scratch:
        script_path = Path(scratch) / (step.name + SCRIPT_SUFFIX)
        script_path.write_text(step.script, encoding="utf-8")
        population_path = population_path_for(script_path)
        start = None
        if step.population is not None:
            population_path.write_text(step.population, encoding="utf-8")
            start = stored_best(population_path)
        result = run_evolve(step.task, script_path, EvolveConfig(**step.config), start_script=start)
        best = result.best
        output = StepOutput(
            population=population_path.read_text(encoding="utf-8"),
            generation=result.population.generation,
            stop_reason=result.stop_reason,
            calls=result.spend.all_calls,
            tokens=result.spend.tokens,
            cost_usd=round(result.spend.cost_usd, 6),
            best_id=best.id,
            best_origin=best.origin,
            best_note=best.note,
            best_script=best.script,
            best_reward=best.train_reward,
            best_confidence=best.confidence,
            train_passed=best.train_passed,
            train_total=best.train_total,
            by_model_and_origin=result.by_model_and_origin,
            tests=describe_tests(step.task, best.script),
            failures=result.failures[:20],
            node=f"{socket.gethostname()}:{os.getpid()}",
        )
    return output


def stored_best(population_path: Path) -> str | None:
    """Later generations start from the stored best (as one long run goes on from its population),
    not the file's script again, which would bring the seed back to life every generation."""
    from synth_lsp.optimizer import Population, PopulationError

    try:
        best = Population.load(population_path).best()
    except PopulationError:
        return None  # the run moves the broken file aside and says so
    return best.script if best is not None else None
