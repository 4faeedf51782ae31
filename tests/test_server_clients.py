"""End to end over stdio: settings from all three sources, and the capability profiles of real
clients (VS Code, Neovim 0.7, Emacs): the server sends only what each one advertises."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from server_client import CONFIG, by_code, diagnostics_for_version, new_workspace, open_doc, settle, uri_of, wait_for_publication

# spins until the time limit; the timeout message names the limit in force
SPIN = "while True:\n    pass\n"
IDENTITY = 'result = {"output_grid": [row[:] for row in inputs["input_grid"]]}\n'


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    yield  # each test initializes with its own capabilities and options
    await lsp_client.shutdown_session()


async def start(client: LanguageClient, profile: str, options: dict | None = None) -> types.InitializeResult:
    params = types.InitializeParams(capabilities=pytest_lsp.client_capabilities(profile), initialization_options=options)
    return await client.initialize_session(params)


def script(root: Path, text: str) -> str:
    new_workspace(root)
    path = root / "007bbfb7.synth.py"
    path.write_text(text, encoding="utf-8")
    return uri_of(path)


def timeout_limit(params: types.PublishDiagnosticsParams) -> str | None:
    codes = [d for d in params.diagnostics if d.code == "timeout"]
    return codes[0].message.split("time limit of ")[1].split(" s")[0] if codes else None


async def test_initialization_options_then_did_change_configuration(client: LanguageClient, tmp_path: Path):
    await start(client, "neovim@v0.7.0", {"settings": {"timeLimit": 0.25}})
    uri = script(tmp_path, SPIN)
    open_doc(client, uri, SPIN)
    first = await wait_for_publication(client, uri, lambda p: p.version == 1)
    assert timeout_limit(first) == "0.25"
    mark = len(client.published)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings={"synthLsp": {"timeLimit": 0.2}}))
    again = await wait_for_publication(client, uri, lambda p: True, after=mark)
    assert timeout_limit(again) == "0.2"  # a limit change re-runs open scripts
    assert client.configuration_requests == 0  # Neovim 0.7 does not advertise workspace/configuration


async def test_workspace_configuration_is_pulled_when_advertised(client: LanguageClient, tmp_path: Path):
    client.set_configuration({"timeLimit": 0.3, "runTrigger": "save"}, section="synthLsp")
    await start(client, "visual-studio-code", {"settings": {"timeLimit": 0.5}})
    uri = script(tmp_path, SPIN)
    open_doc(client, uri, SPIN)
    # the pulled value wins over initializationOptions (a first run may use the older value)
    await wait_for_publication(client, uri, lambda p: timeout_limit(p) == "0.3")
    assert client.configuration_requests >= 1

    # "settings changed" with no payload: the server pulls them again
    client.set_configuration({"timeLimit": 0.35}, section="synthLsp")
    mark = len(client.published)
    client.workspace_did_change_configuration(types.DidChangeConfigurationParams(settings=None))
    await wait_for_publication(client, uri, lambda p: timeout_limit(p) == "0.35", after=mark)


async def test_a_bad_setting_is_reported_and_ignored(client: LanguageClient, tmp_path: Path):
    await start(client, "neovim@v0.7.0", {"settings": {"timeLimit": "fast", "runTrigger": "sometimes", "memoryLimitMb": 64}})
    await settle(client, 0.3)
    texts = [m.message for m in client.messages]
    assert any("synthLsp.timeLimit must be a number > 0 and <= 60" in t for t in texts)  # the range is named
    assert any("synthLsp.runTrigger" in t for t in texts)
    uri = script(tmp_path, "x = []\nwhile True:\n    x.append([0] * 10000)\n")
    # the good key of the same payload was applied
    open_doc(client, uri, (tmp_path / "007bbfb7.synth.py").read_text())
    [d] = await diagnostics_for_version(client, uri, 1)
    assert d.code == "memory" and "memory limit of 64 MB exceeded" in d.message


@pytest.mark.parametrize(
    "profile, watcher, lens_refresh, pulls",
    [
        ("visual-studio-code", True, True, True),
        ("neovim@v0.7.0", False, False, False),
        ("emacs", True, False, True),
    ],
)
async def test_only_what_the_client_advertises_is_sent(client: LanguageClient, tmp_path: Path, profile, watcher, lens_refresh, pulls):
    result = await start(client, profile, {"clientFeatures": {}})
    assert result.capabilities.code_lens_provider is not None and result.capabilities.hover_provider
    uri = script(tmp_path, IDENTITY)
    open_doc(client, uri, IDENTITY)
    diags = await diagnostics_for_version(client, uri, 1)
    assert len(by_code(diags, "mismatch")) == 5
    # what should come may trail the diagnostics a little; what should not come has had time too
    expected = [(watcher, lambda: client.registrations), (lens_refresh, lambda: client.lens_refreshes), (pulls, lambda: client.configuration_requests)]
    for _ in range(100):
        if all(bool(seen()) for wanted, seen in expected if wanted):
            break
        await settle(client, 0.05)
    await settle(client, 0.3)
    assert bool(client.registrations) == watcher
    assert (client.lens_refreshes > 0) == lens_refresh
    assert (client.configuration_requests > 0) == pulls
    assert client.progress_creates == 0
    assert client.run_results == []  # runResult is opt-in
    hover = await client.text_document_hover_async(types.HoverParams(types.TextDocumentIdentifier(uri), types.Position(0, 1)))
    assert hover is not None and "train pair 1" in hover.contents.value


async def test_the_negotiated_position_encoding_is_honoured(client: LanguageClient, tmp_path: Path):
    # the Emacs profile prefers UTF-32: columns are then code points
    result = await start(client, "emacs")
    encoding = result.capabilities.position_encoding
    uri = script(tmp_path, 's = "😀é"; boom = [][0]\nresult = {}\n')
    open_doc(client, uri, (tmp_path / "007bbfb7.synth.py").read_text())
    [d] = by_code(await diagnostics_for_version(client, uri, 1), "runtime")
    expected = {"utf-32": 17, "utf-16": 18, "utf-8": 21}[encoding or "utf-16"]
    assert d.range.start.character == expected
    assert encoding == "utf-32"


async def test_tcp_transport():
    import os
    import socket
    import subprocess
    import sys

    from pygls.lsp.client import LanguageClient as PlainClient

    from server_client import REPO

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    server = subprocess.Popen([sys.executable, "-m", "synth_lsp", "serve", "--tcp", "--port", str(port)], env=env)
    try:
        tcp = PlainClient("tcp-test", "1")
        for _ in range(200):
            try:
                await tcp.start_tcp("127.0.0.1", port)
                break
            except OSError:
                await asyncio.sleep(0.05)
        result = await tcp.initialize_async(types.InitializeParams(capabilities=types.ClientCapabilities()))
        assert result.server_info.name == "synth-lsp" and result.capabilities.code_lens_provider is not None
        await tcp.shutdown_async(None)
        tcp.exit(None)
        await tcp.stop()
    finally:
        server.terminate()
        server.wait(10)
