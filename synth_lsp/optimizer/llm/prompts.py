"""Mutation and crossover prompts.

Grids are rendered compactly: one row of digits per line (ARC colours are single digits), not nested
JSON lists. Only train pairs are ever rendered: this module never reads `task.test`, and a parent's
stored test results are not looked at either.

What a mutation prompt shows (in this order): the sandbox's probed walls and the reply format
(system), the task's instructions, the train pairs, the parent script and its reward, and per pair
the parent's own prediction against the truth (the differing cells, its error with the line, its
stdout/stderr). Everything comes from the same parent candidate, so predictions never belong to a
different script.
"""

from __future__ import annotations

import difflib
import json
from typing import Any, Sequence

from synth_lsp.optimizer.candidate import Candidate, PairResult
from synth_lsp.core.render import render_compact
from synth_lsp.core.scoring import shape_of
from synth_lsp.core.task import Pair, Task

MAX_CELL_DIFFS = 24  # listed per pair; the rest are counted
MAX_STREAM_CHARS = 600  # of a pair's stdout / stderr in a prompt

SYSTEM = """You write and improve small Python scripts for program synthesis.
A script reads the global dict `inputs` and must assign the global `result` (a JSON-like dict).
{walls}
{reply_format} Before it, at most a few sentences on what you change and why. Write a general
rule that explains every example; never hard-code the expected outputs."""

FULL_REPLY = "Reply with ONE complete script in a single ```python fenced block (no diff, no partial code)."
EDIT_BLOCK = """<<<<<<< SEARCH
lines copied exactly from the current script
=======
the lines to put in their place
>>>>>>> REPLACE"""
DIFF_REPLY = (
    "Reply with SEARCH/REPLACE edits against the current script, one block per change:\n"
    + EDIT_BLOCK
    + "\nEach SEARCH part must match the current script exactly once; keep edits small."
)
AUTO_REPLY = (
    "Reply either with SEARCH/REPLACE edits against the current script, one block per change:\n"
    + EDIT_BLOCK
    + "\n(each SEARCH part must match the current script exactly once), or, for a larger change, with ONE "
    "complete script in a single ```python fenced block."
)
REPLY_FORMATS = {"full": FULL_REPLY, "diff": DIFF_REPLY, "auto": AUTO_REPLY}
MAX_LINEAGE = 3  # ancestors shown in a mutation prompt
MAX_LINEAGE_DIFF_LINES = 12  # changed lines shown per ancestor


def render_grid(grid: Any) -> str:
    """One row of digits per line; anything that is not a grid of colours falls back to compact JSON."""
    shape = shape_of(grid)
    if shape is None or not all(isinstance(c, int) and not isinstance(c, bool) and 0 <= c <= 9 for row in grid for c in row):
        return compact_json(grid)
    return render_compact(grid)


def grid_title(label: str, grid: Any) -> str:
    shape = shape_of(grid)
    return f"{label} ({shape[0]}x{shape[1]}):" if shape else f"{label}:"


def compact_json(value: Any, limit: int = 4000) -> str:
    text = json.dumps(value, separators=(",", ":"), default=str)
    return text if len(text) <= limit else text[: limit - 20] + f"... [{len(text)} chars]"


def system_message(walls: str, edit_mode: str = "full") -> dict[str, str]:
    return {"role": "system", "content": SYSTEM.format(walls=walls.strip(), reply_format=REPLY_FORMATS[edit_mode])}


def render_pair(task: Task, pair: Pair) -> str:
    """A train pair: its input and the expected result."""
    lines = [f"### Pair {pair.index + 1}"]
    if task.is_grid_task:
        grid_in, grid_out = pair.inputs["input_grid"], (pair.expected or {}).get("output_grid")
        lines += [grid_title("input", grid_in), render_grid(grid_in), grid_title("expected output", grid_out), render_grid(grid_out)]
    else:
        lines += ["inputs: " + compact_json(pair.inputs), "expected result: " + compact_json(pair.expected)]
    return "\n".join(lines)


def render_examples(task: Task) -> str:
    if task.is_grid_task:
        note = (
            "Each pair runs as inputs = {'input_grid': <its input>, 'examples': <the other pairs as "
            "{'input_grid', 'output_grid'}>}; the script must set result = {'output_grid': <grid>}."
        )
    else:
        note = "Each pair runs with the global `inputs` set to its inputs; `result` must equal the expected result."
    scored = f" Only these keys of result are scored: {', '.join(task.mask)}." if task.mask and not task.is_grid_task else ""
    return "## Examples\n" + note + scored + "\n\n" + "\n\n".join(render_pair(task, p) for p in task.train)


def render_feedback(task: Task, result: PairResult) -> str:
    """How one candidate did on one train pair: its prediction against the truth."""
    head = f"### Pair {result.index + 1}: " + ("PASS" if result.passed else "FAIL")
    if result.passed:
        return head
    summary = result.summary.split(":")[0] if result.cells else result.summary  # the cells are listed below
    lines = [head + (f" - {summary}" if summary else "")]
    if result.error:
        lines.append(f"error: {result.error}")
    if result.output is not None and not result.error:
        predicted = result.output.get("output_grid") if (task.is_grid_task and isinstance(result.output, dict)) else result.output
        if task.is_grid_task and predicted == _input_grid(task, result.index):
            lines.append("its output: the input grid, unchanged")
        elif task.is_grid_task:
            lines += [grid_title("its output", predicted), render_grid(predicted)]
        else:
            lines.append("its result: " + compact_json(predicted))
    if result.cells:
        shown = result.cells[:MAX_CELL_DIFFS]
        cells = ", ".join(f"({r},{c}) expected {e} got {a}" for r, c, e, a in shown)
        more = f", and {len(result.cells) - len(shown)} more" if len(result.cells) > len(shown) else ""
        lines.append(f"differing cells (row,col from 0): {cells}{more}")
    for stream in ("stdout", "stderr"):
        text = getattr(result, stream).strip()
        if text:
            lines.append(f"{stream}:\n{text[:MAX_STREAM_CHARS]}")
    return "\n".join(lines)


def _input_grid(task: Task, index: int) -> Any:
    pairs = [p for p in task.train if p.index == index]
    return pairs[0].inputs.get("input_grid") if pairs else None


def pair_credit(candidate: Candidate, result: PairResult) -> float:
    """How close the candidate came on this pair (see `optimizer.fitness`); 0 when unknown."""
    credits = candidate.train_credit
    position = [r.index for r in sorted(candidate.train_results(), key=lambda r: r.index)].index(result.index)
    return credits[position] if position < len(credits) else (1.0 if result.passed else 0.0)


def render_candidate(task: Task, candidate: Candidate, title: str) -> str:
    """The script, its reward, and its pairs: those that pass, then its best failing pairs (the
    nearest misses) apart from its worst ones, so the model sees what almost works and what does not."""
    results = sorted(candidate.train_results(), key=lambda r: r.index)
    passing = [r for r in results if r.passed]
    failing = sorted((r for r in results if not r.passed), key=lambda r: (-pair_credit(candidate, r), r.index))
    lines = [
        f"## {title}: reward {candidate.train_reward:.2f} ({candidate.train_passed} of {candidate.train_total} pairs pass)",
        "```python",
        candidate.script.rstrip("\n"),
        "```",
        "",
    ]
    if passing:
        lines.append("It passes pair(s) " + ", ".join(str(r.index + 1) for r in passing) + ".")
    if failing:
        best, worst = failing[: (len(failing) + 1) // 2], failing[(len(failing) + 1) // 2 :]
        lines.append("Its best failing pairs (nearest misses first):")
        lines += [render_feedback(task, r) + _closeness(candidate, r, task) for r in best]
        if worst:
            lines.append("Its worst pairs (furthest off):")
            lines += [render_feedback(task, r) + _closeness(candidate, r, task) for r in worst]
    return "\n".join(lines)


def _closeness(candidate: Candidate, result: PairResult, task: Task) -> str:
    if not candidate.train_credit:
        return ""
    what = "of the cells right" if task.is_grid_task else "right"
    return f"\n(closeness {pair_credit(candidate, result):.2f}: roughly the share {what})"


def render_lineage(task: Task, parent: Candidate, ancestors: Sequence[Candidate]) -> str:
    """What the script's ancestors changed and what each scored, nearest first, so the model does
    not try again what already failed."""
    if not ancestors:
        return ""
    lines = ["## Its lineage (what its ancestors changed, and what each scored)"]
    child = parent
    for ancestor in ancestors[:MAX_LINEAGE]:
        lines.append(
            f"- from {ancestor.id} (reward {ancestor.train_reward:.2f}, closeness {ancestor.fitness[1]:.2f}) to "
            f"{child.id} (reward {child.train_reward:.2f}, closeness {child.fitness[1]:.2f}), by {child.origin}:"
        )
        lines += ["    " + line for line in changed_lines(ancestor.script, child.script)]
        child = ancestor
    return "\n".join(lines)


def changed_lines(before: str, after: str) -> list[str]:
    diff = [
        line for line in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
        if line[:1] in "+-" and not line.startswith(("+++", "---"))
    ]
    if len(diff) > MAX_LINEAGE_DIFF_LINES:
        return diff[:MAX_LINEAGE_DIFF_LINES] + [f"... and {len(diff) - MAX_LINEAGE_DIFF_LINES} more changed lines"]
    return diff or ["(the same code, laid out differently)"]


def mutation_messages(
    task: Task, parent: Candidate, walls: str, edit_mode: str = "full", ancestors: Sequence[Candidate] = ()
) -> list[dict[str, str]]:
    reply = "Reply with the complete new script." if edit_mode == "full" else "Reply with edits or the complete new script, as the format above says."
    parts = [
        "## Task\n" + task.instructions,
        render_examples(task),
        render_candidate(task, parent, "The current script"),
        render_lineage(task, parent, ancestors),
        "## Your job\nImprove the current script so that more pairs pass. Look at where its outputs differ "
        "from the expected ones and fix the cause; keep what already works; do not repeat a change its lineage "
        f"shows did not help. {reply}",
    ]
    return [system_message(walls, edit_mode), {"role": "user", "content": "\n\n".join(p for p in parts if p)}]


def quick_fix_messages(task: Task, current: Candidate, walls: str, edit_mode: str = "auto") -> list[dict[str, str]]:
    """The editor's "Fix with <model>": one targeted change to the user's own text, shown with its
    errors and differing cells as a mutation shows its parent (no lineage: the text is the user's)."""
    reply = "Reply with the complete fixed script." if edit_mode == "full" else "Reply with edits (preferred) or the complete fixed script, as the format above says."
    parts = [
        "## Task\n" + task.instructions,
        render_examples(task),
        render_candidate(task, current, "The current script (the user's text in the editor)"),
        "## Your job\nMake ONE targeted fix to the current script so that more pairs pass: find the cause of its "
        "errors or of the differing cells shown above and change only what that needs. Keep the rest as the user "
        f"wrote it (names, layout, comments). {reply}",
    ]
    return [system_message(walls, edit_mode), {"role": "user", "content": "\n\n".join(parts)}]


def rewrite_after_failed_edit(messages: list[dict[str, str]], reply: str, reason: str) -> list[dict[str, str]]:
    """Ask again, once, for a full script when the reply's edits could not be applied."""
    return messages + [
        {"role": "assistant", "content": reply},
        {"role": "user", "content": f"Your edits could not be applied: {reason}. Reply with the complete new script "
                                    "in a single ```python fenced block instead."},
    ]


def crossover_messages(task: Task, first: Candidate, second: Candidate, walls: str) -> list[dict[str, str]]:
    user = "\n\n".join(
        [
            "## Task\n" + task.instructions,
            render_examples(task),
            render_candidate(task, first, "Script A"),
            render_candidate(task, second, "Script B"),
            "## Your job\nCombine the two scripts into one that passes more pairs than either: take the parts "
            "that work from each (they may pass different pairs). Reply with the complete new script.",
        ]
    )
    return [system_message(walls), {"role": "user", "content": user}]
