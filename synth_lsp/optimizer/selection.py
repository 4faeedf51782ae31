"""Parent selection: softmax over train reward with a temperature (low = greedy, high = uniform)."""

from __future__ import annotations

import math
import random
from typing import Sequence, TypeVar

T = TypeVar("T")


def softmax(values: Sequence[float], temperature: float) -> list[float]:
    if not values:
        return []
    if temperature <= 0:  # the limit: all mass on the best (shared between ties)
        top = max(values)
        winners = [v == top for v in values]
        return [w / sum(winners) for w in winners]
    top = max(values)  # shift for numerical safety; softmax is invariant to it
    weights = [math.exp((v - top) / temperature) for v in values]
    total = sum(weights)
    return [w / total for w in weights]


def choose(rng: random.Random, items: Sequence[T], rewards: Sequence[float], temperature: float) -> T:
    if not items:
        raise ValueError("cannot choose a parent from an empty population")
    return rng.choices(list(items), weights=softmax(rewards, temperature), k=1)[0]


def choose_two(rng: random.Random, items: Sequence[T], rewards: Sequence[float], temperature: float) -> tuple[T, T]:
    """Two distinct parents, each by softmax (the second drawn from the rest)."""
    if len(items) < 2:
        raise ValueError("crossover needs two parents")
    first = rng.choices(range(len(items)), weights=softmax(rewards, temperature), k=1)[0]
    rest = [i for i in range(len(items)) if i != first]
    second = rng.choices(rest, weights=softmax([rewards[i] for i in rest], temperature), k=1)[0]
    return items[first], items[second]
