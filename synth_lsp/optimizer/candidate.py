"""A candidate script: its identity, where it came from, and how it scored on the task's pairs.

Identity is a short hash of the script's token stream (comments kept, layout ignored), so scripts
that differ only in whitespace are one candidate. Scores come from `evaluate` in the sandbox; the
train pairs' outputs and errors are kept because mutation prompts show them, while test pairs keep
only pass/fail: they are reported, never shown to a model, never used for selection.
"""

from __future__ import annotations

import hashlib
import io
import tokenize
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from typing import Any, Literal

from synth_lsp.core.evaluation import Evaluation, PairVerdict, evaluate, evaluate_many, limits_for
from synth_lsp.optimizer.fitness import FitnessKey, behaviour_signature, mean_credit
from synth_lsp.core.runs import RunLimits
from synth_lsp.sandbox.runner import Sandbox
from synth_lsp.core.script_header import parse_header
from synth_lsp.core.task import Task

Origin = Literal["seed", "mutation", "crossover", "user", "offline", "quickfix"]
ORIGINS: tuple[str, ...] = ("seed", "mutation", "crossover", "user", "offline", "quickfix")  # quickfix: the editor's "Fix with <model>"
MAX_OUTPUT_CHARS = 2000  # of stdout/stderr kept per pair


def normalise_script(script: str) -> str:
    """The script's tokens joined by single spaces, with line and indent structure kept."""
    try:
        parts = []
        for tok in tokenize.generate_tokens(io.StringIO(script).readline):
            if tok.type in (tokenize.NL, tokenize.ENCODING, tokenize.ENDMARKER):
                continue
            if tok.type == tokenize.NEWLINE:
                parts.append("\n")
            elif tok.type == tokenize.INDENT:
                parts.append("<indent>")
            elif tok.type == tokenize.DEDENT:
                parts.append("<dedent>")
            else:
                parts.append(tok.string)
        return " ".join(parts)
    except (tokenize.TokenError, IndentationError, SyntaxError):
        lines = [line.rstrip() for line in script.replace("\r\n", "\n").split("\n")]
        return "\n".join(line for line in lines if line)


def candidate_id(script: str) -> str:
    return hashlib.sha256(normalise_script(script).encode()).hexdigest()[:12]


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class PairResult:
    """One pair's verdict, as stored. `output` and `stderr` are kept for train pairs only."""

    split: str
    index: int
    passed: bool
    reward: float | None
    summary: str  # the diff in one line ("3 of 81 cells differ: ...", "wrong shape: ...")
    error: str | None = None  # "IndexError: list index out of range (line 4)"
    error_kind: str | None = None
    output: Any = None  # what the script produced (train only; None when it failed)
    cells: list[list[Any]] = field(default_factory=list)  # train only: [row, col, expected, actual]
    stdout: str = ""
    stderr: str = ""

    @classmethod
    def from_verdict(cls, verdict: PairVerdict) -> "PairResult":
        error = verdict.error
        where = f" (line {error.range.line})" if error and error.range else ""
        train = verdict.pair.split == "train"
        diff = verdict.diff
        summary = diff.summary() if diff is not None else ("no published answer" if verdict.reward is None else "")
        return cls(
            split=verdict.pair.split,
            index=verdict.pair.index,
            passed=verdict.passed,
            reward=verdict.reward,
            summary=summary,
            error=(error.headline() + where) if error else None,
            error_kind=error.kind if error else None,
            output=verdict.run.result if train else None,
            cells=list(map(list, diff.cells[:200])) if (train and diff) else [],  # a CellDiff is (row, col, expected, actual)
            stdout=verdict.run.stdout[:MAX_OUTPUT_CHARS] if train else "",
            stderr=verdict.run.stderr[:MAX_OUTPUT_CHARS] if train else "",
        )


@dataclass
class Candidate:
    id: str
    script: str
    origin: Origin
    parents: list[str] = field(default_factory=list)
    generation: int = 0
    created_at: str = field(default_factory=now_iso)
    note: str = ""  # e.g. the offline program's description, or the model that wrote it
    confidence: float | None = None  # the offline model's confidence in its program (0-1); None for others
    alive: bool = True  # in the current population (dead ones stay as history)
    train_rewards: list[float] = field(default_factory=list)
    train_reward: float = 0.0
    train_passed: int = 0
    train_total: int = 0
    train_credit: list[float] = field(default_factory=list)  # per train pair, see `fitness`
    train_fitness: float | None = None  # the mean credit; None when scored before it existed
    behaviour: str = ""  # a hash of the train outputs: equal for scripts that behave the same
    test_passed: int = 0
    test_total: int = 0  # test pairs with a published answer
    pairs: list[PairResult] = field(default_factory=list)
    duration_ms: float = 0.0
    task_fingerprint: str = ""  # the task it was scored on; rescored when the examples change
    accepted_by_user: list[dict[str, Any]] = field(default_factory=list)

    @property
    def fits_train(self) -> bool:
        """Every train pair passes (which says nothing yet about the test pairs)."""
        return self.train_total > 0 and self.train_passed == self.train_total

    @property
    def fitness(self) -> FitnessKey:
        """(reward, secondary fitness), compared lexicographically by survival and selection."""
        secondary = self.train_fitness if self.train_fitness is not None else self.train_reward
        return (self.train_reward, secondary)

    def train_results(self) -> list[PairResult]:
        return [p for p in self.pairs if p.split == "train"]

    def test_results(self) -> list[PairResult]:
        return [p for p in self.pairs if p.split == "test"]

    def apply_evaluation(self, evaluation: Evaluation, fingerprint: str) -> "Candidate":
        self.train_rewards = evaluation.train_rewards
        self.train_reward = evaluation.train_reward
        self.train_passed = evaluation.train_passed
        self.train_total = len(evaluation.train)
        self.train_credit, self.train_fitness = mean_credit(evaluation.train)
        self.behaviour = behaviour_signature(evaluation.train)
        self.test_passed = evaluation.test_passed
        self.test_total = len(evaluation.scored_test)
        self.pairs = [PairResult.from_verdict(v) for v in evaluation.train + evaluation.test]
        self.duration_ms = round(evaluation.duration_s * 1000, 2)
        self.task_fingerprint = fingerprint
        return self

    def to_dict(self) -> dict[str, Any]:
        # shallow: the values are only serialised (dataclasses.asdict deep-copies every grid,
        # which made a save of a few hundred candidates take seconds)
        data = {name: getattr(self, name) for name in self.__dataclass_fields__}
        data["script"] = self.script.splitlines()  # one line per line: readable diffs of the JSON
        dead = {"output": None, "cells": [], "stdout": "", "stderr": ""}
        data["pairs"] = [
            {name: getattr(pair, name) for name in PairResult.__dataclass_fields__} | (dead if not self.alive else {})
            for pair in self.pairs
        ]  # only parents need their outputs (for prompts): the dead keep their verdicts, the file stays small
        return data

    @property
    def has_feedback(self) -> bool:
        """Whether the train outputs that prompts show are present (dropped when stored dead)."""
        return all(p.passed or p.error or p.output is not None for p in self.train_results()) and bool(self.pairs)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> "Candidate":
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if isinstance(known.get("script"), list):
            known["script"] = "\n".join(known["script"]) + "\n"
        pairs = data.get("pairs", [])
        if not isinstance(pairs, list) or not all(isinstance(p, dict) for p in pairs):
            raise ValueError("its \"pairs\" must be a list of objects")
        known["pairs"] = [PairResult(**{k: v for k, v in p.items() if k in PairResult.__dataclass_fields__}) for p in pairs]
        if not isinstance(known.get("script"), str) or not isinstance(known.get("id"), str):
            raise ValueError("it needs an \"id\" and a \"script\"")
        for name in _NUMBERS:
            value = known.get(name)
            if name in known and (not isinstance(value, (int, float)) or isinstance(value, bool) or value != value):
                raise ValueError(f"its {name!r} must be a number, got {value!r}")
        confidence = known.get("confidence")
        if not (confidence is None or (isinstance(confidence, (int, float)) and not isinstance(confidence, bool) and 0 <= confidence <= 1)):
            known["confidence"] = None  # optional and only shown: a garbled one is dropped, not fatal
        if known.get("origin") not in ORIGINS:
            raise ValueError(f"unknown origin {known.get('origin')!r} (known: {', '.join(ORIGINS)})")
        return cls(**known)


_NUMBERS = ("generation", "train_reward", "train_passed", "train_total", "test_passed", "test_total", "duration_ms")


def task_fingerprint(task: Task) -> str:
    """A hash of everything that decides scores: pairs, default result, mask, schema."""
    import json

    material = {
        "pairs": [[p.split, p.inputs, p.expected] for p in task.train + task.test],
        "default": task.default_result,
        "mask": task.mask,
        "schema": task.output_schema,
    }
    return hashlib.sha256(json.dumps(material, sort_keys=True, default=str).encode()).hexdigest()[:16]


def score_candidate(
    candidate: Candidate,
    task: Task,
    sandbox: Sandbox | None = None,
    base_limits: RunLimits | None = None,
    fingerprint: str | None = None,
) -> Candidate:
    """Run the candidate on every pair in the sandbox and store the verdicts."""
    evaluation = evaluate(task, candidate.script, limits=candidate_limits(candidate, base_limits), sandbox=sandbox, include_test=True)
    return candidate.apply_evaluation(evaluation, fingerprint or task_fingerprint(task))


def score_candidates(
    candidates: list[Candidate],
    task: Task,
    sandbox: Sandbox,
    base_limits: RunLimits | None = None,
    fingerprint: str | None = None,
) -> list[Candidate]:
    """`score_candidate` of each, those with the same limits in one batch of the sandbox (one
    round trip for all of them, `Sandbox.run_batch`)."""
    fingerprint = fingerprint or task_fingerprint(task)
    groups: dict[RunLimits, list[Candidate]] = {}
    for candidate in candidates:
        groups.setdefault(candidate_limits(candidate, base_limits), []).append(candidate)
    for limits, group in groups.items():
        evaluations = evaluate_many(task, [c.script for c in group], limits, sandbox=sandbox, include_test=True)
        for candidate, evaluation in zip(group, evaluations):
            candidate.apply_evaluation(evaluation, fingerprint)
    return candidates


def candidate_limits(candidate: Candidate, base_limits: RunLimits | None = None) -> RunLimits:
    """A script's `# synth:` header may change its limits, but a generated script (a model's or the
    offline search's) may only tighten them: it must not grant itself more time or memory."""
    base = base_limits or RunLimits()
    limits = limits_for(parse_header(candidate.script), base)
    if candidate.origin not in ("seed", "user"):
        limits = replace(
            limits,
            time_s=min(limits.time_s, base.time_s),
            memory_mb=min(limits.memory_mb, base.memory_mb),
            recursion_depth=min(limits.recursion_depth, base.recursion_depth),
        )
    return limits


def new_candidate(
    script: str, origin: Origin, parents: list[str] | None = None, generation: int = 0, note: str = "", confidence: float | None = None
) -> Candidate:
    if not script.endswith("\n"):
        script += "\n"
    return Candidate(
        id=candidate_id(script), script=script, origin=origin, parents=list(parents or []), generation=generation, note=note, confidence=confidence
    )
