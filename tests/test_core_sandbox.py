"""The Monty runner: results, errors at their place, walls, and limits that always fire."""

from __future__ import annotations


from synth_lsp.core.runs import RunLimits
from synth_lsp.sandbox.errors import MAX_FRAMES
from synth_lsp.sandbox.walls import get_walls

FAST = RunLimits(time_s=0.5, memory_mb=64, output_bytes=2000)



def test_result_is_read_back_and_normalised(sandbox):
    run = sandbox.run("pair = (1, 2)\nresult = {'a': [pair, inputs['x'] * 2]}", {"x": 21})
    assert run.ok, run.error
    assert run.result == {"a": [[1, 2], 42]}  # tuples become lists


def test_runtime_error_points_at_innermost_user_frame(sandbox):
    script = "def f(a):\n    return a[5]\n\nresult = f([1])\n"
    run = sandbox.run(script, {})
    assert run.error.kind == "runtime"
    assert run.error.exc_type == "IndexError"
    assert (run.error.range.line, run.error.range.column) == (2, 12)
    assert [f.function for f in run.error.frames] == ["<module>", "f"]


def test_syntax_error_kind_and_line(sandbox):
    run = sandbox.run("x = 1\ny = (\n", {})
    assert run.error.kind == "syntax"
    assert run.error.range is not None and run.error.range.line >= 2


def test_unsupported_syntax_is_refused_before_running(sandbox):
    run = sandbox.run("print('ran')\nclass A:\n    pass\nclass B(A):\n    pass\nresult = {}", {})
    assert run.error.kind == "unsupported"
    assert run.stdout == ""  # nothing ran
    assert run.error.range.line == 4


def test_missing_module_reported_at_import_before_running(sandbox):
    run = sandbox.run("print('ran')\nimport numpy as np\nresult = {}", {})
    assert run.error.kind == "import"
    assert "numpy" in run.error.message
    assert (run.error.range.line, run.error.range.column) == (2, 1)
    assert run.stdout == ""


def test_available_module_imports(sandbox):
    run = sandbox.run("import collections\nresult = {'n': len(collections.Counter('aab'))}", {})
    assert run.ok and run.result == {"n": 2}


def test_infinite_loop_hits_time_limit(sandbox):
    run = sandbox.run("while True:\n    pass", {}, FAST)
    assert run.error.kind == "timeout"
    assert "0.5 s" in run.error.message
    assert run.duration_s < 5


def test_printing_forever_is_capped_and_stopped(sandbox):
    run = sandbox.run("while True:\n    print('spam')", {}, FAST)
    assert run.error.kind == "timeout"
    assert run.output_truncated
    assert len(run.stdout) < 2200 and "output truncated" in run.stdout


def test_allocation_hits_memory_limit(sandbox):
    run = sandbox.run("x = [0] * 10\nwhile True:\n    x = x + x", {}, FAST)
    assert run.error.kind == "memory"
    assert "64 MB" in run.error.message
    # a large allocation can kill the worker outright: then there is no frame to point at
    assert run.error.range is None or run.error.range.line == 3


def test_unbounded_recursion_is_a_catchable_error_with_truncated_frames(sandbox):
    run = sandbox.run("def f(n):\n    return f(n + 1)\nresult = f(0)", {}, FAST)
    assert run.error.exc_type == "RecursionError"
    assert len(run.error.frames) <= MAX_FRAMES
    assert run.error.range.line == 2


def test_missing_result(sandbox):
    run = sandbox.run("x = 1", {})
    assert run.error.kind == "missing_result"


def test_non_json_result_is_a_schema_error(sandbox):
    run = sandbox.run("result = {'s': {1, 2}}", {})
    assert run.error.kind == "schema"


def test_stderr_is_captured_separately(sandbox):
    run = sandbox.run("import sys\nprint('out')\nprint('err', file=sys.stderr)\nresult = {}", {})
    assert run.stdout == "out\n" and run.stderr == "err\n"


def test_runs_do_not_share_state_and_cannot_mutate_host_inputs(sandbox):
    data = {"grid": [[1]]}
    first = sandbox.run("leak = 1\ninputs['grid'][0][0] = 9\nresult = {}", data)
    assert first.ok
    assert data == {"grid": [[1]]}
    second = sandbox.run("result = {'leak': leak}", {})
    assert second.error.exc_type == "NameError"


def test_host_is_out_of_reach(sandbox):
    run = sandbox.run("result = {'t': open('/etc/passwd').read()}", {})
    assert run.error is not None and run.error.kind == "runtime"


def test_run_many_keeps_order(sandbox):
    runs = sandbox.run_many("result = {'v': inputs['v'] * 10}", [{"v": i} for i in range(6)])
    assert [r.result["v"] for r in runs] == [0, 10, 20, 30, 40, 50]


def test_walls_are_probed_from_the_installed_sandbox(sandbox):
    walls = get_walls(sandbox)
    assert "json" in walls.importable and "math" in walls.importable
    assert "numpy" in walls.missing
    refused = {w.feature for w in walls.syntax if not w.supported}
    assert "class inheritance" in refused
    text = walls.describe()
    assert "numpy" in text and "class inheritance" in text


def test_result_used_before_assignment_is_a_runtime_error_at_its_line(sandbox):
    run = sandbox.run("x = 1\ny = result\nresult = {}\n", {})
    assert run.error.kind == "runtime" and run.error.exc_type == "NameError"
    assert run.error.range.line == 2


def test_missing_result_after_a_function_and_a_comment_without_newline(sandbox):
    run = sandbox.run("def f():\n    return 1\n# no result here", {})
    assert run.error.kind == "missing_result"
    assert sandbox.run("result = {'v': 1}  # done", {}).result == {"v": 1}


def test_a_script_sees_every_key_whenever_it_can_reach_them(sandbox):
    """Binding only the keys a script reads must never change what the script sees."""
    data = {"input_grid": [[1, 2]], "examples": [{"input": [[0]], "output": [[1]]}], "note": "n"}
    cases = {
        "result = {'g': inputs['input_grid']}": {"g": [[1, 2]]},
        "result = {'keys': sorted(inputs)}": {"keys": ["examples", "input_grid", "note"]},
        "result = {'n': len(inputs)}": {"n": 3},
        "result = {'has': 'examples' in inputs, 'e': inputs.get('note')}": {"has": True, "e": "n"},
        "k = 'exam' + 'ples'\nresult = {'e': len(inputs[k])}": {"e": 1},
        "def f(d):\n    return len(d)\nresult = {'n': f(inputs)}": {"n": 3},
        "result = {'n': len(eval('inputs'))}": {"n": 3},
        "def f(inputs):\n    return sorted(inputs)\nresult = {'k': f(inputs)}": {"k": ["examples", "input_grid", "note"]},
    }
    for script, expected in cases.items():
        run = sandbox.run(script, data)
        assert run.ok, (script, run.error)
        assert run.result == expected, script


def test_a_run_told_to_stop_is_stopped_inside_the_sandbox_and_the_pool_recovers(sandbox):
    import threading

    stop = threading.Event()
    threading.Timer(0.3, stop.set).start()
    runs = sandbox.run_many("while True:\n    pass\n", [{}, {}, {}], RunLimits(time_s=60), should_stop=stop.is_set)
    assert all(r.error.kind == "crash" and "stopped" in r.error.message for r in runs)
    # the killed workers were replaced: the next runs are served, and a run not told to stop is untouched
    runs = sandbox.run_many("result = {'v': inputs['v']}", [{"v": i} for i in range(4)], should_stop=lambda: False)
    assert [r.result for r in runs] == [{"v": i} for i in range(4)]
