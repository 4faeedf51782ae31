"""The JSON-lines protocol between an evolution worker and the process that drives it.

Both ends import this module and nothing else of each other (as esbonio's server and agent share
only a types module), so every message is defined once, here:

- the driver writes a `Job` as the worker's first stdin line, then possibly a stop command
  (finish the generation in flight, save, exit); end of input means stop too;
- the worker writes events on stdout: a `ProgressEvent` after every generation, then one
  `FinishedEvent`, or an `ErrorEvent` when the run cannot go on (bad settings, broken examples, a
  model that refuses the key: a restart would fail the same way).

Decoding is lenient on purpose: a missing field takes its default and an unknown one is ignored,
so a driver and a worker one version apart still understand each other.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Mapping, Union

WORKER_MODULE = "synth_lsp.workers.evolution_worker"  # run as `python -m WORKER_MODULE`


class ProtocolError(ValueError):
    """A line that is not a message of this protocol."""


@dataclass(frozen=True)
class Job:
    """What to evolve: the script, the synthLsp settings, and the editor's text when it differs from the file."""

    script: Path
    settings: dict[str, Any] = field(default_factory=dict)
    text: str | None = None

    def encode(self) -> bytes:
        job: dict[str, Any] = {"script": str(self.script), "settings": self.settings}
        if self.text is not None:
            job["text"] = self.text
        return json.dumps(job).encode() + b"\n"

    @classmethod
    def decode(cls, line: str | bytes) -> "Job":
        try:
            job = json.loads(line or "{}")
            script = Path(job["script"])
            settings = job.get("settings") or {}
            text = job.get("text")
        except (ValueError, KeyError, TypeError) as exc:
            raise ProtocolError(f"bad job for the evolution worker: {exc}") from exc
        if text is not None and not isinstance(text, str):
            raise ProtocolError("bad job for the evolution worker: text must be a string")
        if not isinstance(settings, dict):
            raise ProtocolError("bad job for the evolution worker: settings must be an object")
        return cls(script, settings, text)


STOP_LINE = b'{"command": "stop"}\n'


def is_stop(line: str | bytes) -> bool:
    """Whether a later stdin line of the worker is the stop command."""
    try:
        message = json.loads(line)
    except ValueError:
        return False
    return isinstance(message, dict) and message.get("command") == "stop"


@dataclass(frozen=True)
class ProgressEvent:
    """After every generation (the fields of the optimizer's `Progress`)."""

    state: str = "running"  # "running", "finished", "stopped"
    generation: int = 0
    generations: int = 0  # the generation this run will stop at, at the latest
    best_id: str = ""
    best_reward: float = 0.0
    best_train_passed: int = 0
    train_total: int = 0
    population_size: int = 0
    candidates: int = 0
    new_candidates: int = 0
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0  # this run
    message: str = ""
    run_generation: int = 0  # generations this run has made so far ...
    run_generations: int = 0  # ... of the ones it was asked for
    total_cost_usd: float = 0.0  # over every run of the population

    KIND = "progress"


@dataclass(frozen=True)
class FinishedEvent:
    """The run ended normally (fitted, patience or budget spent, or stopped when asked)."""

    best_id: str = ""
    best_reward: float = 0.0
    best_train_passed: int = 0
    train_total: int = 0
    improved: bool = False
    stop_reason: str = ""
    generations_run: int = 0
    failures: list[str] = field(default_factory=list)

    KIND = "finished"


@dataclass(frozen=True)
class ErrorEvent:
    """The run cannot go on; `message` says what to fix."""

    message: str = "the evolution worker failed"

    KIND = "error"


Event = Union[ProgressEvent, FinishedEvent, ErrorEvent]
_EVENTS: dict[str, type] = {kind.KIND: kind for kind in (ProgressEvent, FinishedEvent, ErrorEvent)}


def event_from(kind: type, values: Mapping[str, Any]) -> Event:
    """An event of `kind` from a mapping that may hold more (e.g. `asdict` of the optimizer's Progress)."""
    names = {f.name for f in fields(kind)}
    return kind(**{key: value for key, value in values.items() if key in names})


def encode_event(event: Any) -> str:
    """One JSON line: the event's kind and its fields (any worker's event dataclass)."""
    return json.dumps({"event": event.KIND, **asdict(event)}, default=str)


def decode_event(line: str | bytes) -> Event:
    """The event on an evolution worker's stdout line; ProtocolError for anything else."""
    return decode_line(line, _EVENTS, "the evolution worker")


def decode_line(line: str | bytes, events: dict[str, type], worker: str) -> Any:
    """The event of one of `events` (by kind) on a worker's stdout line; ProtocolError otherwise."""
    try:
        message = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    kind = events.get(message.get("event")) if isinstance(message, dict) else None
    if kind is None:
        raise ProtocolError(f"not an event of {worker}")
    try:
        return event_from(kind, message)
    except TypeError as exc:
        raise ProtocolError(f"malformed {message.get('event')} event: {exc}") from exc
