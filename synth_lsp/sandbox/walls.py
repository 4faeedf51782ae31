"""The sandbox's walls, probed from the installed Monty rather than copied from documentation.

Once per process we try to import each candidate module and to run a snippet of each syntax
feature that Monty may refuse. The result is plain data (`Walls`), shown to users (`synth-lsp
walls`) and to language models (in mutation prompts), and used to reject imports before running.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

PROBE_TRIES = 3
PROBE_BACKOFF_S = (0.2, 0.5)
REPROBE_AFTER_S = 5.0  # walls with unknown parts are probed again, at most this often


class ProbeFailed(Exception):
    """A probe failed for a reason other than the sandbox refusing its code (a checkout timeout, a
    crashed worker, a probe run out of time on a busy machine): its answer is unknown, not "no"."""


class ProbeRunner(Protocol):
    """What probing needs of a sandbox: run trusted probe code (raising MontyError on failure)."""

    def execute(self, code: str) -> Any: ...

# Standard-library modules a synthesis script might reach for, plus the usual third-party wishes.
CANDIDATE_MODULES = (
    "abc", "array", "asyncio", "base64", "bisect", "collections", "contextlib", "copy", "csv",
    "dataclasses", "datetime", "decimal", "enum", "fractions", "functools", "hashlib", "heapq",
    "io", "itertools", "json", "math", "operator", "os", "pathlib", "random", "re", "statistics",
    "string", "struct", "sys", "textwrap", "time", "typing", "uuid", "numpy", "pandas", "scipy",
)

# (feature, snippet): each snippet runs only if the feature is supported.
SYNTAX_PROBES = (
    ("class without a base", "class A:\n    x = 1\nA()"),
    ("class inheritance", "class A:\n    pass\nclass B(A):\n    pass"),
    ("dataclass", "from dataclasses import dataclass\n@dataclass\nclass P:\n    x: int\nP(1)"),
    ("match statement", "match 1:\n    case 1:\n        pass"),
    ("generator function (yield)", "def g():\n    yield 1\nlist(g())"),
    ("del statement", "x = 1\ndel x"),
    ("lambda", "f = lambda a: a + 1\nf(1)"),
    ("try/except/finally", "try:\n    1 / 0\nexcept ZeroDivisionError:\n    pass\nfinally:\n    pass"),
    ("global/nonlocal", "def f():\n    x = 1\n    def g():\n        nonlocal x\n        x = 2\n    g()\n    return x\nf()"),
    ("bound method as a value", "d = {'a': 1}\nmax(d, key=d.get)"),
    ("int.bit_length", "(5).bit_length()"),
    ("str.maketrans", "str.maketrans('a', 'b')"),
    ("f-strings", "x = 1\nf'{x:>3}'"),
    ("slice assignment", "a = [1, 2, 3]\na[1:] = [5]"),
    ("zip(*grid)", "list(zip(*[[1, 2], [3, 4]]))"),
    ("sorted with key", "sorted([3, 1, 2], key=lambda v: -v)"),
    ("set and dict comprehensions", "{v for v in range(3)}\n{v: v for v in range(3)}"),
    ("star-args", "def f(*a, **k):\n    return len(a) + len(k)\nf(1, 2, x=3)"),
    ("walrus", "(y := 3)"),
)


@dataclass(frozen=True)
class SyntaxWall:
    feature: str
    supported: bool
    message: str = ""  # why it failed, when it did


@dataclass
class Walls:
    monty_version: str
    importable: list[str]
    missing: list[str]
    syntax: list[SyntaxWall]
    unknown: list[str] = field(default_factory=list)  # modules and features whose probe failed: asked again later
    host_access: str = (
        "no file system (open() and Path.read_text raise PermissionError), no environment "
        "variables, no network, no subprocesses"
    )
    _extra: dict[str, bool] = field(default_factory=dict, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def can_import(self, module: str, sandbox: "ProbeRunner | None" = None) -> bool:
        top = module.split(".")[0]
        if top in self.importable:
            return True
        if top in self.missing:
            return False
        with self._lock:
            if top in self._extra:
                return self._extra[top]
        if sandbox is None:
            return top in self.unknown  # unknown: let the run say; never probed and no sandbox to ask: no
        # a module we did not probe (or whose probe failed): ask the sandbox, remember a sure answer
        try:
            ok = _probe_import(sandbox, top)
        except ProbeFailed:
            return True  # unknown: let the run say (an import the sandbox lacks fails there, at its line)
        with self._lock:
            self._extra[top] = ok
        return ok

    def describe(self) -> str:
        """A compact description for users and language-model prompts."""
        refused = [w for w in self.syntax if not w.supported]
        lines = [
            f"The script runs in the Monty sandbox (pydantic-monty {self.monty_version}), a restricted Python interpreter.",
            "Importable modules: " + ", ".join(self.importable) + ".",
            "NOT importable: " + ", ".join(self.missing) + ".",
        ]
        if refused:
            lines.append("Not supported: " + "; ".join(f"{w.feature} ({w.message})" if w.message else w.feature for w in refused) + ".")
        supported = [w.feature for w in self.syntax if w.supported]
        lines.append("Supported: " + ", ".join(supported) + ".")
        lines.append("Host access: " + self.host_access + ".")
        return "\n".join(lines)

    def to_dict(self) -> dict:
        return {
            "monty_version": self.monty_version,
            "importable": self.importable,
            "missing": self.missing,
            "syntax": [{"feature": w.feature, "supported": w.supported, "message": w.message} for w in self.syntax],
            "unknown": self.unknown,
            "host_access": self.host_access,
        }


_walls: Walls | None = None
_walls_at = 0.0
_walls_lock = threading.Lock()


def get_walls(sandbox: ProbeRunner) -> Walls:
    """The walls of the installed Monty, probed with `sandbox` on the first call of the process. A
    probe that failed for another reason than the wall itself leaves its part unknown, and walls
    with unknown parts are probed again on a later call (not kept for the life of the process)."""
    global _walls, _walls_at
    with _walls_lock:
        stale = _walls is not None and _walls.unknown and time.monotonic() - _walls_at > REPROBE_AFTER_S
        if _walls is None or stale:
            _walls, _walls_at = probe_walls(sandbox), time.monotonic()
        return _walls


def probe_walls(sandbox: "ProbeRunner") -> Walls:
    importable, missing, unknown = [], [], []
    for module in CANDIDATE_MODULES:
        try:
            (importable if _probe_import(sandbox, module) else missing).append(module)
        except ProbeFailed:
            unknown.append(module)
    syntax = []
    for feature, snippet in SYNTAX_PROBES:
        try:
            error = _probe_code(sandbox, snippet)
        except ProbeFailed:
            unknown.append(feature)
            continue
        syntax.append(SyntaxWall(feature, error is None, error or ""))
    return Walls(monty_version=_monty_version(), importable=sorted(importable), missing=sorted(missing), syntax=syntax, unknown=unknown)


def _probe_import(sandbox: "ProbeRunner", module: str) -> bool:
    if not module.isidentifier():
        return False
    return _probe_code(sandbox, f"import {module}") is None


def _probe_code(sandbox: "ProbeRunner", code: str) -> str | None:
    """None when `code` runs; the sandbox's refusal (a line) when it does not. Raises ProbeFailed
    when it could not tell, after a few tries."""
    for attempt in range(PROBE_TRIES):
        try:
            return _probe_once(sandbox, code)
        except ProbeFailed:
            if attempt == PROBE_TRIES - 1:
                raise
            time.sleep(PROBE_BACKOFF_S[min(attempt, len(PROBE_BACKOFF_S) - 1)])
    raise AssertionError("unreachable")


# a probe's snippet is tiny: running out of time or memory says the machine is busy, not "refused"
_NOT_A_WALL = ("TimeoutError", "MemoryError")


def _probe_once(sandbox: "ProbeRunner", code: str) -> str | None:
    import pydantic_monty as pm

    try:
        sandbox.execute(code)
        return None
    except pm.MontyCrashedError as exc:
        raise ProbeFailed(f"the sandbox worker crashed: {exc}") from exc
    except pm.MontyError as exc:
        try:
            text = exc.display("type-msg")
        except Exception:
            text = str(exc)
        if text.startswith(_NOT_A_WALL):
            raise ProbeFailed(text) from exc
        return text.splitlines()[0][:160] if text else type(exc).__name__
    except Exception as exc:  # the pool: a checkout timeout, a disconnected worker, ...
        raise ProbeFailed(f"{type(exc).__name__}: {exc}") from exc


def _monty_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("pydantic-monty")
    except PackageNotFoundError:
        return "unknown"
