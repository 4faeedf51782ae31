"""Stopping sandbox runs that are no longer wanted while they run, by killing their Monty worker
(the pool replaces it). Monty offers no way to interrupt a feed, and without this a superseded run
that loops holds its worker until its time limit while the run the user waits for queues behind it.
"""

from __future__ import annotations

import os
import signal
import threading
import time
from typing import Callable


class Watchdog:
    """Polls the `should_stop` of each run inside the sandbox and kills the worker of one that
    answers True.

    A run is registered only while its checkout is held, and the kill happens under the same lock
    as the unregistering, so a worker is never killed once it may serve another run."""

    POLL_S = 0.05

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._runs: dict[int, tuple[int, Callable[[], bool]]] = {}  # token -> (worker pid, should_stop)
        self._stopped: set[int] = set()
        self._next = 0
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    def watch(self, pid: int, should_stop: Callable[[], bool]) -> int:
        with self._lock:
            self._next += 1
            self._runs[self._next] = (pid, should_stop)
            if self._thread is None:
                self._thread = threading.Thread(target=self._loop, daemon=True, name="sandbox-watchdog")
                self._thread.start()
        self._wake.set()
        return self._next

    def release(self, token: int) -> bool:
        """Stop watching; True when the run was stopped (its worker killed)."""
        with self._lock:
            self._runs.pop(token, None)
            if token in self._stopped:
                self._stopped.discard(token)
                return True
            return False

    def _loop(self) -> None:
        while True:
            self._wake.wait()
            with self._lock:
                runs = list(self._runs.items())
                if not runs:
                    self._wake.clear()
                    continue
            for token, (pid, should_stop) in runs:
                try:
                    stop = should_stop()
                except Exception:
                    stop = False
                if stop:
                    self._kill(token, pid)
            time.sleep(self.POLL_S)

    def _kill(self, token: int, pid: int) -> None:
        with self._lock:
            if token not in self._runs or token in self._stopped:
                return  # already finished (its worker may be serving someone else now)
            self._stopped.add(token)
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
