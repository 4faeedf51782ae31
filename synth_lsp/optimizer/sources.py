"""Where new scripts come from: a language model, or the built-in offline model.

A source receives the generation's planned requests (mutate this parent, cross these two) and
returns proposals. The language model answers each request with one call; the offline model runs
its search once per task (in a thread: it is CPU work), offers its programs (full and partial
fits), and then has nothing more to say.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Callable, Literal, Protocol, Sequence

from synth_lsp.optimizer.llm import prompts
from synth_lsp.optimizer.llm.budget import Budget
from synth_lsp.optimizer.candidate import Candidate, Origin
from synth_lsp.optimizer.llm.language_model import BudgetExhausted, LanguageModel, LanguageModelError
from synth_lsp.optimizer.llm.replies import ReplyError, extract_script
from synth_lsp.core.task import Task


@dataclass(frozen=True)
class ProposalRequest:
    kind: Literal["mutation", "crossover"]
    parents: tuple[Candidate, ...]
    generation: int


@dataclass(frozen=True)
class Proposal:
    script: str
    origin: Origin
    parents: tuple[str, ...] = ()
    note: str = ""


@dataclass
class SourceReport:
    proposals: list[Proposal] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line per failed request


class SourceUnavailable(RuntimeError):
    """The source cannot help with this task (e.g. the offline model on a non-grid task)."""


class MutationSource(Protocol):
    name: str

    def exhausted(self) -> str | None:
        """Why the source has nothing more to offer, or None."""

    async def propose(self, requests: Sequence[ProposalRequest]) -> SourceReport: ...


class LanguageModelSource:
    """Mutations and crossovers written by a litellm model, one call per request."""

    def __init__(
        self,
        model: LanguageModel,
        task: Task,
        walls: str,
        budget: Budget,
        mutation_temperature: float = 0.7,
        crossover_temperature: float = 0.7,
        concurrency: int = 4,
    ):
        self.model = model
        self.name = model.model
        self.task = task
        self.walls = walls
        self.budget = budget
        self.mutation_temperature = mutation_temperature
        self.crossover_temperature = crossover_temperature
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self.should_stop: Callable[[], bool] = lambda: False

    def exhausted(self) -> str | None:
        return self.budget.exhausted()

    def messages(self, request: ProposalRequest) -> list[dict[str, str]]:
        if request.kind == "crossover":
            return prompts.crossover_messages(self.task, request.parents[0], request.parents[1], self.walls)
        return prompts.mutation_messages(self.task, request.parents[0], self.walls)

    async def propose(self, requests: Sequence[ProposalRequest]) -> SourceReport:
        tasks = [asyncio.ensure_future(self._one(r)) for r in requests]
        try:
            results = await asyncio.gather(*tasks)
        except BaseException:
            for task in tasks:  # a fatal error (bad key, bad request): no further calls
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            raise
        report = SourceReport()
        for item in results:
            (report.proposals if isinstance(item, Proposal) else report.failures).append(item)
        return report

    async def _one(self, request: ProposalRequest) -> Proposal | str:
        temperature = self.crossover_temperature if request.kind == "crossover" else self.mutation_temperature
        async with self._semaphore:
            if self.budget.exhausted():
                return f"{request.kind} skipped: {self.budget.exhausted()}"
            if self.should_stop():
                return f"{request.kind} skipped: stop requested"
            try:
                completion = await self.model.complete(self.messages(request), temperature, origin=request.kind, give_up=self.should_stop)
            except BudgetExhausted as exc:
                return f"{request.kind} skipped: {exc}"
            except LanguageModelError as exc:
                if exc.fatal:
                    raise
                return f"{request.kind} failed: {exc}"
        try:
            script = extract_script(completion.text, completion.finish_reason)
        except ReplyError as exc:
            self.budget.spend.failed_replies += 1
            return f"{request.kind} reply unusable: {exc.reason}"
        return Proposal(script, request.kind, tuple(p.id for p in request.parents), note=self.model.model)


class OfflineSource:
    """The built-in offline model (`synth_lsp.offline`): one search per task, then exhausted."""

    name = "offline"

    def __init__(self, task: Task, time_budget_s: float = 10.0, max_programs: int = 8):
        self.task = task
        self.time_budget_s = time_budget_s
        self.max_programs = max_programs
        self._done = False

    @staticmethod
    def unavailable_reason(task: Task) -> str | None:
        """Why the offline model cannot help with `task`, as advice the user can act on; None if it can."""
        if not task.is_grid_task:
            return (
                f"the built-in offline model only solves ARC-style grid tasks, and {task.name!r} is not one. "
                "Configure a language model (--model, e.g. openai/gpt-4o-mini or ollama_chat/qwen2.5-coder, "
                "with its API key in the provider's environment variable, or --api-base for a local server)."
            )
        try:
            import synth_lsp.offline  # noqa: F401
        except ImportError as exc:
            return f"the built-in offline model is not available ({exc}); configure a language model with --model."
        return None

    def exhausted(self) -> str | None:
        return "the offline model has offered all its programs" if self._done else None

    async def propose(self, requests: Sequence[ProposalRequest]) -> SourceReport:
        if self._done:
            return SourceReport()
        self._done = True
        reason = self.unavailable_reason(self.task)
        if reason:
            raise SourceUnavailable(reason)
        from synth_lsp import offline

        pairs = self.task.train_grids()
        try:
            programs = await asyncio.to_thread(offline.synthesize, pairs, self.time_budget_s, self.max_programs)
        except offline.NotAGridTask as exc:
            raise SourceUnavailable(f"the built-in offline model cannot help with this task: {exc}") from exc
        report = SourceReport()
        for program in programs:
            note = f"{program.description} (offline search: {program.train_correct}/{program.train_total} train pairs)"
            report.proposals.append(Proposal(program.script, "offline", (), note))
        if not programs:
            report.failures.append("the offline model found no program for these pairs")
        return report
