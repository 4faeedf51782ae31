"""Turn a chain of steps into a readable, self-contained `.synth.py` script.

The script carries the source of the primitives the chain calls and of every helper they call in
turn, copied from `synth_lsp.offline.primitives`, so the sandbox runs exactly what the host ran.
"""

from __future__ import annotations

import ast
import inspect
from functools import lru_cache

from synth_lsp.offline.primitives import parts as primitives
from synth_lsp.offline.steps import Step, describe


@lru_cache(maxsize=None)
def _sources() -> dict[str, str]:
    """Source of every function defined in the primitives module, by name, in file order."""
    tree = ast.parse(inspect.getsource(primitives))
    text = inspect.getsource(primitives)
    return {
        node.name: ast.get_source_segment(text, node) or ""
        for node in tree.body
        if isinstance(node, ast.FunctionDef)
    }


@lru_cache(maxsize=None)
def _calls(name: str) -> frozenset[str]:
    """The primitives module functions that `name` refers to directly."""
    sources = _sources()
    tree = ast.parse(sources[name])
    return frozenset(n.id for n in ast.walk(tree) if isinstance(n, ast.Name) and n.id in sources and n.id != name)


def needed_functions(steps: tuple[Step, ...]) -> list[str]:
    """The functions the steps use and everything they call, in the module's order."""
    todo = [step.function for step in steps]
    needed: set[str] = set()
    while todo:
        name = todo.pop()
        if name in needed:
            continue
        needed.add(name)
        todo.extend(_calls(name))
    return [name for name in _sources() if name in needed]


def _call(step: Step) -> str:
    """`name(grid, param=value, ...)` with the parameter names of the primitive, for readability."""
    params = list(inspect.signature(getattr(primitives, step.function)).parameters)[1:]
    args = ", ".join(f"{p}={_literal(v)}" for p, v in zip(params, step.args))
    return f"{step.function}(grid{', ' + args if args else ''})"


def _literal(value: object) -> str:
    """Python source for a value; a long table goes one entry per line."""
    if isinstance(value, dict) and len(value) > 4:
        entries = "".join(f"        {k!r}: {v!r},\n" for k, v in value.items())
        return "{\n" + entries + "    }"
    return repr(value)


def emit_script(steps: tuple[Step, ...], train_correct: int, train_total: int) -> str:
    fit = "all" if train_correct == train_total else f"{train_correct} of"
    header = [
        "# Written by synth-lsp's offline model (no language model): a search over grid primitives.",
        f"# Rule found: {describe(steps)}.",
        f"# It reproduces {fit} {train_total} train pairs (checked on the host before writing).",
    ]
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
