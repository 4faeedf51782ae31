"""One budget shared by every task of a batch, plus caps per task.

The batch's caps are checked as tasks report their spend: a task starts with at most what is left,
and once the batch's spend reaches a cap the running tasks are asked to stop (their calls in flight
settle first, so the batch may end a few calls past a cap, never a task past its own)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Caps:
    calls: int | None = None
    tokens: int | None = None
    cost_usd: float | None = None


@dataclass
class Spent:
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0


class BatchBudget:
    def __init__(self, batch: Caps, per_task: Caps):
        self.batch = batch
        self.per_task = per_task
        self._settled = Spent()  # finished tasks
        self._running: dict[str, Spent] = {}

    def spent(self) -> Spent:
        total = Spent(self._settled.calls, self._settled.tokens, self._settled.cost_usd)
        for s in self._running.values():
            total.calls += s.calls
            total.tokens += s.tokens
            total.cost_usd += s.cost_usd
        return total

    def report(self, task: str, calls: int, tokens: int, cost_usd: float) -> None:
        self._running[task] = Spent(calls, tokens, cost_usd)

    def settle(self, task: str, calls: int, tokens: int, cost_usd: float) -> None:
        self._running.pop(task, None)
        self._settled.calls += calls
        self._settled.tokens += tokens
        self._settled.cost_usd += cost_usd

    def exhausted(self) -> str | None:
        """The batch cap reached, in words; None while there is budget left."""
        spent, caps = self.spent(), self.batch
        if caps.calls is not None and spent.calls >= caps.calls:
            return f"batch budget: {caps.calls} calls reached"
        if caps.tokens is not None and spent.tokens >= caps.tokens:
            return f"batch budget: {caps.tokens} tokens reached"
        if caps.cost_usd is not None and spent.cost_usd >= caps.cost_usd:
            return f"batch budget: ${caps.cost_usd:g} reached"
        return None

    def task_caps(self) -> dict[str, float | int | None]:
        """EvolveConfig caps for a task starting now: its own caps, within what the batch has left."""
        spent = self.spent()

        def least(own, batch, used):
            left = None if batch is None else max(0, batch - used)
            options = [v for v in (own, left) if v is not None]
            return min(options) if options else None

        return {
            "max_calls": least(self.per_task.calls, self.batch.calls, spent.calls),
            "max_tokens": least(self.per_task.tokens, self.batch.tokens, spent.tokens),
            "max_cost_usd": least(self.per_task.cost_usd, self.batch.cost_usd, spent.cost_usd),
        }
