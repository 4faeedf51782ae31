"""The JSON-lines protocol between a quick-fix worker and its driver (the language server).

The driver writes one `Job` line (`protocol.Job`: the script, the synthLsp settings, the editor's
text); the worker answers with `StepEvent`s as it goes, then one `FixedEvent` (the fixed script and
its scores) or one `ErrorEvent` (why there is nothing to offer). Stopping a quick fix is killing its
process. Decoding is lenient, as in `protocol.py`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any, Union

from synth_lsp.workers.protocol import ErrorEvent, ProtocolError, event_from

QUICK_FIX_MODULE = "synth_lsp.workers.quick_fix_worker"  # run as `python -m QUICK_FIX_MODULE`


@dataclass(frozen=True)
class StepEvent:
    """What the worker is doing now ("scoring the current script", "asking MODEL", ...)."""

    message: str = ""

    KIND = "step"


@dataclass(frozen=True)
class FixedEvent:
    """The fix: its script (under the user's header) and how it scored (`optimizer.quick_fix.QuickFix`)."""

    script: str = ""
    candidate_id: str = ""
    model: str = ""
    train_passed: int = 0
    train_total: int = 0
    train_reward: float = 0.0
    test_passed: int = 0
    test_total: int = 0
    current_passed: int = 0
    confidence: float | None = None
    note: str = ""

    KIND = "fixed"


QuickFixEvent = Union[StepEvent, FixedEvent, ErrorEvent]
_EVENTS: dict[str, type] = {kind.KIND: kind for kind in (StepEvent, FixedEvent, ErrorEvent)}


def encode(event: QuickFixEvent) -> str:
    return json.dumps({"event": event.KIND, **asdict(event)}, default=str)


def decode(line: str | bytes) -> QuickFixEvent:
    """The event on a worker's stdout line; ProtocolError for anything else."""
    try:
        message: Any = json.loads(line)
    except ValueError as exc:
        raise ProtocolError(f"not JSON: {exc}") from exc
    kind = _EVENTS.get(message.get("event")) if isinstance(message, dict) else None
    if kind is None:
        raise ProtocolError("not an event of the quick-fix worker")
    try:
        return event_from(kind, message)
    except TypeError as exc:
        raise ProtocolError(f"malformed {message.get('event')} event: {exc}") from exc
