"""The population stored beside a script as `NAME.synth.population.json`.

Readable JSON (indented; lists of plain values such as grid rows stay on one line) so it can be
diffed and committed. Saved atomically (a temporary file in the same directory, then `os.replace`)
after every generation: a kill at any moment leaves the previous complete file, and the next run
resumes from it. Saving first merges what another process (the language server adding a user edit)
wrote meanwhile, so neither loses the other's candidates.

Dead candidates (pushed out by survival) stay as history: lineage, the user's old scripts and what
was tried remain visible. The history is bounded: past `HISTORY_CAP` dead candidates, the worst of
those nothing needs move to the archive beside it (`population_archive`), still readable.
"""

from __future__ import annotations

import json
import os
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterable

from synth_lsp.core.atomic_file import write_atomically
from synth_lsp.optimizer import population_archive
from synth_lsp.optimizer.piecewise_json import loads_in_pieces
from synth_lsp.optimizer.llm.budget import Spend
from synth_lsp.optimizer.candidate import Candidate, new_candidate, now_iso, score_candidate, task_fingerprint
from synth_lsp.core.runs import RunLimits
from synth_lsp.sandbox.runner import Sandbox
from synth_lsp.core.task import TaskError, read_regular_text
from synth_lsp.core.task import Task, load_task_for_script, population_path_for, script_path_for  # noqa: F401 (path helpers re-exported)

FORMAT = "synth-lsp-population/1"
MAX_POPULATION_MB = 64.0
HISTORY_CAP = 300  # dead candidates kept in the population file
ARCHIVE_BATCH = 100  # moved together once the cap is passed by this many: one archive rewrite per batch
RECENT_GENERATIONS = 20  # the dead of the latest generations stay (a run's report counts them)
LINEAGE_DEPTH = 3  # ancestors of a living candidate stay (its lineage is in its prompts)


class PopulationError(ValueError):
    """The stored population cannot be read; it is left untouched on disk."""


class PopulationNotAFile(PopulationError):
    """Something other than a regular file is at the population's path (a FIFO, a folder): it is
    neither read (a FIFO would block) nor moved aside."""


class Population:
    def __init__(self, path: Path, candidates: Iterable[Candidate] = (), generation: int = 0, totals: Spend | None = None, runs: list[dict] | None = None):
        self.path = Path(path)
        self.candidates: dict[str, Candidate] = {c.id: c for c in candidates}
        self.generation = generation
        self.totals = totals or Spend()
        self.runs: list[dict] = list(runs or [])
        self._task: Task | None = None
        self._texts: dict[str, tuple[tuple, str]] = {}  # candidate id -> (what its text depends on, its text)
        self.archived_ids: set[str] = set()  # moved to the archive by this object's saves
        # another process (the server's quick fix, an evolution worker) may save the same file: a
        # save adds what this object spent since its last save to the totals on disk, and keeps
        # their run records, so two writers add up instead of the last one winning
        self._unsaved_spend = Spend()
        self._own_runs: set[str] = set()  # ids of the run records this object writes

    # -- loading and saving -------------------------------------------------------------------
    @classmethod
    def load(cls, path: Path, pause: Callable[[], None] | None = None, pairs: bool = True) -> "Population":
        """The stored population, or an empty one when the file does not exist yet. `pause` is
        called between candidates (a server thread reading it lets the event loop in);
        `pairs=False` leaves out each candidate's per-pair results (a read-only view that only
        lists and offers candidates: never saved)."""
        path = Path(path)
        if not path.exists():
            return cls(path)
        return cls._from_data(path, _read(path, pause), pause, pairs)

    @classmethod
    def for_script(cls, script_path: Path) -> "Population":
        return cls.load(population_path_for(Path(script_path)))

    @classmethod
    def _from_data(cls, path: Path, data: dict[str, Any], pause: Callable[[], None] | None = None, pairs: bool = True) -> "Population":
        entries = data.get("candidates", [])
        if not isinstance(entries, list):
            raise PopulationError(f"{path}: \"candidates\" must be a list of objects, got {type(entries).__name__}")
        candidates = []
        for number, entry in enumerate(entries, start=1):
            if not isinstance(entry, dict):
                raise PopulationError(f"{path}: candidate {number} is not an object (got {type(entry).__name__})")
            if pause is not None:
                pause()
            if not pairs:
                entry = {k: v for k, v in entry.items() if k != "pairs"}
            try:
                candidates.append(Candidate.from_dict(entry))
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                raise PopulationError(f"{path}: candidate {number} cannot be read ({exc})") from exc
        runs = data.get("runs", [])
        try:
            generation = int(data.get("generation", 0))
        except (TypeError, ValueError) as exc:
            raise PopulationError(f"{path}: \"generation\" must be a whole number ({exc})") from exc
        return cls(path, candidates, generation, Spend.from_dict(data.get("totals", {})), [r for r in runs if isinstance(r, dict)] if isinstance(runs, list) else [])

    def to_dict(self) -> dict[str, Any]:
        return {**self.to_dict_without_candidates(), "candidates": [c.to_dict() for c in self.ranked()]}

    def save(self) -> None:
        # the server (a user's save) and a worker (a generation) may both write: merging what is on
        # disk and replacing it happen under one lock, so neither loses the other's candidates
        with _directory_lock(self.path.parent):
            self._merge_from_disk()
            self._archive_overflow()
            self._write(self.to_text())
            self._unsaved_spend = Spend()

    @property
    def archive_path(self) -> Path:
        return population_archive.archive_path_for(self.path)

    def archived(self) -> tuple[list[Candidate], list[str]]:
        """The candidates moved to the archive, and any of its lines that cannot be read."""
        try:
            return population_archive.read_archive(self.archive_path)
        except population_archive.ArchiveError as exc:
            return [], [str(exc)]

    def _archive_overflow(self, cap: int = HISTORY_CAP, batch: int = ARCHIVE_BATCH) -> int:
        """Move the worst dead candidates nothing needs to the archive, down to `cap` dead; the
        archive is written first, so a crash before the population file is leaves them in both."""
        dead = [c for c in self.ranked() if not c.alive]
        if len(dead) <= cap + batch:
            return 0
        kept = self._needed_ids()
        movable = [c for c in reversed(dead) if c.id not in kept]  # worst first
        moving = movable[: len(dead) - cap]
        if not moving:
            return 0
        try:
            population_archive.append(self.archive_path, script_path_for(self.path).name, moving)
        except (population_archive.ArchiveError, OSError):
            return 0  # the archive cannot take them: they stay here (never dropped)
        for candidate in moving:
            del self.candidates[candidate.id]
            self._texts.pop(candidate.id, None)
        self.archived_ids.update(c.id for c in moving)
        return len(moving)

    def _needed_ids(self) -> set[str]:
        """Dead candidates that stay in the file: the user's, the seed, accepted ones, the latest
        generations' and the ancestors of the living."""
        needed = set()
        recent = self.generation - RECENT_GENERATIONS
        for c in self.candidates.values():
            if c.alive or c.origin in ("user", "seed") or c.accepted_by_user or c.generation > recent:
                needed.add(c.id)
        for c in [c for c in self.candidates.values() if c.alive]:
            current = c
            for _ in range(LINEAGE_DEPTH):
                parent = self.candidates.get(current.parents[0]) if current.parents else None
                if parent is None:
                    break
                needed.update(current.parents)
                current = parent
        return needed

    def to_text(self) -> str:
        """`dump_json(self.to_dict())`, with the text of each dead candidate kept between saves:
        the dead do not change, and the spend is saved after every model call."""
        header = {k: v for k, v in self.to_dict_without_candidates().items()}
        chunks = [self._candidate_text(c) for c in self.ranked()]
        head = [f"  {json.dumps(k)}: {_dump(v, 1, 2)}" for k, v in header.items()]
        body = "[\n" + ",\n".join(chunks) + "\n  ]" if chunks else "[]"
        return "{\n" + ",\n".join(head + [f'  "candidates": {body}']) + "\n}\n"

    def _candidate_text(self, candidate: Candidate) -> str:
        key = (candidate.alive, candidate.task_fingerprint, len(candidate.accepted_by_user), candidate.train_reward, candidate.generation)
        cached = self._texts.get(candidate.id)
        if cached is not None and cached[0] == key and not candidate.alive:
            return cached[1]
        text = "    " + _dump(candidate.to_dict(), 2, 2)
        self._texts[candidate.id] = (key, text)
        return text

    def to_dict_without_candidates(self) -> dict[str, Any]:
        return {
            "format": FORMAT,
            "script": script_path_for(self.path).name,
            "generation": self.generation,
            "totals": self.totals.to_dict(),
            "runs": self.runs,
        }

    def _write(self, text: str) -> None:
        write_atomically(self.path, text)

    def _merge_from_disk(self) -> None:
        if not self.path.exists():
            return
        try:
            other = Population._from_data(self.path, _read(self.path))
        except PopulationError:
            return  # unreadable: ours replaces it (load() already refused it once if it was ours)
        for cid, theirs in other.candidates.items():
            mine = self.candidates.get(cid)
            if mine is None:
                self.candidates[cid] = theirs
            else:
                known = {json.dumps(e, sort_keys=True) for e in mine.accepted_by_user}
                mine.accepted_by_user += [e for e in theirs.accepted_by_user if json.dumps(e, sort_keys=True) not in known]
        self.generation = max(self.generation, other.generation)
        totals = other.totals.copy()
        totals.add(self._unsaved_spend)
        self.totals = totals
        self.runs = merged_runs(self.runs, other.runs, self._own_runs)

    def add_spend(self, spend: Spend) -> None:
        """Count spend of this process in the totals (it reaches the file at the next save)."""
        self.totals.add(spend)
        self._unsaved_spend.add(spend)

    def add_run(self, record: dict[str, Any]) -> dict[str, Any]:
        """A run record of this process; it may go on updating the dict until the run ends."""
        record.setdefault("id", uuid.uuid4().hex[:12])
        self.runs.append(record)
        self._own_runs.add(record["id"])
        return record

    # -- the task -----------------------------------------------------------------------------
    @property
    def task(self) -> Task:
        """The task of the script this population belongs to (loaded on first use)."""
        if self._task is None:
            self._task = load_task_for_script(script_path_for(self.path))
        return self._task

    def attach_task(self, task: Task) -> None:
        self._task = task

    # -- candidates ---------------------------------------------------------------------------
    def get(self, candidate_id: str) -> Candidate | None:
        return self.candidates.get(candidate_id)

    def __contains__(self, candidate_id: str) -> bool:
        """Known here, or archived by this object (a regenerated old script is not a new candidate)."""
        return candidate_id in self.candidates or candidate_id in self.archived_ids

    def __len__(self) -> int:
        return len(self.candidates)

    def add(self, candidate: Candidate) -> tuple[Candidate, bool]:
        """Add a candidate; an identical script already present is returned instead (False)."""
        existing = self.candidates.get(candidate.id)
        if existing is not None:
            return existing, False
        self.candidates[candidate.id] = candidate
        return candidate, True

    def alive(self) -> list[Candidate]:
        return [c for c in self.ranked() if c.alive]

    def ranked(self) -> list[Candidate]:
        """Best first: train reward, then secondary fitness, then the shorter script, then the older."""
        order = {cid: i for i, cid in enumerate(self.candidates)}
        return sorted(self.candidates.values(), key=lambda c: (-c.train_reward, -c.fitness[1], len(c.script), order[c.id]))

    def best(self) -> Candidate | None:
        ranked = self.ranked()
        return ranked[0] if ranked else None

    def stale(self, task: Task) -> list[Candidate]:
        """Candidates scored on other examples (or never scored)."""
        fingerprint = task_fingerprint(task)
        return [c for c in self.candidates.values() if c.task_fingerprint != fingerprint]

    def add_user_edit(self, script: str, sandbox: Sandbox | None = None, limits: RunLimits | None = None, save: bool = True) -> Candidate:
        """The user's version of the script joins the population (scored in the sandbox, origin "user")."""
        candidate = new_candidate(script, "user", generation=self.generation)
        existing = self.candidates.get(candidate.id)
        if existing is not None:
            existing.alive = True
            if save:
                self.save()
            return existing
        if self._task is None:  # the edit's own header decides its examples
            self._task = load_task_for_script(script_path_for(self.path), script)
        score_candidate(candidate, self.task, sandbox, limits)
        self.add(candidate)
        if save:
            self.save()
        return candidate

    def record_accept(self, candidate_id: str, save: bool = True) -> Candidate:
        candidate = self.candidates.get(candidate_id)
        if candidate is None:
            raise KeyError(f"no candidate {candidate_id!r} in {self.path.name}")
        candidate.accepted_by_user.append({"at": now_iso(), "generation": self.generation})
        if save:
            self.save()
        return candidate


def merged_runs(mine: list[dict], theirs: list[dict], own: set[str]) -> list[dict]:
    """The run records on disk (`theirs`) in their order, with this process's own records in their
    latest state, then the records only this process has."""

    def key(record: dict) -> str:
        run_id = record.get("id")
        return run_id if isinstance(run_id, str) else json.dumps(record, sort_keys=True, default=str)

    by_key = {key(r): r for r in mine}
    merged, seen = [], set()
    for record in theirs:
        k = key(record)
        if k not in seen:
            merged.append(by_key[k] if k in own and k in by_key else record)
            seen.add(k)
    merged += [r for r in mine if key(r) not in seen]
    return merged


@contextmanager
def _directory_lock(directory: Path):
    """An exclusive advisory lock on the folder (no stray lock file beside the script)."""
    try:
        import fcntl
    except ImportError:  # not on POSIX: atomic replace alone
        yield
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock


def _read(path: Path, pause: Callable[[], None] | None = None) -> dict[str, Any]:
    try:  # only a regular file: a FIFO at the path would block the reader
        text = read_regular_text(path, MAX_POPULATION_MB, "population file")
    except TaskError as exc:
        if path.exists() and not path.is_file():
            raise PopulationNotAFile(f"{exc}; move it away to evolve this script") from None
        raise PopulationError(str(exc)) from None
    try:  # candidate by candidate: a server thread reading it lets the event loop run meanwhile
        data = loads_in_pieces(text, "candidates", pause)
    except json.JSONDecodeError as exc:
        raise PopulationError(f"{path}:{exc.lineno}:{exc.colno}: the population file is not valid JSON ({exc.msg}); move it aside to start afresh") from exc
    except RecursionError:
        raise PopulationError(f"{path}: the population file is nested too deeply to be a population") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise PopulationError(f"{path}: not a synth-lsp population file (expected \"format\": \"{FORMAT}\")")
    return data


def dump_json(value: Any, indent: int = 2) -> str:
    """Indented JSON where a list of plain values (a grid row, rewards) stays on one line."""
    return _dump(value, 0, indent) + "\n"


def _dump(value: Any, level: int, indent: int) -> str:
    pad, inner = " " * (indent * level), " " * (indent * (level + 1))
    if isinstance(value, dict):
        if not value:
            return "{}"
        items = [f"{inner}{json.dumps(str(k))}: {_dump(v, level + 1, indent)}" for k, v in value.items()]
        return "{\n" + ",\n".join(items) + "\n" + pad + "}"
    if isinstance(value, (list, tuple)):
        if not value:
            return "[]"
        if all(not isinstance(v, (dict, list, tuple)) for v in value):
            if any(isinstance(v, str) for v in value) and len(json.dumps(list(value))) > 100:
                return "[\n" + ",\n".join(inner + json.dumps(v) for v in value) + "\n" + pad + "]"  # lines of text
            return json.dumps(list(value))
        if all(isinstance(v, (list, tuple)) and all(not isinstance(x, (dict, list, tuple)) for x in v) for v in value):
            items = [json.dumps(list(v)) for v in value]
            if len(value) <= 30:  # a grid: one row per line
                return "[\n" + ",\n".join(inner + item for item in items) + "\n" + pad + "]"
            lines, line = [], ""  # a long list of small lists (cell diffs): packed ~100 characters a line
            for item in items:
                if line and len(line) + len(item) > 100:
                    lines.append(line)
                    line = ""
                line += (", " if line else "") + item
            lines.append(line)
            return "[\n" + ",\n".join(inner + text for text in lines) + "\n" + pad + "]"
        items = [inner + _dump(v, level + 1, indent) for v in value]
        return "[\n" + ",\n".join(items) + "\n" + pad + "]"
    return json.dumps(value)
