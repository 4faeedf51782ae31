"""The JSON-lines protocol between a quick-fix worker and its driver (the language server).

The driver writes one `Job` line (`protocol.Job`: the script, the synthLsp settings, the editor's
text); the worker answers with `StepEvent`s as it goes, then one `FixedEvent` (the fixed script and
its scores) or one `ErrorEvent` (why there is nothing to offer). Stopping a quick fix is killing its
process. Decoding is lenient, as in `protocol.py`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from synth_lsp.workers.protocol import ErrorEvent, decode_line, encode_event

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
    return encode_event(event)


def decode(line: str | bytes) -> QuickFixEvent:
    """The event on a worker's stdout line; ProtocolError for anything else."""
    return decode_line(line, _EVENTS, "the quick-fix worker")
