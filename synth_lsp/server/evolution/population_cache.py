"""The stored populations, read from disk only when their file changed, and the task fingerprint
of the latest tasks (candidates are scored against a fingerprint of the examples)."""

from __future__ import annotations

import logging
from stat import S_ISREG
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the optimizer is imported on first use, not at server start-up
    from synth_lsp.core.task import Task
    from synth_lsp.optimizer.population import Population

log = logging.getLogger(__name__)

FileStamp = tuple[int, int]  # (mtime_ns, size) of the population file
MAX_POPULATION_BYTES = 64 * 1024 * 1024


@dataclass
class _Cached:
    stamp: FileStamp
    population: "Population"


class PopulationCache:
    def __init__(self) -> None:
        self._stored: dict[Path, _Cached] = {}
        self._fingerprints: dict[int, tuple["Task", str]] = {}
        self._warned: dict[Path, str] = {}  # the last problem logged per file (editors ask often)

    def _warn_once(self, file: Path, message: str) -> None:
        if self._warned.get(file) != message:
            self._warned[file] = message
            log.warning("%s", message[:300])

    def population(self, path: Path) -> "Population | None":
        """The stored population of the script at `path`, re-read only when the file changed."""
        from synth_lsp.core.task import population_path_for

        file = population_path_for(path)
        try:
            stat = file.stat()
        except OSError:
            self._stored.pop(path, None)
            return None  # no population: the optimizer is not even imported
        if not S_ISREG(stat.st_mode) or stat.st_size > MAX_POPULATION_BYTES:
            self._warn_once(file, f"{file} is not a regular file of at most {MAX_POPULATION_BYTES >> 20} MB: not read")
            return None  # a FIFO would block the event loop; a huge file would stall it
        from synth_lsp.optimizer.population import Population, PopulationError

        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._stored.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached.population
        try:
            population = Population.load(file)
        except PopulationError as exc:
            self._warn_once(file, str(exc))
            return None
        except Exception as exc:  # whatever else is wrong with the file, the editor's requests go on
            self._warn_once(file, f"{file}: cannot read the population: {type(exc).__name__}: {exc}")
            return None
        self._stored[path] = _Cached(stamp, population)
        return population

    def fingerprint(self, task: "Task") -> str:
        from synth_lsp.optimizer.candidate import task_fingerprint

        key = id(task)
        cached = self._fingerprints.get(key)
        if cached is None or cached[0] is not task:
            cached = (task, task_fingerprint(task))
            self._fingerprints = {key: cached}  # only the latest tasks matter
        return cached[1]
