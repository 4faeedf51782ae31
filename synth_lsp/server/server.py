"""The pygls language server: LSP wiring over the run scheduler and the pure feature modules.

Runs never touch the event loop: each is a job on this server's own executor (not pygls'
`@server.thread()` pool, which also reads stdin). Every run request takes a ticket; a result
whose ticket is no longer the script's latest is dropped, so what is published always belongs
to the latest text.
"""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls import uris
from pygls.lsp.server import LanguageServer

from synth_lsp import __version__
from synth_lsp.server import code_lens, hover, settings as settings_mod
from synth_lsp.server.evolution import workers as _evolution
from synth_lsp.server.documents import DocumentStates, ScriptState, is_script
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import contains
from synth_lsp.server.run_result import METHOD as RUN_RESULT, run_result_payload
from synth_lsp.server.runs import RunReport, RunRequest, SupersedableSandbox, examples_path_of, examples_report, execute
from synth_lsp.server.settings import ClientFeatures, Settings

log = logging.getLogger(__name__)
RUN_WORKERS = 2  # two scripts at once; each run spreads its pairs over the sandbox's own workers
WATCHER_ID = "synth-lsp-examples-watcher"


class SynthLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("synth-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = Settings()
        self.features = ClientFeatures()
        self.states = DocumentStates()
        self.executor = ThreadPoolExecutor(max_workers=RUN_WORKERS, thread_name_prefix="synth-run")
        self._sandbox = None
        self._tasks: set[asyncio.Task] = set()
        # features that follow every published run (e.g. the population takes in saved versions)
        self.publish_hooks: list = []

    # -- capabilities the client advertised ----------------------------------------------
    def _workspace_caps(self) -> types.WorkspaceClientCapabilities | None:
        caps = self.client_capabilities
        return caps.workspace if caps is not None else None

    def supports_configuration(self) -> bool:
        ws = self._workspace_caps()
        return bool(ws and ws.configuration)

    def supports_watcher_registration(self) -> bool:
        ws = self._workspace_caps()
        return bool(ws and ws.did_change_watched_files and ws.did_change_watched_files.dynamic_registration)

    def supports_code_lens_refresh(self) -> bool:
        ws = self._workspace_caps()
        return bool(ws and ws.code_lens and ws.code_lens.refresh_support)

    def supports_markdown_hover(self) -> bool:
        caps = self.client_capabilities
        hover_caps = caps.text_document.hover if caps is not None and caps.text_document else None
        formats = hover_caps.content_format if hover_caps is not None else None
        return formats is None or types.MarkupKind.Markdown in formats

    # -- settings -------------------------------------------------------------------------
    def apply_settings(self, payload: Any) -> bool:
        """Merge a settings payload; returns True when something that affects runs changed."""
        before = self.settings
        self.settings, problems = settings_mod.merge(self.settings, payload)
        for problem in problems:
            self.window_show_message(types.ShowMessageParams(types.MessageType.Warning, f"synth-lsp: {problem}"))
        return (before.time_limit, before.memory_limit_mb) != (self.settings.time_limit, self.settings.memory_limit_mb)

    async def pull_configuration(self) -> bool:
        if not self.supports_configuration():
            return False
        try:
            items = await self.workspace_configuration_async(
                types.ConfigurationParams(items=[types.ConfigurationItem(section=settings_mod.SECTION)])
            )
        except Exception as exc:  # a client that advertises but fails: keep what we have
            log.warning("workspace/configuration failed: %s", exc)
            return False
        return self.apply_settings(items[0] if items else None)

    # -- running --------------------------------------------------------------------------
    @property
    def sandbox(self):
        if self._sandbox is None:
            from synth_lsp.sandbox.runner import get_sandbox

            self._sandbox = get_sandbox()
        return self._sandbox

    def spawn(self, coro) -> asyncio.Task:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return task

    def request_run(self, uri: str, delay_s: float = 0.0) -> None:
        """Run now, or after `delay_s` of quiet (debounce): a newer request replaces a pending one."""
        state = self.states.script(uri)
        state.cancel_timer()
        if delay_s > 0:
            loop = asyncio.get_running_loop()
            state.timer = loop.call_later(delay_s, lambda: self.spawn(self.run_script(uri)))
        else:
            self.spawn(self.run_script(uri))

    def snapshot(self, uri: str) -> RunRequest | None:
        document = self.workspace.text_documents.get(uri)
        if document is None:
            return None
        path = Path(document.path) if uri.startswith("file:") and document.path else None
        open_examples = {}
        for other in self.workspace.text_documents.values():
            if other.uri.startswith("file:") and other.uri.endswith(".json") and other.path:
                open_examples[Path(other.path).resolve()] = other.source
        return RunRequest(
            uri=uri,
            version=document.version,
            text=document.source,
            path=path,
            base_limits=self.settings.run_limits(),
            codec=self.workspace.position_codec,
            open_examples=open_examples,
        )

    async def run_script(self, uri: str) -> RunOutcome | None:
        state = self.states.scripts.get(uri)
        if state is None:
            return None  # closed before its (debounced) run began
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
            self.window_show_message(types.ShowMessageParams(types.MessageType.Error, f"synth-lsp: running {uri} failed: {exc}"))
            return None
        finally:
            if state.ticket == ticket:
                state.running = False
        if report is None or state.ticket != ticket or uri not in self.states.scripts:
            return None  # superseded by a newer run, or the document closed meanwhile
        self.publish(state, report)
        examples = await loop.run_in_executor(self.executor, examples_report, report)
        if state.ticket == ticket and uri in self.states.scripts:
            self._publish_examples(state, report.examples_path, examples)
        return report.outcome

    def _job(self, request: RunRequest, state: ScriptState, ticket: int) -> RunReport | None:
        if state.ticket != ticket:
            return None  # a newer request came in before this one started
        return execute(request, SupersedableSandbox(self.sandbox, lambda: state.ticket != ticket))

    def publish(self, state: ScriptState, report: RunReport) -> None:
        outcome = report.outcome
        state.outcome = outcome
        state.diagnostics = report.script_diagnostics
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=outcome.uri, version=outcome.version, diagnostics=report.script_diagnostics)
        )
        if self.features.run_result:
            self.protocol.notify(RUN_RESULT, run_result_payload(outcome))
        for hook in self.publish_hooks:
            hook(outcome)
        if self.supports_code_lens_refresh():
            self.workspace_code_lens_refresh(None)

    def _publish_examples(self, state: ScriptState, path: Path | None, diagnostics: list[types.Diagnostic]) -> None:
        # a script that moved to another examples file takes its marks out of the old one
        for old_path, per_script in list(self.states.examples.items()):
            if old_path != path and state.uri in per_script:
                remaining = self.states.set_examples_diagnostics(old_path, state.uri, [])
                del per_script[state.uri]
                self._send_examples(old_path, remaining)
        if path is not None:
            self._send_examples(path, self.states.set_examples_diagnostics(path, state.uri, diagnostics))

    def _send_examples(self, path: Path, diagnostics: list[types.Diagnostic]) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=self._uri_for(path), diagnostics=diagnostics))

    def _uri_for(self, path: Path) -> str:
        # prefer the client's spelling of the uri when the file is open
        for uri, document in self.workspace.text_documents.items():
            if document.path and Path(document.path).resolve() == path:
                return uri
        return uris.from_fs_path(str(path)) or path.as_uri()

    def forget(self, uri: str) -> None:
        state = self.states.scripts.pop(uri, None)
        if state is None:
            return
        state.cancel_timer()
        state.next_ticket()  # an in-flight run of this document must not publish
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for path, per_script in self.states.examples.items():
            if per_script.pop(uri, None) is not None:
                self._send_examples(path, [d for items in per_script.values() for d in items])

    def rerun_users_of(self, path: Path, delay_s: float = 0.0) -> None:
        for uri in self.states.users_of(path):
            self.request_run(uri, delay_s)

    def rerun_all(self) -> None:
        for uri in list(self.states.scripts):
            self.request_run(uri)

    def shutdown_runs(self) -> None:
        for state in self.states.scripts.values():
            state.cancel_timer()
        self.executor.shutdown(wait=False, cancel_futures=True)


server = SynthLanguageServer()


def _debounce_s(ls: SynthLanguageServer) -> float:
    return ls.settings.debounce_ms / 1000.0


@server.feature(types.INITIALIZE)
def on_initialize(ls: SynthLanguageServer, params: types.InitializeParams) -> None:
    options = params.initialization_options
    ls.features = settings_mod.client_features(options)
    ls.apply_settings(options)


@server.feature(types.INITIALIZED)
async def on_initialized(ls: SynthLanguageServer, params: types.InitializedParams) -> None:
    # warm the sandbox pool and the walls probe off the loop, so the first run is quick
    asyncio.get_running_loop().run_in_executor(ls.executor, _warm_up, ls)
    if ls.supports_watcher_registration():
        await _register_watcher(ls)
    if await ls.pull_configuration():
        ls.rerun_all()


# Modules request handlers import on first use. Importing them here, on a worker thread right
# after start-up, keeps a first code lens or hover from stalling the event loop on the import
# (the population store pulls in pydantic: ~0.3-1 s). litellm is not among them.
LAZY_HANDLER_MODULES = ("synth_lsp.optimizer.population",)


def _warm_up(ls: SynthLanguageServer) -> None:
    import importlib

    from synth_lsp.sandbox.walls import get_walls

    for name in LAZY_HANDLER_MODULES:
        try:
            importlib.import_module(name)
        except Exception as exc:
            log.warning("could not pre-import %s: %s", name, exc)
    try:
        get_walls(ls.sandbox)
    except Exception as exc:
        log.warning("sandbox warm-up failed: %s", exc)


async def _register_watcher(ls: SynthLanguageServer) -> None:
    watcher = types.FileSystemWatcher(glob_pattern="**/*.json")
    registration = types.Registration(
        id=WATCHER_ID,
        method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
        register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers=[watcher]),
    )
    try:
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[registration]))
    except Exception as exc:
        log.warning("could not register the examples file watcher: %s", exc)


@server.feature(types.WORKSPACE_DID_CHANGE_CONFIGURATION)
async def on_configuration(ls: SynthLanguageServer, params: types.DidChangeConfigurationParams) -> None:
    changed = ls.apply_settings(params.settings)
    if settings_mod.section_of(params.settings) is None:
        changed = await ls.pull_configuration() or changed  # "settings changed, ask me": pull them
    if changed:
        ls.rerun_all()


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def on_open(ls: SynthLanguageServer, params: types.DidOpenTextDocumentParams) -> None:
    document = params.text_document
    if is_script(document.uri, document.language_id):
        ls.request_run(document.uri)
        if ls.settings.auto_evolve and document.uri.startswith("file:"):
            ls.spawn(evolution_of(ls).start(document.uri))


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def on_change(ls: SynthLanguageServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    if ls.settings.run_trigger != "change":
        return
    if uri in ls.states.scripts:
        ls.request_run(uri, _debounce_s(ls))
    elif uri.endswith(".json"):
        ls.rerun_users_of(_path_of(ls, uri), _debounce_s(ls))


@server.feature(types.TEXT_DOCUMENT_DID_SAVE, types.SaveOptions(include_text=False))
def on_save(ls: SynthLanguageServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri in ls.states.scripts:
        ls.request_run(uri)
        evolution_of(ls).on_saved(uri)  # the saved version joins the population
    elif uri.endswith(".json"):
        ls.rerun_users_of(_path_of(ls, uri))


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def on_close(ls: SynthLanguageServer, params: types.DidCloseTextDocumentParams) -> None:
    uri = params.text_document.uri
    if uri in ls.states.scripts:
        ls.forget(uri)
    elif uri.endswith(".json"):
        # the file on disk is the truth again
        ls.rerun_users_of(_path_of(ls, uri))


@server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
def on_watched_files(ls: SynthLanguageServer, params: types.DidChangeWatchedFilesParams) -> None:
    open_uris = set(ls.workspace.text_documents)
    for change in params.changes:
        if change.uri in open_uris:
            continue  # the editor's copy wins; its didChange/didSave drive the runs
        path = uris.to_fs_path(change.uri)
        if path:
            ls.rerun_users_of(Path(path).resolve())


def _path_of(ls: SynthLanguageServer, uri: str) -> Path:
    document = ls.workspace.text_documents.get(uri)
    path = document.path if document is not None else uris.to_fs_path(uri)
    return Path(path or "").resolve()


@server.feature(types.TEXT_DOCUMENT_CODE_LENS)
def on_code_lens(ls: SynthLanguageServer, params: types.CodeLensParams) -> list[types.CodeLens] | None:
    uri = params.text_document.uri
    state = ls.states.scripts.get(uri)
    if state is None:
        return None
    lenses = [code_lens.reward_lens(uri, state.outcome, state.running)]
    evolved = evolution_of(ls).lens(uri)
    if evolved is not None:
        lenses.append(evolved)
    return lenses


@server.feature(types.TEXT_DOCUMENT_HOVER)
def on_hover(ls: SynthLanguageServer, params: types.HoverParams) -> types.Hover | None:
    uri, position = params.text_document.uri, params.position
    markdown = ls.supports_markdown_hover()
    state = ls.states.scripts.get(uri)
    if state is not None:
        for diagnostic in state.diagnostics:
            if diagnostic.code == "mismatch" and contains(diagnostic.range, position) and state.outcome is not None:
                return hover.hover_for(state.outcome, diagnostic.range, markdown=markdown)
        return None
    if uri.endswith(".json"):
        return _examples_hover(ls, _path_of(ls, uri), position, markdown)
    return None


def _examples_hover(ls: SynthLanguageServer, path: Path, position: types.Position, markdown: bool) -> types.Hover | None:
    """On a marked cell of an examples file: that pair's grids, as the script that marked it saw them."""
    for script_uri, diagnostics in ls.states.examples.get(path, {}).items():
        state = ls.states.scripts.get(script_uri)
        if state is None or state.outcome is None:
            continue
        for diagnostic in diagnostics:
            if diagnostic.code != "mismatch" or not contains(diagnostic.range, position):
                continue
            wanted = diagnostic.data["pairs"][0]
            pairs = [v for v in hover.failing_train(state.outcome) if (v.pair.split, v.pair.index) == (wanted["split"], wanted["index"])]
            found = hover.hover_for(state.outcome, diagnostic.range, markdown=markdown, pairs=pairs)
            if found is not None:
                return found
    return None


@server.command(code_lens.RERUN_COMMAND)
def on_rerun(ls: SynthLanguageServer, uri: str) -> None:
    document = ls.workspace.text_documents.get(uri)
    if document is None:
        raise ValueError(f"{uri} is not open in the editor")
    if not is_script(uri, document.language_id):
        raise ValueError(f"{uri} is not a synthesis script (NAME.synth.py)")
    ls.states.script(uri)
    ls.request_run(uri)
    return None


@server.feature(types.SHUTDOWN)
def on_shutdown(ls: SynthLanguageServer, params: None) -> None:
    evolution_of(ls).kill_all()
    ls.shutdown_runs()


# evolution workers, population code actions and their commands (synth_lsp/server/evolution/workers.py)
evolution_of = _evolution.register(server)
