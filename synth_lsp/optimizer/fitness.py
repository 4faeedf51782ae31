"""Secondary fitness: how close a candidate's train outputs come to the expected ones.

ExactMatch gives a pair 0 or 1, so on a hard task every candidate sits at reward 0 for many
generations and survival cannot tell a stepping stone from a dead end. Each train pair also gets a
*credit* in [0, 1]: 1 when it passes; for a grid of the right shape, a little for the shape and the
rest by the share of cells right; for a grid of the wrong shape, a little per matching dimension;
for other JSON, the share of leaves right. The reward users see stays ExactMatch; the credit only
orders candidates of equal reward (`fitness_key`), in survival and in parent selection.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Sequence

from synth_lsp.core.evaluation import PairVerdict
from synth_lsp.core.scoring import Diff

SHAPE_CREDIT = 0.1  # a grid of the right shape with every cell wrong
DIMENSION_CREDIT = 0.05  # per matching dimension (rows or columns) of a grid of the wrong shape
BELOW_PASS = 0.99  # a failing pair never earns the credit of a passing one

FitnessKey = tuple[float, float]  # (ExactMatch reward, mean credit): compared lexicographically


def pair_credit(verdict: PairVerdict) -> float:
    """The credit of one scored pair (see the module's docstring)."""
    if verdict.passed:
        return 1.0
    if verdict.error is not None or verdict.diff is None:
        return 0.0  # a failed run yields the task's default: no credit for it
    return min(BELOW_PASS, diff_credit(verdict.diff, verdict.pair.expected))


def diff_credit(diff: Diff, expected: Any) -> float:
    if diff.kind == "equal":
        return 1.0
    if diff.kind == "cells" and diff.expected_shape:
        size = diff.expected_shape[0] * diff.expected_shape[1]
        right = 1.0 - len(diff.cells) / size if size else 0.0
        return SHAPE_CREDIT + (1.0 - SHAPE_CREDIT) * right
    if diff.kind == "shape":
        if diff.expected_shape is None or diff.actual_shape is None:
            return 0.0
        return DIMENSION_CREDIT * sum(e == a for e, a in zip(diff.expected_shape, diff.actual_shape))
    if diff.kind == "json":
        # the same denominator for every candidate of a task, so the order is right even when a
        # mask scores fewer leaves than the expected result holds
        leaves = max(leaf_count(expected), len(diff.paths), 1)
        return max(0.0, 1.0 - len(diff.paths) / leaves)
    return 0.0


def leaf_count(value: Any, limit: int = 100_000) -> int:
    """The number of atoms in a JSON value (iterative: nesting depth cannot overflow the stack)."""
    count, stack = 0, [value]
    while stack and count < limit:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        else:
            count += 1
    return count


def mean_credit(verdicts: Sequence[PairVerdict]) -> tuple[list[float], float]:
    credits = [round(pair_credit(v), 6) for v in verdicts]
    return credits, (sum(credits) / len(credits) if credits else 0.0)


def behaviour_signature(verdicts: Sequence[PairVerdict]) -> str:
    """A hash of the outputs on every train pair: scripts with the same one behave the same on the
    train pairs, however differently they are written."""
    if not verdicts:
        return ""
    outputs = [v.output for v in verdicts]
    text = json.dumps(outputs, sort_keys=True, default=str, separators=(",", ":"))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def selection_score(reward: float, credit: float, pairs: int) -> float:
    """One number that ranks by reward first and credit second: the credit moves a candidate
    within its reward band (one pair wide), never into the next one."""
    band = 1.0 / max(1, pairs)
    return reward + band * BELOW_PASS * max(0.0, min(1.0, credit))
