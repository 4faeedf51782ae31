"""Turn a chain of steps into a readable, self-contained `.synth.py` script.

The script carries the source of the primitives the chain calls and of every helper they call in
turn, copied from the topic modules of `synth_lsp.offline.primitives`, so the sandbox runs exactly
what the host ran.
"""

from __future__ import annotations

import ast
import inspect
from dataclasses import dataclass
from functools import lru_cache
from types import ModuleType

from synth_lsp.offline.primitives import FUNCTIONS, TOPICS
from synth_lsp.offline.steps import Step, describe


@dataclass(frozen=True)
class _Definition:
    source: str  # from `def` on: a decorator (the host-side memo) is never copied
    calls: frozenset[str]  # the primitives it refers to directly


@lru_cache(maxsize=None)
def _definitions() -> dict[str, _Definition]:
    """Every primitive function by name, in topic order then file order within a module."""
    definitions: dict[str, _Definition] = {}
    for module in TOPICS:
        text = inspect.getsource(module)
        for node in ast.parse(text).body:
            if isinstance(node, ast.FunctionDef):
                assert node.name not in definitions, f"two primitives named {node.name}"
                definitions[node.name] = _Definition(_source(text, node), _callees(node, module))
    return definitions


def _source(text: str, node: ast.FunctionDef) -> str:
    source = ast.get_source_segment(text, node) or ""
    # the segment of a decorated function starts at `def` (Python >= 3.8): the decorator stays behind
    assert source.startswith("def "), f"{node.name}: unexpected source segment"
    return source


def _callees(node: ast.FunctionDef, module: ModuleType) -> frozenset[str]:
    """The primitives a function's signature and body name, resolved through the module that
    defines it (so a helper imported from another topic module counts); decorators do not count."""
    names = {n.id for part in (node.args, *node.body) for n in ast.walk(part) if isinstance(n, ast.Name)}
    callees = set()
    for name in names - {node.name}:
        target = vars(module).get(name)
        if target is not None and FUNCTIONS.get(name) is target:
            callees.add(name)
        elif inspect.isfunction(target) and FUNCTIONS.get(target.__name__) is target:
            # the script defines each primitive under its own name only: an alias would not exist there
            raise AssertionError(f"{module.__name__} imports {target.__name__} as {name}: import primitives under their own names")
    return frozenset(callees)


@lru_cache(maxsize=None)
def _sources() -> dict[str, str]:
    """Source of every primitive function, by name, in the order the emitter writes them."""
    return {name: definition.source for name, definition in _definitions().items()}


def needed_functions(steps: tuple[Step, ...]) -> list[str]:
    """The functions the steps use and everything they call, in topic then file order."""
    definitions = _definitions()
    todo = [step.function for step in steps]
    needed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        todo.extend(definitions[name].calls)
    return [name for name in definitions if name in needed]


def _call(step: Step) -> str:
    """`name(grid, param=value, ...)` with the parameter names of the primitive, for readability."""
    params = list(inspect.signature(FUNCTIONS[step.function]).parameters)[1:]
    args = ", ".join(f"{p}={_literal(v)}" for p, v in zip(params, step.args))
    return f"{step.function}(grid{', ' + args if args else ''})"


def _literal(value: object) -> str:
    """Python source for a value; a long table goes one entry per line."""
    if isinstance(value, dict) and len(value) > 4:
        entries = "".join(f"        {k!r}: {v!r},\n" for k, v in value.items())
        return "{\n" + entries + "    }"
    return repr(value)


def emit_script(steps: tuple[Step, ...], train_correct: int, train_total: int, evidence: str = "", confidence: float | None = None) -> str:
    fit = "all" if train_correct == train_total else f"{train_correct} of"
    header = [
        "# Written by synth-lsp's offline model (no language model): a search over grid primitives.",
        f"# Rule found: {describe(steps)}.",
        f"# It reproduces {fit} {train_total} train pairs (checked on the host before writing).",
    ]
    if evidence:
        trust = f"Confidence {confidence:.2f}: " if confidence is not None and train_correct == train_total else ""
        header.append(f"# {trust}{evidence}.")
    functions = [_sources()[name] for name in needed_functions(steps)]
    # a step may not apply to some input: say which, at its line, rather than return a non-grid
    lines = []
    for step in steps:
        lines.append(f"    grid = {_call(step)}")
        lines.append("    if grid is None:")
        lines.append(f"        raise ValueError({(step.label + ': does not apply to this input')!r})")
    body = lines + ["    return grid"] if steps else ["    return [list(row) for row in grid]"]
    transform = "def transform(grid):\n" + "\n".join(body)
    parts = ["\n".join(header), *functions, transform, 'result = {"output_grid": transform(inputs["input_grid"])}']
    return "\n\n\n".join(parts) + "\n"
