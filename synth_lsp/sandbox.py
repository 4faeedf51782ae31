"""Running scripts in the Monty sandbox (pydantic-monty), and nowhere else.

One long-lived pool of `monty` worker processes; a fresh checkout (session) per run, so no state
leaks between runs; runs are driven from threads (`feed_run` releases the GIL). Every run has a time
limit, a memory limit, a recursion limit and a cap on captured output, and the pool has a
request timeout and a checkout timeout, because Monty's defaults for those hang forever.

A run never raises for anything the script does: it returns a `RunResult` whose `error` says what
went wrong (kind, exception type, message, and the range in the user's script).
"""

from __future__ import annotations

import ast
import math
import os
import threading
from collections import OrderedDict
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Callable, Literal

from synth_lsp.inputs_usage import keys_read, restrict
from synth_lsp.run_watchdog import Watchdog
from synth_lsp.script_ast import parse

ErrorKind = Literal[
    "syntax",  # the script does not parse
    "unsupported",  # valid Python that Monty refuses before running (class inheritance, yield, ...)
    "import",  # imports a module the sandbox does not have
    "runtime",  # an exception escaped the script
    "timeout",  # the time limit was hit
    "memory",  # the memory limit was hit
    "crash",  # the worker died
    "missing_result",  # the script ran but never assigned `result`
    "schema",  # `result` does not have the required shape
]

# Monty names each feed of a session `<python-input-N>`. Feed 0 binds `inputs` (or is restored from
# a cached session that did), so the user's script is always feed 1.
USER_FILE = "<python-input-1>"
SESSION_CACHE_SIZE = 256  # sessions holding `inputs`, one per inputs object (LRU)
MAX_FRAMES = 20  # unbounded recursion yields depth+1 frames: keep the outermost and innermost few


@dataclass(frozen=True)
class RunLimits:
    time_s: float = 2.0
    memory_mb: float = 256
    recursion_depth: int = 1000
    output_bytes: int = 16_384

    def monty_limits(self) -> dict[str, Any]:
        return {
            "max_feed_duration_secs": float(self.time_s),
            "max_memory": int(self.memory_mb * 1024 * 1024),
            "max_recursion_depth": int(self.recursion_depth),
        }


@dataclass(frozen=True)
class SourceRange:
    """A range in the user's script; lines and columns are 1-based, end exclusive (as Monty gives them)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Frame:
    function: str | None
    range: SourceRange
    source_line: str = ""


@dataclass(frozen=True)
class RunError:
    kind: ErrorKind
    exc_type: str  # e.g. "IndexError", "TimeoutError"
    message: str
    range: SourceRange | None = None  # the innermost frame in the user's script, when known
    frames: tuple[Frame, ...] = ()  # outermost first

    def headline(self) -> str:
        return f"{self.exc_type}: {self.message}" if self.exc_type else self.message


@dataclass(frozen=True)
class RunResult:
    result: Any  # the normalised `result`, or None when the run failed
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0
    error: RunError | None = None
    output_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


class _OutputCap:
    """A print callback that keeps the first `limit` bytes of each stream and counts the rest."""

    def __init__(self, limit: int):
        self.limit = limit
        self.parts: dict[str, list[str]] = {"stdout": [], "stderr": []}
        self.sizes: dict[str, int] = {"stdout": 0, "stderr": 0}
        self.dropped = 0

    def __call__(self, stream: str, text: str) -> None:
        stream = stream if stream in self.parts else "stdout"
        room = self.limit - self.sizes[stream]
        if room <= 0:
            self.dropped += len(text)
            return
        kept = text[:room]
        self.parts[stream].append(kept)
        self.sizes[stream] += len(kept)
        self.dropped += len(text) - len(kept)

    def text(self, stream: str) -> str:
        out = "".join(self.parts[stream])
        if self.dropped and self.sizes[stream] >= self.limit:
            out += f"\n... [output truncated: {self.dropped} more characters not captured]"
        return out


class _SessionCache:
    """Dumped sessions that hold one `inputs` object each (cut down to the keys a script reads),
    keyed by that object (kept alive here, so its id stays its own) and the keys. Callers reuse their
    inputs objects (a Task's pairs), so hits are the rule."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple[int, frozenset[str] | None], tuple[dict, bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, inputs: dict, keys: frozenset[str] | None) -> bytes | None:
        with self._lock:
            item = self._items.get((id(inputs), keys))
            if item is None or item[0] is not inputs:
                return None
            self._items.move_to_end((id(inputs), keys))
            return item[1]

    def put(self, inputs: dict, keys: frozenset[str] | None, blob: bytes) -> None:
        with self._lock:
            self._items[(id(inputs), keys)] = (inputs, blob)
            self._items.move_to_end((id(inputs), keys))
            while len(self._items) > self.size:
                self._items.popitem(last=False)


class Sandbox:
    """A pool of Monty workers. Thread-safe; create one per process and reuse it."""

    def __init__(self, processes: int | None = None):
        self.processes = processes or max(1, min(4, os.cpu_count() or 1))
        self._pool = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=self.processes, thread_name_prefix="monty")
        self._sessions = _SessionCache(SESSION_CACHE_SIZE)
        self._watchdog = Watchdog()
        self._walls = None

    # -- lifecycle -------------------------------------------------------------------------
    def _get_pool(self):
        with self._lock:
            if self._pool is None:
                _skip_missing_telemetry()
                import pydantic_monty

                pool = pydantic_monty.Monty(
                    min_processes=1,
                    max_processes=self.processes,
                    checkout_timeout=60.0,
                    request_timeout=120.0,  # a backstop; the per-run limit is the real bound
                    feed_duration_limit_grace=1.0,
                )
                pool.__enter__()
                self._pool = pool
            return self._pool

    def close(self) -> None:
        with self._lock:
            pool, self._pool = self._pool, None
        if pool is not None:
            try:
                pool.__exit__(None, None, None)
            except Exception:
                pass
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self) -> "Sandbox":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- running ---------------------------------------------------------------------------
    def run(self, script: str, inputs: dict[str, Any], limits: RunLimits = RunLimits()) -> RunResult:
        """Run `script` with the global `inputs` bound to `inputs`; read back `result`."""
        static = self.static_error(script)
        if static is not None:
            return RunResult(result=None, error=static)
        return self._run_checked(script, inputs, limits)

    def run_many(
        self,
        script: str,
        inputs_list: list[dict[str, Any]],
        limits: RunLimits = RunLimits(),
        should_stop: Callable[[], bool] | None = None,
    ) -> list[RunResult]:
        """Run one script on several inputs, in parallel, results in order.

        `should_stop` is asked before each input starts and, every 50 ms, while it runs; once it
        answers True the inputs not yet started are skipped and those running are killed (a `crash`
        error saying so), e.g. when a newer script superseded this one.
        """
        static = self.static_error(script)
        if static is not None:
            return [RunResult(result=None, error=static) for _ in inputs_list]

        def run_one(inputs: dict[str, Any]) -> RunResult:
            if should_stop is not None and should_stop():
                return RunResult(result=None, error=_STOPPED)
            return self._run_checked(script, inputs, limits, should_stop)

        futures = [self._executor.submit(run_one, inputs) for inputs in inputs_list]
        return [f.result() for f in futures]

    def execute(self, code: str, limits: RunLimits = RunLimits(time_s=1.0)) -> Any:
        """Run trusted probe code and return its last expression (raises MontyError on failure)."""
        pool = self._get_pool()
        with pool.checkout(limits=limits.monty_limits()) as session:
            return session.feed_run(code, print_callback=_OutputCap(1024))

    def static_error(self, script: str) -> RunError | None:
        """Problems found without running: imports of modules the sandbox lacks."""
        tree = parse(script)
        if tree is None:
            return None  # Monty reports syntax errors with its own positions
        from synth_lsp.walls import get_walls

        walls = get_walls(self)
        for node in ast.walk(tree):
            names: list[str] = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            for name in names:
                if not walls.can_import(name, self):
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
        return None

    def _bind_inputs(self, session, inputs: dict[str, Any], keys: frozenset[str] | None) -> None:
        """Bind the global `inputs` (only the `keys` the script reads, when known) as feed 0.
        Restoring a dumped session that already holds these inputs is about twice as fast as
        converting them again (30x30 grids with their examples), and every candidate of a task runs
        on the same pairs."""
        blob = self._sessions.get(inputs, keys)
        if blob is not None:
            session.load_session(blob)
            return
        session.feed_run("pass", inputs={"inputs": restrict(inputs, keys)})
        self._sessions.put(inputs, keys, session.dump())

    def _feed_script(self, session, script: str, output: _OutputCap) -> tuple[Any, RunError | None]:
        """Run the script and read back `result`. When the script parses, both happen in one feed
        (one round trip fewer, a tenth of a small run): a `result` line is appended after the
        script's last line, so the script's own line numbers stay untouched. Otherwise (Monty
        reports the syntax error) `result` would be read in a second feed."""
        import pydantic_monty as pm

        if parse(script) is None:
            session.feed_run(script, print_callback=output)
            try:
                return session.feed_run("result", print_callback=output), None
            except pm.MontyRuntimeError as exc:
                if exc.display("type-msg").startswith("NameError"):
                    return None, _MISSING_RESULT
                raise
        code = script if script.endswith("\n") else script + "\n"
        result_line = code.count("\n") + 1  # Monty numbers lines by "\n" alone (a lone "\r" is no break)
        try:
            return session.feed_run(code + "result\n", print_callback=output), None
        except pm.MontyRuntimeError as exc:
            frames = _frames(exc)
            if exc.display("type-msg").startswith("NameError") and frames and frames[-1].range.line == result_line:
                return None, _MISSING_RESULT
            raise

    def _run_checked(
        self, script: str, inputs: dict[str, Any], limits: RunLimits, should_stop: Callable[[], bool] | None = None
    ) -> RunResult:
        import pydantic_monty as pm

        output = _OutputCap(limits.output_bytes)
        started = time.perf_counter()
        error: RunError | None = None
        result: Any = None
        try:
            pool = self._get_pool()
            with pool.checkout(limits=limits.monty_limits()) as session:
                pid = session.worker_pid if should_stop is not None else None
                token = self._watchdog.watch(pid, should_stop) if pid else None
                try:
                    self._bind_inputs(session, inputs, keys_read(script))
                    result, error = self._feed_script(session, script, output)
                except pm.MontyCrashedError as exc:
                    error = _crash_error(exc, limits)
                except pm.MontyError as exc:
                    error = _error_from(exc, limits)
                finally:
                    if token is not None and self._watchdog.release(token):
                        error, result = _STOPPED, None
        except pm.MontyCrashedError as exc:
            error = _crash_error(exc, limits)
        except Exception as exc:  # pool trouble: checkout timeout, disconnect, ...
            error = RunError("crash", type(exc).__name__, f"the sandbox failed: {exc}")
        duration = time.perf_counter() - started
        if error is None:
            result, problem = normalise(result)
            if problem:
                error = RunError("schema", "", f"result is not JSON: {problem}")
                result = None
        return RunResult(
            result=result if error is None else None,
            stdout=output.text("stdout"),
            stderr=output.text("stderr"),
            duration_s=duration,
            error=error,
            output_truncated=output.dropped > 0,
        )


_STOPPED = RunError("crash", "", "not run: the run was stopped")
_MISSING_RESULT = RunError(
    "missing_result", "", "the script never assigned `result` (it must end with e.g. `result = {...}`)"
)


def _skip_missing_telemetry() -> None:
    """pydantic-monty looks for opentelemetry on every feed; when it is not installed each look is
    a failed import that costs a tenth of a small run. Record its absence once, the way Python's
    import system allows (None in sys.modules), so the look fails at once."""
    import importlib.util
    import sys

    if "opentelemetry" not in sys.modules and importlib.util.find_spec("opentelemetry") is None:
        sys.modules["opentelemetry"] = None  # type: ignore[assignment]


def _char_column(script: str, line: int, byte_offset: int) -> int:
    return len(_line(script, line).encode("utf-8")[:byte_offset].decode("utf-8", "ignore"))


def _line(script: str, number: int) -> str:
    lines = script.splitlines()
    return lines[number - 1] if 0 < number <= len(lines) else ""


def _crash_error(exc: Exception, limits: RunLimits) -> RunError:
    if getattr(exc, "timed_out", False):
        return RunError(
            "timeout",
            "TimeoutError",
            f"time limit of {limits.time_s:g} s exceeded (the sandbox worker was stopped in a long native operation)",
        )
    return RunError("crash", type(exc).__name__, f"the sandbox worker crashed: {exc}")


def _error_from(exc: Exception, limits: RunLimits) -> RunError:
    import pydantic_monty as pm

    try:
        headline = exc.display("type-msg")
    except Exception:
        headline = str(exc)
    exc_type, _, message = headline.partition(": ")
    if not message:
        exc_type, message = type(exc).__name__, headline
    frames = _frames(exc)
    innermost = frames[-1].range if frames else None
    if isinstance(exc, pm.MontySyntaxError):
        kind: ErrorKind = "syntax"
    elif exc_type == "NotImplementedError" and frames and frames[-1].function is None:
        kind = "unsupported"  # refused by Monty's parser before anything ran
    elif exc_type == "TimeoutError" and not frames:
        kind = "timeout"
        message = f"time limit of {limits.time_s:g} s exceeded"
    elif exc_type == "MemoryError":
        kind = "memory"
        message = f"memory limit of {limits.memory_mb:g} MB exceeded ({message})"
    elif exc_type == "ModuleNotFoundError":
        kind = "import"
    else:
        kind = "runtime"
    return RunError(kind, exc_type, message, innermost, frames)


def _frames(exc: Exception) -> tuple[Frame, ...]:
    try:
        raw = exc.traceback()
    except Exception:
        return ()
    frames = [
        Frame(
            function=f.function_name,
            range=SourceRange(f.line, f.column, f.end_line or f.line, f.end_column or f.column),
            source_line=f.source_line or "",
        )
        for f in raw
        if (f.filename or USER_FILE) == USER_FILE and f.line
    ]
    if len(frames) > MAX_FRAMES:
        frames = frames[: MAX_FRAMES // 2] + frames[-MAX_FRAMES // 2 :]
    return tuple(frames)


_PLAIN = frozenset({int, str, bool, type(None)})  # JSON scalars that need no conversion


def normalise(value: Any, _depth: int = 0) -> tuple[Any, str | None]:
    """Make a sandbox value plain JSON (tuples become lists). Returns (value, problem)."""
    if _depth > 100:
        return None, "nested too deeply"
    if value is None or isinstance(value, (bool, int, str)):
        return value, None
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None, f"{value} is not a JSON number"
        return value, None
    if isinstance(value, (list, tuple)):
        if all(type(item) in _PLAIN for item in value):
            return list(value), None  # a grid row: no need to look at each cell again
        out = []
        for item in value:
            item, problem = normalise(item, _depth + 1)
            if problem:
                return None, problem
            out.append(item)
        return out, None
    if isinstance(value, dict):
        obj = {}
        for key, item in value.items():
            if not isinstance(key, (str, int)) or isinstance(key, bool):
                return None, f"dict key {key!r} is not a string"
            item, problem = normalise(item, _depth + 1)
            if problem:
                return None, problem
            obj[str(key)] = item
        return obj, None
    return None, f"a value of type {type(value).__name__} ({str(value)[:40]})"


_default_sandbox: Sandbox | None = None
_default_lock = threading.Lock()


def get_sandbox() -> Sandbox:
    """The process-wide sandbox (created on first use)."""
    global _default_sandbox
    with _default_lock:
        if _default_sandbox is None:
            _default_sandbox = Sandbox()
        return _default_sandbox
