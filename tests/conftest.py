"""Shared fixtures."""

from __future__ import annotations

import pytest

from fake_openai import FakeOpenAI
from synth_lsp.sandbox.runner import Sandbox


@pytest.fixture
def fake_openai():
    """A started in-process OpenAI-compatible server (see tests/fake_openai.py); stopped afterwards."""
    with FakeOpenAI() as server:
        yield server


@pytest.fixture(scope="module")
def sandbox():
    """A Monty pool of two workers for one test module (a module may override it)."""
    with Sandbox(processes=2) as box:
        yield box


@pytest.fixture(scope="module")
def litellm_loaded():
    """litellm imported once per module that asks for it: the import takes seconds."""
    from synth_lsp.optimizer.llm.language_model import import_litellm

    return import_litellm()
