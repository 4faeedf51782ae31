"""End to end over stdio: the diagnostics a script gets, each kind at its place."""

from __future__ import annotations

from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient

from server_client import CONFIG, by_code, diagnostics_for_version, new_workspace, open_doc, uri_of

IDENTITY = '''# the identity seed
def transform(inputs):
    grid = inputs["input_grid"]
    return {"output_grid": [row[:] for row in grid]}


result = transform(inputs)
'''


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        initialization_options={"settings": {"timeLimit": 1}, "clientFeatures": {"runResult": True}},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


async def open_script(client: LanguageClient, root: Path, text: str, name: str = "007bbfb7") -> tuple[str, list[types.Diagnostic]]:
    new_workspace(root, name)
    path = root / f"{name}.synth.py"
    path.write_text(text, encoding="utf-8")
    uri = uri_of(path)
    open_doc(client, uri, text)
    return uri, await diagnostics_for_version(client, uri, 1)


async def test_identity_seed_reports_one_mismatch_per_train_pair(client: LanguageClient, tmp_path: Path):
    uri, diags = await open_script(client, tmp_path, IDENTITY)
    mismatches = by_code(diags, "mismatch")
    assert len(mismatches) == 5
    first = mismatches[0]
    assert first.range.start.line == 6  # `result = transform(inputs)`
    assert first.message.startswith("train pair 1: wrong shape: expected 9x9, got 3x3")
    assert first.source == "synth-lsp"
    assert first.data["pairs"] == [{"split": "train", "index": 0}]
    related = first.related_information[0]
    assert related.location.uri.endswith("007bbfb7.json")
    print(diags)
