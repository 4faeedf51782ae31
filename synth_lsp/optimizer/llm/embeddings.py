"""Distances between candidate scripts for novelty: built-in code similarity, or a litellm embedding model.

Each candidate is profiled or embedded once and cached by its id (embeddings also on disk, beside
the population, when given a store); survival then needs only pairwise distances (no model calls
per pair). With an embedding model, a candidate whose embedding call
failed falls back to the built-in similarity for its distances rather than stopping the run.
"""

from __future__ import annotations

import asyncio
import math
from typing import Protocol, Sequence

from synth_lsp.optimizer import similarity
from synth_lsp.optimizer.llm.budget import Budget
from synth_lsp.optimizer.candidate import Candidate
from synth_lsp.optimizer.embedding_store import EmbeddingStore
from synth_lsp.optimizer.llm.language_model import (
    BudgetExhausted,
    LanguageModelError,
    RetryPolicy,
    call_with_retries,
    import_litellm,
    local_api_key,
)
from synth_lsp.optimizer.llm.pricing import Price, cost_of, litellm_price, usage_of

EMBEDDING_ORIGIN = "embedding"  # what embedding calls are counted under in the spend breakdown


class CodeDistance(Protocol):
    async def prepare(self, candidates: Sequence[Candidate]) -> None:
        """Compute whatever is cached per candidate for those not seen yet."""

    def distance(self, a: Candidate, b: Candidate) -> float:
        """0 for the same code, larger for more different code (at most 1 for these measures)."""


class BuiltinSimilarity:
    """Token 1-4-gram cosine distance (see `similarity`)."""

    def __init__(self) -> None:
        self._profiles: dict[str, similarity.Profile] = {}

    def profile(self, candidate: Candidate) -> similarity.Profile:
        cached = self._profiles.get(candidate.id)
        if cached is None:
            cached = self._profiles[candidate.id] = similarity.profile(candidate.script)
        return cached

    async def prepare(self, candidates: Sequence[Candidate]) -> None:
        for candidate in candidates:
            self.profile(candidate)

    def distance(self, a: Candidate, b: Candidate) -> float:
        return similarity.distance(self.profile(a), self.profile(b))


class EmbeddingDistance:
    """Cosine distance between litellm embeddings, one embedding call per new candidate."""

    def __init__(
        self,
        model: str,
        api_base: str | None = None,
        api_key: str | None = None,
        timeout_s: float = 60.0,
        retry: RetryPolicy | None = None,
        budget: Budget | None = None,
        concurrency: int = 4,
        store: EmbeddingStore | None = None,
        price: Price | None = None,
    ):
        """`price`: the user's price of the embedding model (else litellm's, when it has one)."""
        self.model = model
        self.api_base = api_base or None
        self._api_key = local_api_key(model, self.api_base, api_key)
        self.timeout_s = timeout_s
        self.retry = retry or RetryPolicy()
        self.budget = budget
        self.store = store
        self._vectors: dict[str, list[float]] = store.load() if store is not None else {}
        self._fallback = BuiltinSimilarity()
        self._semaphore = asyncio.Semaphore(max(1, concurrency))
        self.failures: list[str] = []
        self._user_price = price
        self._price: Price | None = price
        self._price_known = price is not None

    def price(self) -> Price | None:
        if not self._price_known:
            self._price, self._price_known = litellm_price(self.model)[0], True
        return self._price

    def __repr__(self) -> str:
        return f"EmbeddingDistance(model={self.model!r}, api_base={self.api_base!r})"

    @property
    def cached(self) -> int:
        return len(self._vectors)

    async def prepare(self, candidates: Sequence[Candidate]) -> None:
        todo = {c.id: c for c in candidates if c.id not in self._vectors}
        await asyncio.gather(*(self._embed(c) for c in todo.values()))
        if self.store is not None and any(cid in self._vectors for cid in todo):
            self.store.save(self._vectors)

    async def _embed(self, candidate: Candidate) -> None:
        """One embedding call, held against the budget like a chat call (no completion tokens). A
        call the budget cannot pay for is not made: the candidate's distances use the built-in
        similarity instead."""
        litellm = import_litellm()
        budget, price = self.budget, self.price()
        estimate = len(candidate.script) // 2 + 8  # generous: about 4 characters a token

        async def call():
            reservation = None
            if budget is not None:
                reservation = await budget.acquire(estimate, 0, price, kind="embedding", label=(self.model, EMBEDDING_ORIGIN))
                if reservation is None:
                    raise BudgetExhausted(budget.exhausted() or "budget reached")
            try:
                response = await litellm.aembedding(
                    model=self.model, input=[candidate.script], api_base=self.api_base, api_key=self._api_key,
                    timeout=self.timeout_s, max_retries=0, num_retries=0,
                )
            except BaseException:
                if reservation is not None:
                    budget.settle(reservation)  # a failed attempt is not billed
                raise
            if reservation is not None:
                tokens = usage_of(response)[0]
                budget.settle(reservation, tokens, 0, cost_of(response, self._user_price))
            return response

        async with self._semaphore:
            try:
                response, _ = await call_with_retries(
                    call, model=self.model, api_base=self.api_base, policy=self.retry, secrets=(self._api_key or "",)
                )
            except BudgetExhausted as exc:
                self.failures.append(f"{candidate.id}: embedding skipped ({exc}); built-in similarity used")
                return
            except LanguageModelError as exc:
                if exc.fatal:
                    raise
                self.failures.append(f"{candidate.id}: {exc}")
                return
        data = response.data[0]
        vector = data["embedding"] if isinstance(data, dict) else data.embedding
        self._vectors[candidate.id] = [float(v) for v in vector]

    def distance(self, a: Candidate, b: Candidate) -> float:
        va, vb = self._vectors.get(a.id), self._vectors.get(b.id)
        if va is None or vb is None:
            return self._fallback.distance(a, b)
        return cosine_distance(va, vb)


def cosine_distance(a: Sequence[float], b: Sequence[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b))
    norm = math.sqrt(sum(x * x for x in a)) * math.sqrt(sum(y * y for y in b))
    return max(0.0, 1.0 - dot / norm) if norm else 1.0
