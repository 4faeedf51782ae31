"""Reward, diffs, schema checks and the failure contract, on the real sandbox."""

from __future__ import annotations

import json
from pathlib import Path

from solutions import FRACTAL_007BBFB7
from synth_lsp.core.evaluation import evaluate
from synth_lsp.sandbox.runner import get_sandbox
from synth_lsp.core.schema import check_arc_result
from synth_lsp.core.scoring import diff_results, exact_match, grid_diff, json_diff
from synth_lsp.core.task import load_task, parse_task

ROOT = Path(__file__).resolve().parent.parent
TASK_007 = ROOT / "examples" / "arc" / "007bbfb7.json"

FRACTAL = FRACTAL_007BBFB7


def test_exact_match_respects_mask_and_json_types():
    assert exact_match({"g": [[1]]}, {"g": [[1]], "extra": 5}, ("g",)) == 1.0
    assert exact_match({"g": [[1]]}, {"g": [[1]], "extra": 5}) == 0.0
    assert exact_match({"v": 1}, {"v": True}) == 0.0
    assert exact_match({"v": 1}, None) == 0.0


def test_grid_diff_lists_cells_or_shape():
    diff = grid_diff([[1, 2], [3, 4]], [[1, 0], [3, 5]])
    assert diff.kind == "cells"
    assert [(c.row, c.col, c.expected, c.actual) for c in diff.cells] == [(0, 1, 2, 0), (1, 1, 4, 5)]
    assert "2 of 4 cells differ" in diff.summary()
    shape = grid_diff([[1, 2]], [[1], [2]])
    assert shape.kind == "shape" and "expected 1x2, got 2x1" in shape.summary()
    assert grid_diff([[1]], [[1]]).equal


def test_json_diff_gives_leaf_paths():
    paths = json_diff({"a": {"b": [1, 2]}, "c": 1}, {"a": {"b": [1, 3]}, "d": 2})
    described = [p.describe() for p in paths]
    assert described == ["a.b[1]: expected 2, got 3", "c: missing in result", "d: not expected"]


def test_diff_results_uses_the_grid_key():
    diff = diff_results({"output_grid": [[1]]}, {"output_grid": [[2]]}, ("output_grid",), "output_grid")
    assert diff.kind == "cells" and diff.key == "output_grid"


def test_schema_violation_says_where():
    problems = check_arc_result({"output_grid": [[1, 2], [3, 12]]})
    assert [str(p) for p in problems] == ["output_grid[1][1]: 12 is not a colour 0-9"]
    assert "no 'output_grid'" in str(check_arc_result({"grid": []})[0])
    assert "True is not a colour" in str(check_arc_result({"output_grid": [[True]]})[0])


def test_solution_scores_one_on_train_and_test():
    task = load_task(TASK_007)
    ev = evaluate(task, FRACTAL, sandbox=get_sandbox())
    assert ev.train_reward == 1.0 and ev.solved
    assert ev.test_passed == 1 and ev.test_reward == 1.0


def test_identity_seed_scores_zero_with_shape_diffs():
    task = load_task(TASK_007)
    ev = evaluate(task, "result = {'output_grid': inputs['input_grid']}", sandbox=get_sandbox())
    assert ev.train_reward == 0.0 and ev.train_passed == 0
    assert all(v.diff.kind == "shape" for v in ev.train)


def test_failure_contract_yields_default_with_captured_output():
    task = load_task(TASK_007)
    ev = evaluate(task, "import sys\nprint('looking', file=sys.stderr)\nresult = {'output_grid': inputs['input_grid'][99]}", sandbox=get_sandbox())
    verdict = ev.train[0]
    assert verdict.error.kind == "runtime"
    assert verdict.output == task.default_result
    assert verdict.run.stderr == "looking\n"
    assert verdict.reward == 0.0


def test_invalid_result_is_a_schema_error_with_path():
    task = load_task(TASK_007)
    ev = evaluate(task, "result = {'output_grid': [[12]]}", sandbox=get_sandbox())
    err = ev.train[0].error
    assert err.kind == "schema" and "output_grid[0][0]: 12 is not a colour 0-9" in err.message
    assert ev.train[0].output == {"output_grid": [[0]]}


def test_generic_task_partial_credit_and_schema():
    task = parse_task(
        json.dumps(
            {
                "schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
                "default": {"n": -1},
                "train": [
                    {"inputs": {"s": "ab"}, "output": {"n": 2}},
                    {"inputs": {"s": "abcd"}, "output": {"n": 4}},
                ],
            }
        )
    )
    ev = evaluate(task, "result = {'n': min(len(inputs['s']), 3)}", sandbox=get_sandbox())
    assert ev.train_rewards == [1.0, 0.0]
    assert ev.train[1].diff.paths[0].describe() == "n: expected 4, got 3"
    bad = evaluate(task, "result = {'n': 'two'}", sandbox=get_sandbox())
    assert bad.train[0].error.kind == "schema" and "'two' is not of type 'integer'" in bad.train[0].error.message


def test_grid_equality_and_diff_keep_json_semantics_on_whole_rows():
    """Rows of plain numbers are compared at C speed; bools, floats and nested values still count."""
    expected = [[1, 0, 2], [3, 4, 5]]
    assert exact_match({"g": expected}, {"g": [[1, 0, 2], [3, 4, 5]]}, ("g",)) == 1.0
    assert exact_match({"g": expected}, {"g": [[True, False, 2], [3, 4, 5]]}, ("g",)) == 0.0
    assert exact_match({"g": expected}, {"g": [[1.0, 0, 2], [3, 4, 5]]}, ("g",)) == 1.0  # JSON: 1.0 is 1
    diff = grid_diff(expected, [[True, 0, 2], [3, 9, [5]]])
    assert [(c.row, c.col) for c in diff.cells] == [(0, 0), (1, 1), (1, 2)]


def test_grid_check_names_every_kind_of_bad_cell_in_a_row():
    problems = [str(p) for p in check_arc_result({"output_grid": [[1, [2], "3", 10, None, True]]})]
    assert len(problems) == 5 and all("is not a colour" in p for p in problems)


def _json_equal(a, b) -> bool:
    """JSON equality spelled out cell by cell (the reference the fast paths must agree with)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_json_equal(x, y) for x, y in zip(a, b))
    return a == b


def test_the_whole_grid_fast_paths_agree_with_json_equality_cell_by_cell():
    import random

    from synth_lsp.core.schema import check_grid

    rng = random.Random(7)
    cells = [0, 1, 1, 2, 9, True, False, 1.0, "1", None, [1], 10, -1]
    for _ in range(3000):
        rows, cols = rng.randint(1, 4), rng.randint(1, 4)
        expected = [[rng.choice([0, 1, 2, 9]) for _ in range(cols)] for _ in range(rows)]
        actual = [row[:] for row in expected]
        for _ in range(rng.randint(0, 3)):  # a few cells changed, to anything
            actual[rng.randrange(rows)][rng.randrange(cols)] = rng.choice(cells)
        if rng.random() < 0.1:
            actual[rng.randrange(rows)] = rng.choice([[1] * (cols + 1), (1,) * cols, "row"])
        want = [
            (r, c, x, y)
            for r, (er, ar) in enumerate(zip(expected, actual))
            if isinstance(ar, list) and len(ar) == cols
            for c, (x, y) in enumerate(zip(er, ar))
            if not _json_equal(x, y)
        ]
        rectangular = all(isinstance(row, list) and len(row) == cols for row in actual)
        diff = grid_diff(expected, actual)
        if rectangular:
            assert diff.kind == ("equal" if not want else "cells"), (expected, actual)
            assert [tuple(c) for c in diff.cells] == want, (expected, actual)
        else:
            assert diff.kind == "shape"
        assert exact_match({"g": expected}, {"g": actual}) == float(_json_equal(expected, actual))
        widths = {len(row) if isinstance(row, list) else -1 for row in actual}
        good = len(widths) == 1 and widths.pop() > 0 and all(type(v) is int and 0 <= v <= 9 for row in actual for v in row)
        assert (check_grid(actual) == []) == good, actual
