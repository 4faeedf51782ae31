"""Laying out an examples file: one grid row per line, the same JSON value."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth_lsp.core.examples_layout import lay_out

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT.parent / "shared" / "arc" / "ARC-AGI-1" / "training"


def test_an_arc_file_gets_one_row_per_line_and_keeps_its_value():
    text = (ROOT / "examples" / "arc" / "007bbfb7.json").read_text()
    laid_out = lay_out(text)
    assert json.loads(laid_out) == json.loads(text)
    first = json.loads(text)["train"][0]["input"]
    lines = laid_out.splitlines()
    start = lines.index('        [' + ", ".join(map(str, first[0])) + "],")  # the first train input's first row
    assert [json.loads(line.strip().rstrip(",")) for line in lines[start : start + len(first)]] == first
    assert lay_out(laid_out) is None  # already laid out: nothing to offer


def test_every_arc_training_task_keeps_its_value():
    files = sorted(ARC.glob("*.json"))
    assert len(files) == 400
    for path in files:
        text = path.read_text()
        assert json.loads(lay_out(text)) == json.loads(text), path.name


def test_a_generic_examples_file_keeps_objects_and_strings():
    text = json.dumps({"instructions": "Count \"words\"", "train": [{"inputs": {"text": "a b", "tags": ["x", None]}, "output": {"n": 2.5, "ok": True}}]})
    laid_out = lay_out(text)
    assert json.loads(laid_out) == json.loads(text)
    assert '"tags": ["x", null]' in laid_out


@pytest.mark.parametrize("text", ['{"test": []}', "[1, 2]", "not json", '{"train": {}}'])
def test_other_json_is_left_alone(text):
    assert lay_out(text) is None
