"""A script as the body of a function called once per pair, when a syntax-tree check proves that
this behaves exactly as running the script afresh on each pair.

Run as a module, the script's names are globals of a fresh checkout; wrapped, they are the locals of
one call, so each pair still starts from fresh names, and every pair of a candidate can run in one
checkout and one feed (`one_checkout`). The check is conservative: whatever could tell the two apart
means "not wrapped" and the caller runs the script the usual way, one checkout per pair.
"""

from __future__ import annotations

import ast
import secrets
import symtable
from functools import lru_cache

from synth_lsp.core.runs import Frame, SourceRange
from synth_lsp.sandbox.script_ast import parse

PREFIX = "_synth_"  # every name the wrapper adds; a script that mentions it is not wrapped
PAIRS = "_synth_pairs"  # the global holding every pair's `inputs`, bound before the feed
BODY = "_synth_pair_body"  # the function whose body is the script
INDENT = "    "
# printed after each pair's output by scripts that print, so one feed's output can be told apart
# by pair; a script cannot print it by chance, nor read it (it never sees the wrapper)
PAIR_END = f"\x00synth-pair-end-{secrets.token_hex(8)}\x00"
# the place of a pair that raised, in the list of results (no script can return it: it never sees it)
PAIR_FAILED = f"\x00synth-pair-failed-{secrets.token_hex(8)}\x00"

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

# Names whose meaning depends on the scope they are read in (as names, or dunder attributes).
SCOPE_NAMES = frozenset({"locals", "globals", "vars", "dir", "eval", "exec", "compile", "__import__"})
SCOPE_ATTRIBUTES = frozenset(
    {"__qualname__", "__doc__", "__builtins__", "__class__", "__code__", "__closure__", "__globals__"}
)


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
    # only "\n" breaks a line here (the runner made every break one); str.splitlines would also
    # break at form feeds and other separators inside a line
    return _body_def(script, BODY) + _pairs_loop(script), None


def _body_def(script: str, name: str) -> str:
    # only "\n" breaks a line here (the runner made every break one); str.splitlines would also
    # break at form feeds and other separators inside a line
    lines = script.split("\n")
    body = "\n".join(INDENT + line if line.strip() else line for line in lines) + "\n"
    return f"def {name}(inputs):\n{body}{INDENT}return result\n"


def batch_code(scripts: tuple[str, ...]) -> tuple[str, dict[str, tuple[str, int]]] | None:
    """The feed that runs several wrapped scripts (candidates of one task) each on every pair,
    candidate after candidate: `_synth_pairs` holds one list of pairs per candidate (each its own
    copy). Ends with the list of every (candidate, pair)'s `result`. Also returns, by the name of
    each candidate's function, its script and the line of its `def`. None if one is not wrapped."""
    if any(wrapped_code(script) is None for script in scripts):
        return None
    parts, bodies, line = [], {}, 1
    for k, script in enumerate(scripts):
        name = f"{BODY}_{k}"
        part = _body_def(script, name)
        bodies[name] = (script, line)
        parts.append(part)
        line += part.count("\n")
    names = ", ".join(bodies)
    parts.append(
        f"_synth_jobs = [(_synth_b, _synth_x) for _synth_b, _synth_xs in zip([{names}], {PAIRS}) for _synth_x in _synth_xs]\n"
        "_synth_results = []\n"
    )
    return "".join(parts) + _jobs_loop(any(map(_prints, scripts))), bodies


def batch_continuation_code(prints: bool) -> str:
    """`continuation_code` for a batch: the place of the (candidate, pair) that raised, then the rest."""
    return f"_synth_results.append({PAIR_FAILED!r})\n" + _jobs_loop(prints, continued=True)


def _jobs_loop(prints: bool, continued: bool = False) -> str:
    after = f"{INDENT}print({PAIR_END!r}, end='')\n" if prints else ""
    jobs = "_synth_jobs[len(_synth_results):]" if continued else "_synth_jobs"
    return f"for _synth_body, _synth_inputs in {jobs}:\n{INDENT}_synth_results.append(_synth_body(_synth_inputs))\n{after}_synth_results\n"


@lru_cache(maxsize=512)
def continuation_code(script: str) -> str:
    """The feed that goes on after a pair raised, in the session that ran `wrapped_code(script)`
    (the function is defined there already): it puts PAIR_FAILED in that pair's place, runs the
    pairs after it and ends with the list of every pair's `result` so far. The host reads no
    results in between: one round trip per pair that raised."""
    return f"_synth_results.append({PAIR_FAILED!r})\n" + _pairs_loop(script, continued=True)


def _pairs_loop(script: str, continued: bool = False) -> str:
    after_pair = f"{INDENT}print({PAIR_END!r}, end='')\n" if _prints(script) else ""
    return (
        ("" if continued else "_synth_results = []\n")
        + f"for _synth_inputs in {PAIRS}{'[len(_synth_results):]' if continued else ''}:\n"
        + f"{INDENT}_synth_results.append({BODY}(_synth_inputs))\n"
        + after_pair
        + "_synth_results\n"
    )


def unwrapped_frames(script: str, raw: list, body_name: str = BODY, def_line: int = 1) -> tuple[list[Frame], bool] | None:
    """The frames a run of `script` alone would have shown for an exception that Monty's `raw`
    traceback shows in the wrapped form, and whether it was the read of `result` at the end (the
    script never assigned it); None when they cannot be told for sure. Wrapped, the script's
    lines are one further down and four columns further right, its top level is the function's
    body, and the loop that calls it is one more frame, outermost."""
    body = [index for index, frame in enumerate(raw) if frame.function_name == body_name]
    if len(body) != 1:
        return None
    filename = raw[body[0]].filename
    last_line = def_line + len(script.split("\n"))  # the script's last line, wrapped
    frames = []
    for frame in raw[body[0] :]:
        if frame.filename != filename or not frame.line or frame.function_name == "<module>":
            return None  # a frame of no line of the script's: not what a run alone shows
        end_line, end_column = frame.end_line or frame.line, frame.end_column or frame.column
        if frame.line == last_line + 1:
            if frame is raw[-1] and frame.function_name == body_name:
                return [], True  # `return result`
            return None
        if not def_line < frame.line <= last_line or frame.column <= len(INDENT) or end_column <= len(INDENT) or end_line > last_line:
            return None
        source = frame.source_line or ""
        frames.append(
            Frame(
                function="<module>" if frame.function_name == body_name else frame.function_name,
                range=SourceRange(frame.line - def_line, frame.column - len(INDENT), end_line - def_line, end_column - len(INDENT)),
                source_line=source[len(INDENT) :] if source.startswith(INDENT) else source,
            )
        )
    return frames, False


def marks_pairs(script: str) -> bool:
    """Whether the wrapped script prints PAIR_END after each pair (it is in the code as a literal,
    escaped: the code itself never holds the mark's own characters)."""
    return _prints(script)


@lru_cache(maxsize=512)
def _prints(script: str) -> bool:
    tree = parse(script)
    return tree is not None and any(isinstance(n, ast.Name) and n.id == "print" for n in ast.walk(tree))


def _refusal(script: str) -> str | None:
    if PREFIX in script:
        return f"it mentions `{PREFIX}`, the wrapper's own names"
    tree = parse(script)
    if tree is None:
        return "it does not parse"
    for line in script.split("\n"):
        lead = line[: len(line) - len(line.lstrip())]
        if "\t" in lead or "\f" in lead:
            return "tabs or form feeds in its indentation"
    reason = _node_refusal(tree) or _top_level_refusal(tree) or _module_change(tree)
    if reason is not None:
        return reason
    return _read_before_bound(tree, script)


def _node_refusal(tree: ast.Module) -> str | None:
    # a string that is a statement of its own (a docstring) is never seen, unless through `__doc__`
    unseen = {id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr) and _is_string(node.value)}
    for node in ast.walk(tree):
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            return "a `global` or `nonlocal` statement"
        if isinstance(node, ast.ClassDef):
            return "a class (its names and reprs would carry the wrapper's)"
        if _is_string(node) and node.end_lineno != node.lineno and id(node) not in unseen:
            return f"a string literal over several lines (line {node.lineno}), which re-indenting would change"
        if isinstance(node, ast.Name) and (node.id in SCOPE_NAMES or node.id in SCOPE_ATTRIBUTES - {"__class__"}):
            return f"it uses `{node.id}`"
        if isinstance(node, ast.Attribute) and node.attr in SCOPE_ATTRIBUTES:
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


def _module_change(tree: ast.Module) -> str | None:
    """Imported modules live as long as the checkout: a pair that changes one would change it for
    the pairs after it."""
    imported = {
        (alias.asname or alias.name).split(".")[0]
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
        for alias in node.names
    }
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id in ("setattr", "delattr"):
            return f"it uses `{node.id}`"
        if isinstance(node, ast.Attribute) and isinstance(node.ctx, (ast.Store, ast.Del)):
            root = node.value
            while isinstance(root, (ast.Attribute, ast.Subscript)):
                root = root.value
            if isinstance(root, ast.Name) and root.id in imported:
                return f"it changes `{root.id}`, an imported module or one of its members (line {node.lineno})"
    return None


def _is_string(node: ast.AST) -> bool:
    return isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant) and isinstance(node.value, (str, bytes)))


def _top_level_refusal(tree: ast.Module) -> str | None:
    """`return`, `yield` and `await` mean something else in a function body than at the top."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
                stack.extend(child.decorator_list if not isinstance(child, ast.Lambda) else [])
                stack.append(child.args)
                continue  # inside, these are the user's own functions
            if isinstance(child, (ast.Return, ast.Yield, ast.YieldFrom, ast.Await)):
                return f"`{type(child).__name__.lower()}` outside a function (line {child.lineno})"
            if isinstance(child, ast.comprehension) and child.is_async:
                return "an async comprehension outside a function"
            stack.append(child)
    return None


def _read_before_bound(tree: ast.Module, script: str) -> str | None:
    """A top-level name read where it may not be bound yet: as a global it is looked up (a builtin,
    or NameError), as a local it is unbound (UnboundLocalError), and a script may catch either.
    So every read of a top-level name must come after a top-level statement that surely binds it
    (later reads run later; functions that read it are defined after it)."""
    try:
        table = symtable.symtable(script, "<script>", "exec")
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return "its names cannot be resolved"
    bound = {s.get_name() for s in table.get_symbols() if s.is_assigned() or s.is_imported() or s.is_namespace()} - {
        "inputs"
    }  # the wrapper's parameter: bound from the start, as the global is
    first = _first_bindings(tree, bound)
    ready = _first_bindings(ast.Module(body=_inert_prefix(tree), type_ignores=[]), bound)
    for name, position, in_function in _top_level_reads(tree, frozenset(), bound):
        if name in first and position > first[name]:
            continue  # read after the statement that binds it
        if in_function and name in ready:
            continue  # bound before any code that could call the function runs
        return f"`{name}` may be read before it is bound (line {position[0]})"
    return None


def _inert_prefix(tree: ast.Module) -> list[ast.stmt]:
    """The leading statements that run none of the script's code: imports, plain definitions,
    docstrings and assignments without calls. Functions are only called after them."""
    prefix = []
    for statement in tree.body:
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
            parts = [
                *statement.decorator_list,
                *statement.args.defaults,
                *statement.args.kw_defaults,
            ]
        elif isinstance(statement, (ast.Import, ast.ImportFrom)):
            parts = []
        elif isinstance(statement, (ast.Expr, ast.Assign, ast.AnnAssign)):
            parts = [statement]
        else:
            break
        if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)) and statement.decorator_list:
            break
        if any(
            isinstance(n, (ast.Call, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp))
            for p in parts
            if p
            for n in ast.walk(p)
        ):
            break
        prefix.append(statement)
    return prefix


def _first_bindings(tree: ast.Module, names: set[str]) -> dict[str, tuple[int, int]]:
    """Where the first top-level statement that surely binds each name ends."""
    first: dict[str, tuple[int, int]] = {}
    for statement in tree.body:
        end = (statement.end_lineno or statement.lineno, statement.end_col_offset or 0)
        for name in _surely_binds(statement):
            if name in names and name not in first:
                first[name] = end
    return first


def _surely_binds(statement: ast.stmt) -> list[str]:
    if isinstance(statement, (ast.FunctionDef, ast.AsyncFunctionDef)):
        return [statement.name]
    if isinstance(statement, (ast.Import, ast.ImportFrom)):
        return [(a.asname or a.name).split(".")[0] for a in statement.names]
    targets: list[ast.expr] = []
    if isinstance(statement, ast.Assign):
        targets = list(statement.targets)
    elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
        targets = [statement.target]
    names = []
    while targets:
        target = targets.pop()
        if isinstance(target, ast.Name):
            names.append(target.id)
        elif isinstance(target, (ast.Tuple, ast.List)):
            targets.extend(target.elts)
        elif isinstance(target, ast.Starred):
            targets.append(target.value)
    return names


def _top_level_reads(node: ast.AST, shadowed: frozenset[str], names: set[str], in_function: bool = False):
    """(name, position, inside a function) of each read that may refer to a top-level name; `shadowed` are the
    locals of the enclosing functions and comprehensions (too few is safe: more reads checked)."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda)):
            for part in [
                *getattr(child, "decorator_list", []),
                *child.args.defaults,
                *child.args.kw_defaults,
            ]:
                if part is not None:
                    yield from _top_level_reads_of(part, shadowed, names, in_function)
            inner = shadowed | _function_locals(child)
            for part in child.body if isinstance(child.body, list) else [child.body]:
                yield from _top_level_reads_of(part, inner, names, True)
        elif isinstance(child, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            yield from _top_level_reads_of(child.generators[0].iter, shadowed, names, in_function)
            inner = shadowed | {n.id for g in child.generators for n in ast.walk(g.target) if isinstance(n, ast.Name)}
            rest = [
                child.generators[0].target,
                *child.generators[0].ifs,
                *child.generators[1:],
            ]
            rest += [child.key, child.value] if isinstance(child, ast.DictComp) else [child.elt]
            for part in rest:
                yield from _top_level_reads_of(part, inner, names, in_function)
        elif isinstance(child, ast.Name) and child.id in names and child.id not in shadowed:
            if isinstance(child.ctx, ast.Load) or isinstance(node, ast.AugAssign):
                yield child.id, (child.lineno, child.col_offset), in_function
        else:
            yield from _top_level_reads(child, shadowed, names, in_function)


def _top_level_reads_of(node: ast.AST, shadowed: frozenset[str], names: set[str], in_function: bool):
    """`_top_level_reads` of a node itself, not only of its children."""
    holder = ast.Expr(value=node) if isinstance(node, ast.expr) else ast.Module(body=[node], type_ignores=[])
    yield from _top_level_reads(holder, shadowed, names, in_function)


def _function_locals(
    function: ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda,
) -> frozenset[str]:
    """Its parameters and the names it stores to, not looking into the scopes it contains."""
    args = function.args
    names = {a.arg for a in [*args.posonlyargs, *args.args, *args.kwonlyargs]}
    names |= {a.arg for a in (args.vararg, args.kwarg) if a is not None}
    stack = list(function.body) if isinstance(function.body, list) else [function.body]
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
            continue
        if isinstance(
            node,
            (ast.Lambda, ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp),
        ):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        stack.extend(ast.iter_child_nodes(node))
    return frozenset(names)
