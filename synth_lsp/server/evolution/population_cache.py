"""The stored populations, read from disk only when their file changed, and the task fingerprint
of the latest tasks (candidates are scored against a fingerprint of the examples).

The event loop only stats the file (cheap, and a FIFO or a huge file is refused there); reading
and parsing it happen on the cache's own thread, once per version of the file (its mtime and
size), however many requests ask meanwhile. The ranking is kept with it: code actions and lenses
are asked for on every keystroke."""

from __future__ import annotations

import asyncio
import logging
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from stat import S_ISREG
from typing import TYPE_CHECKING, Callable

if TYPE_CHECKING:  # the optimizer is imported on first use, not at server start-up
    from synth_lsp.core.task import Task
    from synth_lsp.optimizer.candidate import Candidate
    from synth_lsp.optimizer.population import Population

log = logging.getLogger(__name__)

FileStamp = tuple[int, int]  # (mtime_ns, size) of the population file
MAX_POPULATION_BYTES = 64 * 1024 * 1024


@dataclass
class Stored:
    """One version of a population file, read, with its candidates ranked best first."""

    stamp: FileStamp
    population: Population  # a view without per-pair results: listed and offered from, never saved
    ranked: list[Candidate] = field(default_factory=list)


class PopulationCache:
    def __init__(self) -> None:
        self._stored: dict[Path, Stored] = {}
        self._loading: dict[tuple[Path, FileStamp], asyncio.Future] = {}
        self._fingerprints: dict[int, tuple[Task, str]] = {}
        self._warned: dict[Path, str] = {}  # the last problem logged per file (editors ask often)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-population-read")
        self.listeners: list[Callable[[], None]] = []  # told when a newer version of a file is in
        self._stale: set[Path] = set()  # files answered from their previous version meanwhile

    def _warn_once(self, file: Path, message: str) -> None:
        if self._warned.get(file) != message:
            self._warned[file] = message
            log.warning("%s", message[:300])

    def _stamp(self, path: Path) -> tuple[Path, FileStamp | None]:
        """The population file of the script at `path` and its stamp; None when there is none to read."""
        from synth_lsp.core.task import population_path_for

        file = population_path_for(path)
        try:
            stat = file.stat()
        except OSError:
            self._stored.pop(path, None)
            return file, None  # no population: the optimizer is not even imported
        if not S_ISREG(stat.st_mode) or stat.st_size > MAX_POPULATION_BYTES:
            self._warn_once(file, f"{file} is not a regular file of at most {MAX_POPULATION_BYTES >> 20} MB: not read")
            return file, None  # a FIFO would block the reader; a huge file would stall it
        return file, (stat.st_mtime_ns, stat.st_size)

    def exists(self, path: Path) -> bool:
        """Whether the script at `path` has a population file that can be read (a stat, no read)."""
        return self._stamp(path)[1] is not None

    async def stored(self, path: Path, wait_s: float | None = None) -> Stored | None:
        """The stored population and its ranking, read off the event loop when the file changed.
        `wait_s` (code actions and lenses, asked for all the time): when a changed file's read
        takes longer than that, the previous version answers, and the listeners hear when the new
        one is in (so the editor asks again). None: wait for the read."""
        file, stamp = self._stamp(path)
        if stamp is None:
            return None
        cached = self._stored.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached
        in_flight = (path, stamp) in self._loading
        future = self._reading(path, file, stamp)
        if cached is not None and wait_s is not None and in_flight:
            self._stale.add(path)  # an earlier request already waited for this read: no one waits twice
            return cached
        if cached is not None and wait_s is not None:
            try:
                return self._keep(path, await asyncio.wait_for(asyncio.shield(future), wait_s))
            except asyncio.TimeoutError:
                self._stale.add(path)  # the listeners hear when the newer version is in
                return cached
        return self._keep(path, await asyncio.shield(future))

    def _reading(self, path: Path, file: Path, stamp: FileStamp) -> asyncio.Future:
        """The read of this version of the file: one, however many requests wait for it."""
        key = (path, stamp)
        future = self._loading.get(key)
        if future is None:
            future = asyncio.get_running_loop().run_in_executor(self.executor, self._read, file, stamp)
            self._loading[key] = future
            future.add_done_callback(lambda done: self._read_done(path, key, done))
        return future

    def _read_done(self, path: Path, key: tuple[Path, FileStamp], done: asyncio.Future) -> None:
        self._loading.pop(key, None)
        if done.cancelled() or done.exception() is not None:
            return
        self._keep(path, done.result())
        if path in self._stale:
            self._stale.discard(path)
            for listener in self.listeners:
                listener()

    def _keep(self, path: Path, stored: Stored | None) -> Stored | None:
        if stored is not None:
            current = self._stored.get(path)
            if current is None or (current.stamp != stored.stamp and stored.stamp[0] >= current.stamp[0]):
                self._stored[path] = stored  # never an older version over a newer one
        return stored

    def _read(self, file: Path, stamp: FileStamp) -> Stored | None:
        """On the cache's thread: parse and rank one version of the file."""
        from synth_lsp.optimizer.population import Population, PopulationError

        try:  # a pause between candidates: the event loop takes the GIL at once when it needs it
            population = Population.load(file, pause=_let_others_run, pairs=False)  # offers need no pair results
        except PopulationError as exc:
            self._warn_once(file, str(exc))
            return None
        except Exception as exc:  # whatever else is wrong with the file, the editor's requests go on
            self._warn_once(file, f"{file}: cannot read the population: {type(exc).__name__}: {exc}")
            return None
        return Stored(stamp, population, population.ranked())

    def fingerprint(self, task: Task) -> str:
        from synth_lsp.optimizer.candidate import task_fingerprint

        key = id(task)
        cached = self._fingerprints.get(key)
        if cached is None or cached[0] is not task:
            cached = (task, task_fingerprint(task))
            self._fingerprints = {key: cached}  # only the latest tasks matter
        return cached[1]


def _let_others_run() -> None:
    time.sleep(0)  # releases the GIL: a thread waiting for it (the event loop) runs now
