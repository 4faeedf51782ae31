"""The instrumented run's pure parts (the rewrite, its refusals, the text of values) and the run
itself in the real sandbox: exact line mapping, loops, caps, values kept up to an error."""

from __future__ import annotations

import ast

import pytest

from synth_lsp.core.runs import RunLimits
from synth_lsp.core.trace_rewrite import (
    CUT,
    VALUE_CELLS,
    Instrumented,
    Refusal,
    instrument,
)
from synth_lsp.core.value_text import hint_text, literal, short
from synth_lsp.core.value_trace import divergence
from synth_lsp.sandbox.value_trace import trace_pair

GRID = [[0, 7, 7], [7, 7, 7], [0, 7, 7]]


def sites_of(script: str) -> dict[int, tuple[str, tuple[str, ...], int]]:
    found = instrument(script)
    assert isinstance(found, Instrumented), found
    ast.parse(found.code)  # the instrumented copy is valid Python
    return {line: (site.kind, site.names, site.end_line) for line, site in found.sites.items()}


def test_sites_map_to_the_users_lines():
    script = (
        "# synth: time_limit = 3\n"  # 1: a comment the rewrite drops; the lines stay the user's
        "a, (b, *c) = 1, (2, 3, 4)\n"  # 2
        "grid = [\n"  # 3: a statement over three lines: its hint goes at its end
        "    [1, 2],\n"
        "]\n"
        "grid[0][1] += 5; total = 0\n"  # 6: two statements on one line
        "for i, row in enumerate(grid):\n"  # 7
        "    total += sum(row)\n"  # 8
        "def f(x):\n"
        "    return x + 1\n"  # 10
        "class Box:\n"
        "    def __init__(self):\n"
        "        self.size = 3\n"  # 13
    )
    assert sites_of(script) == {
        2: ("assign", ("a", "b", "c"), 2),
        3: ("assign", ("grid",), 5),
        6: ("augassign", ("grid", "total"), 6),
        7: ("for", ("i", "row"), 7),
        8: ("augassign", ("total",), 8),
        10: ("return", ("return",), 10),
        13: ("assign", ("self.size",), 13),
    }


@pytest.mark.parametrize(
    ("script", "reason"),
    [
        ("len = 3\nresult = len\n", "rebinds the built-in `len`"),
        ("def sorted(x):\n    return x\n", "rebinds the built-in `sorted`"),
        ("from math import pow as max\n", "rebinds the built-in `max`"),
        ("def f():\n    global list\n    list = 1\n", "`global list` rebinds a built-in"),
        ("def f():\n    x = 1\n    global y\n    y = x\n", "below other statements"),
        ("def f(v):\n    if v:\n        global y\n        y = v\n", "inside a block"),
        ("_synth_v_t = {}\n", "recorder's name `_synth_v_t`"),
        ("def g(_synth_v_n):\n    return 1\n", "recorder's name"),
        ("x = (\n", "does not parse"),
    ],
)
def test_scripts_the_rewrite_refuses(script: str, reason: str):
    found = instrument(script)
    assert isinstance(found, Refusal) and reason in found.reason, found


def test_local_names_that_shadow_builtins_are_fine():
    assert isinstance(instrument("def f(list):\n    max = 3\n    return max\nresult = f(1)\n"), Instrumented)


def test_value_text():
    assert short(GRID) == "3x3 grid: black, orange"
    assert short("hi") == "'hi'"
    assert short([1, 2, 3]) == "[1, 2, 3]"
    long = short(list(range(100)))
    assert long.startswith("[0, 1, 2") and long.endswith("…") and len(long) <= 48
    assert literal(["a" * 5 + CUT + "95"]) == "['aaaaa…']"
    assert literal([1, 2, CUT + "98"]) == "[1, 2, …]"
    assert short([[1] * 10, [1] * 10, CUT + "998"]) == "1000x10 grid: blue (colours of the first rows)"
    assert short(10**5000).startswith("<a ")


def test_sandbox_trace_of_loops_grids_and_an_error(sandbox):
    script = (
        "n = len(inputs['input_grid'])\n"
        "out = [[0] * n for _ in range(n)]\n"
        "for r in range(n):\n"
        "    for c in range(n):\n"
        "        out[r][c] = inputs['input_grid'][r][c]\n"
        "big = [[1] * 1000 for _ in range(1000)]\n"
        "oops = 1 // 0\n"
    )
    run = trace_pair(sandbox, script, {"input_grid": GRID}, RunLimits(time_s=10))
    trace = run.trace
    assert trace is not None and trace.error is not None and trace.error.exc_type == "ZeroDivisionError"
    assert hint_text(trace.at_line(1)) == "n = 3"
    assert hint_text(trace.at_line(3)) == "r = 0 ... 2 (x3)"
    (copy,) = trace.at_line(5)
    assert copy.count == 9 and copy.first == [[0, 0, 0], [0, 0, 0], [0, 0, 0]] and copy.last == GRID
    (big,) = trace.at_line(6)
    assert short(big.last).startswith("1000x1000 grid: blue")
    cells = sum(len(row) if isinstance(row, list) else 1 for row in big.last)
    assert cells <= VALUE_CELLS + 1
    assert trace.at_line(7) == []  # the line raised: nothing recorded after it


def test_a_long_loop_is_counted_and_its_last_values_kept(sandbox):
    script = "rows = []\nfor i in range(5000):\n    rows.append([i, i])\n    last = rows[-1]\n"
    trace = trace_pair(sandbox, script, {}, RunLimits(time_s=10)).trace
    assert trace is not None
    assert hint_text(trace.at_line(2)) == "i = 0 ... 4999 (x5000)"
    assert hint_text(trace.at_line(4)) == "last = [0, 0] ... [4999, 4999] (x5000)"


def test_divergence_names_the_line_of_a_wrong_shape(sandbox):
    script = "small = [row[:] for row in inputs['input_grid']]\nresult = {'output_grid': small}\n"
    trace = trace_pair(sandbox, script, {"input_grid": GRID}, RunLimits()).trace
    expected = [[0] * 9 for _ in range(9)]
    found = divergence(trace, GRID, expected)
    assert found is not None and found.assigned_line == 1 and found.first_wrong_line == 1
    assert found.why == "shape 3x3, expected 9x9"


def test_divergence_follows_the_output_back_to_its_first_wrong_shape(sandbox):
    script = (
        "out = [row[:] for row in inputs['input_grid']]\n"  # 1: 3x3, where the shape first goes wrong
        "out = [row + row + row for row in out]\n"  # 2: 3x9
        "out = out + out + out\n"  # 3: 9x9, the output (a tiling: wrong cells)
        "result = {'output_grid': out}\n"
    )
    trace = trace_pair(sandbox, script, {"input_grid": GRID}, RunLimits()).trace
    actual = [row * 3 for row in GRID] * 3
    expected = [[GRID[r // 3][c // 3] and GRID[r % 3][c % 3] for c in range(9)] for r in range(9)]
    found = divergence(trace, actual, expected)
    assert found is not None and (found.assigned_line, found.first_wrong_line) == (3, 1), found
    assert found.why == "shape 3x3, expected 9x9"
    assert divergence(trace, expected, expected) is None  # nothing to tell when the output is right


def test_the_hover_text_of_names_and_attributes(sandbox):
    from synth_lsp.server.inline_values import hover_text

    script = "class Box:\n    def __init__(self):\n        self.size = 3\n\nbox = Box()\nfor k in range(4):\n    pass\n"
    trace = trace_pair(sandbox, script, {}, RunLimits()).trace
    text = hover_text(trace, "size", 3, markdown=True)
    assert text is not None and "line 3 (self.size)" in text and "```python\n3\n```" in text
    loop = hover_text(trace, "k", 6, markdown=False)
    assert loop is not None and "run 4 times" in loop and loop.rstrip().endswith("3")
    assert hover_text(trace, "nothing", 1, markdown=True) is None


def test_the_recorder_never_raises_into_the_script(sandbox):
    # near the recursion limit, the recorder's own calls would raise RecursionError inside the
    # script's `try`, which would then take the except branch: the recorder swallows it instead,
    # and the incomplete trace gives no values
    script = (
        "def down(k):\n"
        "    try:\n"
        "        x = [[k]]\n"
        "    except RecursionError:\n"
        "        return 'changed'\n"
        "    return down(k - 1) if k else x\n"
        "result = down(40)\n"
    )
    limits = RunLimits(recursion_depth=45)
    plain = sandbox.run(script, {}, limits)
    run = trace_pair(sandbox, script, {}, limits)
    assert plain.result == [[0]]
    assert run.trace is None and "could not be taken" in run.problem  # and no values from an incomplete trace
