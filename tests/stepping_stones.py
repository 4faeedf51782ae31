"""A scripted model for plateaus: stepping stones that all score reward 0 but get closer cell by cell.

Task 007bbfb7 (9x9 outputs). Stone j keeps the first j/STONES of the 81 cells right (row-major)
and gets every other cell wrong, so no pair passes until the last stone, which is the rule itself.
The model offers stone j+1 only to a prompt that shows stone j (the seed counts as stone 0), and
then only with probability `p`; otherwise it answers a dead end: a distinct script of the right
shape with a few cells right, below stone 1. So the search reaches reward 1.0 only if each new
stone survives long enough to be a parent.

`OLD_RULES` are the survival and selection before issue 12 (fitness = reward alone, ties by list
position), for the tests and the plateau benchmark to compare against.
"""

from __future__ import annotations

import math
import random
import re
import threading
from typing import Sequence

from fake_openai import Reply
from solutions import FRACTAL_TRANSFORM_007BBFB7
from synth_lsp.optimizer.candidate import Candidate
from synth_lsp.optimizer.llm.embeddings import CodeDistance
from synth_lsp.optimizer.omega import SearchRules

CELLS = 81
STONE_MARK = re.compile(r"^STONE = (\d+)$", re.MULTILINE)  # in a script shown, not in a lineage diff

RULE = FRACTAL_TRANSFORM_007BBFB7.replace("def transform(", "def rule(")  # the answer, as a helper the stones call


def stone(j: int, stones: int) -> str:
    right = j * CELLS // stones
    return (
        f"STONE = {j}\n" + RULE + "\n"
        "out = rule(inputs['input_grid'])\n"
        f"for i in range({right}, len(out) * len(out[0])):\n"
        "    r, c = divmod(i, len(out[0]))\n"
        "    out[r][c] = (out[r][c] + 1) % 10\n"
        "result = {'output_grid': out}\n"
    )


def dead_end(n: int, stones: int) -> str:
    right = n % max(1, CELLS // stones - 1)  # fewer cells right than stone 1
    return (
        f"DEAD_END = {n}\n" + RULE + "\n"
        "out = rule(inputs['input_grid'])\n"
        "for i in range(len(out) * len(out[0])):\n"
        f"    if i >= {right}:\n"
        "        r, c = divmod(i, len(out[0]))\n"
        f"        out[r][c] = (out[r][c] + {1 + n % 8}) % 10\n"
        "result = {'output_grid': out}\n"
    )


class SteppingStoneModel:
    """The fake server's responder (call it with the request body)."""

    def __init__(self, stones: int = 4, p: float = 0.5, seed: int = 0):
        self.stones, self.p = stones, p
        self.rng = random.Random(seed)
        self.dead_ends = 0
        self.offered: list[int] = []  # stones offered, in order
        self._lock = threading.Lock()

    def __call__(self, body: dict) -> Reply:
        text = "\n".join(str(m.get("content")) for m in body["messages"])
        shown = max((int(j) for j in STONE_MARK.findall(text)), default=0)
        with self._lock:
            if shown < self.stones and self.rng.random() < self.p:
                self.offered.append(shown + 1)
                return Reply(f"The next step.\n```python\n{stone(shown + 1, self.stones)}```\n")
            self.dead_ends += 1
            return Reply(f"Try this.\n```python\n{dead_end(self.dead_ends, self.stones)}```\n")


def old_survive(candidates: Sequence[Candidate], distance: CodeDistance, k: int, size: int) -> set[str]:
    """Survival before issue 12: DNS on reward alone, ties by position in the list."""
    items = list(candidates)
    fitness = [c.train_reward for c in items]
    scores = []
    for i, own in enumerate(fitness):
        fitter = sorted(distance.distance(items[i], items[j]) for j, other in enumerate(fitness) if other > own)
        scores.append(sum(fitter[:k]) / len(fitter[:k]) if fitter else math.inf)
    order = sorted(range(len(items)), key=lambda i: (-scores[i], -fitness[i], i))
    return {items[i].id for i in order[:size]}


OLD_RULES = SearchRules(old_survive, lambda c: c.train_reward)
