"""What one run spent and found, per model and per origin (mutation, crossover, offline, user,
quickfix, embedding): calls, tokens and cost from the budget's ledger, and the candidates each made and how
many of them improved on their parents (fitter, by reward then secondary fitness, than the best
of their parents)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Iterable

from synth_lsp.optimizer.candidate import Candidate
from synth_lsp.optimizer.population import Population

OFFLINE = "offline"


@dataclass
class Share:
    model: str
    origin: str
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    candidates: int = 0  # new candidates it made in this run
    improvements: int = 0  # of those, fitter than the best of their parents

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "cost_usd": round(self.cost_usd, 6)}


def made_by(candidate: Candidate) -> str:
    """The model that wrote a candidate (its note, for a language model's), or what else made it."""
    if candidate.origin == OFFLINE:
        return OFFLINE
    if candidate.origin in ("mutation", "crossover", "quickfix"):  # a quick fix's note starts with its model too
        return candidate.note.split(" ")[0] if candidate.note else "?"
    return candidate.origin  # the user, or the seed


def improved(candidate: Candidate, population: Population) -> bool:
    parents = [population.get(p) for p in candidate.parents]
    known = [p for p in parents if p is not None]
    if not known:
        return candidate.origin == OFFLINE and candidate.train_reward > 0
    return candidate.fitness > max(p.fitness for p in known)


def breakdown(ledger: Iterable[dict[str, Any]], population: Population, first_generation: int) -> list[Share]:
    """Rows per (model, origin): the ledger's spend, plus the candidates made after `first_generation`."""
    rows: dict[tuple[str, str], Share] = {}
    for entry in ledger:
        key = (str(entry.get("model", "")), str(entry.get("origin", "")))
        row = rows.setdefault(key, Share(*key))
        row.calls += int(entry.get("calls", 0))
        row.tokens += int(entry.get("tokens", 0))
        row.cost_usd += float(entry.get("cost_usd", 0.0))
    for candidate in population.candidates.values():
        if candidate.generation <= first_generation or candidate.origin == "seed":
            continue
        row = rows.setdefault((made_by(candidate), candidate.origin), Share(made_by(candidate), candidate.origin))
        row.candidates += 1
        row.improvements += improved(candidate, population)
    return sorted(rows.values(), key=lambda r: (r.model, r.origin))
