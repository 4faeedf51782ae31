"""The "Fix with <model>" quick fix: on a mismatch or error diagnostic of a script, a code action
whose command runs one targeted mutation of the current text in a worker process
(`workers/quick_fix_process.py`), with `$/progress` and Cancel, and then offers the result.

Why a command and not `codeAction/resolve`: the model call takes seconds, editors wait on a resolve
with no progress and no cancel, and VS Code cannot change an action's title after resolving it. So
the command returns at once; when the fix is scored, the server sends it as a versioned
`workspace/applyEdit` whose change annotation asks for confirmation (VS Code shows the diff in its
refactor preview; a client without annotations is asked first), and the same fix stays on offer as
a code action titled with its train reward while the text is unchanged. A fix computed for a text
that changed meanwhile is never applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from typing import Any

from lsprotocol import types

from synth_lsp.server import code_actions
from synth_lsp.server.code_actions import PREVIEW_ANNOTATION, EditSupport
from synth_lsp.server.evolution.progress import open_progress
from synth_lsp.server.evolution.host import EvolutionHost, OpenDocument
from synth_lsp.workers.protocol import Job
from synth_lsp.workers.quick_fix_process import QuickFixFailed, QuickFixWorker
from synth_lsp.workers.quick_fix_protocol import FixedEvent

log = logging.getLogger(__name__)

QUICK_FIX_COMMAND = "synthLsp.quickFix"
CANCEL_COMMAND = "synthLsp.quickFix.cancel"
OFFLINE = "offline"
SOURCE = "synth-lsp"
# the diagnostics a fix can address: a pair's mismatch, and errors of the script itself
FIXABLE_CODES = frozenset({"mismatch", "syntax", "unsupported", "import", "runtime", "timeout", "memory", "crash", "missing-result", "schema"})
APPLY = "Apply"


@dataclass
class _Running:
    version: int | None
    fixer: str
    task: asyncio.Task | None = None
    worker: QuickFixWorker | None = None


@dataclass(frozen=True)
class _Done:
    version: int | None
    text: str  # the text it was computed for: offered only while the document still has it
    fix: FixedEvent
    fixer: str


@dataclass
class QuickFixes:
    host: EvolutionHost
    running: dict[str, _Running] = field(default_factory=dict)
    done: dict[str, _Done] = field(default_factory=dict)
    spare: QuickFixWorker | None = None  # started ahead of time, so a fix the user picks starts warm
    closing: bool = False

    # -- what is offered ------------------------------------------------------------------------
    def fixer(self) -> str:
        """The first configured language model, else the offline model."""
        settings = self.host.settings_payload()
        names = [settings.get("model") or "", *(settings.get("models") or [])]
        return next((name for name in names if isinstance(name, str) and name and name != OFFLINE), OFFLINE)

    def code_actions(self, uri: str, context_diagnostics: list[types.Diagnostic], offered_ids: set[str] = frozenset()) -> list[types.CodeAction]:
        """The quick-fix action for the diagnostics the client sent: start a fix, cancel the one
        running, or apply the one found for this very text (unless the population's offers hold it)."""
        fixable = fixable_diagnostics(context_diagnostics)
        document = self.host.document(uri)
        if not fixable or document is None or document.path is None or not self.host.has_script(uri):
            return []
        running = self.running.get(uri)
        if running is not None:
            title = f"{fix_title(running.fixer)}: running (cancel)"
            return [
                types.CodeAction(
                    title=title, kind=types.CodeActionKind.QuickFix, command=types.Command(title=title, command=CANCEL_COMMAND, arguments=[uri])
                )
            ]
        done = self.done.get(uri)
        if done is not None and done.version == document.version and done.text == document.text:
            if done.fix.candidate_id in offered_ids:
                return []  # the population's offers already list it (origin quickfix)
            return [self._finished_action(document, done, fixable)]
        self.prepare()
        fixer = self.fixer()
        title = fix_title(fixer)
        command = types.Command(title=title, command=QUICK_FIX_COMMAND, arguments=[uri, document.version])
        return [types.CodeAction(title=title, kind=types.CodeActionKind.QuickFix, diagnostics=fixable, command=command)]

    def _finished_action(self, document: OpenDocument, done: _Done, fixable: list[types.Diagnostic]) -> types.CodeAction:
        fix = done.fix
        title = result_title(done.fixer, fix)
        support = self.host.edit_support()
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=fixable,
            is_preferred=fix.train_passed > fix.current_passed,
            edit=fix_edit(document, fix.script, title, support),
            data={"candidateId": fix.candidate_id},
        )

    # -- running a fix --------------------------------------------------------------------------
    async def start(self, uri: str, version: int | None = None) -> dict[str, Any]:
        """Start a fix of the document's current text; the command answers at once."""
        document = self.host.document(uri)
        if document is None or document.path is None or not self.host.has_script(uri):
            return {"started": False, "message": f"{uri} is not an open .synth.py file"}
        if version is not None and version != document.version:
            return {"started": False, "message": f"the document changed (version {document.version}, the fix was asked for {version}): ask again"}
        if uri in self.running:
            return {"started": False, "message": "a quick fix is already running for this script"}
        entry = _Running(document.version, self.fixer())
        self.running[uri] = entry
        entry.task = self.host.spawn(self._run(uri, document, entry))
        return {"started": True, "fixer": entry.fixer, "message": f"{fix_title(entry.fixer)}: running"}

    async def cancel(self, uri: str) -> dict[str, Any]:
        entry = self.running.get(uri)
        if entry is None or entry.task is None or entry.task.done():
            return {"cancelled": False}
        entry.task.cancel()
        with contextlib.suppress(BaseException):
            await entry.task
        return {"cancelled": True}

    async def _run(self, uri: str, document: OpenDocument, entry: _Running) -> None:
        title = fix_title(entry.fixer)
        progress = None
        try:
            progress = await self._begin_progress(title, entry)
            entry.worker = self._take_spare(entry.fixer)
            job = Job(document.path, self.host.settings_payload(), document.text)
            fix = await entry.worker.run(job, on_step=lambda message: self._report(progress, message))
        except asyncio.CancelledError:
            self._end_progress(progress, "cancelled: nothing was applied")
            if not self.closing:
                self.host.show_message(types.MessageType.Info, f"synth-lsp: {title} cancelled; nothing was applied.")
            return
        except (QuickFixFailed, OSError) as exc:
            self._end_progress(progress, "failed: nothing was applied")
            if not self.closing:
                self.host.show_message(types.MessageType.Error, f"synth-lsp: {title} failed: {exc}. Nothing was applied.")
            return
        finally:
            self.running.pop(uri, None)
        self.done[uri] = _Done(document.version, document.text, fix, entry.fixer)
        self._end_progress(progress, result_title(entry.fixer, fix))
        if not self.closing:
            await self._offer(uri, document, self.done[uri])

    async def _offer(self, uri: str, asked: OpenDocument, done: _Done) -> None:
        """Send the fix as a versioned edit the user confirms, unless the text changed meanwhile or
        the fix passes fewer pairs than the text (it stays in the population and the code actions)."""
        title = result_title(done.fixer, done.fix)
        if done.fix.train_passed < done.fix.current_passed:
            self.host.show_message(
                types.MessageType.Info, f"synth-lsp: {title}, so it was not applied; it is in the code actions and the population."
            )
            return
        now = self.host.document(uri)
        if now is None or now.version != asked.version or now.text != asked.text:
            self.host.show_message(
                types.MessageType.Warning,
                f"synth-lsp: the script changed while the fix was computed, so it was not applied over the newer text ({title}). Ask for the fix again.",
            )
            return
        support = self.host.edit_support()
        if not support.change_annotations:  # no preview in this client: ask before changing the text
            choice = await self.host.show_message_request(types.MessageType.Info, f"synth-lsp: {title}. Apply it?", [APPLY, "Dismiss"])
            if choice != APPLY:
                return
            now = self.host.document(uri)
            if now is None or now.version != asked.version:
                self.host.show_message(types.MessageType.Warning, "synth-lsp: the script changed meanwhile; the fix was not applied.")
                return
        try:
            result = await self.host.apply_edit(fix_edit(asked, done.fix.script, title, support), title)
        except Exception as exc:  # the client went away or refused the request
            log.warning("applyEdit for the quick fix failed: %s", exc)
            return
        if not result.applied:
            reason = result.failure_reason or "the editor did not apply it"
            self.host.show_message(
                types.MessageType.Info, f"synth-lsp: the fix was not applied ({reason}); it stays in the code actions while the text is unchanged."
            )

    # -- progress -------------------------------------------------------------------------------
    async def _begin_progress(self, title: str, entry: _Running) -> str | None:
        if not self.host.supports_work_done_progress():
            return None
        # the client's Cancel kills the worker
        return await open_progress(self.host, "quickfix", title, lambda: entry.task is not None and entry.task.cancel())

    def _report(self, token: str | None, message: str) -> None:
        if token is not None and not self.closing:
            self.host.work_done_progress.report(token, types.WorkDoneProgressReport(message=message))

    def _end_progress(self, token: str | None, message: str) -> None:
        if token is not None and not self.closing:
            with contextlib.suppress(Exception):
                self.host.work_done_progress.end(token, types.WorkDoneProgressEnd(message=message))

    # -- worker processes -----------------------------------------------------------------------
    def prepare(self) -> None:
        """Start a spare worker (it warms up and waits) once a fix is on offer: editors ask for code
        actions as the cursor reaches a diagnostic, so by the pick its imports (litellm alone takes
        seconds) and its sandbox are ready."""
        if self.closing or (self.spare is not None and self.spare.alive):
            return
        spare = QuickFixWorker(warm_litellm=self.fixer() != OFFLINE)
        self.spare = spare
        self.host.spawn(self._spawn(spare))

    async def _spawn(self, worker: QuickFixWorker) -> None:
        try:
            await worker.spawn()
        except OSError as exc:
            log.warning("could not start a quick-fix worker: %s", exc)
            if self.spare is worker:
                self.spare = None
        if self.closing:
            worker.kill()

    def _take_spare(self, fixer: str) -> QuickFixWorker:
        spare, self.spare = self.spare, None
        if spare is not None and spare.alive and spare.warm_litellm == (fixer != OFFLINE):
            return spare
        if spare is not None:
            spare.kill()
        return QuickFixWorker(warm_litellm=fixer != OFFLINE)

    def forget(self, uri: str) -> None:
        """The script was closed: its running fix has no text to land on (the worker is killed)."""
        self.done.pop(uri, None)
        entry = self.running.get(uri)
        if entry is not None and entry.task is not None:
            entry.task.cancel()

    def kill_all(self) -> None:
        self.closing = True
        for entry in self.running.values():
            if entry.worker is not None:
                entry.worker.kill()
            if entry.task is not None:
                entry.task.cancel()
        if self.spare is not None:
            self.spare.kill()


def fixable_diagnostics(diagnostics: list[types.Diagnostic]) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.source == SOURCE and d.code in FIXABLE_CODES]


def fix_title(fixer: str) -> str:
    return "Fix with the offline model" if fixer == OFFLINE else f"Fix with {fixer}"


def result_title(fixer: str, fix: FixedEvent) -> str:
    """'Fix with M: 4/5 on train, test passes, +4 pairs over the current script' (and the offline
    model's confidence in its program)."""
    trust = f" (confidence {fix.confidence:.2f})" if fix.confidence is not None else ""
    parts = [f"{fix.train_passed}/{fix.train_total} on train"]
    if fix.test_total:
        parts.append("test passes" if fix.test_passed == fix.test_total else f"test {fix.test_passed}/{fix.test_total}")
    gain = fix.train_passed - fix.current_passed
    if gain > 0:
        parts.append(f"+{gain} pair{'s' if gain != 1 else ''} over the current script")
    elif gain == 0:
        parts.append("as many pairs as the current script")
    else:
        parts.append(f"{-gain} pair{'s' if gain != -1 else ''} fewer than the current script")
    return f"{fix_title(fixer)}{trust}: {', '.join(parts)}"


def fix_edit(document: OpenDocument, script: str, title: str, support: EditSupport) -> types.WorkspaceEdit:
    """The whole text replaced, versioned; with a confirmed change annotation when the client can
    preview one (VS Code shows the diff before applying)."""
    preview = support.document_changes and support.change_annotations
    edit = code_actions.rewrite_edit(document.uri, document.version, document.text, script, support, preview=preview)
    if preview:
        edit.change_annotations = {
            PREVIEW_ANNOTATION: types.ChangeAnnotation(label=title, needs_confirmation=True, description="Review the fix before applying it")
        }
    return edit
