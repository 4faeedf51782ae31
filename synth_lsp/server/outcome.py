"""What one run of a script produced: the plain data every feature (diagnostics, lens, hover,
runResult) is computed from. Pure: no LSP here."""

from __future__ import annotations

from dataclasses import dataclass

from synth_lsp.core.evaluation import Evaluation
from synth_lsp.core.json_spans import JsonSpans
from synth_lsp.core.runs import RunLimits
from synth_lsp.core.script_header import ScriptHeader
from synth_lsp.core.task import Task, TaskError


@dataclass(frozen=True)
class RunOutcome:
    uri: str
    version: int | None
    script: str
    header: ScriptHeader
    limits: RunLimits
    evaluation: Evaluation | None = None
    task: Task | None = None
    examples_uri: str | None = None
    # the text the task was read from, indexed so diagnostics can point into it
    examples_spans: JsonSpans | None = None
    task_error: TaskError | None = None
    unrunnable: str | None = None  # why the document cannot be run at all (e.g. not a file)
    duration_s: float = 0.0

    @property
    def error_message(self) -> str | None:
        """Set when nothing could run."""
        if self.unrunnable:
            return self.unrunnable
        if self.task_error is not None:
            return str(self.task_error)
        return None
