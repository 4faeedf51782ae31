"""Which model writes the next child, when several are given: UCB1 over what each call brought.

A call's value is the improvement its child made over its parents (in parent-selection score:
reward first, secondary fitness within the band), plus a little for any usable new candidate, per
unit of cost (its cost relative to the mean call's: USD when priced, else tokens). Values are
scaled by the largest seen, so the exploration bonus sqrt(2 ln N / n) is on the same scale. Calls
still in flight count as pulls (their value is not known until the generation is scored), so one
generation's calls spread over the models instead of all going to the current leader. A model
whose replies bring nothing is chosen less and less; a model that cannot be called at all (a
refused key, an unknown model), or whose calls failed `MAX_FAILURE_STREAK` times in a row while
another model is still in play, is retired.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Sequence

USABLE_VALUE = 0.01  # a usable new candidate is worth a little even when it improves nothing
MIN_RELATIVE_COST = 0.1  # a call is never counted as (almost) free
MAX_FAILURE_STREAK = 3  # calls failing in a row (after their retries) before a model is retired


@dataclass
class Arm:
    pulls: int = 0
    pending: int = 0
    value: float = 0.0  # sum of (unscaled) values
    retired: str = ""  # why the model is no longer chosen
    failure_streak: int = 0


class ModelBandit:
    def __init__(self, models: Sequence[str]):
        if not models:
            raise ValueError("the bandit needs at least one model")
        self.arms: dict[str, Arm] = {m: Arm() for m in dict.fromkeys(models)}
        self._costs: list[float] = []
        self._best_value = 0.0

    @property
    def active(self) -> list[str]:
        return [m for m, arm in self.arms.items() if not arm.retired]

    def choose(self) -> str:
        active = self.active
        if not active:
            raise LookupError("every model is retired")
        untried = [m for m in active if self.arms[m].pulls + self.arms[m].pending == 0]
        if untried:
            return untried[0]
        total = sum(self.arms[m].pulls + self.arms[m].pending for m in active)

        def ucb(model: str) -> float:
            arm = self.arms[model]
            n = arm.pulls + arm.pending
            mean = (arm.value / arm.pulls / self._best_value) if arm.pulls and self._best_value > 0 else 0.0
            return mean + math.sqrt(2 * math.log(max(total, 1)) / n)

        return max(active, key=ucb)

    def started(self, model: str) -> None:
        self.arms[model].pending += 1

    def observe(self, model: str, gain: float, usable: bool, cost: float, failure: str = "") -> None:
        """A call of `model` settled: `gain` >= 0 over its parents, `cost` in USD or tokens;
        `failure` says why the call itself failed (not a reply without code: a failed call)."""
        arm = self.arms[model]
        arm.failure_streak = arm.failure_streak + 1 if failure else 0
        if arm.failure_streak >= MAX_FAILURE_STREAK and len(self.active) > 1 and not arm.retired:
            arm.retired = f"{arm.failure_streak} calls failed in a row (the last: {failure})"
        arm.pending = max(0, arm.pending - 1)
        arm.pulls += 1
        self._costs.append(max(0.0, cost))
        mean_cost = sum(self._costs) / len(self._costs)
        relative = max(MIN_RELATIVE_COST, cost / mean_cost) if mean_cost > 0 else 1.0
        value = (max(0.0, gain) + (USABLE_VALUE if usable else 0.0)) / relative
        arm.value += value
        self._best_value = max(self._best_value, value)

    def retire(self, model: str, reason: str) -> None:
        arm = self.arms[model]
        arm.retired = reason
        arm.pending = 0

    def summary(self) -> list[dict]:
        return [
            {"model": m, "calls": a.pulls, "mean_value": round(a.value / a.pulls, 6) if a.pulls else 0.0, "retired": a.retired}
            for m, a in self.arms.items()
        ]
