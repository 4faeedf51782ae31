"""Script diagnostics from a run outcome. Pure: data in, lsprotocol Diagnostics out.

One diagnostic per distinct problem: the same error raised by several pairs is merged and names
the pairs. `Diagnostic.data` carries what a later code action needs (which pairs, what kind).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from lsprotocol import types

from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.core.json_spans import JsonPath
from synth_lsp.core.runs import RunError, SourceRange
from synth_lsp.core.scoring import Diff
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import TextLocator
from synth_lsp.server.script_anchors import ScriptAnchors, find_anchors
from synth_lsp.core.task import Pair

SOURCE = "synth-lsp"
_TRUNCATED = re.compile(r"\n\.\.\. \[output truncated: \d+ more characters not captured\]$")
MAX_CELLS_IN_MESSAGE = 3
MAX_RELATED = 5
MAX_OUTPUT_CHARS = 2000

# sandbox error kinds -> diagnostic codes (stable: clients and code actions key on them)
ERROR_CODES = {
    "syntax": "syntax",
    "unsupported": "unsupported",
    "import": "import",
    "runtime": "runtime",
    "timeout": "timeout",
    "memory": "memory",
    "crash": "crash",
    "missing_result": "missing-result",
    "schema": "schema",
}
STATIC_KINDS = ("syntax", "unsupported", "import")  # found before anything runs: same on every pair


@dataclass
class _ErrorGroup:
    error: RunError
    verdicts: list[PairVerdict] = field(default_factory=list)


def script_diagnostics(outcome: RunOutcome, locator: TextLocator, examples: TextLocator | None = None) -> list[types.Diagnostic]:
    """Everything wrong with the script's latest run, at its place in the script."""
    anchors = find_anchors(outcome.script)
    out = list(_header_diagnostics(outcome, locator))
    if outcome.error_message is not None:
        out.append(_cannot_run(outcome, locator, examples))
        return out
    evaluation = outcome.evaluation
    if evaluation is None:
        return out
    verdicts = list(evaluation.train) + list(evaluation.test)
    for group in _group_errors(verdicts):
        out.append(_error_diagnostic(group, len(verdicts), outcome, anchors, locator, examples))
    for verdict in evaluation.train:
        if verdict.error is None and verdict.diff is not None and not verdict.diff.equal:
            out.append(_mismatch_diagnostic(verdict, outcome, anchors, locator, examples))
    out.extend(_output_diagnostics(verdicts, anchors, locator))
    return out


def pair_label(pairs: Iterable[Pair], total: int | None = None) -> str:
    """'train pair 2', 'train pairs 1, 3 and test pair 1', or 'every pair'."""
    pairs = list(pairs)
    if total is not None and len(pairs) == total and total > 1:
        return "every pair"
    parts = []
    for split in ("train", "test"):
        numbers = [str(p.index + 1) for p in pairs if p.split == split]
        if numbers:
            noun = f"{split} pair" if len(numbers) == 1 else f"{split} pairs"
            parts.append(f"{noun} {', '.join(numbers)}")
    return " and ".join(parts)


def pair_ref(pair: Pair) -> dict[str, Any]:
    return {"split": pair.split, "index": pair.index}


def _diagnostic(rng: types.Range, message: str, code: str, severity: types.DiagnosticSeverity, data: dict[str, Any] | None = None, related: list[types.DiagnosticRelatedInformation] | None = None) -> types.Diagnostic:
    return types.Diagnostic(
        range=rng,
        message=message,
        severity=severity,
        code=code,
        source=SOURCE,
        data=data,
        related_information=related or None,
    )


def _header_diagnostics(outcome: RunOutcome, locator: TextLocator) -> Iterable[types.Diagnostic]:
    for problem in outcome.header.problems:
        yield _diagnostic(locator.line_range(problem.line - 1), problem.message, "header", types.DiagnosticSeverity.Warning, {"kind": "header"})


def _cannot_run(outcome: RunOutcome, locator: TextLocator, examples: TextLocator | None) -> types.Diagnostic:
    error = outcome.task_error
    line = outcome.header.lines.get("examples", 1) - 1 if outcome.header.get("examples") else 0
    if error is not None and error.header_key in outcome.header.lines:  # a header option's own problem
        line = outcome.header.lines[error.header_key] - 1
    related = []
    if error is not None and error.line is not None and outcome.examples_uri and examples is not None:
        where = examples.range(error.line - 1, (error.column or 1) - 1, error.line - 1, error.column or 1)
        related.append(types.DiagnosticRelatedInformation(types.Location(outcome.examples_uri, where), error.message))
    message = outcome.error_message or ""
    if outcome.task_error is not None:
        message = f"cannot run: {message}"
    return _diagnostic(locator.line_range(line), message, "examples", types.DiagnosticSeverity.Warning, {"kind": "examples", "examplesUri": outcome.examples_uri}, related)


def _group_errors(verdicts: list[PairVerdict]) -> list[_ErrorGroup]:
    groups: dict[tuple, _ErrorGroup] = {}
    for verdict in verdicts:
        error = verdict.error
        if error is None:
            continue
        # limits report details that vary by pair (bytes used): one diagnostic per place is enough
        detail = None if error.kind in ("timeout", "memory", "crash") else error.message
        key = (error.kind, error.exc_type, detail, error.range)
        groups.setdefault(key, _ErrorGroup(error)).verdicts.append(verdict)
    return list(groups.values())


def _error_range(error: RunError, anchors: ScriptAnchors, locator: TextLocator) -> types.Range:
    if error.range is not None:
        return locator.source_range(error.range)
    if error.kind == "missing_result":
        line = anchors.result_line if anchors.result_line is not None else anchors.last_code_line
        return locator.line_range(line)
    return locator.line_range(anchors.outcome_line)


def _error_diagnostic(group: _ErrorGroup, total: int, outcome: RunOutcome, anchors: ScriptAnchors, locator: TextLocator, examples: TextLocator | None) -> types.Diagnostic:
    error = group.error
    pairs = [v.pair for v in group.verdicts]
    message = error.headline()
    if error.kind not in STATIC_KINDS:
        message += f" (on {pair_label(pairs, total)})"
    related: list[types.DiagnosticRelatedInformation] = []
    # the call chain, outermost first, so the user can walk from the call site to the failure
    for frame in error.frames[:-1][-MAX_RELATED:]:
        name = frame.function or "<module>"
        related.append(types.DiagnosticRelatedInformation(types.Location(outcome.uri, locator.source_range(frame.range)), f"called from {name}"))
    if error.kind not in STATIC_KINDS and examples is not None:
        for pair in pairs[:MAX_RELATED]:
            location = _examples_location(outcome, examples, (pair.split, pair.index, _input_key(outcome)))
            if location is not None:
                related.append(types.DiagnosticRelatedInformation(location, f"the input of {pair.label}"))
    data = {"kind": ERROR_CODES[error.kind], "pairs": [pair_ref(p) for p in pairs], "excType": error.exc_type}
    return _diagnostic(_error_range(error, anchors, locator), message, ERROR_CODES[error.kind], types.DiagnosticSeverity.Error, data, related)


def _input_key(outcome: RunOutcome) -> str:
    return "input" if outcome.task is not None and outcome.task.kind == "arc" else "inputs"


def _examples_location(outcome: RunOutcome, examples: TextLocator, path: JsonPath) -> types.Location | None:
    spans = outcome.examples_spans
    if spans is None or outcome.examples_uri is None:
        return None
    found = spans.nearest_span(path)
    if found is None:
        return None
    _, span = found
    start, end = spans.point(span.start), spans.point(span.end)
    return types.Location(outcome.examples_uri, examples.range(start.line, start.column, end.line, end.column))


def describe_diff(diff: Diff, max_items: int = MAX_CELLS_IN_MESSAGE) -> str:
    """What differs, in words: the shape, or the count and first few cells, or the JSON paths."""
    if diff.kind == "shape":
        e, a = diff.expected_shape, diff.actual_shape
        got = f"{a[0]}x{a[1]}" if a else "not a rectangular grid"
        expected = f"{e[0]}x{e[1]}" if e else "?"
        return f"wrong shape: expected {expected}, got {got}"
    if diff.kind == "cells":
        total = diff.expected_shape[0] * diff.expected_shape[1] if diff.expected_shape else 0
        first = "; ".join(f"{c.row}, {c.col}: expected {c.expected}, got {c.actual}" for c in diff.cells[:max_items])
        more = f"; +{len(diff.cells) - max_items} more" if len(diff.cells) > max_items else ""
        return f"{len(diff.cells)} of {total} cells differ: {first}{more}"
    return diff.summary(max_items)


def _mismatch_diagnostic(verdict: PairVerdict, outcome: RunOutcome, anchors: ScriptAnchors, locator: TextLocator, examples: TextLocator | None) -> types.Diagnostic:
    pair, diff = verdict.pair, verdict.diff
    assert diff is not None
    related: list[types.DiagnosticRelatedInformation] = []
    if examples is not None:
        where = _examples_location(outcome, examples, pair.expected_path)
        if where is not None:
            related.append(types.DiagnosticRelatedInformation(where, f"expected output of {pair.label}"))
        for cell in diff.cells[: MAX_RELATED - 1]:
            where = _examples_location(outcome, examples, pair.expected_path + (cell.row, cell.col))
            if where is not None:
                related.append(types.DiagnosticRelatedInformation(where, f"row {cell.row}, col {cell.col}: expected {cell.expected}, got {cell.actual}"))
        for path_diff in diff.paths[: MAX_RELATED - 1]:
            where = _examples_location(outcome, examples, pair.expected_path + path_diff.path)
            if where is not None:
                related.append(types.DiagnosticRelatedInformation(where, path_diff.describe()))
    data = {
        "kind": "mismatch",
        "pairs": [pair_ref(pair)],
        "diff": diff.kind,
        "cells": [[c.row, c.col] for c in diff.cells[:100]],
    }
    message = f"{pair.label}: {describe_diff(diff)}"
    return _diagnostic(locator.line_range(anchors.outcome_line), message, "mismatch", types.DiagnosticSeverity.Warning, data, related)


def _failed(verdict: PairVerdict) -> bool:
    return verdict.error is not None or (verdict.diff is not None and not verdict.diff.equal)


def _output_diagnostics(verdicts: list[PairVerdict], anchors: ScriptAnchors, locator: TextLocator) -> Iterable[types.Diagnostic]:
    """Captured output, attached to the run it came from (its error's place, else the result line).
    The stderr of a failing pair is a Hint: that pair already has its one problem, and the output is
    still drawn in place (a Problems panel stays at most one problem per failing pair)."""
    for stream, code, severity in (("stderr", "stderr", types.DiagnosticSeverity.Information), ("stdout", "stdout", types.DiagnosticSeverity.Hint)):
        groups: dict[tuple[str, SourceRange | None], list[PairVerdict]] = {}
        texts: dict[tuple[str, SourceRange | None], str] = {}
        for verdict in verdicts:
            text = getattr(verdict.run, stream)
            if text.strip():
                at = verdict.error.range if verdict.error is not None else None
                key = (_TRUNCATED.sub("", text), at)  # the same output cut at different lengths
                groups.setdefault(key, []).append(verdict)
                texts.setdefault(key, text)
        for key, group in groups.items():
            text, at = texts[key], key[1]
            rng = locator.source_range(at) if at is not None else locator.line_range(anchors.outcome_line)
            shown = text if len(text) <= MAX_OUTPUT_CHARS else text[:MAX_OUTPUT_CHARS] + f"\n... ({len(text) - MAX_OUTPUT_CHARS} more characters)"
            label = pair_label([v.pair for v in group], len(verdicts))
            data = {"kind": code, "pairs": [pair_ref(v.pair) for v in group]}
            quiet = types.DiagnosticSeverity.Hint if any(_failed(v) for v in group) else severity
            yield _diagnostic(rng, f"{stream} of {label}:\n{shown.rstrip()}", code, quiet, data)
