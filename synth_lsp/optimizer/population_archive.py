"""Where old dead candidates go: `NAME.synth.population.archive.jsonl`, beside the population.

The population file stays bounded (the server reads it after every generation): once its dead
history passes a cap, the worst of the dead that nothing needs any more (not alive, not the
user's or the seed, not accepted, not a recent generation, not an ancestor of a living candidate)
move here, in batches.

Readable JSON lines: a header line `{"format": "synth-lsp-population-archive/1", "script": ...}`,
then one candidate per line, as in the population file. The archive is rewritten atomically
before the population file drops the moved candidates, so a crash between the two leaves a
candidate in both files (never in neither); a candidate already archived is not added twice.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from synth_lsp.core.atomic_file import write_atomically
from synth_lsp.core.task import TaskError, read_regular_text
from synth_lsp.optimizer.candidate import Candidate

ARCHIVE_FORMAT = "synth-lsp-population-archive/1"
ARCHIVE_SUFFIX = ".archive.jsonl"
MAX_ARCHIVE_MB = 512.0


class ArchiveError(ValueError):
    """The archive cannot be read; it is left as it is (nothing is moved into it)."""


def archive_path_for(population_path: Path) -> Path:
    """`NAME.synth.population.json` -> `NAME.synth.population.archive.jsonl`."""
    name = population_path.name
    stem = name.removesuffix(".json")
    return population_path.with_name(stem + ARCHIVE_SUFFIX)


def _read_lines(path: Path) -> list[str]:
    """The archive's lines after its header ([] when there is no archive yet)."""
    if not path.exists() and not path.is_symlink():
        return []
    try:
        text = read_regular_text(path, MAX_ARCHIVE_MB, "population archive")
    except TaskError as exc:
        raise ArchiveError(str(exc)) from None
    lines = text.splitlines()
    if not lines:
        return []
    try:
        header = json.loads(lines[0])
    except json.JSONDecodeError:
        header = None
    if not isinstance(header, dict) or header.get("format") != ARCHIVE_FORMAT:
        raise ArchiveError(
            f'{path}: not a synth-lsp population archive (expected a first line with "format": "{ARCHIVE_FORMAT}")'
        )
    return [line for line in lines[1:] if line.strip()]


def _line_id(line: str) -> str | None:
    try:
        entry = json.loads(line)
    except json.JSONDecodeError:
        return None
    return (
        entry.get("id")
        if isinstance(entry, dict) and isinstance(entry.get("id"), str)
        else None
    )


def append(path: Path, script_name: str, candidates: Iterable[Candidate]) -> int:
    """Add the candidates not archived yet (one atomic rewrite); how many were added."""
    lines = _read_lines(path)
    known = {_line_id(line) for line in lines}
    new = [
        json.dumps(c.to_dict(), separators=(",", ":"))
        for c in candidates
        if c.id not in known
    ]
    if not new:
        return 0
    header = json.dumps({"format": ARCHIVE_FORMAT, "script": script_name})
    write_atomically(path, "\n".join([header, *lines, *new]) + "\n")
    return len(new)


def archived_ids(path: Path) -> set[str]:
    """The ids in the archive (an unreadable archive has none that count)."""
    try:
        return {i for i in map(_line_id, _read_lines(path)) if i is not None}
    except ArchiveError:
        return set()


def read_archive(path: Path) -> tuple[list[Candidate], list[str]]:
    """The archived candidates (oldest first), and a problem per line that cannot be read."""
    candidates: dict[str, Candidate] = {}
    problems = []
    for number, line in enumerate(_read_lines(path), start=2):
        try:
            entry = json.loads(line)
            if not isinstance(entry, dict):
                raise TypeError(f"not an object ({type(entry).__name__})")
            candidate = Candidate.from_dict(entry)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            problems.append(f"{path.name}:{number}: {exc}")
            continue
        candidates.setdefault(candidate.id, candidate)
    return list(candidates.values()), problems
