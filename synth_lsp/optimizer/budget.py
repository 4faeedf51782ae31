"""Caps on language-model use per run (calls, tokens, money) and the running totals.

A call is reserved before it is sent, so the call cap is exact even with concurrent calls; tokens
and cost are known only after a reply, so those caps stop new calls once reached (calls already in
flight may overshoot them by at most `concurrency` replies).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class BudgetCaps:
    max_calls: int | None = None
    max_tokens: int | None = None
    max_cost_usd: float | None = None


@dataclass
class Spend:
    calls: int = 0  # chat calls sent (including failed attempts)
    prompt_tokens: int = 0
    completion_tokens: int = 0
    cost_usd: float = 0.0
    embedding_calls: int = 0
    embedding_tokens: int = 0
    failed_replies: int = 0  # replies with no usable script

    @property
    def tokens(self) -> int:
        return self.prompt_tokens + self.completion_tokens + self.embedding_tokens

    def to_dict(self) -> dict:
        return {**asdict(self), "tokens": self.tokens}

    @classmethod
    def from_dict(cls, data: dict) -> "Spend":
        fields = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
        return cls(**fields)

    def add(self, other: "Spend") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))


class Budget:
    """The caps and this run's spend. Not thread-safe: use it from the event loop."""

    def __init__(self, caps: BudgetCaps | None = None):
        self.caps = caps or BudgetCaps()
        self.spend = Spend()

    def exhausted(self) -> str | None:
        """Why no further call may start, or None."""
        caps, spend = self.caps, self.spend
        if caps.max_calls is not None and spend.calls >= caps.max_calls:
            return f"call budget reached ({spend.calls} of {caps.max_calls} calls)"
        if caps.max_tokens is not None and spend.tokens >= caps.max_tokens:
            return f"token budget reached ({spend.tokens} of {caps.max_tokens} tokens)"
        if caps.max_cost_usd is not None and spend.cost_usd >= caps.max_cost_usd:
            return f"cost budget reached (${spend.cost_usd:.4f} of ${caps.max_cost_usd:.4f})"
        return None

    def reserve_call(self) -> bool:
        """Count a call about to be sent; False (and nothing counted) when the budget is spent."""
        if self.exhausted():
            return False
        self.spend.calls += 1
        return True

    def record_usage(self, prompt_tokens: int, completion_tokens: int, cost_usd: float) -> None:
        self.spend.prompt_tokens += prompt_tokens
        self.spend.completion_tokens += completion_tokens
        self.spend.cost_usd += cost_usd

    def record_embedding(self, tokens: int) -> None:
        self.spend.embedding_calls += 1
        self.spend.embedding_tokens += tokens
