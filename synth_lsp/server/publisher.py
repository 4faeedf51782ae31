"""Publishing a run: the script's diagnostics, the opt-in runResult notification, and the marks
in its examples file, which several scripts may share (each file's diagnostics are the union of
every script's marks in it)."""

from __future__ import annotations

from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls import uris

from synth_lsp.core.task import resolved
from synth_lsp.server.documents import ScriptState
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.pull_diagnostics import PullDiagnostics
from synth_lsp.server.run_result import METHOD as RUN_RESULT, run_result_payload
from synth_lsp.server.runs import RunReport
from synth_lsp.server.server import SynthLanguageServer

PublishHook = Callable[[RunOutcome], None]


class Publisher:
    def __init__(self, ls: SynthLanguageServer) -> None:
        self.ls = ls
        # features that follow every published run (e.g. the population takes in saved versions)
        self.after_publish: list[PublishHook] = []
        self.pull = PullDiagnostics(ls)  # a client that pulls gets the script's diagnostics so, not pushed

    def publish(self, state: ScriptState, report: RunReport) -> None:
        """The script's side of a run: its diagnostics, runResult, hooks, and a lens refresh."""
        ls, outcome = self.ls, report.outcome
        state.outcome = outcome
        state.diagnostics = report.script_diagnostics
        if self.pull.active:
            self.pull.published(outcome.uri)
        else:
            ls.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri=outcome.uri, version=outcome.version, diagnostics=report.script_diagnostics)
            )
        if ls.features.run_result:
            ls.protocol.notify(RUN_RESULT, run_result_payload(outcome))
        for hook in self.after_publish:
            hook(outcome)
        if ls.supports_code_lens_refresh():
            ls.workspace_code_lens_refresh(None)

    def publish_examples(self, state: ScriptState, path: Path | None, diagnostics: list[types.Diagnostic]) -> None:
        # a script that moved to another examples file takes its marks out of the old one
        states = self.ls.states
        for old_path, per_script in list(states.examples.items()):
            if old_path != path and state.uri in per_script:
                remaining = states.set_examples_diagnostics(old_path, state.uri, [])
                del per_script[state.uri]
                self._send_examples(old_path, remaining)
        if path is not None:
            self._send_examples(path, states.set_examples_diagnostics(path, state.uri, diagnostics))

    def forget(self, uri: str) -> None:
        """A closed script: clear its diagnostics and its marks in examples files."""
        states = self.ls.states
        state = states.scripts.pop(uri, None)
        if state is None:
            return
        state.cancel_timer()
        state.next_ticket()  # an in-flight run of this document must not publish
        self.pull.forget(uri)
        self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))
        for path, per_script in states.examples.items():
            if per_script.pop(uri, None) is not None:
                self._send_examples(path, [d for items in per_script.values() for d in items])

    def _send_examples(self, path: Path, diagnostics: list[types.Diagnostic]) -> None:
        self.ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=self._uri_for(path), diagnostics=diagnostics))

    def _uri_for(self, path: Path) -> str:
        # prefer the client's spelling of the uri when the file is open
        for uri, document in self.ls.workspace.text_documents.items():
            if document.path and resolved(Path(document.path)) == path:
                return uri
        return uris.from_fs_path(str(path)) or path.as_uri()
