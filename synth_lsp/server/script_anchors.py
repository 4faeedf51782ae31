"""Lines of a script that diagnostics hang on, found by parsing it on the host with `ast`.

Parsing only: a synthesis script is never executed outside the Monty sandbox.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass


@dataclass(frozen=True)
class ScriptAnchors:
    """0-based lines; `result_line` is None when no statement assigns `result`."""

    result_line: int | None
    first_code_line: int
    last_code_line: int

    @property
    def outcome_line(self) -> int:
        """Where whole-run problems go: the `result` assignment, else the first line of code."""
        return self.result_line if self.result_line is not None else self.first_code_line


def find_anchors(script: str) -> ScriptAnchors:
    first, last = _code_lines(script)
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return ScriptAnchors(None, first, last)
    return ScriptAnchors(_result_line(tree), first, last)


def _result_line(tree: ast.Module) -> int | None:
    # the last module-level assignment wins (that is the value read back), else any nested one
    top = [n for n in tree.body if _assigns_result(n)]
    if top:
        return top[-1].lineno - 1
    nested = [n for n in ast.walk(tree) if isinstance(n, ast.stmt) and _assigns_result(n)]
    return nested[-1].lineno - 1 if nested else None


def _assigns_result(node: ast.AST) -> bool:
    if isinstance(node, ast.Assign):
        targets = node.targets
    elif isinstance(node, (ast.AnnAssign, ast.AugAssign)):
        targets = [node.target]
    else:
        return False
    return any(isinstance(t, ast.Name) and t.id == "result" for t in targets)


def _code_lines(script: str) -> tuple[int, int]:
    code = [i for i, line in enumerate(script.split("\n")) if line.strip() and not line.lstrip().startswith("#")]
    return (code[0], code[-1]) if code else (0, 0)
