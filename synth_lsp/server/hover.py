"""Hover on a mismatch: the expected and actual grids in ARC colours, differing cells marked.
Pure: the caller passes the marks (diagnostics) and the runs that made them."""

from __future__ import annotations

import json
from typing import Callable, Mapping

from lsprotocol import types

from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.core.render import render_side_by_side
from synth_lsp.server.diagnostics import describe_diff
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.server.positions import contains

# The ARC palette as emoji squares: markdown hovers cannot colour text, but every client shows these
EMOJI = {0: "⬛", 1: "🟦", 2: "🟥", 3: "🟩", 4: "🟨", 5: "⬜", 6: "🟪", 7: "🟧", 8: "💠", 9: "🟫"}
MAX_PAIRS = 3


def failing_train(outcome: RunOutcome) -> list[PairVerdict]:
    if outcome.evaluation is None:
        return []
    return [v for v in outcome.evaluation.train if v.error is None and v.diff is not None and not v.diff.equal]


def mismatch_markdown(outcome: RunOutcome, pairs: list[PairVerdict] | None = None, markdown: bool = True) -> str | None:
    """Markdown (or plain text) for the failing train pairs; None when nothing mismatches."""
    pairs = failing_train(outcome) if pairs is None else pairs
    if not pairs:
        return None
    sections = [_pair_section(v, outcome, markdown) for v in pairs[:MAX_PAIRS]]
    if len(pairs) > MAX_PAIRS:
        sections.append(f"… and {len(pairs) - MAX_PAIRS} more failing pair(s)")
    return ("\n\n---\n\n" if markdown else "\n\n").join(sections)


def _pair_section(verdict: PairVerdict, outcome: RunOutcome, markdown: bool) -> str:
    diff = verdict.diff
    assert diff is not None
    title = f"**{verdict.pair.label}**: {describe_diff(diff)}" if markdown else f"{verdict.pair.label}: {describe_diff(diff)}"
    if outcome.task is not None and outcome.task.kind == "arc":
        expected = verdict.pair.expected["output_grid"] if verdict.pair.expected else None
        actual = verdict.output.get("output_grid") if isinstance(verdict.output, dict) else None
        if not _is_grid(actual):
            actual = None
        cells = [(c.row, c.col) for c in diff.cells]
        if not markdown:
            return title + "\n" + render_side_by_side(expected, actual, cells, style="plain")
        return "\n\n".join([title, emoji_side_by_side(expected, actual, set(cells)), render_side_by_side(expected, actual, cells, style="markdown")])
    expected_text = json.dumps(verdict.pair.expected, indent=1)[:1500]
    actual_text = json.dumps(verdict.output, indent=1)[:1500]
    return f"{title}\n\nexpected:\n```json\n{expected_text}\n```\nactual:\n```json\n{actual_text}\n```"


def _is_grid(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(r, list) for r in value)


def emoji_grid(grid: list[list[int]], marks: set[tuple[int, int]] = frozenset()) -> list[str]:
    """One line per row; a marked cell shows ❌ in place of its colour."""
    return ["".join("❌" if (r, c) in marks else EMOJI.get(v, "❔") for c, v in enumerate(row)) for r, row in enumerate(grid)]


def emoji_side_by_side(expected: list[list[int]] | None, actual: list[list[int]] | None, marks: set[tuple[int, int]]) -> str:
    """Expected, then actual with ❌ on the differing cells (their values are in the digit panel)."""
    actual_name = "actual (❌ = differs)" if actual and marks else "actual"
    blocks = [("expected", emoji_grid(expected) if expected else ["(none)"]), (actual_name, emoji_grid(actual, marks) if actual else ["(none)"])]
    # a trailing backslash is a hard line break in CommonMark: rows stay rows
    return "\n\n".join(f"*{name}*\\\n" + "\\\n".join(rows) for name, rows in blocks)


def hover_for(outcome: RunOutcome, rng: types.Range, markdown: bool = True, pairs: list[PairVerdict] | None = None) -> types.Hover | None:
    text = mismatch_markdown(outcome, pairs, markdown=markdown)
    if text is None:
        return None
    kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
    return types.Hover(contents=types.MarkupContent(kind=kind, value=text), range=rng)


def script_hover(outcome: RunOutcome | None, diagnostics: list[types.Diagnostic], position: types.Position, markdown: bool) -> types.Hover | None:
    """On a mismatch mark of a script: the failing train pairs of its latest run."""
    for diagnostic in diagnostics:
        if diagnostic.code == "mismatch" and contains(diagnostic.range, position) and outcome is not None:
            return hover_for(outcome, diagnostic.range, markdown=markdown)
    return None


def examples_hover(
    marks_by_script: Mapping[str, list[types.Diagnostic]],
    outcome_of: Callable[[str], RunOutcome | None],
    position: types.Position,
    markdown: bool,
) -> types.Hover | None:
    """On a marked cell of an examples file: that pair's grids, as the script that marked it saw them."""
    for script_uri, diagnostics in marks_by_script.items():
        outcome = outcome_of(script_uri)
        if outcome is None:
            continue
        for diagnostic in diagnostics:
            if diagnostic.code != "mismatch" or not contains(diagnostic.range, position):
                continue
            wanted = diagnostic.data["pairs"][0]
            pairs = [v for v in failing_train(outcome) if (v.pair.split, v.pair.index) == (wanted["split"], wanted["index"])]
            found = hover_for(outcome, diagnostic.range, markdown=markdown, pairs=pairs)
            if found is not None:
                return found
    return None


def with_values(found: types.Hover | None, values: str | None, markdown: bool) -> types.Hover | None:
    """A hover with the hovered name's values on the chosen pair (`inline_values`) below it."""
    if values is None:
        return found
    if found is None:
        kind = types.MarkupKind.Markdown if markdown else types.MarkupKind.PlainText
        return types.Hover(contents=types.MarkupContent(kind=kind, value=values))
    assert isinstance(found.contents, types.MarkupContent)
    separator = "\n\n---\n\n" if markdown else "\n\n"
    return types.Hover(contents=types.MarkupContent(kind=found.contents.kind, value=found.contents.value + separator + values), range=found.range)
