"""A program of the offline model: a chain of primitive calls with literal arguments.

A `Step` names a primitive function (a key of `primitives.FUNCTIONS`) and the arguments that
follow the grid. The same step is applied on the host during the search and written as
`grid = name(grid, ...)` in the script.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from synth_lsp.offline.primitives import FUNCTIONS

Grid = list[list[int]]

MAX_SIDE = 30  # ARC grids are at most 30x30; larger intermediates are dropped


@dataclass(frozen=True)
class Step:
    function: str  # a name in synth_lsp.offline.primitives.FUNCTIONS
    args: tuple[Any, ...]  # literal arguments after the grid (ints, strings, bools, dicts, lists)
    label: str  # what it does, for descriptions

    def apply(self, grid: Grid) -> Grid | None:
        """Run on the host; None when the step does not apply or yields no usable grid."""
        function = FUNCTIONS[self.function]  # outside the try: an unknown name is a bug, not a miss
        try:
            out = function(grid, *self.args)
        except (IndexError, ValueError, KeyError, ZeroDivisionError, TypeError):
            return None
        return out if is_usable(out) else None


def is_usable(grid: Any) -> bool:
    """A non-empty rectangular grid of ints, no larger than ARC allows."""
    if not isinstance(grid, list) or not grid or len(grid) > MAX_SIDE:
        return False
    width = len(grid[0]) if isinstance(grid[0], list) else 0
    if width == 0 or width > MAX_SIDE:
        return False
    return all(isinstance(row, list) and len(row) == width for row in grid)


def run_steps(steps: tuple[Step, ...], grid: Grid) -> Grid | None:
    for step in steps:
        grid = step.apply(grid)
        if grid is None:
            return None
    return grid


def describe(steps: tuple[Step, ...]) -> str:
    return " then ".join(step.label for step in steps) if steps else "identity (copy the input)"
