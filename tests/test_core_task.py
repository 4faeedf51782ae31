"""Tasks: the pairing rule, both example formats, ARC leave-one-out, and bad examples files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth_lsp.core.script_header import parse_header
from synth_lsp.core.task import TaskError, examples_path_for, load_task, load_task_for_script, parse_task

ARC = {
    "train": [
        {"input": [[1]], "output": [[1, 1]]},
        {"input": [[2]], "output": [[2, 2]]},
        {"input": [[3]], "output": [[3, 3]]},
    ],
    "test": [{"input": [[4]], "output": [[4, 4]]}],
}


def write(path: Path, data) -> Path:
    path.write_text(data if isinstance(data, str) else json.dumps(data))
    return path


def test_sibling_json_is_paired_by_name(tmp_path):
    write(tmp_path / "double.json", ARC)
    script = tmp_path / "double.synth.py"
    assert examples_path_for(script) == tmp_path / "double.json"


def test_examples_json_suffix_is_found_too(tmp_path):
    write(tmp_path / "double.examples.json", ARC)
    assert examples_path_for(tmp_path / "double.synth.py") == tmp_path / "double.examples.json"


def test_header_overrides_the_pairing(tmp_path):
    (tmp_path / "data").mkdir()
    write(tmp_path / "data" / "other.json", ARC)
    script = write(tmp_path / "double.synth.py", "# synth: examples = data/other.json\n# synth: time_limit = 1.5\nresult = {}\n")
    task = load_task_for_script(script)
    assert task.name == "other"
    assert parse_header(script.read_text()).get("time_limit") == 1.5


def test_header_problems_name_their_line():
    header = parse_header("# synth: time_limit = soon\n# synth: colour = red\n# synth broken\nresult = {}\n")
    assert [p.line for p in header.problems] == [1, 2]
    assert "time_limit" in header.problems[0].message and "unknown header option" in header.problems[1].message


def test_header_ends_at_first_code_line():
    header = parse_header("x = 1\n# synth: time_limit = 3\n")
    assert header.options == {}


def test_arc_train_pairs_are_leave_one_out_and_test_sees_all(tmp_path):
    task = load_task(write(tmp_path / "t.json", ARC))
    assert task.kind == "arc" and len(task.train) == 3 and len(task.test) == 1
    first = task.train[0]
    assert first.inputs["input_grid"] == [[1]]
    assert [e["input_grid"] for e in first.inputs["examples"]] == [[[2]], [[3]]]
    assert first.expected == {"output_grid": [[1, 1]]}
    assert len(task.test[0].inputs["examples"]) == 3
    assert task.default_result == {"output_grid": [[0]]}


def test_test_pair_without_output_is_kept_unscored(tmp_path):
    data = dict(ARC, test=[{"input": [[4]]}])
    task = load_task(write(tmp_path / "t.json", data))
    assert task.test[0].expected is None


def test_malformed_json_has_its_position(tmp_path):
    path = write(tmp_path / "t.json", '{"train": [\n  {"input": [[1]], "output": [[1]]},\n  oops\n]}')
    with pytest.raises(TaskError) as info:
        load_task(path)
    assert (info.value.line, info.value.column) == (3, 3)
    assert "t.json:3:3" in str(info.value)


def test_missing_examples_file(tmp_path):
    with pytest.raises(TaskError, match="not found"):
        load_task(tmp_path / "nope.json")


def test_bad_grid_in_examples_says_where(tmp_path):
    data = {"train": [{"input": [[1, 2], [3]], "output": [[1]]}]}
    with pytest.raises(TaskError, match=r"train\[0\]\.input\[1\]: row has 1 cells"):
        load_task(write(tmp_path / "t.json", data))
    data = {"train": [{"input": [[1]], "output": [[12]]}]}
    with pytest.raises(TaskError, match=r"train\[0\]\.output\[0\]\[0\]: 12 is not a colour 0-9"):
        load_task(write(tmp_path / "t.json", data))


def test_unknown_format_and_empty_train():
    with pytest.raises(TaskError, match="cannot tell the format"):
        parse_task('{"train": [{"question": 1}]}')
    with pytest.raises(TaskError, match="non-empty `train`"):
        parse_task('{"train": []}')


def test_generic_task_with_schema_mask_and_default():
    text = json.dumps(
        {
            "schema": {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]},
            "default": {"n": 0},
            "mask": ["n"],
            "train": [{"inputs": {"s": "ab"}, "output": {"n": 2}}],
            "test": [{"inputs": {"s": "abc"}, "output": {"n": 3}}],
        }
    )
    task = parse_task(text, name="len")
    assert task.kind == "generic" and task.mask == ("n",) and task.default_result == {"n": 0}
    assert task.train[0].inputs == {"s": "ab"}


def test_generic_task_with_broken_schema_is_refused():
    with pytest.raises(TaskError, match="not a valid JSON Schema"):
        parse_task(json.dumps({"schema": {"type": 12}, "train": [{"inputs": {}, "output": {}}]}))


def test_default_result_must_validate(tmp_path):
    schema = {"type": "object", "properties": {"n": {"type": "integer"}}, "required": ["n"]}
    with pytest.raises(TaskError, match="`default` does not match the result schema"):
        parse_task(json.dumps({"schema": schema, "default": {}, "train": [{"inputs": {}, "output": {"n": 1}}]}))
    write(tmp_path / "t.json", ARC)
    script = write(tmp_path / "t.synth.py", '# synth: default = {"output_grid": [[10]]}\nresult = {}\n')
    with pytest.raises(TaskError, match=r"header's `default` does not match.*output_grid\[0\]\[0\]: 10 is not a colour"):
        load_task_for_script(script)
