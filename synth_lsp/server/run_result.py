"""The opt-in `synthLsp/runResult` notification (docs/protocol.md): a run as plain JSON."""

from __future__ import annotations

from typing import Any

from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.server.outcome import RunOutcome

METHOD = "synthLsp/runResult"


def run_result_payload(outcome: RunOutcome) -> dict[str, Any]:
    evaluation = outcome.evaluation
    payload: dict[str, Any] = {
        "uri": outcome.uri,
        "version": outcome.version,
        "trainPassed": 0,
        "trainTotal": 0,
        "trainReward": 0.0,
        "testPassed": 0,
        "testTotal": 0,
        "durationMs": round(outcome.duration_s * 1000, 3),
        "error": outcome.error_message,
        "pairs": [],
    }
    if evaluation is None:
        return payload
    grids = outcome.task is not None and outcome.task.kind == "arc"
    payload.update(
        trainPassed=evaluation.train_passed,
        trainTotal=len(evaluation.train),
        trainReward=evaluation.train_reward,
        testPassed=evaluation.test_passed,
        testTotal=len(evaluation.scored_test),
        pairs=[_pair(v, grids) for v in evaluation.train + evaluation.test],
    )
    return payload


def _pair(verdict: PairVerdict, grids: bool) -> dict[str, Any]:
    pair = verdict.pair
    item: dict[str, Any] = {
        "split": pair.split,
        "index": pair.index,
        "passed": verdict.passed,
        "scored": verdict.reward is not None,
        "error": verdict.error.headline() if verdict.error is not None else None,
        "diffCells": [[c.row, c.col] for c in verdict.diff.cells] if verdict.diff is not None else [],
        "stdout": verdict.run.stdout,
        "stderr": verdict.run.stderr,
    }
    actual = verdict.run.result if verdict.error is None else None
    if grids:
        item["input"] = pair.inputs.get("input_grid")
        item["expected"] = pair.expected.get("output_grid") if pair.expected else None
        item["actual"] = actual.get("output_grid") if isinstance(actual, dict) else None
    else:
        item.update(input=None, expected=None, actual=None, inputJson=pair.inputs, expectedJson=pair.expected, actualJson=actual)
    return item
