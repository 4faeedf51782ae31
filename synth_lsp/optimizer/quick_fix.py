"""A quick fix: one targeted mutation of the editor's current text by the configured language model
(or, with none, the offline model's best program for the task), scored in the sandbox, kept under
the user's own `# synth:` header, and added to the script's population with origin `quickfix`.

No LSP here: the language server runs this in a worker process (`workers/quick_fix_worker.py`)
and turns the result into an edit the user previews.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from synth_lsp.core.runs import RunLimits
from synth_lsp.core.task import Task
from synth_lsp.optimizer.candidate import Candidate, new_candidate, now_iso, score_candidate, task_fingerprint
from synth_lsp.optimizer.kept_header import keep_header
from synth_lsp.optimizer.llm.budget import Budget, BudgetCaps, Spend
from synth_lsp.optimizer.omega import OFFLINE_MODEL, EvolveConfig, EvolveError, build_sources, open_population, spend_breakdown
from synth_lsp.optimizer.population import Population
from synth_lsp.optimizer.sources import OfflineSource, Proposal, ProposalRequest, SourceUnavailable
from synth_lsp.sandbox.runner import Sandbox, get_sandbox

OnStep = Callable[[str], None]


class QuickFixError(RuntimeError):
    """No fix to offer; the message says why (and what to do), and nothing is applied."""


@dataclass(frozen=True)
class QuickFix:
    """The fixed script (under the user's header) and how it scored."""

    script: str
    candidate_id: str
    model: str  # the language model that wrote it, or "offline"
    train_passed: int
    train_total: int
    train_reward: float
    test_passed: int
    test_total: int
    current_passed: int  # train pairs the text passed before the fix
    confidence: float | None = None  # the offline model's, for its program
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def fixer_name(config: EvolveConfig) -> str:
    """Who writes the fix: the first configured language model, else the offline model."""
    return config.language_model or OFFLINE_MODEL


async def quick_fix(
    task: Task, script_path: Path, text: str, config: EvolveConfig, on_step: OnStep | None = None, sandbox: Sandbox | None = None
) -> QuickFix:
    """Fix `text` (the editor's script at `script_path`) once; QuickFixError when there is nothing
    usable to offer. The population beside the script gets the text and its fix."""
    step = on_step or (lambda message: None)
    sandbox = sandbox or get_sandbox()
    limits = RunLimits(time_s=config.time_limit_s, memory_mb=config.memory_mb)
    fingerprint = task_fingerprint(task)
    population, notice = open_population(script_path)
    if notice:
        step(notice)
    step("scoring the current script")
    current = new_candidate(text, "seed" if len(population) == 0 else "user", generation=population.generation)
    await _score(current, task, sandbox, limits, fingerprint)
    budget = Budget(_caps(config), prior=Spend.from_dict(population.totals.to_dict()))
    fixer = fixer_name(config)
    if fixer == OFFLINE_MODEL:
        step("the offline model is searching")
        proposals = await _offline_proposals(task, config)
    else:
        step(f"asking {fixer}")
        proposals = [await _model_proposal(task, current, config, budget, sandbox, population.generation)]
    step("scoring the fix")
    fixes = [_fixed_candidate(text, current, proposal, population.generation) for proposal in proposals]
    fixes = [fix for fix in fixes if fix.id != current.id]
    if not fixes:
        raise QuickFixError(f"{_who(fixer)} proposed the current script unchanged: nothing to apply")
    for fix in fixes:
        await _score(fix, task, sandbox, limits, fingerprint)
    best = max(fixes, key=lambda c: (c.fitness, c.confidence or 0.0, -len(c.script)))
    _join_population(population, task, current, best, budget, fixer)
    return QuickFix(
        script=best.script,
        candidate_id=best.id,
        model=fixer,
        train_passed=best.train_passed,
        train_total=best.train_total,
        train_reward=best.train_reward,
        test_passed=best.test_passed,
        test_total=best.test_total,
        current_passed=current.train_passed,
        confidence=best.confidence,
        note=best.note,
    )


def _caps(config: EvolveConfig) -> BudgetCaps:
    return BudgetCaps(config.max_calls, config.max_tokens, config.max_cost_usd, config.max_cost_total_usd)


async def _score(candidate: Candidate, task: Task, sandbox: Sandbox, limits: RunLimits, fingerprint: str) -> None:
    import asyncio

    await asyncio.to_thread(score_candidate, candidate, task, sandbox, limits, fingerprint)


def _who(fixer: str) -> str:
    return "the offline model" if fixer == OFFLINE_MODEL else fixer


async def _model_proposal(task: Task, current: Candidate, config: EvolveConfig, budget: Budget, sandbox: Sandbox, generation: int) -> Proposal:
    """One call to the first configured model (one more when its edits do not apply)."""
    from synth_lsp.optimizer.llm.language_model import LanguageModelError

    only_first = config.model_copy(update={"model": config.language_model, "models": [], "use_offline": False})
    try:  # a missing key or an unknown price stops here, naming what to set
        source = next(s for s in build_sources(only_first, task, budget, sandbox) if s.name != OfflineSource.name)
    except EvolveError as exc:
        raise QuickFixError(str(exc)) from None
    try:
        report = await source.propose([ProposalRequest("quickfix", (current,), generation)])
    except LanguageModelError as exc:
        raise QuickFixError(f"{config.language_model}: {exc}") from None
    if not report.proposals:
        reason = "; ".join(report.failures) or "no reply"
        raise QuickFixError(f"{config.language_model} gave no usable fix ({reason.removeprefix('quickfix ')}): nothing was applied")
    return report.proposals[0]


async def _offline_proposals(task: Task, config: EvolveConfig) -> list[Proposal]:
    source = OfflineSource(task, config.offline_time_budget_s, config.offline_max_programs)
    try:
        report = await source.propose([])
    except SourceUnavailable as exc:
        raise QuickFixError(str(exc)) from None
    if not report.proposals:
        raise QuickFixError("the offline model found no program for these pairs: nothing to offer")
    return report.proposals


def _fixed_candidate(text: str, current: Candidate, proposal: Proposal, generation: int) -> Candidate:
    """The proposal under the user's header: a fix cannot change the examples, limits or default."""
    script = keep_header(text, proposal.script)
    note = f"{proposal.model} quick fix" if proposal.model else f"{OFFLINE_MODEL} quick fix: {proposal.note}"
    return new_candidate(script, "quickfix", [current.id], generation, note, proposal.confidence)


def _join_population(population: Population, task: Task, current: Candidate, fix: Candidate, budget: Budget, fixer: str) -> None:
    """The text and its fix join the population (the fix alive, to be a parent); the call's spend is
    counted in the population's totals and recorded as a run of its own."""
    population.attach_task(task)
    stored, _ = population.add(current)
    stored.alive = True
    stored_fix, _ = population.add(fix)
    stored_fix.alive = True
    population.add_spend(budget.spend)
    population.add_run(
        {
            "started_at": now_iso(),
            "finished_at": now_iso(),
            "origin": "quickfix",
            "model": fixer,
            "generations": 0,
            "spend": budget.spend.to_dict(),
            "by_model_and_origin": spend_breakdown(budget),
            "stop_reason": "quick fix",
        }
    )
    population.save()
