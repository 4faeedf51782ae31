"""The LSP handlers: each translates a request or notification into calls on the scheduler, the
publisher, the pure feature modules and the evolution feature. `register` puts them on a server.

Handlers close over the parts they use (no `ls` parameter), and command handlers keep plain
annotations: pygls converts a command's arguments to the annotated types.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

from lsprotocol import types
from pygls import uris

from synth_lsp.core.task import resolved
from synth_lsp.server import code_actions, code_lens, configuration, hover, startup
from synth_lsp.server.background import BackgroundTasks
from synth_lsp.server.documents import is_script
from synth_lsp.server.evolution.offers import APPLY_BEST_COMMAND, POPULATION_COMMAND, Offers
from synth_lsp.server.evolution.workers import START_COMMAND, STOP_COMMAND, Workers
from synth_lsp.server.examples_actions import layout_actions
from synth_lsp.server.inline_values import InlineValues
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.publisher import Publisher
from synth_lsp.server.quick_fix import CANCEL_COMMAND as QUICK_FIX_CANCEL_COMMAND, QUICK_FIX_COMMAND, QuickFixes
from synth_lsp.server.pull_diagnostics import OPTIONS as PULL_OPTIONS
from synth_lsp.server.scheduler import RunScheduler
from synth_lsp.server.server import SynthLanguageServer
from synth_lsp.server.settings import client_features, section_of
from synth_lsp.server.workspace_diagnostics import WorkspaceDiagnostics

CODE_ACTION_OPTIONS = types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite])


@dataclass(frozen=True)
class ServerParts:
    """What the handlers act on, wired by `app.create_server`."""

    ls: SynthLanguageServer
    tasks: BackgroundTasks
    runs: RunScheduler
    publisher: Publisher
    offers: Offers
    workers: Workers
    quick_fixes: QuickFixes | None = None  # "Fix with <model>" (server/quick_fix.py)
    values: InlineValues | None = None  # inline values on a chosen pair
    workspace: WorkspaceDiagnostics | None = None  # the setting workspaceDiagnostics

    def debounce_s(self) -> float:
        return self.ls.settings.debounce_ms / 1000.0

    def path_of(self, uri: str) -> Path:
        """The resolved file of a uri, open or not."""
        document = self.ls.workspace.text_documents.get(uri)
        path = document.path if document is not None else uris.to_fs_path(uri)
        return resolved(Path(path or ""))

    def outcome_of(self, uri: str) -> RunOutcome | None:
        """The latest published run of an open script (or of one the workspace pass ran)."""
        state = self.ls.states.scripts.get(uri)
        if state is None and self.workspace is not None:
            return self.workspace.outcome_of(uri)  # a script only the workspace pass ran
        return state.outcome if state is not None else None


def register(parts: ServerParts) -> None:
    # the order is the order of the commands in the server's capabilities
    _register_lifecycle(parts)
    _register_documents(parts)
    _register_views(parts)
    _register_evolution(parts)
    _register_quick_fix(parts)
    _register_diagnostics(parts)


def _register_lifecycle(parts: ServerParts) -> None:
    ls, runs = parts.ls, parts.runs

    @ls.feature(types.INITIALIZE)
    def on_initialize(params: types.InitializeParams) -> None:
        options = params.initialization_options
        ls.features = client_features(options)
        configuration.apply_settings(ls, options)

    @ls.feature(types.INITIALIZED)
    async def on_initialized(params: types.InitializedParams) -> None:
        # warm the sandbox pool and the walls probe off the loop, so the first run is quick
        asyncio.get_running_loop().run_in_executor(runs.executor, startup.warm_up, runs)
        if ls.supports_watcher_registration():
            await startup.register_watcher(ls)
        if await configuration.pull_configuration(ls):
            runs.rerun_all()
        if parts.workspace is not None:
            parts.workspace.settings_changed()

    @ls.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
    async def on_configuration(params: types.DidChangeConfigurationParams) -> None:
        changed = configuration.apply_settings(ls, params.settings)
        if section_of(params.settings) is None:
            changed = await configuration.pull_configuration(ls) or changed  # "settings changed, ask me": pull them
        if changed:
            runs.rerun_all()
        if parts.workspace is not None:
            parts.workspace.settings_changed(runs_affected=changed)

    @ls.feature(types.SHUTDOWN)
    def on_shutdown(params: None) -> None:
        ls.lifetime.shutdown_requested = True
        ls.lifetime.stop_all()  # runs and workers stop now; `exit` (or the end of input) ends the process


def _register_documents(parts: ServerParts) -> None:
    ls, runs = parts.ls, parts.runs

    @ls.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def on_open(params: types.DidOpenTextDocumentParams) -> None:
        document = params.text_document
        if is_script(document.uri, document.language_id):
            if parts.workspace is not None:
                parts.workspace.opened(document.uri)
            runs.request_run(document.uri)
            if ls.settings.auto_evolve and document.uri.startswith("file:"):
                parts.tasks.spawn(parts.workers.auto_start(document.uri))  # not when it already fits

    @ls.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def on_change(params: types.DidChangeTextDocumentParams) -> None:
        uri = params.text_document.uri
        if ls.settings.run_trigger != "change":
            return
        if uri in ls.states.scripts:
            runs.request_run(uri, parts.debounce_s())
        elif uri.endswith(".json"):
            runs.rerun_users_of(parts.path_of(uri), parts.debounce_s())

    @ls.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
    def on_save(params: types.DidSaveTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.states.scripts:
            runs.request_run(uri)
            parts.workers.on_saved(uri)  # the saved version joins the population
        elif uri.endswith(".json"):
            runs.rerun_users_of(parts.path_of(uri))

    @ls.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def on_close(params: types.DidCloseTextDocumentParams) -> None:
        uri = params.text_document.uri
        if uri in ls.states.scripts:
            parts.publisher.forget(uri)
            if parts.quick_fixes is not None:
                parts.quick_fixes.forget(uri)
            if parts.values is not None:
                parts.values.forget(uri)
            if parts.workspace is not None:
                parts.workspace.closed_document(uri)  # the file on disk is the truth again
        if parts.workers.active(uri) and not ls.settings.keep_evolving_when_closed:  # unless asked to go on
            parts.tasks.spawn(parts.workers.stop(uri))
        if uri.endswith(".json"):
            runs.rerun_users_of(parts.path_of(uri))  # the file on disk is the truth again

    @ls.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    def on_watched_files(params: types.DidChangeWatchedFilesParams) -> None:
        open_uris = set(ls.workspace.text_documents)
        if parts.workspace is not None:
            parts.workspace.files_changed(params.changes)
        for change in params.changes:
            if change.uri in open_uris:
                continue  # the editor's copy wins; its didChange/didSave drive the runs
            path = uris.to_fs_path(change.uri)
            if path:
                runs.rerun_users_of(resolved(Path(path)))


def _register_views(parts: ServerParts) -> None:
    ls = parts.ls

    @ls.feature(types.TEXT_DOCUMENT_CODE_LENS)
    async def on_code_lens(params: types.CodeLensParams) -> list[types.CodeLens] | None:
        uri = params.text_document.uri
        state = ls.states.scripts.get(uri)
        if state is None:
            return None
        lenses = [code_lens.reward_lens(uri, state.outcome, state.running)]
        evolved = await parts.offers.lens(uri)  # the population is read off the loop
        if evolved is not None:
            lenses.append(evolved)
        if parts.values is not None:
            lenses.extend(parts.values.lenses(uri))
        return lenses

    @ls.feature(types.TEXT_DOCUMENT_HOVER)
    def on_hover(params: types.HoverParams) -> types.Hover | None:
        uri, position = params.text_document.uri, params.position
        markdown = ls.supports_markdown_hover()
        state = ls.states.scripts.get(uri)
        if state is not None:
            found = hover.script_hover(state.outcome, state.diagnostics, position, markdown)
            values = parts.values.hover_markdown(uri, position, markdown) if parts.values is not None else None
            return hover.with_values(found, values, markdown)
        if uri.endswith(".json"):
            marks = ls.states.examples.get(parts.path_of(uri), {})
            return hover.examples_hover(marks, parts.outcome_of, position, markdown)
        return None

    @ls.command(code_lens.RERUN_COMMAND)
    def on_rerun(uri: str) -> None:
        document = ls.workspace.text_documents.get(uri)
        if document is None:
            raise ValueError(f"{uri} is not open in the editor")
        if not is_script(uri, document.language_id):
            raise ValueError(f"{uri} is not a synthesis script (NAME.synth.py)")
        ls.states.script(uri)
        parts.runs.request_run(uri)
        return None


def _register_evolution(parts: ServerParts) -> None:
    ls, offers, workers = parts.ls, parts.offers, parts.workers

    @ls.feature(types.TEXT_DOCUMENT_CODE_ACTION, CODE_ACTION_OPTIONS)
    async def on_code_action(params: types.CodeActionParams) -> list[types.CodeAction] | None:
        actions = await offers.code_actions(params.text_document.uri, params.context.diagnostics)
        if parts.quick_fixes is not None:
            offered = {a.data.get("candidateId") for a in actions if isinstance(a.data, dict)}
            actions += parts.quick_fixes.code_actions(params.text_document.uri, params.context.diagnostics, offered)
        document = ls.workspace.text_documents.get(params.text_document.uri)
        if document is not None:
            actions += layout_actions(document.uri, document.version, document.source, ls.edit_support())
        return actions or None

    @ls.command(START_COMMAND)
    async def on_start(uri: str):
        return await workers.start(uri)

    @ls.command(STOP_COMMAND)
    async def on_stop(uri: str):
        return await workers.stop(uri)

    @ls.command(POPULATION_COMMAND)
    async def on_population(uri: str):
        return await offers.population_listing(uri)

    @ls.command(code_actions.APPLY_COMMAND)
    async def on_apply(uri: str, candidate_id: str, version: int | None = None):
        return await offers.apply_candidate(uri, candidate_id, version)

    @ls.command(APPLY_BEST_COMMAND)
    async def on_apply_best(uri: str):
        return await offers.apply_best(uri)


def _register_quick_fix(parts: ServerParts) -> None:
    ls, quick_fixes = parts.ls, parts.quick_fixes
    if quick_fixes is None:
        return

    @ls.command(QUICK_FIX_COMMAND)
    async def on_quick_fix(uri: str, version: int | None = None):
        return await quick_fixes.start(uri, version)

    @ls.command(QUICK_FIX_CANCEL_COMMAND)
    async def on_quick_fix_cancel(uri: str):
        return await quick_fixes.cancel(uri)


def _register_diagnostics(parts: ServerParts) -> None:
    """Pull diagnostics where the client offers them (pull_diagnostics.py)."""

    @parts.ls.feature(types.TEXT_DOCUMENT_DIAGNOSTIC, PULL_OPTIONS)
    async def on_diagnostic(params: types.DocumentDiagnosticParams):
        return await parts.publisher.pull.report(params)
