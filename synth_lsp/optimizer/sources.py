"""Where new scripts come from: a language model, or the built-in offline model.

A source receives the generation's planned requests (mutate this parent, cross these two) and
returns proposals. The language model answers each request with one call; the offline model runs
its search once per task (in a thread: it is CPU work), offers its programs (full and partial
fits), and then has nothing more to say.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from typing import Any, Callable, Literal, Protocol, Sequence

from synth_lsp.optimizer.llm import prompts
from synth_lsp.optimizer.llm.budget import Budget
from synth_lsp.optimizer.candidate import Candidate, Origin
from synth_lsp.optimizer.llm.language_model import BudgetExhausted, LanguageModel, LanguageModelError
from synth_lsp.optimizer.llm.edits import EditError, apply_edits, has_edits, parse_edits
from synth_lsp.optimizer.llm.replies import ReplyError, extract_script, usable_script
from synth_lsp.optimizer.model_bandit import ModelBandit
from synth_lsp.core.task import Task


@dataclass(frozen=True)
class ProposalRequest:
    kind: Literal["mutation", "crossover", "quickfix"]  # quickfix: one targeted mutation of the editor's text
    parents: tuple[Candidate, ...]
    generation: int
    ancestors: tuple[Candidate, ...] = ()  # the first parent's, nearest first (shown in mutation prompts)


@dataclass(frozen=True)
class Proposal:
    script: str
    origin: Origin
    parents: tuple[str, ...] = ()
    note: str = ""
    model: str = ""  # the language model that wrote it ("" for the offline model)
    confidence: float | None = None  # the offline model's confidence in its program
    cost: float = 0.0  # of the call(s) that wrote it: USD when priced, else tokens


@dataclass
class SourceReport:
    proposals: list[Proposal] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)  # one line per failed request


@dataclass
class EditCounts:
    """How replies with SEARCH/REPLACE edits fared (a diff that silently fails is the top complaint)."""

    replies_with_edits: int = 0
    applied: int = 0
    not_applied: int = 0  # matched nothing, matched twice, empty, or gave a script that does not parse
    rewrites_asked: int = 0  # asked again once, as a full rewrite
    rewrites_usable: int = 0

    def to_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


class SourceUnavailable(RuntimeError):
    """The source cannot help with this task (e.g. the offline model on a non-grid task)."""


class MutationSource(Protocol):
    name: str

    def exhausted(self) -> str | None:
        """Why the source has nothing more to offer, or None."""

    async def propose(self, requests: Sequence[ProposalRequest]) -> SourceReport: ...


EditMode = Literal["full", "diff", "auto"]


class LanguageModelSource:
    """Mutations and crossovers written by litellm models, one call per request (two when a reply's
    edits do not apply and a full rewrite is asked for). With several models, a UCB1 bandit picks
    the model of each call (`model_bandit`); `learn` tells it what each proposal brought."""

    def __init__(
        self,
        model: LanguageModel | Sequence[LanguageModel],
        task: Task,
        walls: str,
        budget: Budget,
        mutation_temperature: float = 0.7,
        crossover_temperature: float = 0.7,
        concurrency: int = 4,
        edit_mode: EditMode = "full",
    ):
        self.models = {m.model: m for m in ([model] if isinstance(model, LanguageModel) else list(model))}
        self.name = " + ".join(self.models)
        self.bandit = ModelBandit(list(self.models))
        self.task = task
        self.walls = walls
        self.budget = budget
        self.mutation_temperature = mutation_temperature
        self.crossover_temperature = crossover_temperature
        self.edit_mode = edit_mode
        self.edits = EditCounts()
        # the bandit compares costs in one unit: USD when every model has a price, else tokens
        self._cost_in_usd = all(m.price() is not None for m in self.models.values())
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self.should_stop: Callable[[], bool] = lambda: False

    @property
    def model(self) -> LanguageModel:
        """The first model (the only one, usually)."""
        return next(iter(self.models.values()))

    def exhausted(self) -> str | None:
        return self.budget.exhausted() or (None if self.bandit.active else "every model was retired")

    def messages(self, request: ProposalRequest) -> list[dict[str, str]]:
        if request.kind == "crossover":
            return prompts.crossover_messages(self.task, request.parents[0], request.parents[1], self.walls)
        if request.kind == "quickfix":
            return prompts.quick_fix_messages(self.task, request.parents[0], self.walls, self.edit_mode)
        return prompts.mutation_messages(self.task, request.parents[0], self.walls, self.edit_mode, request.ancestors)

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

    def learn(self, outcomes: Sequence[tuple[Proposal, float, bool]]) -> None:
        """(proposal, its gain over its parents, whether it was a usable new candidate), per proposal."""
        for proposal, gain, usable in outcomes:
            if proposal.model in self.models:
                self.bandit.observe(proposal.model, gain, usable, proposal.cost)

    async def _one(self, request: ProposalRequest) -> Proposal | str:
        temperature = self.crossover_temperature if request.kind == "crossover" else self.mutation_temperature
        async with self._semaphore:
            if self.budget.exhausted():
                return f"{request.kind} skipped: {self.budget.exhausted()}"
            if self.should_stop():
                return f"{request.kind} skipped: stop requested"
            if not self.bandit.active:
                return f"{request.kind} skipped: every model was retired"
            name = self.bandit.choose()
            self.bandit.started(name)
            model = self.models[name]
            messages = self.messages(request)
            spent: list[float] = []
            try:
                completion = await self._complete(model, messages, temperature, request, spent)
                script = await self._script(model, messages, completion, temperature, request, spent)
            except BudgetExhausted as exc:
                self.bandit.observe(name, 0.0, False, sum(spent))
                return f"{request.kind} skipped: {exc}"
            except LanguageModelError as exc:
                if exc.fatal and len(self.bandit.active) <= 1:
                    raise
                if exc.fatal:  # several models: this one is retired, the run goes on with the others
                    self.bandit.retire(name, str(exc))
                    return f"{request.kind} failed: model {name} retired: {exc}"
                self.bandit.observe(name, 0.0, False, sum(spent), failure=str(exc))
                return f"{request.kind} failed: {exc}"
            except ReplyError as exc:
                self.budget.spend.failed_replies += 1
                self.bandit.observe(name, 0.0, False, sum(spent))
                return f"{request.kind} reply unusable: {exc.reason}"
        return Proposal(script, request.kind, tuple(p.id for p in request.parents), note=name, model=name, cost=sum(spent))

    async def _complete(self, model: LanguageModel, messages, temperature: float, request: ProposalRequest, spent: list[float]):
        completion = await model.complete(messages, temperature, origin=request.kind, give_up=self.should_stop)
        spent.append(completion.cost_usd if self._cost_in_usd else float(completion.prompt_tokens + completion.completion_tokens))
        return completion

    async def _script(self, model: LanguageModel, messages, completion, temperature: float, request: ProposalRequest, spent: list[float]) -> str:
        """The reply's script: its edits applied to the parent, or its full script. Edits that do
        not apply are asked again once, as a full rewrite."""
        if request.kind == "crossover" or self.edit_mode == "full" or not has_edits(completion.text):
            return extract_script(completion.text, completion.finish_reason)
        self.edits.replies_with_edits += 1
        try:
            if completion.finish_reason == "length":
                raise EditError("the reply was truncated at the token limit")
            script = usable_script(apply_edits(request.parents[0].script, parse_edits(completion.text)))
            self.edits.applied += 1
            return script
        except (EditError, ReplyError) as exc:
            self.edits.not_applied += 1
            reason = exc.reason
        self.edits.rewrites_asked += 1
        again = await self._complete(model, prompts.rewrite_after_failed_edit(messages, completion.text, reason), temperature, request, spent)
        script = extract_script(again.text, again.finish_reason)
        self.edits.rewrites_usable += 1
        return script


class OfflineSource:
    """The built-in offline model (`synth_lsp.offline`): one search per task, then exhausted."""

    name = "offline"

    def __init__(self, task: Task, time_budget_s: float = 10.0, max_programs: int = 8, jobs: int = 1, program_budget: int | None = None):
        self.task = task
        self.time_budget_s = time_budget_s
        self.max_programs = max_programs
        self.jobs = jobs  # search processes (see `offline.pool`); 0: every core
        self.program_budget = program_budget  # counted in programs tried (deterministic) instead of seconds
        self.should_stop: Callable[[], bool] = lambda: False
        self.on_search_progress: Callable[[Any], None] | None = None  # hears the search (from its thread)
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
            programs = await asyncio.to_thread(
                offline.synthesize, pairs, self.time_budget_s, self.max_programs,
                jobs=self.jobs or offline.usable_cores(), program_budget=self.program_budget,
                on_progress=self.on_search_progress, should_stop=self.should_stop,
            )
        except offline.NotAGridTask as exc:
            raise SourceUnavailable(f"the built-in offline model cannot help with this task: {exc}") from exc
        except offline.SearchWorkerDied as exc:
            raise SourceUnavailable(f"the built-in offline model failed: {exc}") from exc
        report = SourceReport()
        for program in programs:
            # the confidence says whether the fit survived cross-validation (a lookup table may memorise the pairs)
            checked = "cross-validated" if program.claimed else "not cross-validated"
            note = f"{program.summary()}; offline search, {checked}" if program.fits else f"{program.summary()}; offline search"
            confidence = program.confidence if program.fits else None
            report.proposals.append(Proposal(program.script, "offline", (), note, confidence=confidence))
        if not programs:
            report.failures.append("the offline model found no program for these pairs")
        return report
