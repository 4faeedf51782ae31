"""Running one script version on its examples, off the event loop. The job is pure core work:
read the examples (the editor's unsaved copy when open), evaluate in the sandbox, and compute
every diagnostic, so the event loop only publishes."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synth_lsp.core.evaluation import evaluate, limits_for
from synth_lsp.core.json_spans import JsonSpans, index_json
from synth_lsp.core.runs import RunLimits, RunResult
from synth_lsp.sandbox.runner import Sandbox
from synth_lsp.core.script_header import parse_header
from synth_lsp.server.diagnostics import script_diagnostics
from synth_lsp.server.examples_diagnostics import examples_diagnostics
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import TextLocator
from synth_lsp.core.task import MAX_EXAMPLES_MB, Task, TaskError, apply_header, examples_path_for, parse_task, read_examples, resolved, too_big

EXAMPLES_CAP = "the setting `examplesMaxMb`"

NOT_A_FILE = (
    "this document is not a saved file, so it has no examples file beside it and cannot be run: "
    "save it as NAME.synth.py next to NAME.json (or add `# synth: examples = PATH`)"
)


@dataclass(frozen=True)
class RunRequest:
    """A snapshot, taken on the event loop, of everything a run needs."""

    uri: str
    version: int | None
    text: str
    path: Path | None  # None: not a file (untitled, or another scheme)
    base_limits: RunLimits
    codec: PositionCodec
    # unsaved examples text of open editors, by file path
    open_examples: dict[Path, str] = field(default_factory=dict)
    examples_max_mb: float = MAX_EXAMPLES_MB


class SupersedableSandbox:
    """The sandbox as `evaluate` sees it, but a stale run is dropped: its pairs that have not
    started never start, and those inside the sandbox are stopped there, so a superseded run (say,
    a loop the user just fixed) frees the workers at once instead of at its time limit."""

    def __init__(self, sandbox: Sandbox, is_stale: Callable[[], bool]):
        self.sandbox = sandbox
        self.is_stale = is_stale

    def run_many(self, script: str, inputs_list: list[dict], limits: RunLimits) -> list[RunResult]:
        return self.sandbox.run_many(script, inputs_list, limits, should_stop=self.is_stale)


@dataclass(frozen=True)
class RunReport:
    """A run's outcome and its script's diagnostics. The examples file's diagnostics are built by
    `examples_report` afterwards: the script's are what the user waits for, so they go out first."""

    outcome: RunOutcome
    script_diagnostics: list[types.Diagnostic]
    examples_path: Path | None
    codec: PositionCodec


def examples_path_of(path: Path, text: str) -> Path:
    return resolved(examples_path_for(path, parse_header(text)))


def execute(request: RunRequest, sandbox: Sandbox | SupersedableSandbox) -> RunReport:
    started = time.perf_counter()
    header = parse_header(request.text)
    limits = limits_for(header, request.base_limits)
    base = RunOutcome(uri=request.uri, version=request.version, script=request.text, header=header, limits=limits)
    if request.path is None:
        return _report(replace(base, unrunnable=NOT_A_FILE), request, None)
    examples_path = resolved(examples_path_for(request.path, header))
    examples_uri = examples_path.as_uri()
    text = request.open_examples.get(examples_path)
    try:
        if text is None:
            text = read_examples(examples_path, request.examples_max_mb)
        elif len(text) > request.examples_max_mb * 1024 * 1024:  # the editor's copy is held to the same cap
            raise TaskError(too_big("examples file", len(text.encode("utf-8", "surrogatepass")), request.examples_max_mb, EXAMPLES_CAP), path=examples_path)
    except TaskError as exc:
        outcome = replace(base, task_error=exc, examples_uri=examples_uri, duration_s=time.perf_counter() - started)
        return _report(outcome, request, examples_path)
    parsed, spans = _examples(examples_path, text)
    if isinstance(parsed, TaskError):
        outcome = replace(base, task_error=parsed, examples_uri=examples_uri, examples_spans=spans, duration_s=time.perf_counter() - started)
        return _report(outcome, request, examples_path)
    try:
        task = apply_header(parsed, header)
    except TaskError as exc:  # the header's `default` fails the schema: marked at its header line
        outcome = replace(base, task_error=exc, examples_uri=examples_uri, examples_spans=spans, duration_s=time.perf_counter() - started)
        return _report(outcome, request, examples_path)
    evaluation = evaluate(task, request.text, limits=limits, sandbox=sandbox)
    outcome = replace(
        base,
        evaluation=evaluation,
        task=task,
        examples_uri=examples_uri,
        examples_spans=spans,
        duration_s=time.perf_counter() - started,
    )
    return _report(outcome, request, examples_path)


_CACHE_SIZE = 8
_cache: OrderedDict[tuple[Path, str], tuple[Task | TaskError, JsonSpans]] = OrderedDict()
_cache_lock = threading.Lock()


def _examples(path: Path, text: str) -> tuple[Task | TaskError, JsonSpans]:
    """The task and the spans of its text, cached by content: an unchanged file costs nothing."""
    key = (path, text)
    with _cache_lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    spans = index_json(text)
    try:
        parsed: Task | TaskError = parse_task(text, path)
    except TaskError as exc:
        parsed = exc
    with _cache_lock:
        _cache[key] = (parsed, spans)
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return parsed, spans


def _report(outcome: RunOutcome, request: RunRequest, examples_path: Path | None) -> RunReport:
    script = TextLocator.for_text(request.text, request.codec)
    return RunReport(
        outcome=outcome,
        script_diagnostics=script_diagnostics(outcome, script, _examples_locator(outcome, request.codec)),
        examples_path=examples_path,
        codec=request.codec,
    )


def examples_report(report: RunReport) -> list[types.Diagnostic]:
    """The marks a run puts in its examples file (cells that mismatch, problems with the file)."""
    locator = _examples_locator(report.outcome, report.codec)
    return examples_diagnostics(report.outcome, locator) if locator is not None else []


def _examples_locator(outcome: RunOutcome, codec: PositionCodec) -> TextLocator | None:
    return TextLocator.for_text(outcome.examples_spans.text, codec) if outcome.examples_spans else None
