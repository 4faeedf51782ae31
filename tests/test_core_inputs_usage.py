"""Which keys of `inputs` a script reads: a proof, or None when the script may read any key."""

from __future__ import annotations

import pytest

from synth_lsp.sandbox.inputs_usage import keys_read, restrict


@pytest.mark.parametrize(
    ("script", "keys"),
    [
        ("result = {'output_grid': inputs['input_grid']}", {"input_grid"}),
        ("g = inputs.get('input_grid', [])\nok = 'examples' in inputs\nresult = {}", {"input_grid", "examples"}),
        ("def f():\n    return inputs['a']['b']\nresult = f()", {"a"}),
        ("result = {}", set()),
    ],
)
def test_literal_keys_are_proved(script, keys):
    assert keys_read(script) == frozenset(keys)


@pytest.mark.parametrize(
    "script",
    [
        "result = dict(inputs)",  # passed on
        "for k in inputs:\n    pass\nresult = {}",  # iterated
        "k = 'a'\nresult = inputs[k]",  # computed key
        "inputs['a'] = 1\nresult = {}",  # written
        "inputs = {}\nresult = inputs",  # rebound
        "result = eval('inputs')",  # reached by name
        "result = locals()",
        "def f(inputs):\n    return inputs['a']\nresult = f({})",  # shadowed
        "result = inputs.keys()",
        "result = (",  # does not parse: no proof
    ],
)
def test_any_other_use_means_every_key(script):
    assert keys_read(script) is None


def test_restrict_keeps_only_the_proved_keys_and_shares_values():
    grid = [[1]]
    data = {"input_grid": grid, "examples": [1, 2]}
    assert restrict(data, frozenset({"input_grid"})) == {"input_grid": grid}
    assert restrict(data, frozenset({"input_grid"}))["input_grid"] is grid
    assert restrict(data, None) is data
    assert restrict(data, frozenset({"input_grid", "examples", "other"})) is data
