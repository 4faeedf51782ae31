"""The language server object: the per-client state (settings, opt-in features, documents) and
what the client said it can do. Behaviour lives in the modules `app.create_server` wires to it."""

from __future__ import annotations

from lsprotocol import types
from pygls.lsp.server import LanguageServer

from synth_lsp import __version__
from synth_lsp.server.code_actions import EditSupport
from synth_lsp.server.documents import DocumentStates
from synth_lsp.server.lifetime import Lifetime
from synth_lsp.server.protocol import SynthProtocol
from synth_lsp.server.settings import ClientFeatures, Settings


class SynthLanguageServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__(
            "synth-lsp", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental, protocol_cls=SynthProtocol
        )
        self.lifetime = Lifetime()  # how the process ends (exit, end of input, signals)
        self.settings = Settings()
        self.features = ClientFeatures()
        self.states = DocumentStates()

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

    def supports_work_done_progress(self) -> bool:
        caps = self.client_capabilities
        return bool(caps and caps.window and caps.window.work_done_progress)

    def edit_support(self) -> EditSupport:
        ws = self._workspace_caps()
        edit = ws.workspace_edit if ws else None
        return EditSupport(
            document_changes=bool(edit and edit.document_changes),
            change_annotations=bool(edit and edit.change_annotation_support is not None),
        )
