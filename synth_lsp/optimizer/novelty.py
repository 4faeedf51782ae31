"""Dominated Novelty Search (Bahlous-Boldi et al., 2025): survival that keeps fit-but-different scripts.

A candidate's competition score is the mean distance to its k nearest candidates that are strictly
fitter (infinite when none is fitter, so the fittest always survive). The population keeps the
`size` candidates with the highest scores: a near-copy of a fitter script scores ~0 and dies, while a
less fit script far from everything fitter survives.

Fitness is compared as given, so a tuple (reward, secondary fitness) is lexicographic. Candidates
tied on their score (typically all of the fittest, at infinity, on a plateau) are thinned by
crowding, never by their position in the list: the one nearest to another of the tie goes first,
until the rest fit, so one behaviour written eight ways keeps one seat. When even the crowding ties
(the distances say nothing), the older candidate goes first: a full population of equals must still
let a child in, or the search stops moving.
"""

from __future__ import annotations

import math
from itertools import groupby
from typing import Any, Callable, Sequence

Distance = Callable[[int, int], float]


def competition_scores(fitness: Sequence[Any], distance: Distance, k: int) -> list[float]:
    if k < 1:
        raise ValueError(f"k (nearest fitter neighbours) must be at least 1, got {k}")
    scores = []
    for i, own in enumerate(fitness):
        fitter = sorted(distance(i, j) for j, other in enumerate(fitness) if other > own)
        scores.append(sum(fitter[:k]) / len(fitter[:k]) if fitter else math.inf)
    return scores


def survivors(
    fitness: Sequence[Any],
    distance: Distance,
    k: int,
    size: int,
    newness: Sequence[float] | None = None,
) -> list[int]:
    """Indices of the `size` candidates with the highest competition scores; a tie that does not
    fit is thinned by crowding (`thin`). `newness` (e.g. the generation) breaks what crowding cannot."""
    if size <= 0:
        return []
    scores = competition_scores(fitness, distance, k)
    newness = list(newness) if newness is not None else [0.0] * len(fitness)
    order = sorted(range(len(fitness)), key=lambda i: -scores[i])
    kept: list[int] = []
    for _, tied in groupby(order, key=lambda i: scores[i]):
        group = list(tied)
        room = size - len(kept)
        if len(group) <= room:
            kept += group
        else:
            kept += thin(group, room, fitness, distance, k, newness)
        if len(kept) >= size:
            break
    return sorted(kept)


def thin(group: list[int], room: int, fitness: Sequence[Any], distance: Distance, k: int, newness: Sequence[float]) -> list[int]:
    """Drop the most crowded member of the group (smallest mean distance to its k nearest others in
    it; then the less fit; then the older) until `room` remain."""
    members = list(group)
    while len(members) > room:
        def crowding(i: int) -> float:
            near = sorted(distance(i, j) for j in members if j != i)[:k]
            return sum(near) / len(near) if near else math.inf

        members.remove(min(members, key=lambda i: (crowding(i), fitness[i], newness[i])))
    return members
