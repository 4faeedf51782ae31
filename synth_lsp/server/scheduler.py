"""Run scheduling: debounce, tickets and the run executor.

Runs never touch the event loop: each is a job on this scheduler's own executor (not pygls'
`@server.thread()` pool, which also reads stdin). Every run request takes a ticket; a result
whose ticket is no longer the script's latest is dropped, so what is published always belongs
to the latest text.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types

from synth_lsp.core.task import resolved
from synth_lsp.sandbox.runner import Sandbox, get_sandbox
from synth_lsp.server.background import BackgroundTasks
from synth_lsp.server.documents import ScriptState
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.publisher import Publisher
from synth_lsp.server.runs import RunReport, RunRequest, SupersedableSandbox, examples_path_of, examples_report, execute
from synth_lsp.server.server import SynthLanguageServer

log = logging.getLogger(__name__)
# scripts run at once: a run thread only waits on the sandbox, which shares its workers between
# the runs fairly (a slow script never keeps another's pairs from their turn)
RUN_WORKERS = 6


class RunScheduler:
    def __init__(self, ls: SynthLanguageServer, publisher: Publisher, tasks: BackgroundTasks) -> None:
        self.ls = ls
        self.publisher = publisher
        self.tasks = tasks
        self.executor = ThreadPoolExecutor(max_workers=RUN_WORKERS, thread_name_prefix="synth-run")
        self._sandbox: Sandbox | None = None
        self.closed = False  # after shutdown: nothing more runs

    @property
    def sandbox(self) -> Sandbox:
        # made on first use (the warm-up, or the first run), not at start-up
        if self._sandbox is None:
            self._sandbox = get_sandbox()
        return self._sandbox

    def request_run(self, uri: str, delay_s: float = 0.0) -> None:
        """Run now, or after `delay_s` of quiet (debounce): a newer request replaces a pending one."""
        state = self.ls.states.script(uri)
        state.cancel_timer()
        if delay_s > 0:
            loop = asyncio.get_running_loop()
            state.timer = loop.call_later(delay_s, lambda: self.tasks.spawn(self.run_script(uri)))
        else:
            self.tasks.spawn(self.run_script(uri))

    def rerun_users_of(self, path: Path, delay_s: float = 0.0) -> None:
        for uri in self.ls.states.users_of(path):
            self.request_run(uri, delay_s)

    def rerun_all(self) -> None:
        for uri in list(self.ls.states.scripts):
            self.request_run(uri)

    def shutdown(self) -> None:
        """No more runs: pending ones are dropped, those in flight are stopped inside the sandbox."""
        self.closed = True
        for state in self.ls.states.scripts.values():
            state.cancel_timer()
            state.next_ticket()  # stale: the watchdog kills its workers
        self.executor.shutdown(wait=False, cancel_futures=True)

    def snapshot(self, uri: str) -> RunRequest | None:
        """Everything a run of the document needs, read on the loop (the job runs on a thread)."""
        workspace = self.ls.workspace
        document = workspace.text_documents.get(uri)
        if document is None:
            return None
        path = Path(document.path) if uri.startswith("file:") and document.path else None
        open_examples = {}
        for other in workspace.text_documents.values():
            if other.uri.startswith("file:") and other.uri.endswith(".json") and other.path:
                open_examples[resolved(Path(other.path))] = other.source
        return RunRequest(
            uri=uri,
            version=document.version,
            text=document.source,
            path=path,
            base_limits=self.ls.settings.run_limits(),
            codec=workspace.position_codec,
            open_examples=open_examples,
            examples_max_mb=self.ls.settings.examples_max_mb,
        )

    async def run_script(self, uri: str) -> RunOutcome | None:
        states = self.ls.states
        state = states.scripts.get(uri)
        if state is None or self.closed:
            return None  # closed before its (debounced) run began, or the server is shutting down
        state.timer = None
        request = self.snapshot(uri)
        if request is None:
            return None
        ticket = state.next_ticket()
        if request.path is not None:
            state.examples_path = examples_path_of(request.path, request.text)
        state.running = True
        loop = asyncio.get_running_loop()
        try:
            report = await loop.run_in_executor(self.executor, self._job, request, state, ticket)
        except Exception as exc:  # a bug of ours: say so, keep serving
            log.exception("run of %s failed", uri)
            self.ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"synth-lsp: running {uri} failed: {exc}"))
            return None
        finally:
            if state.ticket == ticket:
                state.running = False
        if report is None or state.ticket != ticket or uri not in states.scripts:
            return None  # superseded by a newer run, or the document closed meanwhile
        self.publisher.publish(state, report)
        # the script's diagnostics are out before the examples file's are even built
        if self.closed:
            return report.outcome
        examples = await loop.run_in_executor(self.executor, examples_report, report)
        if state.ticket == ticket and uri in states.scripts:
            self.publisher.publish_examples(state, report.examples_path, examples)
        return report.outcome

    def _job(self, request: RunRequest, state: ScriptState, ticket: int) -> RunReport | None:
        if state.ticket != ticket:
            return None  # a newer request came in before this one started
        return execute(request, SupersedableSandbox(self.sandbox, lambda: state.ticket != ticket))
