"""Caps on language-model use per run (calls, tokens, money) and the running totals.

The caps are never exceeded. Before a call is sent, its worst case is held: the prompt's tokens
(estimated, with a margin) plus the most completion tokens it may use, priced at the model's rates.
When the rest of a cap cannot pay for the model's usual completion limit, the call is sent with a
lower limit that fits; when it cannot pay for a useful reply (`MIN_COMPLETION_TOKENS`), the call
waits for the calls in flight to settle (their real usage is usually far below what they held),
and if none are in flight the budget is spent. A reply's real usage replaces what it held.
"""

from __future__ import annotations

import asyncio
from dataclasses import asdict, dataclass
from typing import Callable

MIN_COMPLETION_TOKENS = 256  # a reply limited to fewer tokens cannot hold a script: not worth a call
PROMPT_MARGIN = 1.1  # prompt token counts are estimates (another tokenizer): hold a little more

# (prompt tokens, completion tokens) -> USD, at the model's rates; None when the model has no price
Price = Callable[[int, int], float]


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


@dataclass(frozen=True)
class Reservation:
    """What one call holds until its reply settles it."""

    tokens: int
    cost_usd: float
    max_completion_tokens: int  # the call must not allow more than this


class Budget:
    """The caps and this run's spend. Not thread-safe: use it from the event loop."""

    def __init__(self, caps: BudgetCaps | None = None):
        self.caps = caps or BudgetCaps()
        self.spend = Spend()
        self._held_tokens = 0
        self._held_cost = 0.0
        self._in_flight = 0
        self._settled: asyncio.Event | None = None
        self._short: str | None = None  # why the rest cannot pay for one more useful call

    def exhausted(self) -> str | None:
        """Why no further call may start, or None."""
        caps, spend = self.caps, self.spend
        if caps.max_calls is not None and spend.calls >= caps.max_calls:
            return f"call budget reached ({spend.calls} of {caps.max_calls} calls)"
        if caps.max_tokens is not None and spend.tokens >= caps.max_tokens:
            return f"token budget reached ({spend.tokens} of {caps.max_tokens} tokens)"
        if caps.max_cost_usd is not None and spend.cost_usd >= caps.max_cost_usd:
            return f"cost budget reached (${spend.cost_usd:.4f} of ${caps.max_cost_usd:.4f})"
        return self._short

    async def acquire(self, prompt_tokens: int, max_completion_tokens: int, price: Price | None = None) -> Reservation | None:
        """Hold the worst case of one chat call, waiting for calls in flight when the rest of a cap
        is held by them. None when the budget cannot pay for a useful call (it is then spent)."""
        while True:
            if self.exhausted():
                return None
            reservation = self._try_reserve(prompt_tokens, max_completion_tokens, price)
            if reservation is not None:
                return reservation
            if self._in_flight == 0:
                self._short = self._shortfall_reason(prompt_tokens)
                return None
            self._settled = self._settled or asyncio.Event()
            self._settled.clear()
            await self._settled.wait()

    def settle(self, reservation: Reservation, prompt_tokens: int = 0, completion_tokens: int = 0, cost_usd: float = 0.0) -> None:
        """A call ended: its real usage (nothing for a failed attempt) replaces what it held."""
        self._held_tokens -= reservation.tokens
        self._held_cost -= reservation.cost_usd
        self._in_flight -= 1
        self.record_usage(prompt_tokens, completion_tokens, cost_usd)
        if self._settled is not None:
            self._settled.set()

    def _try_reserve(self, prompt_tokens: int, max_completion_tokens: int, price: Price | None) -> Reservation | None:
        caps, spend = self.caps, self.spend
        if caps.max_calls is not None and spend.calls >= caps.max_calls:
            return None
        prompt = int(prompt_tokens * PROMPT_MARGIN) + 16
        completion = max_completion_tokens
        if caps.max_tokens is not None:
            completion = min(completion, caps.max_tokens - spend.tokens - self._held_tokens - prompt)
        if caps.max_cost_usd is not None and price is not None:
            room = caps.max_cost_usd - spend.cost_usd - self._held_cost - price(prompt, 0)
            per_token = price(0, 1)
            if per_token > 0:
                completion = min(completion, int(room / per_token))
            elif room < 0:
                completion = -1
        if completion < min(MIN_COMPLETION_TOKENS, max_completion_tokens):
            return None
        cost = price(prompt, completion) if price is not None else 0.0
        reservation = Reservation(prompt + completion, cost, completion)
        self._held_tokens += reservation.tokens
        self._held_cost += reservation.cost_usd
        self._in_flight += 1
        spend.calls += 1
        return reservation

    def _shortfall_reason(self, prompt_tokens: int) -> str:
        caps, spend = self.caps, self.spend
        if caps.max_calls is not None and spend.calls >= caps.max_calls:
            return f"call budget reached ({spend.calls} of {caps.max_calls} calls)"
        if caps.max_tokens is not None and spend.tokens + prompt_tokens + MIN_COMPLETION_TOKENS > caps.max_tokens:
            return (
                f"token budget reached ({spend.tokens} of {caps.max_tokens} tokens; "
                f"another call needs about {prompt_tokens + MIN_COMPLETION_TOKENS})"
            )
        return f"cost budget reached (${spend.cost_usd:.4f} of ${caps.max_cost_usd or 0:.4f}; another call could cost more)"

    def record_usage(self, prompt_tokens: int, completion_tokens: int, cost_usd: float) -> None:
        self.spend.prompt_tokens += prompt_tokens
        self.spend.completion_tokens += completion_tokens
        self.spend.cost_usd += cost_usd

    def record_embedding(self, tokens: int) -> None:
        self.spend.embedding_calls += 1
        self.spend.embedding_tokens += tokens
