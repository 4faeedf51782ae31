"""The population file's piecewise parser reads what `json.loads` reads, and fails where it fails."""

from __future__ import annotations

import json

import pytest

from synth_lsp.optimizer.piecewise_json import loads_in_pieces

GOOD = [
    '{"format": "x", "candidates": [{"id": "a", "script": ["x = 1"]}, {"id": "b"}], "generation": 3}',
    ' \n{ "candidates" : [ ] , "runs": [1, 2] }\n ',
    "{}",
    '{"candidates": {"not": "a list"}}',
    '{"candidates": [1, [2, [3]], "s", null, true], "candidates": [4]}',  # the last of a repeated key, as json.loads
    "[1, 2, 3]",
    '"just a string"',
]
BAD = [
    '{"candidates": [1, 2,]}',
    '{"candidates": [1 2]}',
    '{"candidates": [1, 2]',
    '{"a": 1,}',
    '{"a" 1}',
    "{1: 2}",
    '{"a": 1} trailing',
    '{"candidates": [{"id": "a"}, {"id": }]}',
    "",
]


@pytest.mark.parametrize("text", GOOD)
def test_the_same_value_as_json_loads(text):
    assert loads_in_pieces(text, "candidates") == json.loads(text)


@pytest.mark.parametrize("text", BAD)
def test_the_same_error_position_as_json_loads(text):
    with pytest.raises(json.JSONDecodeError) as plain:
        json.loads(text)
    with pytest.raises(json.JSONDecodeError) as pieces:
        loads_in_pieces(text, "candidates")
    assert (pieces.value.lineno, pieces.value.colno) == (
        plain.value.lineno,
        plain.value.colno,
    )
