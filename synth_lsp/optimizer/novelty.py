"""Dominated Novelty Search (Bahlous-Boldi et al., 2025): survival that keeps fit-but-different scripts.

A candidate's competition score is the mean distance to its k nearest candidates that are strictly
fitter (infinite when none is fitter, so the fittest always survive). The population keeps the
`size` candidates with the highest scores: a near-copy of a fitter script scores ~0 and dies, while a
less fit script far from everything fitter survives.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Sequence


@dataclass(frozen=True)
class Competitor:
    fitness: float
    score: float  # mean distance to the k nearest fitter competitors (inf when none)


def competition_scores(fitness: Sequence[float], distance: Callable[[int, int], float], k: int) -> list[float]:
    if k < 1:
        raise ValueError(f"k (nearest fitter neighbours) must be at least 1, got {k}")
    scores = []
    for i, own in enumerate(fitness):
        fitter = sorted(distance(i, j) for j, other in enumerate(fitness) if other > own)
        scores.append(sum(fitter[:k]) / len(fitter[:k]) if fitter else math.inf)
    return scores


def survivors(fitness: Sequence[float], distance: Callable[[int, int], float], k: int, size: int) -> list[int]:
    """Indices of the `size` candidates with the highest competition scores (fitter first on ties)."""
    scores = competition_scores(fitness, distance, k)
    order = sorted(range(len(fitness)), key=lambda i: (-scores[i], -fitness[i], i))
    return sorted(order[: max(0, size)])
