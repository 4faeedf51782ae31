"""Per-document state the server keeps between runs: each script's tickets, pending debounce and
latest outcome, and every script's marks in the examples files (the evolution feature keeps its
own per-script state, in `evolution/state.py`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field
from pathlib import Path

from lsprotocol import types

from synth_lsp.server.outcome import RunOutcome

SCRIPT_SUFFIX = ".synth.py"


@dataclass
class ScriptState:
    uri: str
    ticket: int = 0  # bumped by every new run request; only the latest ticket may publish
    timer: asyncio.TimerHandle | None = None  # pending debounced run
    running: bool = False
    outcome: RunOutcome | None = None  # the latest published run
    diagnostics: list[types.Diagnostic] = field(default_factory=list)
    examples_path: Path | None = None

    def next_ticket(self) -> int:
        self.ticket += 1
        return self.ticket

    def cancel_timer(self) -> None:
        if self.timer is not None:
            self.timer.cancel()
            self.timer = None


@dataclass
class DocumentStates:
    scripts: dict[str, ScriptState] = field(default_factory=dict)
    # examples file -> script uri -> that script's diagnostics in the file
    examples: dict[Path, dict[str, list[types.Diagnostic]]] = field(default_factory=dict)

    def script(self, uri: str) -> ScriptState:
        if uri not in self.scripts:
            self.scripts[uri] = ScriptState(uri)
        return self.scripts[uri]

    def users_of(self, examples_path: Path) -> list[str]:
        return [uri for uri, state in self.scripts.items() if state.examples_path == examples_path]

    def set_examples_diagnostics(self, path: Path, script_uri: str, diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
        """Record one script's diagnostics in an examples file; returns all of that file's."""
        per_script = self.examples.setdefault(path, {})
        per_script[script_uri] = diagnostics
        return [d for items in per_script.values() for d in items]


def is_script(uri: str, language_id: str | None) -> bool:
    if uri.startswith("file:"):
        return uri.endswith(SCRIPT_SUFFIX)
    # untitled and virtual documents: a Python buffer is treated as a script that cannot run
    return language_id == "python" or uri.endswith(SCRIPT_SUFFIX)
