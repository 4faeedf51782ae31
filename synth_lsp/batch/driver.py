"""The batch driver: plans the jobs (skipping tasks whose population already fits every train
pair), hands them to an engine as slots free up, keeps one budget for the whole batch, stops
cleanly when asked, and writes the report. Engine-neutral: the engine only runs jobs."""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

from synth_lsp.batch.budget import BatchBudget
from synth_lsp.batch.report import TaskRow, write_reports
from synth_lsp.batch.targets import BatchTask
from synth_lsp.batch.task_run import Job


class Engine(Protocol):
    slots: int

    def submit(self, job: Job) -> None: ...
    def poll(self, timeout: float) -> list[tuple[str, str, Any]]: ...
    def running(self) -> int: ...
    def stop(self) -> None: ...
    def close(self, kill: bool = False) -> None: ...


@dataclass
class BatchResult:
    rows: list[TaskRow]
    seconds: float
    stop_reason: str  # "" when every task ran to its own end
    reports: list[Path]


def already_fits(script: Path) -> bool:
    """The stored population's best fits every train pair, scored on the task as it is now."""
    from synth_lsp.core.task import TaskError, load_task_for_script
    from synth_lsp.optimizer.population import Population, PopulationError, population_path_for

    path = population_path_for(script)
    if not path.exists():
        return False
    try:
        task = load_task_for_script(script)
        population = Population.load(path)
    except (TaskError, PopulationError, OSError, UnicodeDecodeError, ValueError):
        return False  # the task's run says what is wrong
    population.attach_task(task)
    best = population.best()
    return best is not None and best.fits_train and best not in population.stale(task)


def plan(tasks: list[BatchTask], config: dict[str, Any]) -> list[Job]:
    return [Job(t.name, t.script, config, skip=already_fits(t.script)) for t in tasks]


class Driver:
    def __init__(
        self,
        jobs: list[Job],
        engine: Engine,
        budget: BatchBudget,
        out: Path,
        settings: dict[str, Any],
        on_update: Callable[[TaskRow], None] = lambda row: None,
    ):
        self.jobs = jobs
        self.engine = engine
        self.budget = budget
        self.out = out
        self.settings = settings
        self.on_update = on_update
        self.rows = {j.name: TaskRow(task=j.name, script=str(j.script)) for j in jobs}
        self.started = time.monotonic()
        self.stop_reason = ""

    def run(self, should_stop: Callable[[], bool] = lambda: False) -> BatchResult:
        pending = deque(self.jobs)
        try:
            while pending or self.engine.running():
                self._check_stop(should_stop, pending)
                while pending and not self.stop_reason and self.engine.running() < self.engine.slots:
                    self._start(pending.popleft())
                for kind, name, payload in self.engine.poll(0.2):
                    self._handle(kind, name, payload, pending)
        except BaseException:
            self.engine.close(kill=True)
            self._write()
            raise
        self.engine.close()
        return BatchResult(list(self.rows.values()), self.elapsed(), self.stop_reason, self._write())

    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def _check_stop(self, should_stop: Callable[[], bool], pending: deque) -> None:
        if self.stop_reason:
            return
        reason = "stopped by user" if should_stop() else self.budget.exhausted()
        if not reason:
            return
        self.stop_reason = reason
        self.engine.stop()
        while pending:
            row = self.rows[pending.popleft().name]
            row.state, row.stop_reason = "stopped", f"not started: {reason}"
            self.on_update(row)

    def _start(self, job: Job) -> None:
        config = {**job.config, **{k: v for k, v in self.budget.task_caps().items() if v is not None}}
        self.engine.submit(replace(job, config=config))
        row = self.rows[job.name]
        row.state = "running"
        self.on_update(row)

    def _handle(self, kind: str, name: str, payload: Any, pending: deque) -> None:
        row = self.rows[name]
        if kind == "progress":
            row.train_passed, row.train_total = payload["train_passed"], payload["train_total"]
            row.best_reward, row.generation = payload["best_reward"], payload["generation"]
            row.calls, row.tokens, row.cost_usd = payload["calls"], payload["tokens"], payload["cost_usd"]
            self.budget.report(name, row.calls, row.tokens, row.cost_usd)
        elif kind == "retry":
            if self.stop_reason:
                row.state, row.stop_reason = "stopped", f"not started: {self.stop_reason}"
            else:
                pending.appendleft(payload)
        elif kind == "done":
            finished: TaskRow = payload
            finished.finished_at = round(self.elapsed(), 3)
            if finished.state == "stopped" and self.stop_reason.startswith("batch budget"):
                finished.stop_reason = self.stop_reason
            self.budget.settle(name, finished.calls, finished.tokens, finished.cost_usd)
            self.rows[name] = row = finished
        self.on_update(row)

    def _write(self) -> list[Path]:
        rows = list(self.rows.values())
        return write_reports(self.out, rows, self.elapsed(), {**self.settings, "stop_reason": self.stop_reason})


def model_problem(config: dict[str, Any], cost_capped: bool) -> str:
    """Before any task starts: every language model's key is there and, under a cost cap, its price
    is known; else what to do, once for the batch rather than in every task's row."""
    from synth_lsp.optimizer.omega import EvolveConfig, EvolveError, ready_to_pay, user_chat_price

    evolve = EvolveConfig(**config)
    for model in evolve.language_models:
        try:
            ready_to_pay(model, evolve.api_base or None, None, user_chat_price(evolve), cost_capped)
        except EvolveError as exc:
            return str(exc)
    return ""
