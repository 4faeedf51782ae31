"""Shared fixtures."""

from __future__ import annotations

import pytest

from fake_openai import FakeOpenAI


@pytest.fixture
def fake_openai():
    """A started in-process OpenAI-compatible server (see tests/fake_openai.py); stopped afterwards."""
    with FakeOpenAI() as server:
        yield server
