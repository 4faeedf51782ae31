"""The server's pure parts, without a server: JSON spans, settings, positions, grouping."""

from __future__ import annotations

import json

import pytest
from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synth_lsp.core.json_spans import index_json
from synth_lsp.core.runs import RunError, RunLimits, RunResult, SourceRange
from synth_lsp.core.script_header import parse_header
from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.server import settings
from synth_lsp.server.diagnostics import pair_label, script_diagnostics
from synth_lsp.server.examples_diagnostics import _path_in
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import TextLocator
from synth_lsp.server.script_anchors import find_anchors
from synth_lsp.core.task import Pair

TEXT = '{\n  "train": [\n    {"input": [[1, 2]], "output": [[3, 40],\n      [5, 6]]}\n  ],\n  "name": "caf\u00e9 \ud83d\ude00", "ok": true, "n": -1.5e3\n}'


def cut(text: str, span) -> str:
    return text[span.start : span.end]


def test_spans_locate_every_value_by_path():
    spans = index_json(TEXT)
    assert spans.problem is None
    assert cut(TEXT, spans.span(("train", 0, "output", 0, 1))) == "40"
    assert cut(TEXT, spans.span(("train", 0, "output", 1))) == "[5, 6]"
    assert cut(TEXT, spans.span(("name",))) == '"caf\u00e9 \ud83d\ude00"'
    assert cut(TEXT, spans.span(("ok",))) == "true" and cut(TEXT, spans.span(("n",))) == "-1.5e3"
    assert json.loads(cut(TEXT, spans.span(()))) == json.loads(TEXT)
    point = spans.point(spans.span(("train", 0, "output", 1, 0)).start)
    assert (point.line, point.column) == (3, 7)
    assert spans.span(("train", 1)) is None
    assert spans.nearest_span(("train", 0, "output", 7, 7))[0] == ("train", 0, "output")


@pytest.mark.parametrize(
    "text, offset, words",
    [
        ('{"train": [[1, 2] [3]]}', 18, "expected ',' or ']'"),
        ('{"train": [1, 2', 15, "unterminated list"),
        ('{"a": tru}', 6, "expected a value"),
        ("{'a': 1}", 1, "double quotes"),
        ('{"a": 1} x', 9, "extra data"),
        ('{"a": "unterminated', 6, "Unterminated string"),
        ("", 0, "end of the text"),
    ],
)
def test_malformed_text_keeps_what_was_found_and_says_where(text, offset, words):
    spans = index_json(text)
    assert spans.problem is not None and spans.problem.offset == offset
    assert words in spans.problem.message


def test_malformed_text_still_has_the_spans_before_the_problem():
    spans = index_json('{"train": [[1, 2], [3, 4]], "test": [[5')
    assert cut(spans.text, spans.span(("train", 1, 0))) == "3"
    assert spans.problem is not None


def test_deep_nesting_does_not_crash():
    spans = index_json("[" * 100_000)
    assert spans.problem is not None


def test_settings_from_each_shape_of_payload():
    base = settings.Settings()
    assert settings.merge(base, {"settings": {"timeLimit": 3}})[0].time_limit == 3.0
    assert settings.merge(base, {"synthLsp": {"runTrigger": "change"}})[0].run_trigger == "change"
    assert settings.merge(base, {"settings": {"synthLsp": {"debounceMs": 0}}})[0].debounce_ms == 0.0
    assert settings.merge(base, {"memoryLimitMb": 64})[0].memory_limit_mb == 64.0
    assert settings.merge(base, {"unrelated": 1}) == (base, [])
    assert settings.merge(base, None) == (base, [])
    merged, problems = settings.merge(base, {"timeLimit": -1, "budget": {"maxCalls": 5, "maxCostUsd": 0.5}, "autoEvolve": "yes"})
    assert merged.time_limit == 2.0 and merged.budget == settings.Budget(max_calls=5, max_cost_usd=0.5)
    assert len(problems) == 2 and problems[0].startswith("synthLsp.timeLimit must be a number > 0 and <= 60")
    assert merged.run_limits() == RunLimits(time_s=2.0, memory_mb=256.0)
    assert settings.client_features({"clientFeatures": {"runResult": True}}).run_result
    assert not settings.client_features(None).run_result


@pytest.mark.parametrize("encoding, column", [("utf-16", 4), ("utf-32", 3), ("utf-8", 7)])
def test_locator_converts_code_points_to_the_negotiated_units(encoding, column):
    locator = TextLocator.for_text('a😀é = 1\n', PositionCodec(encoding))
    assert locator.position(0, 3).character == column
    rng = locator.source_range(SourceRange(1, 4, 1, 4))  # empty: widened to the rest of the line
    assert rng.start.character == column and rng.end.character > column
    assert locator.position(5, 99) == locator.position(1, 0)  # clamped into the text


def test_anchors_find_the_line_that_assigns_result():
    anchors = find_anchors("# header\n\ndef f():\n    result = 1\n\nresult = f()\nresult += 1\nprint(1)\n")
    assert anchors.result_line == 6 and anchors.first_code_line == 2 and anchors.last_code_line == 7
    assert find_anchors("if x:\n    result = 1\n").result_line == 1
    broken = find_anchors("x = (\n")
    assert broken.result_line is None and broken.outcome_line == 0


def _verdict(split: str, index: int, error: RunError | None, stdout: str = "") -> PairVerdict:
    pair = Pair(split, index, {}, {"output_grid": [[1]]}, (split, index, "output"))
    return PairVerdict(pair, RunResult(None, stdout=stdout, error=error), {"output_grid": [[0]]}, 0.0, None)


def test_the_same_error_on_several_pairs_is_one_diagnostic_naming_them():
    from synth_lsp.core.evaluation import Evaluation

    boom = RunError("runtime", "KeyError", "'x'", SourceRange(2, 5, 2, 9))
    slow1 = RunError("memory", "MemoryError", "memory limit of 16 MB exceeded (17000000 bytes)", SourceRange(3, 1, 3, 4))
    slow2 = RunError("memory", "MemoryError", "memory limit of 16 MB exceeded (17100000 bytes)", SourceRange(3, 1, 3, 4))
    train = (_verdict("train", 0, boom), _verdict("train", 1, slow1), _verdict("train", 2, boom, "hi\n"))
    test = (_verdict("test", 0, slow2, "hi\n"),)
    script = "x = 1\ny = inputs['x']\nz = [0] * 10**9\nresult = {}\n"
    evaluation = Evaluation(script, train, test, 0.1, RunLimits())
    outcome = RunOutcome("file:///t.synth.py", 1, script, parse_header(script), RunLimits(), evaluation=evaluation)
    diags = script_diagnostics(outcome, TextLocator.for_text(script))
    codes = [d.code for d in diags]
    assert codes.count("runtime") == 1 and codes.count("memory") == 1
    runtime = next(d for d in diags if d.code == "runtime")
    assert runtime.message == "KeyError: 'x' (on train pairs 1, 3)"
    assert runtime.range == types.Range(types.Position(1, 4), types.Position(1, 8))
    memory = next(d for d in diags if d.code == "memory")
    assert memory.message.endswith("(on train pair 2 and test pair 1)")
    assert [d.message for d in diags if d.code == "stdout"] == ["stdout of train pair 3:\nhi", "stdout of test pair 1:\nhi"]


def test_pair_labels():
    pairs = [Pair("train", i, {}, None) for i in range(3)]
    assert pair_label(pairs[:1]) == "train pair 1"
    assert pair_label(pairs, total=3) == "every pair"
    assert pair_label(pairs + [Pair("test", 0, {}, None)], total=5) == "train pairs 1, 2, 3 and test pair 1"


def test_task_error_messages_name_a_path():
    assert _path_in("train[2].output[1][3]: 12 is not a colour 0-9") == ("train", 2, "output", 1, 3)
    assert _path_in("test[0] lacks `input`") == ("test", 0)
    assert _path_in("the examples file must hold a JSON object") == ()


def test_run_many_skips_the_inputs_not_started_once_told_to_stop():
    import threading

    from synth_lsp.sandbox.runner import Sandbox

    # a checkout per input (one checkout runs every input in one turn, so none is 'not started')
    with Sandbox(processes=1, one_checkout=False) as sandbox:
        asked = []

        def stop() -> bool:
            if threading.current_thread().name.startswith("sandbox-watchdog"):
                return False  # asked while an input runs: not what this test is about
            asked.append(1)
            return len(asked) > 1  # the first input runs, the others are skipped

        runs = sandbox.run_many("result = {'n': inputs['n']}", [{"n": 1}, {"n": 2}, {"n": 3}], RunLimits(time_s=1), should_stop=stop)
    assert runs[0].result == {"n": 1} and runs[0].error is None
    assert [r.error.message for r in runs[1:]] == ["not run: the run was stopped"] * 2


def test_a_code_action_title_says_how_far_the_offline_model_trusts_its_program():
    from synth_lsp.optimizer.candidate import new_candidate
    from synth_lsp.server.code_actions import CurrentScore, title_for

    offline = new_candidate("result = 1\n", "offline", confidence=0.54)
    offline.train_passed = offline.train_total = 4
    title = title_for(offline, CurrentScore(0, 4, 0, 0))
    assert title.startswith("Apply evolved script (offline, confidence 0.54): fits the train pairs (4/4)")
    mutation = new_candidate("result = 2\n", "mutation")
    mutation.train_passed, mutation.train_total = 3, 4
    assert title_for(mutation, None) == "Apply evolved script (mutation): 3/4 train pairs"


def test_the_evolution_settings_reach_the_worker_as_the_optimizer_reads_them():
    from synth_lsp.optimizer.omega import EvolveConfig

    payload = {
        "model": "openai/a",
        "models": ["openai/b"],
        "editMode": "diff",
        "pricePerMtok": [0.5, 1.5],
        "budget": {"maxCalls": 5, "maxCostTotalUsd": 2.0},
    }
    merged, problems = settings.merge(settings.Settings(), payload)
    assert problems == []
    config = EvolveConfig.from_settings(settings.to_wire(merged))
    assert config.models == ["openai/b"] and config.edit_mode == "diff"
    assert config.price_per_mtok == (0.5, 1.5)
    assert config.max_calls == 5 and config.max_cost_total_usd == 2.0
    for bad in ({"editMode": "patch"}, {"models": "openai/b"}, {"pricePerMtok": [1]}, {"pricePerMtok": [-1, 2]}):
        kept, problems = settings.merge(merged, bad)
        assert kept == merged and len(problems) == 1 and "keeping" in problems[0]
