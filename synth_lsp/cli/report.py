"""The report of a script's evaluation, as text for a person (`check`, and `evolve`'s final report)
or as JSON for tools (`check --json`): each pair's verdict, errors grouped with the pairs that
raised them at `file:line:col`, and expected and actual grids side by side for the first failures."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from synth_lsp.core.evaluation import Evaluation, PairVerdict
from synth_lsp.core.render import render_side_by_side
from synth_lsp.core.runs import RunError
from synth_lsp.core.task import Task

MAX_GRIDS_SHOWN = 3  # side-by-side grids for the first few failing pairs


def _pairs_label(verdicts: list[PairVerdict]) -> str:
    by_split: dict[str, list[str]] = {}
    for v in verdicts:
        by_split.setdefault(v.pair.split, []).append(str(v.pair.index + 1))
    return "; ".join(f"{split} pair{'s' if len(ix) > 1 else ''} {', '.join(ix)}" for split, ix in by_split.items())


def grouped_errors(evaluation: Evaluation) -> list[tuple[RunError, list[PairVerdict]]]:
    """The same error on several pairs is reported once, naming the pairs."""
    groups: dict[tuple, tuple[RunError, list[PairVerdict]]] = {}
    for verdict, error in evaluation.errors():
        key = (error.kind, error.exc_type, error.message, error.range)
        groups.setdefault(key, (error, []))[1].append(verdict)
    return list(groups.values())


def report_text(path: Path, task: Task, ev: Evaluation, header_problems=(), colour: bool = False) -> str:
    lines: list[str] = []
    test_total = len(ev.scored_test)
    test = f", test {ev.test_passed}/{test_total}" if test_total else ""
    lines.append(f"{path}: train {ev.train_passed}/{len(ev.train)} (reward {ev.train_reward:.2f}){test}  [{ev.duration_s * 1000:.0f} ms]")
    for problem in header_problems:
        lines.append(f"{path}:{problem.line}:1: header: {problem.message}")
    for error, verdicts in grouped_errors(ev):
        where = f"{path}:{error.range.line}:{error.range.column}" if error.range else f"{path}"
        lines.append(f"{where}: {error.kind}: {error.headline()} ({_pairs_label(verdicts)})")
    shown = 0
    for verdict in ev.train + ev.test:
        if verdict.reward is None:
            status = "no expected output"
        else:
            status = "ok" if verdict.passed else "FAIL"
        detail = "" if verdict.passed or verdict.diff is None else f": {verdict.diff.summary()}"
        lines.append(f"  {verdict.pair.label}: {status}{detail}")
        if verdict.run.stderr.strip():
            lines.extend("    stderr| " + line for line in verdict.run.stderr.rstrip().splitlines()[:10])
        if not verdict.passed and verdict.reward is not None and task.is_grid_task and shown < MAX_GRIDS_SHOWN:
            shown += 1
            actual = verdict.run.result.get("output_grid") if isinstance(verdict.run.result, dict) else None
            cells = [(c.row, c.col) for c in verdict.diff.cells] if verdict.diff else []
            grid_text = render_side_by_side(verdict.pair.expected["output_grid"], actual, cells, "ansi" if colour else "plain")
            lines.extend("    " + line for line in grid_text.splitlines())
        elif not verdict.passed and verdict.diff is not None and len(verdict.diff.paths) > 3:
            lines.extend("    " + p.describe() for p in verdict.diff.paths[:10])
    return "\n".join(lines)


def evaluation_json(path: Path, task: Task, ev: Evaluation, header_problems=()) -> dict[str, Any]:
    def error_json(e: RunError | None) -> dict | None:
        if e is None:
            return None
        rng = e.range
        return {
            "kind": e.kind,
            "type": e.exc_type,
            "message": e.message,
            "line": rng.line if rng else None,
            "column": rng.column if rng else None,
            "end_line": rng.end_line if rng else None,
            "end_column": rng.end_column if rng else None,
        }

    def verdict_json(v: PairVerdict) -> dict:
        diff = v.diff
        return {
            "split": v.pair.split,
            "index": v.pair.index,
            "passed": v.passed if v.reward is not None else None,
            "reward": v.reward,
            "output": v.output,
            "diff": None
            if diff is None
            else {
                "kind": diff.kind,
                "summary": diff.summary(),
                "expected_shape": diff.expected_shape,
                "actual_shape": diff.actual_shape,
                "cells": [[c.row, c.col, c.expected, c.actual] for c in diff.cells],
                "paths": [{"path": list(p.path), "expected": p.expected, "actual": p.actual, "note": p.note} for p in diff.paths],
            },
            "error": error_json(v.error),
            "stdout": v.run.stdout,
            "stderr": v.run.stderr,
            "duration_ms": round(v.run.duration_s * 1000, 3),
        }

    return {
        "file": str(path),
        "task": task.name,
        "examples": str(task.examples_path) if task.examples_path else None,
        "train_reward": ev.train_reward,
        "train_passed": ev.train_passed,
        "train_total": len(ev.train),
        "test_passed": ev.test_passed,
        "test_total": len(ev.scored_test),
        "fits_train": ev.solved,  # every train pair passes: what was measured
        "solved": ev.solved,  # the older name of fits_train, kept for tools that read it
        "duration_ms": round(ev.duration_s * 1000, 3),
        "header_problems": [{"line": p.line, "message": p.message} for p in header_problems],
        "pairs": [verdict_json(v) for v in ev.train + ev.test],
    }
