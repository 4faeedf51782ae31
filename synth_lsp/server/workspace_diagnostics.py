"""Workspace diagnostics (setting `workspaceDiagnostics`, off by default): every `.synth.py` of the
workspace that is not open is run once from disk, so the Problems panel shows every script's state
without opening it. Pushed, for every client (the open documents keep their own diagnostics,
pushed or pulled; a file that opens is handed over to them, and one that closes comes back here).

Low priority, bounded: one script at a time, on a thread of its own (never the open documents' run
threads), and only while no open document's run is due or under way; a workspace run caught by one
is stopped inside the sandbox and queued again, so an edit never waits for the pass. The walk of
the folders stops at `MAX_SCRIPTS`. A script whose examples file is broken gets that file's problem
as its diagnostic, and the pass goes on.
"""

from __future__ import annotations

import asyncio
import logging
import os
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lsprotocol import types
from pygls import uris

from synth_lsp.core.task import TaskError, read_regular_text, resolved
from synth_lsp.server.diagnostics import SOURCE
from synth_lsp.server.documents import SCRIPT_SUFFIX, ScriptState
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.publisher import Publisher
from synth_lsp.server.runs import (
    RunReport,
    RunRequest,
    SupersedableSandbox,
    examples_report,
    execute,
)
from synth_lsp.server.scheduler import RunScheduler
from synth_lsp.server.server import SynthLanguageServer

log = logging.getLogger(__name__)
MAX_SCRIPTS = 5000  # the walk stops here: a huge tree must not keep the server busy
MAX_SCRIPT_MB = 1.0  # a script is a few kB
SKIPPED_DIRS = {"node_modules", "__pycache__", "site-packages"}  # and every hidden folder (.git, .venv)
EXAMPLES_FLUSH_S = 1.0
IDLE_POLL_S = 0.05  # how often a waiting pass looks whether the open documents' runs are done


class WorkspaceDiagnostics:
    def __init__(self, ls: SynthLanguageServer, runs: RunScheduler, publisher: Publisher) -> None:
        self.ls = ls
        self.runs = runs
        self.publisher = publisher
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-workspace")
        self._queue: list[Path] = []  # scripts to run, in order; each at most once
        self._queued: set[Path] = set()
        self._shown: dict[Path, str] = {}  # script -> the uri its pushed diagnostics went to
        self._examples: dict[Path, Path] = {}  # script -> its examples file (to rerun on change)
        self._outcomes: dict[str, RunOutcome] = {}  # uri -> its latest run (for a hover on its marks)
        self._wake = asyncio.Event()
        self._pending_marks: dict[str, tuple[Path | None, list[types.Diagnostic]]] = {}
        self._flush: asyncio.TimerHandle | None = None
        self._task: asyncio.Task | None = None
        self._generation = 0  # bumped when the pass is turned off: runs of an older one are stale
        self.closed = False
        self._was_enabled = False
        self.ran = 0  # scripts run so far (for the log and the benchmark)

    @property
    def enabled(self) -> bool:
        return self.ls.settings.workspace_diagnostics and not self.closed

    # -- what the handlers tell it ------------------------------------------------------------
    def settings_changed(self, runs_affected: bool = False) -> None:
        """Start the pass when the setting goes on (again when the run limits changed); clear
        what it showed when it goes off."""
        was, self._was_enabled = self._was_enabled, self.enabled
        if self.enabled:
            if not was or runs_affected:
                self._start()
        elif was:
            self._generation += 1
            self._queue.clear()
            self._queued.clear()
            for path in list(self._shown):
                self._clear(path)

    def opened(self, uri: str) -> None:
        """The editor's document takes over: what the pass pushed for it goes."""
        path = _path_of(uri)
        if path is not None and path in self._shown:
            self._clear(path)

    def closed_document(self, uri: str) -> None:
        path = _path_of(uri)
        if self.enabled and path is not None and path.name.endswith(SCRIPT_SUFFIX):
            self._enqueue([path])

    def files_changed(self, changes: Iterable[types.FileEvent]) -> None:
        if not self.enabled:
            return
        for change in changes:
            path = _path_of(change.uri)
            if path is None:
                continue
            if path.name.endswith(SCRIPT_SUFFIX):
                if change.type == types.FileChangeType.Deleted:
                    self._clear(path)
                else:
                    self._enqueue([path])
            else:  # an examples file: the scripts that use it
                self._enqueue([script for script, examples in self._examples.items() if examples == path])

    def outcome_of(self, uri: str) -> RunOutcome | None:
        """The latest run of a script the pass showed (a hover on its marks in an examples file)."""
        return self._outcomes.get(uri)

    def stop(self) -> None:
        self.closed = True
        self._generation += 1
        if self._task is not None:
            self._task.cancel()
        self.executor.shutdown(wait=False, cancel_futures=True)

    # -- the pass -------------------------------------------------------------------------------
    def _start(self) -> None:
        if self._task is None or self._task.done():
            self._task = asyncio.get_running_loop().create_task(self._serve())
        generation = self._generation
        loop = asyncio.get_running_loop()
        future = loop.run_in_executor(self.executor, find_scripts, self._roots(), MAX_SCRIPTS)
        future.add_done_callback(lambda done: self._found(done, generation))

    def _found(self, done: asyncio.Future, generation: int) -> None:
        if done.cancelled() or generation != self._generation or not self.enabled:
            return
        if done.exception() is not None:
            log.warning("workspace diagnostics: could not list the scripts: %s", done.exception())
            return
        scripts, truncated = done.result()
        if truncated:
            self._log(f"workspace diagnostics: the first {MAX_SCRIPTS} scripts only")
        self._enqueue(scripts)

    def _enqueue(self, paths: Iterable[Path]) -> None:
        for path in paths:
            if path not in self._queued:
                self._queued.add(path)
                self._queue.append(path)
        self._wake.set()

    async def _serve(self) -> None:
        started = time.monotonic()
        while not self.closed:
            if not self._queue:
                if self.ran:
                    self._log(f"workspace diagnostics: {self.ran} script(s) run in {time.monotonic() - started:.1f} s")
                self._wake.clear()
                await self._wake.wait()
                started = time.monotonic()
                continue
            await self._until_idle()
            if not self._queue:
                continue
            path = self._queue.pop(0)
            self._queued.discard(path)
            if not self.enabled or self._is_open(path):
                continue
            try:
                await self._run(path)
            except Exception:  # a bug of ours: this script is skipped, the pass goes on
                log.exception("workspace diagnostics: running %s failed", path)

    async def _until_idle(self) -> None:
        while not self.closed and self._busy():
            await asyncio.sleep(IDLE_POLL_S)

    def _busy(self) -> bool:
        """An open document's run is due or under way (read from any thread)."""
        try:
            return any(state.running or state.timer is not None for state in list(self.ls.states.scripts.values()))
        except RuntimeError:  # the loop changed the dict meanwhile: ask again later
            return True

    async def _run(self, path: Path) -> None:
        generation, uri = self._generation, uris.from_fs_path(str(path)) or path.as_uri()
        yielded = threading.Event()

        def stale() -> bool:
            if generation != self._generation or self.closed or self._is_open(path):
                return True
            if self._busy():  # an open document wants the sandbox: make way, come back later
                yielded.set()
                return True
            return False

        loop = asyncio.get_running_loop()
        report = await loop.run_in_executor(self.executor, self._job, path, uri, stale)
        if yielded.is_set() and generation == self._generation:
            self._enqueue([path])
            return
        if report is None or generation != self._generation or not self.enabled or self._is_open(path):
            return
        self.ran += 1
        if isinstance(report, str):  # the script itself cannot be read
            self._push(path, uri, [types.Diagnostic(types.Range(types.Position(0, 0), types.Position(0, 1)), report, types.DiagnosticSeverity.Warning, code="script", source=SOURCE)])
            return
        self._push(path, uri, report.script_diagnostics)
        self._outcomes[uri] = report.outcome
        if report.examples_path is not None:
            self._examples[path] = report.examples_path
        marks = await loop.run_in_executor(self.executor, examples_report, report)
        if generation == self._generation and self.enabled and not self._is_open(path):
            self._examples_marks(uri, report.examples_path, marks)

    def _examples_marks(self, uri: str, examples: Path | None, marks: list[types.Diagnostic]) -> None:
        """Many scripts may share an examples file: their marks in it go out together, at most
        once every `EXAMPLES_FLUSH_S` (each push carries the file's whole union)."""
        self._pending_marks[uri] = (examples, marks)
        if self._flush is None:
            self._flush = asyncio.get_running_loop().call_later(EXAMPLES_FLUSH_S, self._flush_marks)

    def _flush_marks(self) -> None:
        self._flush = None
        pending, self._pending_marks = self._pending_marks, {}
        last_by_file: dict[Path | None, tuple[str, list[types.Diagnostic]]] = {}
        for uri, (examples, marks) in pending.items():
            if examples is not None and not self._stale_uri(uri):
                self.ls.states.set_examples_diagnostics(examples, uri, marks)  # recorded; sent once below
                last_by_file[examples] = (uri, marks)
        for examples, (uri, marks) in last_by_file.items():
            self.publisher.publish_examples(ScriptState(uri), examples, marks)

    def _stale_uri(self, uri: str) -> bool:
        path = _path_of(uri)
        return path is None or path not in self._shown or not self.enabled

    def _job(self, path: Path, uri: str, stale) -> RunReport | str | None:
        if stale():
            return None
        try:
            text = read_regular_text(path, MAX_SCRIPT_MB, "script")
        except TaskError as exc:
            return f"cannot run: {exc}"
        request = RunRequest(
            uri=uri,
            version=None,
            text=text,
            path=path,
            base_limits=self.ls.settings.run_limits(),
            codec=self.ls.workspace.position_codec,
            open_examples=self._open_examples(),
            examples_max_mb=self.ls.settings.examples_max_mb,
        )
        return execute(request, SupersedableSandbox(self.runs.sandbox, stale))

    # -- helpers ------------------------------------------------------------------------------
    def _push(self, path: Path, uri: str, diagnostics: list[types.Diagnostic]) -> None:
        self._shown[path] = uri
        self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=diagnostics))

    def _clear(self, path: Path) -> None:
        uri = self._shown.pop(path, None)
        if uri is None:
            return
        self._pending_marks.pop(uri, None)
        self._outcomes.pop(uri, None)
        self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        self.publisher.publish_examples(ScriptState(uri), None, [])

    def _is_open(self, path: Path) -> bool:
        try:
            documents = list(self.ls.workspace.text_documents.values())
        except RuntimeError:
            return False
        return any(doc.path and resolved(Path(doc.path)) == path for doc in documents)

    def _open_examples(self) -> dict[Path, str]:
        try:
            documents = list(self.ls.workspace.text_documents.values())
        except RuntimeError:
            documents = []
        return {resolved(Path(doc.path)): doc.source for doc in documents if doc.uri.startswith("file:") and doc.uri.endswith(".json") and doc.path}

    def _roots(self) -> list[Path]:
        workspace = self.ls.workspace
        roots = [uris.to_fs_path(folder.uri) for folder in workspace.folders.values()]
        if not roots and workspace.root_path:
            roots = [workspace.root_path]
        return [Path(root) for root in roots if root]

    def _log(self, message: str) -> None:
        self.ls.window_log_message(types.LogMessageParams(types.MessageType.Info, message))


def find_scripts(roots: list[Path], limit: int) -> tuple[list[Path], bool]:
    """The `.synth.py` files under the roots (hidden and dependency folders skipped), at most `limit`."""
    found: list[Path] = []
    seen: set[Path] = set()
    for root in roots:
        for folder, dirs, files in os.walk(root):
            dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d not in SKIPPED_DIRS)
            for name in sorted(files):
                if name.endswith(SCRIPT_SUFFIX) and len(name) > len(SCRIPT_SUFFIX):
                    path = resolved(Path(folder) / name)
                    if path not in seen:
                        seen.add(path)
                        found.append(path)
                        if len(found) >= limit:
                            return found, True
    return found, False


def _path_of(uri: str) -> Path | None:
    if not uri.startswith("file:"):
        return None
    path = uris.to_fs_path(uri)
    return resolved(Path(path)) if path else None
