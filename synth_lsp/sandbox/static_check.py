"""Problems found in a script without running it: imports of modules the sandbox lacks.

The walls come in as a value (probed once by the runner), so this check never reaches back into
the pool; a module the walls did not probe is asked of `runner` once, when one is given.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from synth_lsp.core.runs import Frame, RunError, SourceRange
from synth_lsp.sandbox.script_ast import parse
from synth_lsp.sandbox.walls import ProbeRunner, Walls


def import_error(script: str, walls: Walls, runner: ProbeRunner | None = None) -> RunError | None:
    """The first import of a module the sandbox does not have, at its place in the script."""
    for node, name in _imports(script):
        if not walls.can_import(name, runner):
            return _missing_module(script, node, name, walls)
    return None


@lru_cache(maxsize=512)
def _imports(script: str) -> tuple[tuple[ast.stmt, str], ...]:
    """Each module the script imports, with its statement, in the order of a walk of the tree
    (found once per script text: a candidate is checked before each run)."""
    tree = parse(script)
    if tree is None:
        return ()  # Monty reports syntax errors with its own positions
    found: list[tuple[ast.stmt, str]] = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node, node.module))
    return tuple(found)


def _missing_module(script: str, node: ast.stmt, name: str, walls: Walls) -> RunError:
    end_line = node.end_lineno or node.lineno
    end_col = node.end_col_offset or node.col_offset
    # ast columns are UTF-8 byte offsets; SourceRange counts characters (as Monty does)
    rng = SourceRange(
        node.lineno,
        _char_column(script, node.lineno, node.col_offset) + 1,
        end_line,
        _char_column(script, end_line, end_col) + 1,
    )
    available = ", ".join(walls.importable)
    return RunError(
        kind="import",
        exc_type="ModuleNotFoundError",
        message=f"module '{name}' is not available in the Monty sandbox (importable: {available})",
        range=rng,
        frames=(Frame("<module>", rng, _line(script, node.lineno)),),
    )


def _char_column(script: str, line: int, byte_offset: int) -> int:
    return len(_line(script, line).encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def _line(script: str, number: int) -> str:
    lines = script.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""
