"""Grid primitives of the offline model, written once for two places, grouped by topic.

The search runs these functions on the host (they are ours, not model output), and the emitter
copies the source of the ones a program uses, with their helpers, verbatim into the script that
runs in the Monty sandbox. So every function here must stay within Monty's walls: plain Python,
no imports in the copied code, no generators or `yield`, no `del`, no classes, no bound methods
passed as values, no module-level constants (only functions are copied).

Conventions: a grid is a list of rows of ints; a primitive never mutates its input and returns a
new grid, or None when it does not apply (the search then drops that branch).

The package imports nothing from the rest of synth_lsp. The topic modules are layers: each
imports helpers by name only from the modules before it in `TOPICS`, so there are no cycles.
`FUNCTIONS` holds every function of every topic module by name (names are unique across them).
`memo` is not a topic: it holds the host-side memo of `find_objects` and is never copied.
"""

from __future__ import annotations

import inspect
from types import ModuleType
from typing import Callable

from synth_lsp.offline.primitives import colour, counting, drawing, frames, geometry, grids, lines, local_rules, motion, object_symmetry, objects, panels, parts, patterns, per_object, rays, sorting, symmetry, templates, tiling

# lowest layer first; the emitter writes the copied functions in this order
TOPICS: tuple[ModuleType, ...] = (
    grids, geometry, colour, tiling, patterns, drawing, objects, templates, frames, symmetry, object_symmetry,
    parts, panels, local_rules, motion, lines, sorting, counting, rays, per_object,
)


def _registry(topics: tuple[ModuleType, ...]) -> dict[str, Callable]:
    """Every function defined (not imported) in the topic modules, by name, in topic then file order."""
    functions: dict[str, Callable] = {}
    for module in topics:
        for name, value in vars(module).items():
            if inspect.isfunction(value) and value.__module__ == module.__name__:
                # a script defines every function under its own name: two of one name would clash
                assert name not in functions, f"{name} is defined in {functions[name].__module__} and {module.__name__}"
                functions[name] = value
    return functions


FUNCTIONS: dict[str, Callable] = _registry(TOPICS)
