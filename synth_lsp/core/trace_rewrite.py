"""The instrumented copy of a script: a syntax-tree rewrite that records values as the script runs.

After every assignment, augmented assignment and annotated assignment the names it bound are
recorded; at the top of a `for` body the loop's targets (one record per iteration); a `return`
records the value it returns. Each record carries the user's own line number as a constant, so the
line mapping is exact however the rewritten text is laid out. The recorder itself (`PRELUDE`) is
plain Python that runs in the sandbox before the script; it keeps per (line, name) the first and
last value and how often the line ran, under caps on recorded values and cells.

A script the rewrite cannot follow without changing what it means gets a `Refusal` with the reason
(no values): one that uses the recorder's names, rebinds a built-in at module level, or plays
`global`/`nonlocal` tricks. Pure: no sandbox here.
"""

from __future__ import annotations

import ast
import builtins
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

PREFIX = "_synth_v"
RECORD = f"{PREFIX}_rec"
RECORD_RETURN = f"{PREFIX}_ret"
FINISH = f"{PREFIX}_finish()"  # gives the host [the records, how many records failed]
CUT = "\x00cut:"  # a recorded value was cut here; what follows is how many items were left out

MAX_SITES = 2000  # lines with records in one script
MAX_KEYS = 2000  # (line, name) pairs recorded in one script
FULL_RUNS = 32  # runs of a line recorded in full; later runs are counted, their value kept by reference
VALUE_CELLS = 4096  # cells (leaves) one recorded value may hold
RUN_CELLS = 200_000  # cells copied in one run; past it, values are kept by reference and cut at the end
FINISH_CELLS = 100_000  # cells spent on those at the end of the run
STRING_CHARS = 200  # characters kept of a long string

SiteKind = Literal["assign", "augassign", "for", "return"]
_BUILTINS = frozenset(name for name in dir(builtins) if not name.startswith("_"))


@dataclass(frozen=True)
class Site:
    """A line that records: its kind, the names it records, and the line its hint goes at the end of."""

    line: int  # 1-based, as in the user's script
    kind: SiteKind
    names: tuple[str, ...]
    end_line: int  # last line of the statement (of a `for` line: its header)


@dataclass(frozen=True)
class Instrumented:
    code: str  # the recorder, then the rewritten script
    sites: dict[int, Site]


@dataclass(frozen=True)
class Refusal:
    reason: str


@lru_cache(maxsize=64)
def instrument(script: str) -> Instrumented | Refusal:
    """The instrumented copy of `script`, or why it gets none (cached by text: switching the pair,
    or a change of the examples, runs the same text again; treat the result as read-only)."""
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return Refusal("the script does not parse")
    problem = unsafe(tree)
    if problem is not None:
        return Refusal(problem)
    rewriter = _Rewriter()
    try:
        rewritten = rewriter.visit(tree)
        ast.fix_missing_locations(rewritten)
        body = ast.unparse(rewritten)
        compile(body, "<instrumented>", "exec", dont_inherit=True)  # scope errors the parse alone misses
    except (SyntaxError, ValueError, RecursionError, MemoryError) as exc:
        return Refusal(f"the rewrite failed: {exc}")
    if len(rewriter.sites) > MAX_SITES or sum(len(site.names) for site in rewriter.sites.values()) > MAX_KEYS:
        return Refusal(f"more than {MAX_SITES} lines or {MAX_KEYS} names to record")
    return Instrumented(code=PRELUDE + entries_code(rewriter.sites) + "\n" + body + "\n", sites=rewriter.sites)


def unsafe(tree: ast.Module) -> str | None:
    """Why recording values could change what the script does (None: it cannot)."""
    for node in ast.walk(tree):
        for name in _bound_or_used(node):
            if name.startswith(PREFIX):
                return f"the script uses the recorder's name `{name}`"
        if isinstance(node, (ast.Global, ast.Nonlocal)):
            word = "global" if isinstance(node, ast.Global) else "nonlocal"
            for name in node.names:
                if name in _BUILTINS:
                    return f"`{word} {name}` rebinds a built-in"
    for name in _module_bindings(tree):
        if name in _BUILTINS:
            return f"the script rebinds the built-in `{name}` at module level"
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            problem = _late_declaration(node)
            if problem:
                return problem
    return None


def _bound_or_used(node: ast.AST) -> list[str]:
    if isinstance(node, ast.Name):
        return [node.id]
    if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
        return [node.name]
    if isinstance(node, ast.arg):
        return [node.arg]
    if isinstance(node, ast.alias):
        return [node.asname or node.name.split(".")[0]]
    if isinstance(node, (ast.Global, ast.Nonlocal)):
        return list(node.names)
    if isinstance(node, ast.Attribute):
        return [node.attr]
    if isinstance(node, ast.ExceptHandler) and node.name:
        return [node.name]
    if isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
        return [node.name]
    return []


def _module_bindings(tree: ast.Module) -> set[str]:
    """Names bound in the module's own scope, or declared `global` anywhere."""
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            names.update(node.names)
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
            continue  # their bodies are their own scopes
        if isinstance(node, (ast.Lambda, ast.ListComp, ast.SetComp, ast.DictComp, ast.GeneratorExp)):
            continue
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            names.add(node.id)
        elif isinstance(node, ast.alias):
            names.add(node.asname or node.name.split(".")[0])
        elif isinstance(node, (ast.ExceptHandler, ast.MatchAs, ast.MatchStar)) and node.name:
            names.add(node.name)
        stack.extend(ast.iter_child_nodes(node))
    return names


def _late_declaration(function: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    """A `global`/`nonlocal` below other statements of its function: the recorder reads names
    right after they are bound, and a declaration after a use changes which variable that is."""
    seen_other = False
    for statement in function.body:
        if isinstance(statement, (ast.Global, ast.Nonlocal)):
            if seen_other:
                return f"a `global`/`nonlocal` declaration below other statements (line {statement.lineno})"
        elif not (isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Constant)):
            seen_other = True
    for node in ast.walk(function):
        if node is function or not isinstance(node, (ast.Global, ast.Nonlocal)):
            continue
        if node not in function.body and not _directly_in_nested_function(function, node):
            return f"a `global`/`nonlocal` declaration inside a block (line {node.lineno})"
    return None


def _directly_in_nested_function(function: ast.AST, declaration: ast.AST) -> bool:
    for node in ast.walk(function):
        if node is not function and isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and declaration in node.body:
            return True
    return False


def target_names(target: ast.expr) -> list[tuple[str, ast.expr]]:
    """What an assignment target binds or changes, as (shown name, expression that reads it back):
    `a` for `a`, every name of `a, (b, *c)`, the base name of `out[i][j]`, `self.x` for `self.x`."""
    if isinstance(target, ast.Name):
        return [(target.id, ast.Name(target.id, ast.Load()))]
    if isinstance(target, (ast.Tuple, ast.List)):
        return [item for element in target.elts for item in target_names(element)]
    if isinstance(target, ast.Starred):
        return target_names(target.value)
    if isinstance(target, ast.Subscript):
        base: ast.expr = target.value
        while isinstance(base, ast.Subscript):
            base = base.value
        return target_names(base) if isinstance(base, (ast.Name, ast.Attribute)) else []
    if isinstance(target, ast.Attribute):
        chain, base = [target.attr], target.value
        while isinstance(base, ast.Attribute):
            chain.append(base.attr)
            base = base.value
        if not isinstance(base, ast.Name):
            return []
        name = ".".join([base.id, *reversed(chain)])
        return [(name, _read_attribute(base.id, list(reversed(chain))))]
    return []


def _read_attribute(base: str, chain: list[str]) -> ast.expr:
    node: ast.expr = ast.Name(base, ast.Load())
    for attr in chain:
        node = ast.Attribute(node, attr, ast.Load())
    return node


def _unique(pairs: list[tuple[str, ast.expr]]) -> list[tuple[str, ast.expr]]:
    seen: dict[str, ast.expr] = {}
    for name, read in pairs:
        seen.setdefault(name, read)
    return list(seen.items())


def entry_name(line: int, name: str, names: tuple[str, ...]) -> str:
    return f"{PREFIX}_e{line}_{names.index(name)}"


def _record(entry: str, read: ast.expr) -> ast.stmt:
    """`if E[0] < FULL_RUNS: rec(E, value)` else count and keep the value by reference."""

    def item(i: int) -> ast.Subscript:
        return ast.Subscript(ast.Name(entry, ast.Load()), ast.Constant(i), ast.Store())

    test = ast.Compare(ast.Subscript(ast.Name(entry, ast.Load()), ast.Constant(0), ast.Load()), [ast.Lt()], [ast.Constant(FULL_RUNS)])
    call = ast.Expr(ast.Call(ast.Name(RECORD, ast.Load()), [ast.Name(entry, ast.Load()), read], []))
    fast = [ast.AugAssign(item(0), ast.Add(), ast.Constant(1)), ast.Assign([item(3)], read)]  # `finish` copies it
    return ast.If(test, [call], fast)


class _Rewriter(ast.NodeTransformer):
    def __init__(self) -> None:
        self.sites: dict[int, Site] = {}

    def _site(self, line: int, kind: SiteKind, names: list[str], end_line: int) -> None:
        old = self.sites.get(line)
        if old is not None:  # two statements on one line (`a = 1; b = 2`)
            names = list(dict.fromkeys([*old.names, *names]))
            end_line = max(end_line, old.end_line)
        self.sites[line] = Site(line, kind if old is None else old.kind, tuple(names), end_line)

    def _records(self, line: int, pairs: list[tuple[str, ast.expr]]) -> list[ast.stmt]:
        names = self.sites[line].names
        return [_record(entry_name(line, name, names), read) for name, read in pairs]

    def generic_visit(self, node: ast.AST) -> ast.AST:
        for field_name in ("body", "orelse", "finalbody"):
            statements = getattr(node, field_name, None)
            if isinstance(statements, list) and statements and isinstance(statements[0], ast.stmt):
                setattr(node, field_name, self._statements(statements))
        for field_name, value in ast.iter_fields(node):
            if field_name in ("body", "orelse", "finalbody") and isinstance(value, list):
                continue
            if isinstance(value, list):
                setattr(node, field_name, [self.visit(item) if isinstance(item, ast.AST) else item for item in value])
            elif isinstance(value, ast.AST):
                setattr(node, field_name, self.visit(value))
        return node

    def _statements(self, statements: list[ast.stmt]) -> list[ast.stmt]:
        out: list[ast.stmt] = []
        for statement in statements:
            out.append(self.visit(statement))
            out.extend(self._after(statement))
        return out

    def _after(self, statement: ast.stmt) -> list[ast.stmt]:
        if isinstance(statement, ast.Assign):
            pairs = _unique([item for target in statement.targets for item in target_names(target)])
            kind: SiteKind = "assign"
        elif isinstance(statement, ast.AnnAssign) and statement.value is not None:
            pairs, kind = _unique(target_names(statement.target)), "assign"
        elif isinstance(statement, ast.AugAssign):
            pairs, kind = _unique(target_names(statement.target)), "augassign"
        else:
            return []
        if not pairs:
            return []
        self._site(statement.lineno, kind, [name for name, _ in pairs], statement.end_lineno or statement.lineno)
        return self._records(statement.lineno, pairs)

    def visit_For(self, node: ast.For) -> ast.AST:
        self.generic_visit(node)
        pairs = _unique(target_names(node.target))
        if pairs:
            self._site(node.lineno, "for", [name for name, _ in pairs], node.iter.end_lineno or node.lineno)
            node.body = self._records(node.lineno, pairs) + node.body
        return node

    def visit_Return(self, node: ast.Return) -> ast.AST:
        if node.value is None:
            return node
        self._site(node.lineno, "return", ["return"], node.end_lineno or node.lineno)
        entry = ast.Name(entry_name(node.lineno, "return", self.sites[node.lineno].names), ast.Load())
        call = ast.Call(ast.Name(RECORD_RETURN, ast.Load()), [entry, self.visit(node.value)], [])
        return ast.copy_location(ast.Return(call), node)


# The recorder, in the sandbox's Python. Each (line, name) has an entry list, a global made before
# the script runs: [count, first, first's step, last, last's step, last by reference, first by
# reference]. The first FULL_RUNS runs of a line call the recorder, which copies the value
# (natively, with `deepcopy`, once it is known to be small); later runs only count and keep the
# last value by reference (a call costs several statements in the sandbox: a hot loop would run
# several times slower), and those values are copied, cut to the caps, at the end of the run.
# Built-ins are looked up as globals: a script that rebinds one at module level gets no values.
PRELUDE = f"""
from copy import deepcopy as {PREFIX}_deepcopy
{PREFIX}_t = {{}}
{PREFIX}_n = [0, {RUN_CELLS}, 0]  # records so far, cells left to copy, records that failed

def {PREFIX}_size(v, d):
    t = type(v)
    if t is str:
        return 1 + len(v) // 64
    if t is list or t is tuple:
        n = len(v)
        if n == 0 or d > 8:
            return 1 + n
        a = {PREFIX}_size(v[0], d + 1)
        b = {PREFIX}_size(v[n - 1], d + 1)
        return 1 + n * (a if a > b else b)
    if t is dict or t is set or t is frozenset:
        n = len(v)
        if n == 0 or d > 8:
            return 1 + n
        for x in (v.values() if t is dict else v):
            return 1 + n * (1 + {PREFIX}_size(x, d + 1))
    return 1

def {PREFIX}_cut(v, budget, d):
    t = type(v)
    if t is str:
        return v if len(v) <= {STRING_CHARS} else v[:{STRING_CHARS}] + {CUT!r} + str(len(v) - {STRING_CHARS})
    if t is dict:
        out = {{}}
        for k in v:
            if budget <= 0 or d > 8:
                out[{CUT!r}] = len(v) - len(out)
                return out
            x = v[k]
            s = {PREFIX}_size(x, d + 1)
            out[k] = {PREFIX}_deepcopy(x) if s <= budget else {PREFIX}_cut(x, budget, d + 1)
            budget -= s
        return out
    if t is list or t is tuple or t is set or t is frozenset:
        out = []
        for x in v:
            if budget <= 0 or d > 8:
                out.append({CUT!r} + str(len(v) - len(out)))
                return out
            s = {PREFIX}_size(x, d + 1)
            out.append({PREFIX}_deepcopy(x) if s <= budget else {PREFIX}_cut(x, budget, d + 1))
            budget -= s
        return tuple(out) if t is tuple else out
    return v

def {PREFIX}_snap(v):
    t = type(v)
    if v is None or t is int or t is float or t is bool:
        return 1, v
    if t is str and len(v) <= {STRING_CHARS}:
        return 1, v
    s = {PREFIX}_size(v, 0)
    if s <= {VALUE_CELLS}:
        return s, {PREFIX}_deepcopy(v)
    return {VALUE_CELLS}, {PREFIX}_cut(v, {VALUE_CELLS}, 0)

def {RECORD}(e, v):
    try:
        {PREFIX}_keep(e, v)
    except Exception:
        # the recorder never raises into the script (a limit still ends the run); the trace is
        # then incomplete, and the host shows no values
        {PREFIX}_n[2] += 1

def {PREFIX}_keep(e, v):
    n = {PREFIX}_n
    n[0] += 1
    if n[1] > 0:
        s, c = {PREFIX}_snap(v)
        n[1] -= s
        e[3] = c
        e[5] = False
    else:
        e[3] = v
        e[5] = True
    e[4] = n[0]
    if e[0] == 0:
        e[1] = e[3]
        e[2] = n[0]
        e[6] = e[5]
    e[0] += 1

def {RECORD_RETURN}(e, v):
    if e[0] < {FULL_RUNS}:
        {RECORD}(e, v)
    else:
        e[0] += 1
        e[3] = v
    return v

def {PREFIX}_finish():
    left = {FINISH_CELLS}
    for k in {PREFIX}_t:
        e = {PREFIX}_t[k]
        if e[0] > {FULL_RUNS}:
            e[5] = True  # the later runs kept the last value by reference
        for i, f in ((1, 6), (3, 5)):
            if e[f]:
                if left > 0:
                    s, c = {PREFIX}_snap(e[i])
                    left -= s
                    e[i] = c
                else:
                    e[i] = {CUT!r}
                e[f] = False
    return [{PREFIX}_t, {PREFIX}_n[2]]
"""


def entries_code(sites: dict[int, Site]) -> str:
    """The entry list of every (line, name), made before the script runs."""
    lines = []
    for site in sites.values():
        for name in site.names:
            entry = entry_name(site.line, name, site.names)
            lines.append(f"{entry} = [0, None, 0, None, 0, False, False]")
            lines.append(f"{PREFIX}_t[({site.line}, {name!r})] = {entry}")
    return "\n".join(lines)
