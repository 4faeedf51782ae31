"""A pytest-lsp client for the synth-lsp server that keeps every publication (with its version),
the opt-in runResult notifications, registrations and code-lens refreshes, and workspace helpers."""

from __future__ import annotations

import asyncio
import os
import shutil
import sys
import time
from pathlib import Path
from typing import Any, Callable

from lsprotocol import types
from pytest_lsp import ClientServerConfig, LanguageClient, client_capabilities
from pytest_lsp.client import DEFAULT_CLIENT_FEATURES, configuration, register_lsp_features
from pygls.protocol import default_converter

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples" / "arc"
SERVER_COMMAND = [sys.executable, "-m", "synth_lsp", "serve", "--stdio"]
WAIT_S = 60.0


def make_client() -> LanguageClient:
    client = LanguageClient(converter_factory=default_converter)
    client.published = []  # every PublishDiagnosticsParams, in order
    client.run_results = []
    client.registrations = []
    client.lens_refreshes = 0
    client.inlay_hint_refreshes = 0
    client.configuration_requests = 0
    client.progress_creates = 0
    client.diagnostic_refreshes = 0

    def pull(client: LanguageClient, params: types.ConfigurationParams) -> list[Any]:
        client.configuration_requests += 1
        return configuration(client, params)

    def create_progress(client: LanguageClient, params: types.WorkDoneProgressCreateParams) -> None:
        client.progress_creates += 1
        client.progress_reports.setdefault(params.token, [])  # as pytest-lsp's own handler: the token now exists

    def publish(client: LanguageClient, params: types.PublishDiagnosticsParams) -> None:
        client.diagnostics[params.uri] = params.diagnostics
        client.published.append(params)

    def register(client: LanguageClient, params: types.RegistrationParams) -> None:
        client.registrations.extend(params.registrations)

    def refresh(client: LanguageClient, params: None) -> None:
        client.lens_refreshes += 1

    def refresh_hints(client: LanguageClient, params: None) -> None:
        client.inlay_hint_refreshes += 1
    def diagnostic_refresh(client: LanguageClient, params: None) -> None:
        client.diagnostic_refreshes += 1

    def run_result(client: LanguageClient, params: Any) -> None:
        client.run_results.append(params)

    register_lsp_features(
        client,
        {
            **DEFAULT_CLIENT_FEATURES,
            types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS: publish,
            types.CLIENT_REGISTER_CAPABILITY: register,
            types.WORKSPACE_CODE_LENS_REFRESH: refresh,
            types.WORKSPACE_INLAY_HINT_REFRESH: refresh_hints,
            types.WORKSPACE_DIAGNOSTIC_REFRESH: diagnostic_refresh,
            "synthLsp/runResult": run_result,
            types.WORKSPACE_CONFIGURATION: pull,
            types.WINDOW_WORK_DONE_PROGRESS_CREATE: create_progress,
        },
    )
    return client


CONFIG = ClientServerConfig(
    server_command=SERVER_COMMAND,
    client_factory=make_client,
    server_env={**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")},
)


def pulling_capabilities() -> types.ClientCapabilities:
    """VS Code's (as pytest-lsp records them) plus what VS Code 1.91 says about pull diagnostics."""
    caps = client_capabilities("visual-studio-code")
    caps.text_document.diagnostic = types.DiagnosticClientCapabilities(dynamic_registration=True, related_document_support=False)
    caps.workspace.diagnostics = types.DiagnosticWorkspaceClientCapabilities(refresh_support=True)
    return caps


def new_workspace(root: Path, task: str = "007bbfb7") -> Path:
    """A folder holding a copy of an example task (its script is written by the test)."""
    shutil.copy(EXAMPLES / f"{task}.json", root / f"{task}.json")
    return root


def uri_of(path: Path) -> str:
    return path.resolve().as_uri()


def open_doc(client: LanguageClient, uri: str, text: str, version: int = 1, language: str = "python") -> None:
    client.text_document_did_open(
        types.DidOpenTextDocumentParams(types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text))
    )


def change_doc(client: LanguageClient, uri: str, text: str, version: int) -> None:
    client.text_document_did_change(
        types.DidChangeTextDocumentParams(
            text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            content_changes=[types.TextDocumentContentChangeWholeDocument(text=text)],
        )
    )


def save_doc(client: LanguageClient, uri: str) -> None:
    client.text_document_did_save(types.DidSaveTextDocumentParams(types.TextDocumentIdentifier(uri=uri)))


async def wait_for_publication(
    client: LanguageClient,
    uri: str,
    predicate: Callable[[types.PublishDiagnosticsParams], bool] = lambda p: True,
    after: int = 0,
    timeout: float = WAIT_S,
) -> types.PublishDiagnosticsParams:
    """The first publication for `uri` (from index `after` on) that satisfies `predicate`."""
    deadline = time.monotonic() + timeout
    while True:
        for params in client.published[after:]:
            if params.uri == uri and predicate(params):
                return params
        if time.monotonic() > deadline:
            seen = [(p.uri, p.version, [d.code for d in p.diagnostics]) for p in client.published[after:]]
            raise AssertionError(f"no matching diagnostics for {uri} within {timeout} s; saw {seen}")
        await asyncio.sleep(0.02)


async def diagnostics_for_version(client: LanguageClient, uri: str, version: int, after: int = 0) -> list[types.Diagnostic]:
    params = await wait_for_publication(client, uri, lambda p: p.version == version, after)
    return list(params.diagnostics)


async def run_result_for(client: LanguageClient, uri: str, version: int | None, timeout: float = WAIT_S) -> Any:
    """The synthLsp/runResult notification of one version of a script (it follows the diagnostics)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for payload in reversed(client.run_results):
            if payload.uri == uri and payload.version == version:
                return payload
        await asyncio.sleep(0.02)
    raise AssertionError(f"no runResult for {uri} version {version}")


def by_code(diagnostics: list[types.Diagnostic], code: str) -> list[types.Diagnostic]:
    return [d for d in diagnostics if d.code == code]


async def settle(client: LanguageClient, seconds: float = 0.3) -> None:
    """Let in-flight notifications arrive (used only to check that nothing more comes)."""
    await asyncio.sleep(seconds)
