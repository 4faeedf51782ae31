"""Which keys of `inputs` a script can read, found without running it.

Binding `inputs` is the largest fixed cost of a sandbox run on big grids: an ARC pair's inputs carry
the leave-one-out `examples` (every other train pair), four to eight times the pair's own grid, and
most scripts never look at them. When the analysis proves a script reads only some keys, the
sandbox binds a dict of just those keys; the script cannot tell the difference.

The proof is conservative: every use of the name `inputs` must be `inputs["key"]`, `inputs.get("key")`
or `"key" in inputs` with a literal key. Anything else (passing `inputs` on, iterating it, a computed
key, `eval`/`exec`/`locals`, which can reach it by name) means the script gets all of it.
"""

from __future__ import annotations

import ast
from functools import lru_cache

from synth_lsp.sandbox.script_ast import parse

# Builtins that reach globals by name, so `inputs` may be used without being written.
_REFLECTIVE = frozenset({"eval", "exec", "locals", "globals", "vars", "compile", "__import__"})


@lru_cache(maxsize=512)
def keys_read(script: str) -> frozenset[str] | None:
    """The literal keys the script reads from `inputs`, or None when it may read any of them."""
    tree = parse(script)
    return None if tree is None else _KeyCollector().collect(tree)


class _KeyCollector(ast.NodeVisitor):
    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.opaque = False  # a use we cannot bound was seen
        self._accounted: set[int] = set()  # ids of `inputs` Name nodes already explained by a parent

    def collect(self, tree: ast.AST) -> frozenset[str] | None:
        self.visit(tree)
        return None if self.opaque else frozenset(self.keys)

    def visit_Subscript(self, node: ast.Subscript) -> None:
        key = _literal_key(node.slice)
        if _is_inputs(node.value) and key is not None and isinstance(node.ctx, ast.Load):
            self._account(node.value, key)
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        func = node.func
        if (
            isinstance(func, ast.Attribute)
            and func.attr == "get"
            and _is_inputs(func.value)
            and node.args
            and _literal_key(node.args[0]) is not None
        ):
            self._account(func.value, _literal_key(node.args[0]))
        self.generic_visit(node)

    def visit_Compare(self, node: ast.Compare) -> None:
        # "key" in inputs / "key" not in inputs: a membership test of a literal key
        if len(node.ops) == 1 and isinstance(node.ops[0], (ast.In, ast.NotIn)) and _is_inputs(node.comparators[0]):
            key = _literal_key(node.left)
            if key is not None:
                self._account(node.comparators[0], key)
        self.generic_visit(node)

    def visit_Name(self, node: ast.Name) -> None:
        if node.id in _REFLECTIVE:
            self.opaque = True
        elif node.id == "inputs" and id(node) not in self._accounted:
            self.opaque = True  # bare use: passed on, iterated, rebound, printed...

    def visit_arg(self, node: ast.arg) -> None:
        if node.arg == "inputs":
            self.opaque = True  # a parameter shadowing it: keep the analysis simple and safe
        self.generic_visit(node)

    def _account(self, name: ast.expr, key: str) -> None:
        self._accounted.add(id(name))
        self.keys.add(key)


def _is_inputs(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "inputs" and isinstance(node.ctx, ast.Load)


def _literal_key(node: ast.expr) -> str | None:
    return node.value if isinstance(node, ast.Constant) and isinstance(node.value, str) else None


def restrict(inputs: dict, keys: frozenset[str] | None) -> dict:
    """`inputs` cut down to `keys` (all of it when `keys` is None or covers it)."""
    if keys is None or keys.issuperset(inputs):
        return inputs
    return {key: value for key, value in inputs.items() if key in keys}
