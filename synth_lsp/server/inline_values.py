"""Inline values: what the script computed on one chosen pair, as inlay hints at the end of its
assignment, `for` and `return` lines, as a hover on any name, and a lens row that switches the pair.

After a run is published (its diagnostics are out), the instrumented copy of the script runs on
the chosen pair on the run executor (`sandbox.value_trace`), never on the event loop, and is
stopped when a newer version of the script arrives. The values count only when the instrumented
run did what the scored run did on that pair; otherwise, and for a script the rewrite refuses, there
are no values and the reason goes to the client's log. For a mismatching pair two hints say where
the output grid was last assigned and which line's value first differs from the expected output
(its shape, else its cells), when that can be told.
"""

from __future__ import annotations

import asyncio
import logging
import re
from dataclasses import dataclass
from typing import Any

from lsprotocol import types

from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.core.render import render_grid
from synth_lsp.core.value_text import hint_text, literal
from synth_lsp.core.value_trace import (
    Divergence,
    Recorded,
    ValueTrace,
    disagreement,
    divergence,
    is_grid,
)
from synth_lsp.sandbox.value_trace import TraceRun, trace_pair
from synth_lsp.server.background import BackgroundTasks
from synth_lsp.server.hover import emoji_grid
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import TextLocator
from synth_lsp.server.scheduler import RunScheduler
from synth_lsp.server.server import SynthLanguageServer

log = logging.getLogger(__name__)

SHOW_PAIR_COMMAND = "synthLsp.values.showPair"
HOVER_RECORDS = 3  # lines of one name shown in a hover
HOVER_VALUE_CHARS = 1500
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")

PairKey = tuple[str, int]  # (split, index)


@dataclass
class ScriptValues:
    chosen: PairKey | None = None  # what the user picked; None: the default pair
    shown: PairKey | None = None  # the pair of the latest trace
    trace: ValueTrace | None = None
    divergence: Divergence | None = None
    job: int = 0  # bumped by every new trace job; only the latest may store its values
    last_note: str | None = None  # the latest reason for no values (said once, not on every run)


def pairs_of(outcome: RunOutcome | None) -> list[PairVerdict]:
    evaluation = outcome.evaluation if outcome is not None else None
    return list(evaluation.train) + list(evaluation.test) if evaluation is not None else []


def default_pair(outcome: RunOutcome) -> PairKey | None:
    """The first failing train pair, else train 1 (else the first test pair)."""
    pairs = pairs_of(outcome)
    train = [v for v in pairs if v.pair.split == "train"]
    for verdict in train:
        if not verdict.passed:
            return ("train", verdict.pair.index)
    return (pairs[0].pair.split, pairs[0].pair.index) if pairs else None


def verdict_for(outcome: RunOutcome | None, key: PairKey) -> PairVerdict | None:
    for verdict in pairs_of(outcome):
        if (verdict.pair.split, verdict.pair.index) == key:
            return verdict
    return None


class InlineValues:
    def __init__(self, ls: SynthLanguageServer, runs: RunScheduler, tasks: BackgroundTasks) -> None:
        self.ls = ls
        self.runs = runs
        self.tasks = tasks
        self.scripts: dict[str, ScriptValues] = {}

    # -- when values are computed ----------------------------------------------------------
    def on_published(self, outcome: RunOutcome) -> None:
        """A run was published (on the loop): trace the chosen pair of that version."""
        values = self.scripts.setdefault(outcome.uri, ScriptValues())
        values.job += 1
        if not self.ls.settings.inline_values or outcome.evaluation is None:
            self._clear(outcome.uri, values)
            return
        key = values.chosen
        if key is not None and verdict_for(outcome, key) is None:
            self._note(outcome.uri, f"{key[0]} pair {key[1] + 1} no longer exists; showing the default pair")
            values.chosen = key = None
        key = key or default_pair(outcome)
        if key is None:
            self._clear(outcome.uri, values)
            return
        self.tasks.spawn(self._trace(outcome, key, values, values.job))

    def show_pair(self, uri: str, split: str, index: int) -> None:
        """The user chose a pair (the lens row's command)."""
        state = self.ls.states.scripts.get(uri)
        outcome = state.outcome if state is not None else None
        if outcome is None or outcome.evaluation is None:
            raise ValueError(f"{uri} has no run to show values of yet")
        if verdict_for(outcome, (split, index)) is None:
            raise ValueError(
                f"{uri} has no {split} pair {index + 1} (it has {len(outcome.evaluation.train)} train and {len(outcome.evaluation.test)} test pairs)"
            )
        values = self.scripts.setdefault(uri, ScriptValues())
        values.chosen = (split, index)
        self.on_published(outcome)

    def forget(self, uri: str) -> None:
        values = self.scripts.pop(uri, None)
        if values is not None:
            values.job += 1

    async def _trace(self, outcome: RunOutcome, key: PairKey, values: ScriptValues, job: int) -> None:
        verdict = verdict_for(outcome, key)
        state = self.ls.states.scripts.get(outcome.uri)
        if verdict is None or state is None or self.runs.closed:
            return
        ticket = state.ticket

        def stale() -> bool:
            return values.job != job or state.ticket != ticket

        loop = asyncio.get_running_loop()
        try:
            run = await loop.run_in_executor(self.runs.executor, self._job, outcome, verdict, stale)
        except Exception as exc:  # a bug of ours: no values, keep serving
            log.exception("inline values of %s failed", outcome.uri)
            run = TraceRun(None, f"failed: {exc}")
        if stale() or outcome.uri not in self.ls.states.scripts:
            return
        values.shown = key
        values.trace, values.divergence = None, None
        if run.trace is None:
            self._note(outcome.uri, run.problem or "no values")
        else:
            values.trace, values.divergence, values.last_note = run.trace, _divergence(run.trace, verdict), None
        self._refresh()

    def _job(self, outcome: RunOutcome, verdict: PairVerdict, stale: Any) -> TraceRun:
        if stale():
            return TraceRun(None, "superseded")
        error = verdict.run.error
        if error is not None and error.kind in ("timeout", "memory", "crash", "syntax", "unsupported", "import"):
            return TraceRun(None, f"the scored run of {verdict.pair.label} failed ({error.kind}): nothing to show")
        run = trace_pair(self.runs.sandbox, outcome.script, verdict.pair.inputs, outcome.limits, verdict.pair.split, verdict.pair.index, stale)
        if run.trace is not None:
            problem = disagreement(run.trace, verdict.run.error, verdict.run.result)
            if problem is not None:
                return TraceRun(None, problem, run.duration_s)
        return run

    def _clear(self, uri: str, values: ScriptValues) -> None:
        had = values.trace is not None
        values.trace, values.divergence, values.shown = None, None, None
        if had:
            self._refresh()

    def _note(self, uri: str, problem: str) -> None:
        values = self.scripts.get(uri)
        if values is not None:
            if values.last_note == problem:
                return
            values.last_note = problem
        text = f"synth-lsp: no inline values for {uri.rsplit('/', 1)[-1]}: {problem}"
        log.info("%s", text)
        self.ls.window_log_message(types.LogMessageParams(types.MessageType.Log, text))

    def _refresh(self) -> None:
        if supports_inlay_hint_refresh(self.ls):
            self.ls.workspace_inlay_hint_refresh(None)
        if self.ls.supports_code_lens_refresh():
            self.ls.workspace_code_lens_refresh(None)

    # -- what the editor asks ---------------------------------------------------------------
    def current(self, uri: str) -> tuple[ValueTrace, ScriptValues] | None:
        """The trace of the document's current text (none once the text changed)."""
        values = self.scripts.get(uri)
        document = self.ls.workspace.text_documents.get(uri)
        if values is None or values.trace is None or document is None or not self.ls.settings.inline_values:
            return None
        if _lines(values.trace.script) != _lines(document.source):
            return None
        return values.trace, values

    def inlay_hints(self, uri: str, rng: types.Range) -> list[types.InlayHint]:
        found = self.current(uri)
        if found is None:
            return []
        trace, values = found
        locator = TextLocator.for_text(self.ls.workspace.text_documents[uri].source, self.ls.workspace.position_codec)
        return hints(trace, values.divergence, locator, rng)

    def hover_markdown(self, uri: str, position: types.Position, markdown: bool) -> str | None:
        found = self.current(uri)
        if found is None:
            return None
        trace = found[0]
        document = self.ls.workspace.text_documents[uri]
        if position.line >= len(document.lines):
            return None  # past the end of the text: nothing there
        line = document.lines[position.line]
        name = word_at(line, document.position_codec.position_from_client_units(document.lines, position).character)
        if name is None or not any(names_match(e.name, name) for e in trace.entries):
            return None
        return hover_text(trace, name, position.line + 1, markdown)

    def lenses(self, uri: str) -> list[types.CodeLens]:
        state = self.ls.states.scripts.get(uri)
        if not self.ls.settings.inline_values or state is None or state.outcome is None:
            return []
        values = self.scripts.get(uri)
        return pair_lenses(uri, state.outcome, values.shown if values else None)


def supports_inlay_hint_refresh(ls: SynthLanguageServer) -> bool:
    caps = ls.client_capabilities
    workspace = caps.workspace if caps is not None else None
    return bool(workspace and workspace.inlay_hint and workspace.inlay_hint.refresh_support)


def _lines(text: str) -> list[str]:
    return text.replace("\r\n", "\n").replace("\r", "\n").rstrip("\n").split("\n")


def _divergence(trace: ValueTrace, verdict: PairVerdict) -> Divergence | None:
    if verdict.passed or verdict.pair.expected is None or not isinstance(verdict.run.result, dict):
        return None
    return divergence(trace, verdict.run.result.get("output_grid"), verdict.pair.expected.get("output_grid"))


# -- pure views ---------------------------------------------------------------------------------
def hints(trace: ValueTrace, found: Divergence | None, locator: TextLocator, rng: types.Range) -> list[types.InlayHint]:
    """One hint at the end of every recorded line inside `rng`, after the mismatch's notes, which are
    hints of their own (short: VS Code cuts all hints of a line at 43 characters by default,
    `editor.inlayHints.maximumLength`; each tooltip says it in full)."""
    where = f"on {trace.split} pair {trace.index + 1}"
    out = []
    for line, site in sorted(trace.sites.items()):
        end = site.end_line - 1
        if not (rng.start.line <= end <= rng.end.line):
            continue
        position = locator.position(end, 10**9)
        for label, tooltip in mismatch_notes(found, line, where):  # first: VS Code cuts a line's hints at 43 characters
            out.append(types.InlayHint(position=position, label=label, padding_left=True, tooltip=tooltip))
        entries = trace.at_line(line)
        if entries:
            label = hint_text(entries)
            out.append(types.InlayHint(position=position, label=label, padding_left=True, tooltip=f"{label}\n({where})"))
    return out


def mismatch_notes(found: Divergence | None, line: int, where: str) -> list[tuple[str, str]]:
    """(label, tooltip) of the notes at `line`: where the output grid was set, where it first went wrong."""
    if found is None or found.assigned_line is None:
        return []
    assigned = f"the output grid {where} was last assigned on this line"
    if line == found.assigned_line and found.first_wrong_line in (None, line):
        return [(f"◀ output set here: {found.why}", f"{assigned}; {found.why}")]
    if line == found.assigned_line:
        return [("◀ output set here", assigned)]
    if line == found.first_wrong_line:
        return [(f"◀ first differs: {found.why}", f"the first value on the way to the output that differs from the expected output ({found.why})")]
    return []


def names_match(recorded: str, word: str) -> bool:
    """Whether a hovered word names a record: `out`, `return`, or a part of `self.size`."""
    return recorded == word or word in recorded.split(".")


def word_at(line: str, column: int) -> str | None:
    for match in _WORD.finditer(line):
        if match.start() <= column <= match.end():
            return match.group()
    return None


def hover_text(trace: ValueTrace, name: str, line: int, markdown: bool) -> str | None:
    """The name's values on the pair: the records at the hovered line, else every line of it."""
    records = [e for e in trace.at_line(line) if names_match(e.name, name)]
    records = records or [e for e in trace.entries if names_match(e.name, name)]
    if not records:
        return None
    where = f"{trace.split} pair {trace.index + 1}"
    head = f"**`{name}`** on {where}" if markdown else f"{name} on {where}"
    sections = [head]
    for entry in sorted(records, key=lambda e: e.line)[:HOVER_RECORDS]:
        sections.extend(_record_sections(entry, markdown, entry.name != name))
    if len(records) > HOVER_RECORDS:
        sections.append(f"… and {len(records) - HOVER_RECORDS} more line(s)")
    return "\n\n".join(sections)


def _record_sections(entry: Recorded, markdown: bool, named: bool = False) -> list[str]:
    where = f"line {entry.line} ({entry.name})" if named else f"line {entry.line}"
    if entry.count == 1:
        return [f"{where}:", _value_block(entry.last, markdown)]
    return [
        f"{where}, run {entry.count} times; after the first run:",
        _value_block(entry.first, markdown),
        f"after the last run ({entry.count}):",
        _value_block(entry.last, markdown),
    ]


def _value_block(value: Any, markdown: bool) -> str:
    grid = value if is_grid(value) else None
    if grid is not None and all(0 <= c <= 9 for row in grid for c in row):
        digits = "\n".join(render_grid(grid))
        size = f"{len(grid)}x{len(grid[0])} grid"
        if not markdown:
            return f"{size}\n{digits}"
        return f"*{size}*\\\n" + "\\\n".join(emoji_grid(grid)) + f"\n\n```text\n{digits}\n```"
    text = literal(value, HOVER_VALUE_CHARS)
    return f"```python\n{text}\n```" if markdown else text


def pair_lenses(uri: str, outcome: RunOutcome, shown: PairKey | None) -> list[types.CodeLens]:
    """`values on: train 1 | 2 | 3 | test 1`, one lens per pair (the shown one in brackets)."""
    pairs = pairs_of(outcome)
    out = []
    previous_split = None
    top = types.Range(types.Position(0, 0), types.Position(0, 0))
    for i, verdict in enumerate(pairs):
        split, index = verdict.pair.split, verdict.pair.index
        label = str(index + 1) if split == previous_split else f"{split} {index + 1}"
        previous_split = split
        if (split, index) == shown:
            label = f"[{label}]"
        title = f"values on: {label}" if i == 0 else label
        out.append(types.CodeLens(range=top, command=types.Command(title=title, command=SHOW_PAIR_COMMAND, arguments=[uri, split, index])))
    return out


def register(ls: SynthLanguageServer, values: InlineValues) -> None:
    """The features of their own (hover and lenses join the existing ones in `handlers`)."""

    @ls.feature(types.TEXT_DOCUMENT_INLAY_HINT, types.InlayHintOptions(resolve_provider=False))
    def on_inlay_hint(params: types.InlayHintParams) -> list[types.InlayHint] | None:
        return values.inlay_hints(params.text_document.uri, params.range) or None

    @ls.command(SHOW_PAIR_COMMAND)
    def on_show_pair(uri: str, split: str, index: int) -> None:
        if split not in ("train", "test") or isinstance(index, bool) or not isinstance(index, int) or index < 0:
            raise ValueError("usage: synthLsp.values.showPair(uri, 'train' | 'test', index from 0)")
        values.show_pair(uri, split, index)
