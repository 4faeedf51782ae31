"""OMEGA: evolve a synthesis script with mutations, crossovers and Dominated Novelty Search.

One generation: choose parents by softmax over a score that ranks by train reward, then by the
secondary fitness (`fitness`); ask the sources for children (mutations, and crossovers at
`crossover_rate`); score the new ones in the sandbox (concurrently); keep `population_size`
survivors by Dominated Novelty Search over (reward, secondary fitness); save the population
atomically. Its spend is also saved as each model call settles, so a killed run keeps it. Test
pairs are scored and stored for reporting, but only train results reach selection, survival,
early stopping and prompts.

`evolve` is a coroutine with a progress callback and a stop flag so a worker process can run it and
relay progress to the editor; `run_evolve` is the blocking form.
"""

from __future__ import annotations

import asyncio
import math
import random
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Literal, Sequence

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from synth_lsp.optimizer import novelty, population_archive, selection
from synth_lsp.optimizer.llm.budget import Budget, BudgetCaps, Spend
from synth_lsp.optimizer.candidate import Candidate, new_candidate, now_iso, score_candidates, task_fingerprint
from synth_lsp.optimizer.fitness import selection_score
from synth_lsp.optimizer.llm.embeddings import BuiltinSimilarity, CodeDistance, EmbeddingDistance
from synth_lsp.optimizer.population import Population, PopulationError, PopulationNotAFile, population_path_for
from synth_lsp.optimizer.sources import (
    EditCounts,
    LanguageModelSource,
    MutationSource,
    OfflineSource,
    Proposal,
    ProposalRequest,
    SourceUnavailable,
)
from synth_lsp.core.runs import RunLimits
from synth_lsp.sandbox.runner import Sandbox, get_sandbox
from synth_lsp.core.task import Task, TaskError, read_regular_text

OFFLINE_MODEL = "offline"


class EvolveConfig(BaseModel):
    """Settings of one evolution run (names follow the `synthLsp` server settings in docs/protocol.md)."""

    model_config = ConfigDict(extra="forbid", protected_namespaces=())

    model: str = ""  # litellm model name; "" or "offline" = the built-in offline model
    models: list[str] = Field(default_factory=list)  # more models beside `model`: a bandit picks per call
    edit_mode: Literal["full", "diff", "auto"] = "auto"  # what a mutation's reply may be: a full script, edits, either
    embedding_model: str = ""  # litellm embedding model; "" = built-in code similarity
    api_base: str = ""
    api_key: SecretStr | None = Field(default=None, exclude=True, repr=False)  # else the provider's env var
    population_size: int = Field(default=8, ge=1)
    generations: int = Field(default=10, ge=0)  # per run
    patience: int = Field(default=2, ge=0)  # generations to go on once the best train reward is 1.0
    children_per_generation: int | None = Field(default=None, ge=1)  # default: population_size
    selection_temperature: float = Field(default=0.3, ge=0)
    mutation_temperature: float = Field(default=0.7, ge=0)
    crossover_temperature: float = Field(default=0.7, ge=0)
    crossover_rate: float = Field(default=0.2, ge=0, le=1)
    k_nearest_fitter: int = Field(default=5, ge=1)
    concurrency: int = Field(default=4, ge=1)  # model calls and candidate scorings in flight
    max_calls: int | None = Field(default=None, ge=0)
    max_tokens: int | None = Field(default=None, ge=0)
    max_cost_usd: float | None = Field(default=None, ge=0)
    max_cost_total_usd: float | None = Field(default=None, ge=0)  # over every run of the population
    price_per_mtok: tuple[float, float] | None = None  # USD per million prompt and completion tokens
    embedding_price_per_mtok: float | None = Field(default=None, ge=0)
    use_offline: bool | None = None  # None: only when no model is configured; True: also beside a model
    offline_time_budget_s: float = Field(default=10.0, gt=0)
    offline_max_programs: int = Field(default=8, ge=1)
    offline_jobs: int = Field(default=0, ge=0)  # search processes; 0: every core
    offline_programs: int | None = Field(default=None, gt=0)  # programs tried instead of seconds: deterministic
    time_limit_s: float = Field(default=2.0, gt=0)  # per pair, in the sandbox
    memory_mb: float = Field(default=256, gt=0)
    request_timeout_s: float = Field(default=120.0, gt=0)
    max_reply_tokens: int = Field(default=4096, ge=64)
    retry_attempts: int = Field(default=4, ge=1)
    retry_base_delay_s: float = Field(default=1.0, ge=0)
    seed: int | None = None

    @field_validator("price_per_mtok")
    @classmethod
    def _price_is_two_amounts(cls, value: tuple[float, float] | None) -> tuple[float, float] | None:
        if value is not None and not all(math.isfinite(v) and v >= 0 for v in value):
            raise ValueError("the price must be two finite amounts >= 0 (USD per million prompt and completion tokens)")
        return value

    @property
    def cost_capped(self) -> bool:
        return self.max_cost_usd is not None or self.max_cost_total_usd is not None

    @property
    def language_models(self) -> list[str]:
        """Every language model configured, `model` first (the offline model is not one)."""
        return [m for m in dict.fromkeys([self.model, *self.models]) if m and m != OFFLINE_MODEL]

    @property
    def language_model(self) -> str | None:
        models = self.language_models
        return models[0] if models else None

    @property
    def offline_enabled(self) -> bool:
        return self.use_offline if self.use_offline is not None else self.language_model is None

    @classmethod
    def from_settings(cls, settings: dict[str, Any], **overrides: Any) -> "EvolveConfig":
        """From the server's `synthLsp` settings (camelCase keys; unknown keys ignored)."""
        budget = settings.get("budget") or {}
        mapping = {
            "model": settings.get("model"),
            "models": settings.get("models"),
            "edit_mode": settings.get("editMode"),
            "embedding_model": settings.get("embeddingModel"),
            "api_base": settings.get("apiBase"),
            "population_size": settings.get("populationSize"),
            "generations": settings.get("generations"),
            "patience": settings.get("patience"),
            "time_limit_s": settings.get("timeLimit"),
            "memory_mb": settings.get("memoryLimitMb"),
            "max_calls": budget.get("maxCalls"),
            "max_tokens": budget.get("maxTokens"),
            "max_cost_usd": budget.get("maxCostUsd"),
            "max_cost_total_usd": budget.get("maxCostTotalUsd"),
            "price_per_mtok": settings.get("pricePerMtok"),
            "use_offline": settings.get("useOffline"),
        }
        values = {k: v for k, v in mapping.items() if v is not None}
        return cls(**{**values, **overrides})


@dataclass(frozen=True)
class Progress:
    state: str  # "running", "finished", "stopped"
    generation: int
    generations: int  # the generation this run will stop at, at the latest
    best_id: str
    best_reward: float
    best_train_passed: int
    train_total: int
    population_size: int  # alive candidates
    candidates: int  # all stored candidates
    new_candidates: int  # added by the last generation
    calls: int
    tokens: int
    cost_usd: float  # this run
    message: str = ""
    run_generation: int = 0  # generations this run has made so far ...
    run_generations: int = 0  # ... of the ones it was asked for
    total_cost_usd: float = 0.0  # over every run of the population


@dataclass
class EvolveResult:
    best: Candidate
    start: Candidate  # the file's script when the run began
    population: Population
    generations_run: int
    stop_reason: str  # in words: "fits every train pair for 2 generation(s)", "budget: 20 calls reached", ...
    spend: Spend  # this run only
    failures: list[str] = field(default_factory=list)
    first_generation: int = 0  # the population's generation when the run began
    notices: list[str] = field(default_factory=list)  # e.g. a broken population file moved aside
    by_model_and_origin: list[dict[str, Any]] = field(default_factory=list)  # this run's spend
    totals: Spend | None = None  # over every run of the population
    generations_asked: int = 0
    edits: dict[str, int] = field(default_factory=dict)  # how replies with SEARCH/REPLACE edits fared
    models: list[dict[str, Any]] = field(default_factory=list)  # the bandit's view of each model

    @property
    def improved(self) -> bool:
        return self.best.id != self.start.id and self.best.train_reward > self.start.train_reward


MAX_SCRIPT_MB = 4.0  # a script file larger than this is not a script


class EvolveError(RuntimeError):
    """The run cannot start or must stop (no usable source, a fatal model error)."""


def plan_generation(
    rng: random.Random, alive: Sequence[Candidate], config: EvolveConfig, generation: int, score: Callable[[Candidate], float] | None = None
) -> list[ProposalRequest]:
    """The generation's requests: crossover at `crossover_rate` (when two parents exist), else mutation.
    Parents are drawn by softmax over `score` (default: `parent_score`)."""
    if not alive:
        return []
    rewards = [(score or parent_score)(c) for c in alive]
    count = config.children_per_generation or config.population_size
    requests = []
    for _ in range(count):
        if len(alive) >= 2 and rng.random() < config.crossover_rate:
            parents = selection.choose_two(rng, alive, rewards, config.selection_temperature)
            requests.append(ProposalRequest("crossover", tuple(parents), generation))
        else:
            parent = selection.choose(rng, alive, rewards, config.selection_temperature)
            requests.append(ProposalRequest("mutation", (parent,), generation))
    return requests


Survival = Callable[[Sequence[Candidate], CodeDistance, int, int], set[str]]


@dataclass(frozen=True)
class SearchRules:
    """Who survives and how parents are weighed: `survive` and `parent_score` unless a caller (a
    benchmark comparing against other rules) gives its own."""

    survive: Survival
    parent_score: Callable[[Candidate], float]


def parent_score(candidate: Candidate) -> float:
    """What parent selection's softmax weighs: reward first, secondary fitness within its band."""
    return selection_score(candidate.train_reward, candidate.fitness[1], candidate.train_total)


def behavioural_distance(distance: CodeDistance, a: Candidate, b: Candidate) -> float:
    """The code distance, except that scripts with the same outputs on every train pair are
    near-copies (0), however differently they are written."""
    if a.behaviour and a.behaviour == b.behaviour:
        return 0.0
    return distance.distance(a, b)


def survive(candidates: Sequence[Candidate], distance: CodeDistance, k: int, size: int) -> set[str]:
    """Ids kept by Dominated Novelty Search over (reward, secondary fitness).

    Scripts that behave the same on every train pair compete as one (the shortest, then the
    newest, stands for them); the others of such a group get a seat only when seats are left."""
    representatives, duplicates = split_by_behaviour(candidates)
    keep = novelty.survivors(
        [c.fitness for c in representatives],
        lambda i, j: behavioural_distance(distance, representatives[i], representatives[j]),
        k,
        size,
        newness=[c.generation for c in representatives],
    )
    kept = [representatives[i].id for i in keep]
    kept += [c.id for c in duplicates][: max(0, size - len(kept))]
    return set(kept)


def split_by_behaviour(candidates: Sequence[Candidate]) -> tuple[list[Candidate], list[Candidate]]:
    """(one candidate per behaviour, the rest); the rest ordered fittest, then shortest first."""
    order = sorted(candidates, key=lambda c: (tuple(-f for f in c.fitness), len(c.script), -c.generation))
    seen: set[str] = set()
    representatives, duplicates = [], []
    for candidate in order:
        if candidate.behaviour and candidate.behaviour in seen:
            duplicates.append(candidate)
        else:
            seen.add(candidate.behaviour)
            representatives.append(candidate)
    return representatives, duplicates


DEFAULT_RULES = SearchRules(survive, parent_score)


async def score_all(
    candidates: Sequence[Candidate], task: Task, sandbox: Sandbox, limits: RunLimits, concurrency: int, fingerprint: str | None = None
) -> None:
    """Score candidates in the sandbox: `concurrency` batches at once, each a share of the
    candidates run together (`score_candidates`: one checkout and one feed for a batch)."""
    fingerprint = fingerprint or task_fingerprint(task)
    lanes = max(1, min(concurrency, len(candidates)))
    batches = [list(candidates[lane::lanes]) for lane in range(lanes)]
    await asyncio.gather(*(asyncio.to_thread(score_candidates, batch, task, sandbox, limits, fingerprint) for batch in batches if batch))


def build_sources(config: EvolveConfig, task: Task, budget: Budget, sandbox: Sandbox | None = None) -> list[MutationSource]:
    sources: list[MutationSource] = []
    if config.offline_enabled:
        reason = OfflineSource.unavailable_reason(task)
        if reason is None:
            sources.append(
                OfflineSource(task, config.offline_time_budget_s, config.offline_max_programs, config.offline_jobs, config.offline_programs)
            )
        elif config.language_model is None:
            raise EvolveError(reason)
    if config.language_models:
        from synth_lsp.optimizer.llm.language_model import LanguageModel, RetryPolicy
        from synth_lsp.sandbox.walls import get_walls

        api_key = config.api_key.get_secret_value() if config.api_key else None
        models = []
        for name in config.language_models:
            price = ready_to_pay(name, config.api_base or None, api_key, user_chat_price(config), config.cost_capped)
            models.append(LanguageModel(
                name,
                api_base=config.api_base or None,
                api_key=api_key,
                timeout_s=config.request_timeout_s,
                max_tokens=config.max_reply_tokens,
                retry=RetryPolicy(max_attempts=config.retry_attempts, base_delay_s=config.retry_base_delay_s),
                budget=budget,
                price=price,
            ))
        sources.append(
            LanguageModelSource(
                models, task, get_walls(sandbox).describe(), budget,
                config.mutation_temperature, config.crossover_temperature, config.concurrency, config.edit_mode,
            )
        )
    return sources


def user_chat_price(config: EvolveConfig):
    from synth_lsp.optimizer.llm.pricing import per_million

    return per_million(*config.price_per_mtok) if config.price_per_mtok is not None else None


def ready_to_pay(model: str, api_base: str | None, api_key: str | None, user_price, cost_capped: bool, option: str = "--price-per-mtok"):
    """Before any call: the model's key is there (else stop, naming its variable) and, under a cost
    cap, its price is known (else stop, saying how to give one). Returns the price to count at."""
    from synth_lsp.optimizer.llm.credentials import missing_key
    from synth_lsp.optimizer.llm.pricing import PriceError, price_for

    problem = missing_key(model, api_base, api_key)
    if problem:
        raise EvolveError(problem)
    try:
        return price_for(model, user_price, cost_capped, option)
    except PriceError as exc:
        raise EvolveError(str(exc)) from None


def build_distance(config: EvolveConfig, budget: Budget, script_path: Path | None = None) -> CodeDistance:
    """The built-in similarity, or the configured embedding model (its vectors cached beside the
    script's population when `script_path` is given)."""
    if not config.embedding_model:
        return BuiltinSimilarity()
    from synth_lsp.optimizer.embedding_store import EmbeddingStore, embeddings_path_for
    from synth_lsp.optimizer.llm.language_model import RetryPolicy

    from synth_lsp.optimizer.llm.pricing import per_million

    api_key = config.api_key.get_secret_value() if config.api_key else None
    user_price = per_million(config.embedding_price_per_mtok) if config.embedding_price_per_mtok is not None else None
    price = ready_to_pay(config.embedding_model, config.api_base or None, api_key, user_price, config.cost_capped, "--embedding-price-per-mtok")
    store = None
    if script_path is not None:
        store = EmbeddingStore(embeddings_path_for(population_path_for(script_path)), config.embedding_model)

    return EmbeddingDistance(
        config.embedding_model,
        api_base=config.api_base or None,
        api_key=config.api_key.get_secret_value() if config.api_key else None,
        timeout_s=config.request_timeout_s,
        retry=RetryPolicy(max_attempts=config.retry_attempts, base_delay_s=config.retry_base_delay_s),
        budget=budget,
        concurrency=config.concurrency,
        store=store,
        price=price,
    )


class _Run:
    """The state of one evolve() call."""

    def __init__(
        self, task: Task, script_path: Path, config: EvolveConfig, sandbox: Sandbox, sources: list[MutationSource],
        distance: CodeDistance, budget: Budget, population: Population, rules: SearchRules = DEFAULT_RULES,
    ):
        self.task = task
        self.rules = rules
        self.script_path = script_path
        self.config = config
        self.sandbox = sandbox
        self.sources = sources
        self.distance = distance
        self.budget = budget
        self.fingerprint = task_fingerprint(task)
        self.limits = RunLimits(time_s=config.time_limit_s, memory_mb=config.memory_mb)
        self.population = population
        self.population.attach_task(task)
        self.base_totals = Spend.from_dict(self.population.totals.to_dict())
        self._counted = Spend()  # of this run's spend, what the population's totals already hold
        self.rng = random.Random(config.seed)
        self.failures: list[str] = []
        self.record: dict[str, Any] = {}
        self._spend_save_pending = False

    async def score(self, candidates: Sequence[Candidate]) -> None:
        await score_all(candidates, self.task, self.sandbox, self.limits, self.config.concurrency, self.fingerprint)

    async def add_start(self, script: str | None = None) -> Candidate:
        """The script to start from joins the population ("seed" in a new population, else "user"):
        `script` when given (an editor's unsaved text), else the file's."""
        if script is None:
            try:  # only a regular file: a FIFO at the script's path would block the run
                script = read_regular_text(self.script_path, MAX_SCRIPT_MB, "script")
            except TaskError as exc:
                raise EvolveError(str(exc)) from None
        origin = "seed" if len(self.population) == 0 else "user"
        candidate, is_new = self.population.add(new_candidate(script, origin, generation=self.population.generation))
        stale = self.population.stale(self.task)  # includes the new one, and all when the examples changed
        if not candidate.has_feedback and candidate not in stale:
            stale.append(candidate)  # stored dead, without its outputs: a parent needs them
        await self.score(stale)
        candidate.alive = True
        return candidate

    async def generation(self, number: int) -> tuple[int, list[str]]:
        await self.score(self.population.stale(self.task))  # e.g. user edits another process saved meanwhile
        alive = self.population.alive()
        requests = [
            replace(r, ancestors=self.ancestors(r.parents[0]))
            for r in plan_generation(self.rng, alive, self.config, number, self.rules.parent_score)
        ]
        active = [s for s in self.sources if not s.exhausted()]
        reports = await asyncio.gather(*(s.propose(requests) for s in active), return_exceptions=True)
        proposals: list[Proposal] = []
        failures: list[str] = []
        for source, report in zip(active, reports):
            if isinstance(report, SourceUnavailable):
                if len(self.sources) == 1:
                    raise EvolveError(str(report))
                failures.append(f"{source.name}: {report}")
                continue
            if isinstance(report, BaseException):
                raise report
            proposals += report.proposals
            failures += [f"{source.name}: {f}" for f in report.failures]
        fresh: list[Candidate] = []
        made: list[tuple[Proposal, Candidate | None]] = []
        for proposal in proposals:
            candidate = new_candidate(proposal.script, proposal.origin, list(proposal.parents), number, proposal.note, proposal.confidence)
            if candidate.id in self.population or any(c.id == candidate.id for c in fresh):
                made.append((proposal, None))
                continue  # identical script (after normalising whitespace): one candidate
            fresh.append(candidate)
            made.append((proposal, candidate))
        await self.score(fresh)
        for candidate in fresh:
            self.population.add(candidate)
        self.teach(made)
        await self.select()
        self.population.generation = number
        return len(fresh), failures

    def ancestors(self, candidate: Candidate, depth: int = 3) -> tuple[Candidate, ...]:
        """The first-parent line of a candidate, nearest first (for its lineage in prompts)."""
        line: list[Candidate] = []
        current = candidate
        while current.parents and len(line) < depth:
            parent = self.population.get(current.parents[0])
            if parent is None or parent in line:
                break
            line.append(parent)
            current = parent
        return tuple(line)

    def teach(self, made: Sequence[tuple[Proposal, Candidate | None]]) -> None:
        """Tell the sources what each proposal brought: its gain in parent score over its best parent."""
        outcomes = []
        for proposal, child in made:
            if child is None:
                outcomes.append((proposal, 0.0, False))
                continue
            parents = [p for p in (self.population.get(pid) for pid in child.parents) if p is not None]
            base = max((self.rules.parent_score(p) for p in parents), default=0.0)
            outcomes.append((proposal, max(0.0, self.rules.parent_score(child) - base), True))
        for source in self.sources:
            learn = getattr(source, "learn", None)
            if learn is not None:
                learn(outcomes)

    def edit_counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for source in self.sources:
            for key, value in getattr(source, "edits", EditCounts()).to_dict().items():
                counts[key] = counts.get(key, 0) + value
        return counts

    async def select(self) -> None:
        contenders = [c for c in self.population.candidates.values() if c.alive]
        await self.distance.prepare(contenders)  # only candidates not seen before are embedded
        kept = self.rules.survive(contenders, self.distance, self.config.k_nearest_fitter, self.config.population_size)
        for candidate in contenders:
            candidate.alive = candidate.id in kept

    def save(self) -> None:
        self.population.add_spend(self.budget.spend.since(self._counted))
        self._counted = self.budget.spend.copy()
        self.record.update(
            finished_at=now_iso(), spend=self.budget.spend.to_dict(), by_model_and_origin=spend_breakdown(self.budget),
            edits=self.edit_counts(),
        )
        self.population.save()

    def spend_settled(self) -> None:
        """A call settled: its spend is written soon (calls settling together share one write), so a
        killed run keeps the spend of every call that completed."""
        if self._spend_save_pending:
            return
        self._spend_save_pending = True

        def flush() -> None:
            self._spend_save_pending = False
            try:
                self.save()
            except OSError:
                pass  # the next save (at the latest the generation's) writes it

        asyncio.get_running_loop().call_soon(flush)

    def progress(self, state: str, first: int, new: int, message: str = "") -> Progress:
        best = self.population.best()
        assert best is not None
        spend = self.budget.spend
        return Progress(
            state=state,
            generation=self.population.generation,
            generations=first + self.config.generations,
            best_id=best.id,
            best_reward=best.train_reward,
            best_train_passed=best.train_passed,
            train_total=best.train_total,
            population_size=len(self.population.alive()),
            candidates=len(self.population),
            new_candidates=new,
            calls=spend.all_calls,
            tokens=spend.tokens,
            cost_usd=round(spend.cost_usd, 6),
            message=message,
            run_generation=self.population.generation - first,
            run_generations=self.config.generations,
            total_cost_usd=round(self.base_totals.cost_usd + spend.cost_usd, 6),
        )


def _every_second(report: Callable[[Any], None]) -> Callable[[Any], None]:
    """`report`, called at most once a second (plus the last report of a search: its note matters)."""
    import time

    last = [-math.inf]

    def throttled(progress: Any) -> None:
        now = time.monotonic()
        if now - last[0] >= 1.0 or getattr(progress, "note", ""):
            last[0] = now
            report(progress)

    return throttled


def offline_search_words(progress: Any) -> str:
    """One offline search progress report (`offline.SearchProgress`), for a progress line."""
    left = f"{progress.programs_left} programs left" if progress.programs_left >= 0 else f"{progress.seconds_left:.0f} s left"
    best = f"best so far fits {progress.best_correct}/{progress.train_total} train pairs: {progress.best}" if progress.best else "nothing yet"
    words = f"offline search: {progress.programs_tried} programs tried, {best}, {left}"
    return words + (f"; {progress.note}" if progress.note else "")


def spend_breakdown(budget: Budget) -> list[dict[str, Any]]:
    """This run's spend per (model, origin), as stored in the run's record."""
    rows = []
    for (model, origin), spend in sorted(budget.by_label.items()):
        rows.append({"model": model, "origin": origin, "calls": spend.all_calls, "tokens": spend.tokens, "cost_usd": round(spend.cost_usd, 6)})
    return rows


def open_population(script_path: Path) -> tuple[Population, str]:
    """The stored population, or a new one when the file cannot be read: the broken file is kept
    aside under a new name (never overwritten) and the notice says what was wrong and where it is."""
    path = population_path_for(script_path)
    try:
        population = Population.load(path)
        population.archived_ids = population_archive.archived_ids(population.archive_path)  # not new if regenerated
        return population, ""
    except PopulationNotAFile:
        raise  # not a file of ours to move: the user says what it is
    except PopulationError as exc:
        kept = keep_aside(path)
        return Population(path), f"{exc}. It was moved to {kept.name} and a new population was started."


def keep_aside(path: Path) -> Path:
    """Rename a broken file to NAME.broken-N.json beside it (the first N not taken)."""
    stem = path.name[: -len(".json")] if path.name.endswith(".json") else path.name
    for n in range(1, 10_000):
        target = path.with_name(f"{stem}.broken-{n}.json")
        if not target.exists():
            path.rename(target)
            return target
    raise EvolveError(f"{path}: cannot be read, and no free name to move it aside")


def stop_reason_for_fit(patience: int) -> str:
    return "fits every train pair" + (f" for {patience} generation(s)" if patience else "")


async def evolve(
    task: Task,
    script_path: Path,
    config: EvolveConfig,
    on_progress: Callable[[Progress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    *,
    sandbox: Sandbox | None = None,
    sources: list[MutationSource] | None = None,
    distance: CodeDistance | None = None,
    start_script: str | None = None,
    rules: SearchRules = DEFAULT_RULES,
) -> EvolveResult:
    """Evolve the script at `script_path` (starting from `start_script` when given, e.g. an editor's
    unsaved text; the file itself is never written); the population is stored beside it after
    every generation, and its spend as every call settles."""
    script_path = Path(script_path)
    population, notice = open_population(script_path)
    caps = BudgetCaps(config.max_calls, config.max_tokens, config.max_cost_usd, config.max_cost_total_usd)
    budget = Budget(caps, prior=Spend.from_dict(population.totals.to_dict()))
    sandbox = sandbox or get_sandbox()
    if sources is None:
        sources = build_sources(config, task, budget, sandbox)
    if not sources:
        raise EvolveError("nothing to evolve with: configure a language model (--model) or enable the offline model")
    run = _Run(task, script_path, config, sandbox, sources, distance or build_distance(config, budget, script_path), budget, population, rules)
    notify = on_progress or (lambda progress: None)
    stop_requested = should_stop or (lambda: False)
    for source in sources:
        if isinstance(source, LanguageModelSource):
            source.should_stop = stop_requested  # calls not yet sent are skipped once a stop is asked for

    start = await run.add_start(start_script)
    await run.select()
    run.record.update(started_at=now_iso(), model=", ".join(config.language_models) or OFFLINE_MODEL, generations=0)
    run.population.add_run(run.record)
    run.save()
    budget.on_settle = run.spend_settled
    first = run.population.generation
    last = first + config.generations
    for source in sources:
        if isinstance(source, OfflineSource):  # the offline search shows its own progress and can be cancelled
            source.should_stop = stop_requested
            source.on_search_progress = _every_second(lambda p: notify(run.progress("running", first, 0, offline_search_words(p))))
    notify(run.progress("running", first, 0, notice or "started"))

    reached = first if run.population.best().train_reward >= 1.0 else None  # generation the best hit 1.0
    stop_reason = f"ran the {config.generations} generation(s) asked for"
    for number in range(first + 1, last + 1):
        if stop_requested():
            stop_reason = "stopped by user"
            break
        if reached is not None and run.population.generation - reached >= config.patience:
            stop_reason = stop_reason_for_fit(config.patience)
            break
        exhausted = [s.exhausted() for s in run.sources]
        if all(exhausted):
            stop_reason = "; ".join(dict.fromkeys(r for r in exhausted if r))
            break
        try:
            new, failures = await run.generation(number)
        except Exception as exc:
            run.record["stop_reason"] = f"failed: {exc}"
            budget.on_settle = None
            run.save()
            if isinstance(exc, EvolveError):
                raise
            from synth_lsp.optimizer.llm.language_model import LanguageModelError

            if isinstance(exc, LanguageModelError):
                raise EvolveError(str(exc)) from exc
            raise
        run.failures += failures
        run.record["generations"] = number - first
        run.save()
        if reached is None and run.population.best().train_reward >= 1.0:
            reached = number
        notify(run.progress("running", first, new, summarise_failures(failures)))
    else:
        if stop_requested():
            stop_reason = "stopped by user"
        elif reached is not None and config.generations > 0:
            stop_reason += " (the best fits every train pair)"
    budget.on_settle = None
    run.record["stop_reason"] = stop_reason
    run.save()
    state = "stopped" if stop_reason == "stopped by user" else "finished"
    notify(run.progress(state, first, 0, stop_reason))
    best = run.population.best()
    return EvolveResult(
        best, start, run.population, run.population.generation - first, stop_reason, run.budget.spend, run.failures,
        first_generation=first, notices=[notice] if notice else [], by_model_and_origin=spend_breakdown(budget),
        totals=run.population.totals, generations_asked=config.generations, edits=run.edit_counts(),
        models=[row for source in run.sources for row in (source.bandit.summary() if isinstance(source, LanguageModelSource) else [])],
    )


def summarise_failures(failures: Sequence[str], shown: int = 2) -> str:
    """'5 of the requests failed: X (3), Y (2)': the commonest reasons, counted."""
    if not failures:
        return ""
    from collections import Counter

    counts = Counter(failures).most_common()
    reasons = ", ".join(f"{text} ({n})" if n > 1 else text for text, n in counts[:shown])
    more = f", +{len(counts) - shown} other reason(s)" if len(counts) > shown else ""
    return f"{len(failures)} failed: {reasons}{more}"


def run_evolve(task: Task, script_path: Path, config: EvolveConfig, **kwargs: Any) -> EvolveResult:
    """The blocking form of `evolve`."""
    return asyncio.run(evolve(task, script_path, config, **kwargs))
