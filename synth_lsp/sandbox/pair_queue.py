"""Sharing the sandbox's threads (one per worker) fairly between the runs in flight.

Each `run_many` is a batch of pairs. A thread does not take a batch: it takes one pair, then gives
its turn back (a new task at the end of the executor's queue). The pair it takes when its turn
comes is from the batch with the fewest pairs running, then the least worker time used so far (a
quick script's pairs go before a slow one's next), and a batch never has more than `share` pairs
running. So a script whose every pair loops to its time limit holds at most `share` workers for
at most one time limit each, and between its pairs every other script's pairs get their turn:
none waits for a whole slow run, only for a pair of it.
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Executor
from dataclasses import dataclass, field
from typing import Callable, Generic, TypeVar

T = TypeVar("T")


@dataclass(eq=False)
class Batch(Generic[T]):
    run_pair: Callable[[int], T]  # runs pair i, never raises
    size: int
    results: list[T | None] = field(init=False)
    next_index: int = 0
    running: int = 0
    finished: int = 0
    busy_s: float = 0.0  # worker time its finished pairs took
    done: threading.Event = field(default_factory=threading.Event)

    def __post_init__(self) -> None:
        self.results = [None] * self.size

    @property
    def pending(self) -> bool:
        return self.next_index < self.size


class PairQueue:
    def __init__(self, executor: Executor, share: Callable[[], int]):
        self._executor = executor
        self._share = share
        self._lock = threading.Lock()
        self._batches: list[Batch] = []  # oldest first

    def run(self, run_pair: Callable[[int], T], size: int) -> list[T]:
        """Run pairs 0..size-1 with `run_pair` on the executor's threads, fairly; results in order."""
        batch: Batch[T] = Batch(run_pair, size)
        if size == 0:
            return []
        with self._lock:
            self._batches.append(batch)
        for _ in range(min(self._share(), size)):
            self._give_turn()
        batch.done.wait()
        return batch.results  # type: ignore[return-value]

    def _give_turn(self) -> None:
        try:
            self._executor.submit(self._turn)
        except RuntimeError:  # the executor is shutting down: the pairs left run on this thread
            self._turn(inline=True)

    def _take(self, inline: bool = False) -> tuple[Batch, int] | None:
        share = self._share()
        with self._lock:
            ready = [b for b in self._batches if b.pending and (inline or b.running < share)]
            if not ready:
                return None
            batch = min(ready, key=lambda b: (b.running, b.busy_s))  # ties: the first (oldest) of equals
            index = batch.next_index
            batch.next_index += 1
            batch.running += 1
            return batch, index

    def _turn(self, inline: bool = False) -> None:
        while True:
            taken = self._take(inline)
            if taken is None:
                return  # every batch with pairs left is at its share: their own turns come back
            batch, index = taken
            started = time.monotonic()
            try:
                batch.results[index] = batch.run_pair(index)
            finally:
                with self._lock:
                    batch.busy_s += time.monotonic() - started
                    batch.running -= 1
                    batch.finished += 1
                    if batch.finished == batch.size:
                        self._batches.remove(batch)
                        batch.done.set()
                    more = any(b.pending for b in self._batches)
            if not more:
                return
            if not inline:
                self._give_turn()  # the turn goes back to the end of the queue
                return
