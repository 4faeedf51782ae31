"""Caps on language-model use per run (calls, tokens, money, and money over all runs) and the
running totals. Chat and embedding calls count alike against every cap.

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
    max_calls: int | None = None  # chat and embedding calls of this run
    max_tokens: int | None = None  # chat and embedding tokens of this run
    max_cost_usd: float | None = None  # of this run
    max_cost_total_usd: float | None = None  # of every run of the population, this one included


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

    @property
    def all_calls(self) -> int:
        """Chat and embedding calls: what `max_calls` caps."""
        return self.calls + self.embedding_calls

    def to_dict(self) -> dict:
        return {**asdict(self), "tokens": self.tokens}

    @classmethod
    def from_dict(cls, data: dict) -> "Spend":
        fields = {}
        for name, kind in (("calls", int), ("prompt_tokens", int), ("completion_tokens", int), ("cost_usd", float),
                           ("embedding_calls", int), ("embedding_tokens", int), ("failed_replies", int)):
            value = data.get(name, 0) if isinstance(data, dict) else 0
            fields[name] = kind(value) if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0 else kind(0)
        return cls(**fields)

    def add(self, other: "Spend") -> None:
        for name in self.__dataclass_fields__:
            setattr(self, name, getattr(self, name) + getattr(other, name))

    def since(self, earlier: "Spend") -> "Spend":
        """What was spent after `earlier` was copied from this spend (spends only grow)."""
        return Spend(**{name: max(getattr(self, name) - getattr(earlier, name), 0) for name in self.__dataclass_fields__})

    def copy(self) -> "Spend":
        return Spend(**{name: getattr(self, name) for name in self.__dataclass_fields__})


Kind = str  # "chat" or "embedding"
Label = tuple[str, str]  # (model, origin): what a call is counted under in the breakdown


@dataclass(frozen=True)
class Reservation:
    """What one call holds until its reply settles it."""

    tokens: int
    cost_usd: float
    max_completion_tokens: int  # the call must not allow more than this
    kind: Kind = "chat"
    label: Label = ("", "")


class Budget:
    """The caps and this run's spend (`prior` is what earlier runs of the population spent, for
    `max_cost_total_usd`). Not thread-safe: use it from the event loop.

    `by_label` breaks the spend down per (model, origin); `on_settle` is called after every call
    settles, so the spend can be written as it happens."""

    def __init__(self, caps: BudgetCaps | None = None, prior: Spend | None = None):
        self.caps = caps or BudgetCaps()
        self.prior = prior or Spend()
        self.spend = Spend()
        self.by_label: dict[Label, Spend] = {}
        self.on_settle: Callable[[], None] | None = None
        self._held_tokens = 0
        self._held_cost = 0.0
        self._in_flight = 0
        self._settled: asyncio.Event | None = None
        self._short: str | None = None  # why the rest cannot pay for one more useful call

    def exhausted(self) -> str | None:
        """Why no further call may start, or None."""
        caps, spend = self.caps, self.spend
        if caps.max_calls is not None and spend.all_calls >= caps.max_calls:
            return f"budget: {caps.max_calls} calls reached"
        if caps.max_tokens is not None and spend.tokens >= caps.max_tokens:
            return f"budget: {caps.max_tokens} tokens reached ({spend.tokens} used)"
        if caps.max_cost_usd is not None and spend.cost_usd >= caps.max_cost_usd:
            return f"budget: ${caps.max_cost_usd:.4f} reached (${spend.cost_usd:.4f} spent)"
        if caps.max_cost_total_usd is not None and self.prior.cost_usd + spend.cost_usd >= caps.max_cost_total_usd:
            return (f"budget: ${caps.max_cost_total_usd:.4f} over all runs reached "
                    f"(${self.prior.cost_usd + spend.cost_usd:.4f} spent)")
        return self._short

    async def acquire(
        self, prompt_tokens: int, max_completion_tokens: int, price: Price | None = None,
        kind: Kind = "chat", label: Label = ("", ""),
    ) -> Reservation | None:
        """Hold the worst case of one call, waiting for calls in flight when the rest of a cap
        is held by them. None when the budget cannot pay for a useful call (it is then spent).
        An embedding call is `kind="embedding"` with no completion tokens."""
        while True:
            if self.exhausted():
                return None
            reservation = self._try_reserve(prompt_tokens, max_completion_tokens, price, kind, label)
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
        share = self.by_label.setdefault(reservation.label, Spend())
        for spend in (self.spend, share):
            _record(spend, reservation.kind, prompt_tokens, completion_tokens, cost_usd)
        if reservation.kind == "chat":
            share.calls += 1
        else:
            share.embedding_calls += 1
        if self._settled is not None:
            self._settled.set()
        if self.on_settle is not None:
            self.on_settle()

    def _cost_room(self) -> float | None:
        rooms = []
        if self.caps.max_cost_usd is not None:
            rooms.append(self.caps.max_cost_usd - self.spend.cost_usd - self._held_cost)
        if self.caps.max_cost_total_usd is not None:
            rooms.append(self.caps.max_cost_total_usd - self.prior.cost_usd - self.spend.cost_usd - self._held_cost)
        return min(rooms) if rooms else None

    def _try_reserve(self, prompt_tokens: int, max_completion_tokens: int, price: Price | None, kind: Kind, label: Label) -> Reservation | None:
        caps, spend = self.caps, self.spend
        if caps.max_calls is not None and spend.all_calls >= caps.max_calls:
            return None
        prompt = int(prompt_tokens * PROMPT_MARGIN) + 16
        completion = max_completion_tokens
        if caps.max_tokens is not None:
            completion = min(completion, caps.max_tokens - spend.tokens - self._held_tokens - prompt)
        room = self._cost_room()
        if room is not None and price is not None:
            room -= price(prompt, 0)
            per_token = price(0, 1)
            if per_token > 0 and max_completion_tokens > 0:
                completion = min(completion, int(room / per_token))
            elif room < 0:
                completion = -1
        if completion < min(MIN_COMPLETION_TOKENS, max_completion_tokens):
            return None
        cost = price(prompt, completion) if price is not None else 0.0
        reservation = Reservation(prompt + completion, cost, completion, kind, label)
        self._held_tokens += reservation.tokens
        self._held_cost += reservation.cost_usd
        self._in_flight += 1
        if kind == "chat":
            spend.calls += 1
        else:
            spend.embedding_calls += 1
        return reservation

    def _shortfall_reason(self, prompt_tokens: int) -> str:
        caps, spend = self.caps, self.spend
        if caps.max_calls is not None and spend.all_calls >= caps.max_calls:
            return f"budget: {caps.max_calls} calls reached"
        needs = int(prompt_tokens * PROMPT_MARGIN) + 16 + MIN_COMPLETION_TOKENS
        no_cost_cap = caps.max_cost_usd is None and caps.max_cost_total_usd is None
        if caps.max_tokens is not None and (spend.tokens + needs > caps.max_tokens or no_cost_cap):
            return f"budget: {caps.max_tokens} tokens reached ({spend.tokens} used; another call needs about {needs})"
        run_room = caps.max_cost_usd - spend.cost_usd if caps.max_cost_usd is not None else float("inf")
        total_room = caps.max_cost_total_usd - self.prior.cost_usd - spend.cost_usd if caps.max_cost_total_usd is not None else float("inf")
        if total_room < run_room:
            total = self.prior.cost_usd + spend.cost_usd
            return f"budget: ${caps.max_cost_total_usd:.4f} over all runs reached (${total:.4f} spent; another call could cost more)"
        return f"budget: ${caps.max_cost_usd or 0:.4f} reached (${spend.cost_usd:.4f} spent; another call could cost more)"

    def record_usage(self, prompt_tokens: int, completion_tokens: int, cost_usd: float) -> None:
        _record(self.spend, "chat", prompt_tokens, completion_tokens, cost_usd)


def _record(spend: Spend, kind: Kind, prompt_tokens: int, completion_tokens: int, cost_usd: float) -> None:
    if kind == "chat":
        spend.prompt_tokens += prompt_tokens
        spend.completion_tokens += completion_tokens
    else:
        spend.embedding_tokens += prompt_tokens
    spend.cost_usd += cost_usd
