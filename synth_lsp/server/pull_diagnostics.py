"""Pull diagnostics (`textDocument/diagnostic`) for the scripts, where the client offers them.

A client that pulls, and can be told to pull again (`workspace/diagnostic/refresh`), gets a
script's diagnostics only through its pulls: the publisher stops pushing them, so nothing is
reported twice. A pull made while the script's run is pending waits for that run (on the event
loop, which goes on serving), so it answers for the text the client has. Every published run
then asks the client to pull again, since a run can follow other files' changes (its examples
file, a setting). The examples files' marks are still pushed: they come from other documents' runs,
and a file need not be open to show them. Clients that only take pushed diagnostics (Neovim 0.7,
eglot 1.9) see no change.
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid

from lsprotocol import types

from synth_lsp.server.documents import ScriptState
from synth_lsp.server.server import SynthLanguageServer

log = logging.getLogger(__name__)
# a pull waits at most this long for a pending run, then answers with what is known (the refresh
# after that run brings the rest)
MAX_WAIT_S = 30.0
OPTIONS = types.DiagnosticOptions(inter_file_dependencies=True, workspace_diagnostics=False, identifier="synth-lsp")

Report = types.RelatedFullDocumentDiagnosticReport | types.RelatedUnchangedDocumentDiagnosticReport


def client_pulls(ls: SynthLanguageServer) -> bool:
    """The client takes pulled diagnostics and can be asked to pull again."""
    caps = ls.client_capabilities
    if caps is None or caps.text_document is None or caps.text_document.diagnostic is None:
        return False
    workspace = caps.workspace.diagnostics if caps.workspace is not None else None
    return bool(workspace and workspace.refresh_support)


class PullDiagnostics:
    def __init__(self, ls: SynthLanguageServer) -> None:
        self.ls = ls
        self._published: dict[str, int] = {}  # uri -> how many runs were published (the result id)
        # result ids of another server process (before a restart) never match this one's
        self._session = uuid.uuid4().hex[:8]
        self._waiters: dict[str, list[asyncio.Future[None]]] = {}

    @property
    def active(self) -> bool:
        return client_pulls(self.ls)

    def published(self, uri: str) -> None:
        """A run of `uri` was published: wake its waiting pulls, ask the client to pull again."""
        self._published[uri] = self._published.get(uri, 0) + 1
        self._wake(uri)
        self.ls.workspace_diagnostic_refresh(None)

    def forget(self, uri: str) -> None:
        self._published.pop(uri, None)
        self._wake(uri)

    async def report(self, params: types.DocumentDiagnosticParams) -> Report:
        uri = params.text_document.uri
        if not self.active or uri not in self.ls.states.scripts:
            return types.RelatedFullDocumentDiagnosticReport(items=[])  # pushed, or nothing to say
        deadline = time.monotonic() + MAX_WAIT_S
        while (state := self.ls.states.scripts.get(uri)) is not None and _pending(state) and time.monotonic() < deadline:
            await self._wait(uri, deadline - time.monotonic())
        if state is None:
            return types.RelatedFullDocumentDiagnosticReport(items=[])  # closed meanwhile
        result_id = f"{self._session}-{self._published.get(uri, 0)}"
        if params.previous_result_id == result_id:
            return types.RelatedUnchangedDocumentDiagnosticReport(result_id=result_id)
        return types.RelatedFullDocumentDiagnosticReport(items=list(state.diagnostics), result_id=result_id)

    async def _wait(self, uri: str, timeout: float) -> None:
        future: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._waiters.setdefault(uri, []).append(future)
        try:
            # re-checked at least every second: a run that ends without publishing wakes nobody
            await asyncio.wait_for(asyncio.shield(future), timeout=min(timeout, 1.0))
        except asyncio.TimeoutError:
            pass
        finally:
            waiters = self._waiters.get(uri, [])
            if future in waiters:
                waiters.remove(future)

    def _wake(self, uri: str) -> None:
        for future in self._waiters.pop(uri, []):
            if not future.done():
                future.set_result(None)


def _pending(state: ScriptState) -> bool:
    """A run of the script is due or under way (or it has never been published)."""
    return state.timer is not None or state.running or state.outcome is None
