"""The evolution feature's view of the server (`evolution.host.EvolutionHost`), implemented over
the server object: the only place where the two meet."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any, Coroutine

from lsprotocol import types
from pygls.progress import Progress

from synth_lsp.core.task import resolved
from synth_lsp.server.background import BackgroundTasks
from synth_lsp.server.code_actions import EditSupport
from synth_lsp.server.evolution.host import OpenDocument
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.server import SynthLanguageServer
from synth_lsp.server.settings import to_wire


class ServerEvolutionHost:
    def __init__(self, ls: SynthLanguageServer, tasks: BackgroundTasks) -> None:
        self.ls = ls
        self.tasks = tasks

    def document(self, uri: str) -> OpenDocument | None:
        document = self.ls.workspace.text_documents.get(uri)
        if document is None:
            return None
        path = resolved(Path(document.path)) if uri.startswith("file:") and document.path else None
        return OpenDocument(uri=uri, version=document.version, text=document.source, path=path)

    def has_script(self, uri: str) -> bool:
        return uri in self.ls.states.scripts

    def latest_outcome(self, uri: str) -> RunOutcome | None:
        state = self.ls.states.scripts.get(uri)
        return state.outcome if state else None

    def edit_support(self) -> EditSupport:
        return self.ls.edit_support()

    def supports_work_done_progress(self) -> bool:
        return self.ls.supports_work_done_progress()

    def wants_status_notifications(self) -> bool:
        return self.ls.features.evolution_status

    def settings_payload(self) -> dict[str, Any]:
        return to_wire(self.ls.settings)

    def spawn(self, coro: Coroutine[Any, Any, Any]) -> asyncio.Task:
        return self.tasks.spawn(coro)

    def notify(self, method: str, payload: dict[str, Any]) -> None:
        self.ls.protocol.notify(method, payload)

    def show_message(self, kind: types.MessageType, message: str) -> None:
        self.ls.window_show_message(types.ShowMessageParams(kind, message))

    async def show_message_request(self, kind: types.MessageType, message: str, actions: list[str]) -> str | None:
        params = types.ShowMessageRequestParams(kind, message, actions=[types.MessageActionItem(title) for title in actions])
        choice = await self.ls.window_show_message_request_async(params)
        return choice.title if choice is not None else None

    async def apply_edit(self, edit: types.WorkspaceEdit, label: str) -> types.ApplyWorkspaceEditResult:
        return await self.ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label=label))

    def refresh_code_lenses(self) -> None:
        if self.ls.supports_code_lens_refresh():
            self.ls.workspace_code_lens_refresh(None)

    @property
    def work_done_progress(self) -> Progress:
        return self.ls.work_done_progress
