"""A script as the body of a function called once per pair, when a syntax-tree check proves that
this behaves exactly as running the script afresh on each pair.

Run as a module, the script's names are globals of a fresh checkout; wrapped, they are the locals of
one call, so each pair still starts from fresh names, and every pair of a candidate can run in one
checkout and one feed (`one_checkout`). The check is conservative: whatever could tell the two apart
means "not wrapped" and the caller runs the script the usual way, one checkout per pair.
"""

from __future__ import annotations

import ast
import builtins
import symtable
from functools import lru_cache

from synth_lsp.sandbox.script_ast import parse

PREFIX = (
    "_synth_"  # every name the wrapper adds; a script that mentions it is not wrapped
)
PAIRS = (
    "_synth_pairs"  # the global holding every pair's `inputs`, bound before the feed
)
INDENT = "    "

# Modules with no state beyond a pair and no host calls. Others are not wrapped: `random` would go
# on from the previous pair's state, `time`/`os`/`datetime` ask the host (each checkout has its own
# budget of host calls), `__future__` must come first in a module, and any module we do not know.
PURE_MODULES = frozenset(
    {
        "bisect",
        "collections",
        "copy",
        "dataclasses",
        "functools",
        "itertools",
        "json",
        "math",
        "re",
        "typing",
    }
)

# Names whose meaning depends on the scope they are read in (or on the host): `print` too, because
# one feed for every pair cannot tell whose output a line is.
SCOPE_NAMES = frozenset(
    {
        "print",
        "locals",
        "globals",
        "vars",
        "dir",
        "eval",
        "exec",
        "compile",
        "__import__",
        "__qualname__",
        "input",
        "breakpoint",
        "help",
        "super",
        "__builtins__",
        "__class__",
    }
)

_BUILTIN_NAMES = frozenset(dir(builtins))


def wrapped_code(script: str) -> str | None:
    """The feed that runs `script` once per pair of `_synth_pairs` and ends with the list of their
    `result`s, or None when the script cannot be proven to behave the same wrapped."""
    return _wrap(script)[0]


def why_not_wrapped(script: str) -> str | None:
    """Why the script runs one checkout per pair (None when it is wrapped)."""
    return _wrap(script)[1]


@lru_cache(maxsize=512)
def _wrap(script: str) -> tuple[str | None, str | None]:
    reason = _refusal(script)
    if reason is not None:
        return None, reason
    body = "".join(
        INDENT + line if line.strip() else line
        for line in script.splitlines(keepends=True)
    )
    if body and not body.endswith("\n"):
        body += "\n"
    code = (
        f"def _synth_pair_body(inputs):\n{body}{INDENT}return result\n"
        "_synth_results = []\n"
        f"for _synth_inputs in {PAIRS}:\n"
        f"{INDENT}_synth_results.append(_synth_pair_body(_synth_inputs))\n"
        "_synth_results\n"
    )
    return code, None


def _refusal(script: str) -> str | None:
    if PREFIX in script:
        return f"it mentions `{PREFIX}`, the wrapper's own names"
    tree = parse(script)
    if tree is None:
        return "it does not parse"
    for line in script.splitlines():
        lead = line[: len(line) - len(line.lstrip())]
        if "\t" in lead or "\f" in lead:
            return "tabs or form feeds in its indentation"
    reason = _node_refusal(tree) or _top_level_refusal(tree)
    if reason is not None:
        return reason
    return _shadowed_builtin(script)


def _node_refusal(tree: ast.Module) -> str | None:
    for node in ast.walk(tree):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return "a `global` or `nonlocal` statement"
        if isinstance(node, ast.ClassDef):
            return "a class (its names and reprs would carry the wrapper's)"
        if _is_string(node) and node.end_lineno != node.lineno:
            return f"a string literal over several lines (line {node.lineno}), which re-indenting would change"
        if isinstance(node, ast.Name) and node.id in SCOPE_NAMES:
            return f"it uses `{node.id}`"
        if isinstance(node, ast.Attribute) and node.attr in SCOPE_NAMES:
            return f"it uses `.{node.attr}`"
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.split(".")[0] not in PURE_MODULES:
                    return f"it imports `{alias.name}`"
        if isinstance(node, ast.ImportFrom):
            if node.level or (node.module or "").split(".")[0] not in PURE_MODULES:
                return f"it imports from `{node.module}`"
            if any(alias.name == "*" for alias in node.names):
                return "a star import"
    return None


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (
        isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes))
    )


def _top_level_refusal(tree: ast.Module) -> str | None:
    """`return`, `yield` and `await` mean something else in a function body than at the top."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack.extend(
                    child.decorator_list if not isinstance(child, ast.Lambda) else []
                )
                stack.append(child.args)
                continue  # inside, these are the user's own functions
            if isinstance(child, (ast.Return, ast.Yield, ast.YieldFrom, ast.Await)):
                return f"`{type(child).__name__.lower()}` outside a function (line {child.lineno})"
            if isinstance(child, ast.comprehension) and child.is_async:
                return "an async comprehension outside a function"
            stack.append(child)
    return None


def _shadowed_builtin(script: str) -> str | None:
    """A top-level name that is also a builtin reads the builtin until it is bound when global,
    but is unbound until then as a local."""
    try:
        table = symtable.symtable(script, "<script>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "its names cannot be resolved"
    for symbol in table.get_symbols():
        name = symbol.get_name()
        if name in _BUILTIN_NAMES and (
            symbol.is_assigned() or symbol.is_imported() or symbol.is_namespace()
        ):
            return f"it binds `{name}`, a builtin's name, at the top level"
    return None
