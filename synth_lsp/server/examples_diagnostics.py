"""Diagnostics inside an examples file: each mismatching expected cell at its exact place in the
JSON text, and problems with the file itself (malformed JSON, a pair that lacks a key). Pure."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Iterable

from lsprotocol import types

from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.core.json_spans import JsonPath, JsonSpans
from synth_lsp.server.diagnostics import SOURCE, pair_ref
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import TextLocator
from synth_lsp.core.task import TaskError

MAX_CELLS_PER_PAIR = 20
# TaskError messages name the offending value like `train[2].output[1][3]`
_WHERE = re.compile(r"\b(train|test)\[(\d+)\]((?:\.[A-Za-z_]\w*|\[\d+\])*)")
_PART = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")


def examples_diagnostics(outcome: RunOutcome, locator: TextLocator) -> list[types.Diagnostic]:
    spans = outcome.examples_spans
    if spans is None:
        return []
    if outcome.task_error is not None:
        return [task_error_diagnostic(outcome.task_error, spans, locator)]
    if outcome.evaluation is None:
        return []
    script = PurePath(outcome.uri).name
    out: list[types.Diagnostic] = []
    for verdict in outcome.evaluation.train:
        if verdict.error is None and verdict.diff is not None and not verdict.diff.equal:
            out.extend(_pair_diagnostics(verdict, script, spans, locator))
    return out


def task_error_diagnostic(error: TaskError, spans: JsonSpans, locator: TextLocator) -> types.Diagnostic:
    if error.line is not None:
        line, column = error.line - 1, (error.column or 1) - 1
        rng = locator.range(line, column, line, column + 1)
    else:
        rng = _span_range(spans, locator, _path_in(error.message)) or locator.range(0, 0, 0, 1)
    return types.Diagnostic(rng, error.message, severity=types.DiagnosticSeverity.Error, code="examples", source=SOURCE, data={"kind": "examples"})


def _path_in(message: str) -> JsonPath:
    found = _WHERE.search(message)
    if not found:
        return ()
    path: list[str | int] = [found.group(1), int(found.group(2))]
    for name, index in _PART.findall(found.group(3)):
        path.append(name if name else int(index))
    return tuple(path)


def _span_range(spans: JsonSpans, locator: TextLocator, path: JsonPath) -> types.Range | None:
    found = spans.nearest_span(path)
    if found is None:
        return None
    _, span = found
    start, end = spans.point(span.start), spans.point(span.end)
    return locator.range(start.line, start.column, end.line, end.column)


def _pair_diagnostics(verdict: PairVerdict, script: str, spans: JsonSpans, locator: TextLocator) -> Iterable[types.Diagnostic]:
    pair, diff = verdict.pair, verdict.diff
    assert diff is not None
    where = f"{script}, {pair.label}"
    data = {"kind": "mismatch", "pairs": [pair_ref(pair)]}

    def make(path: JsonPath, message: str) -> types.Diagnostic:
        rng = _span_range(spans, locator, path) or locator.range(0, 0, 0, 1)
        return types.Diagnostic(rng, message, severity=types.DiagnosticSeverity.Warning, code="mismatch", source=SOURCE, data=data)

    if diff.kind == "shape":
        e, a = diff.expected_shape, diff.actual_shape
        got = f"{a[0]}x{a[1]}" if a else "no rectangular grid"
        yield make(pair.expected_path, f"{where}: expected a {e[0]}x{e[1]} grid here, the script produced {got}")
        return
    items = [(pair.expected_path + (c.row, c.col), f"row {c.row}, col {c.col}: expected {c.expected}, the script produced {c.actual}") for c in diff.cells]
    items += [(pair.expected_path + p.path, p.describe()) for p in diff.paths]
    for path, text in items[:MAX_CELLS_PER_PAIR]:
        yield make(path, f"{where}, {text}")
    if len(items) > MAX_CELLS_PER_PAIR:
        yield make(pair.expected_path, f"{where}: {len(items)} values differ in all; {len(items) - MAX_CELLS_PER_PAIR} more are not marked")
