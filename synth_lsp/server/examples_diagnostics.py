"""Diagnostics inside an examples file: one problem per failing pair on its expected output, each
mismatching expected cell as a Hint at its exact place in the JSON text, and problems with the
file itself (malformed JSON, a pair that lacks a key). Pure."""

from __future__ import annotations

import re
from pathlib import PurePath
from typing import Iterable

from lsprotocol import types

from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.core.json_spans import JsonPath, JsonSpans
from synth_lsp.core.scoring import Diff
from synth_lsp.server.diagnostics import SOURCE, pair_ref
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import TextLocator
from synth_lsp.core.task import TaskError

MAX_CELLS_PER_PAIR = 20  # cell marks (Hints) per pair
MAX_RELATED = 10  # of them, listed under the pair's problem
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
            out.extend(_pair_diagnostics(verdict, script, spans, locator, outcome.examples_uri))
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


def _pair_diagnostics(verdict: PairVerdict, script: str, spans: JsonSpans, locator: TextLocator, uri: str | None) -> Iterable[types.Diagnostic]:
    """One problem per failing pair, spanning its expected output, and the differing cells as
    Hints: editors draw those in place, and VS Code leaves them out of its Problems panel."""
    pair, diff = verdict.pair, verdict.diff
    assert diff is not None
    where = f"{script}, {pair.label}"
    data = {"kind": "mismatch", "pairs": [pair_ref(pair)]}

    def make(path: JsonPath, message: str, severity: types.DiagnosticSeverity, related: list[types.DiagnosticRelatedInformation] | None = None) -> types.Diagnostic:
        rng = _span_range(spans, locator, path) or locator.range(0, 0, 0, 1)
        return types.Diagnostic(rng, message, severity=severity, code="mismatch", source=SOURCE, data=data, related_information=related or None)

    if diff.kind == "shape":
        e, a = diff.expected_shape, diff.actual_shape
        got = f"{a[0]}x{a[1]}" if a else "no rectangular grid"
        yield make(pair.expected_path, f"{where}: expected a {e[0]}x{e[1]} grid here, the script produced {got}", types.DiagnosticSeverity.Warning)
        return
    items = [(pair.expected_path + (c.row, c.col), f"row {c.row}, col {c.col}: expected {c.expected}, the script produced {c.actual}") for c in diff.cells]
    items += [(pair.expected_path + p.path, p.describe()) for p in diff.paths]
    marks = [make(path, f"{where}, {text}", types.DiagnosticSeverity.Hint) for path, text in items[:MAX_CELLS_PER_PAIR]]
    related = [types.DiagnosticRelatedInformation(types.Location(uri, m.range), m.message.removeprefix(where + ", ")) for m in marks[:MAX_RELATED]] if uri else None
    yield make(pair.expected_path, f"{where}: {_pair_summary(diff)}", types.DiagnosticSeverity.Warning, related)
    yield from marks


def _pair_summary(diff: Diff) -> str:
    """'14 of 81 cells differ, first at row 0, col 1'; other values by path."""
    if diff.kind == "cells" and diff.cells:
        total = diff.expected_shape[0] * diff.expected_shape[1] if diff.expected_shape else len(diff.cells)
        first = diff.cells[0]
        text = f"{len(diff.cells)} of {total} cells differ, first at row {first.row}, col {first.col}"
    else:
        text = f"{len(diff.paths)} value(s) differ, first at {diff.paths[0].describe()}" if diff.paths else diff.summary()
    if len(diff.cells) + len(diff.paths) > MAX_CELLS_PER_PAIR:
        text += f" ({MAX_CELLS_PER_PAIR} marked)"
    return text
