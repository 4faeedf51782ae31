"""What the evolution feature needs from the language server, and nothing more: a Protocol the
wiring layer implements over the server object (`synth_lsp.server.evolution_host`)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Coroutine, Protocol

from lsprotocol import types

from synth_lsp.server.code_actions import EditSupport
from synth_lsp.server.outcome import RunOutcome

if TYPE_CHECKING:
    from pygls.progress import Progress


@dataclass(frozen=True)
class OpenDocument:
    """A document as the editor has it now."""

    uri: str
    version: int | None
    text: str
    path: Path | None  # the resolved file of a `file:` document; None for untitled or virtual ones


class EvolutionHost(Protocol):
    def document(self, uri: str) -> OpenDocument | None:
        """The open document at `uri`, or None when it is not open."""

    def has_script(self, uri: str) -> bool:
        """Whether `uri` is an open script the server runs."""

    def latest_outcome(self, uri: str) -> RunOutcome | None:
        """The latest published run of the script (None before its first)."""

    def edit_support(self) -> EditSupport:
        """What workspace edits the client takes."""

    def supports_work_done_progress(self) -> bool: ...

    def wants_status_notifications(self) -> bool:
        """Whether the client opted in to `synthLsp/evolutionStatus`."""

    def settings_payload(self) -> dict[str, Any]:
        """The current settings as a `synthLsp` section, for a worker process."""

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        """Run a coroutine in the background, held until done."""

    def notify(self, method: str, payload: dict[str, Any]) -> None: ...

    def show_message(self, kind: types.MessageType, message: str) -> None: ...

    async def show_message_request(self, kind: types.MessageType, message: str, actions: list[str]) -> str | None:
        """Ask the user; the title of the action chosen, or None."""

    async def apply_edit(self, edit: types.WorkspaceEdit, label: str) -> types.ApplyWorkspaceEditResult: ...

    def refresh_code_lenses(self) -> None:
        """Ask the client to re-request code lenses, when it supports that."""

    @property
    def work_done_progress(self) -> "Progress":
        """pygls' `$/progress` helper (create_async, begin, report, end, tokens)."""
