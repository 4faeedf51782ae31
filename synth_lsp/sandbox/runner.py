"""Running scripts in the Monty sandbox (pydantic-monty), and nowhere else.

One long-lived pool of `monty` worker processes; a fresh checkout (session) per run, so no state
leaks between runs (the pairs of a candidate, and the candidates of a batch, share one only when a
syntax-tree check proves the script cannot tell: `one_checkout`); runs are driven from threads
(`feed_run` releases the GIL). Every run has a time
limit, a memory limit, a recursion limit and a cap on captured output, and the pool has a
request timeout and a checkout timeout, because Monty's defaults for those hang forever.

A run never raises for anything the script does: it returns a `RunResult` whose `error` says what
went wrong (kind, exception type, message, and the range in the user's script).
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

from synth_lsp.core.runs import RunError, RunLimits, RunResult
from synth_lsp.sandbox.child_lifetime import guarded_binary
from synth_lsp.sandbox.errors import MISSING_RESULT, STOPPED, crash_error, error_from, frames_of
from synth_lsp.sandbox.function_wrap import wrapped_code
from synth_lsp.sandbox.inputs_usage import keys_read, restrict
from synth_lsp.sandbox.one_checkout import run_batch_together, run_together
from synth_lsp.sandbox.output_cap import OutputCap
from synth_lsp.sandbox.pair_queue import PairQueue
from synth_lsp.sandbox.sessions import SESSION_CACHE_SIZE, SessionCache
from synth_lsp.sandbox.static_check import import_error
from synth_lsp.sandbox.values import normalise
from synth_lsp.sandbox.walls import Walls, get_walls
from synth_lsp.sandbox.watchdog import Watchdog
from synth_lsp.sandbox.script_ast import parse


_pool_thread = threading.local()  # marks the sandbox's own threads


def _mark_pool_thread() -> None:
    _pool_thread.active = True


def _long_lived_thread() -> bool:
    """Whether this is one of the sandbox's own threads, which live as long as the process, so a
    worker spawned by a checkout on it dies only with the process (`child_lifetime`), and a run there
    may check out itself: a hop to another of them costs two thread switches. Never the main thread:
    a run blocked in Monty there would hold off Ctrl-C and SIGTERM handlers until it ends."""
    return getattr(_pool_thread, "active", False)


class Sandbox:
    """A pool of Monty workers. Thread-safe; create one per process and reuse it.

    Every checkout happens on the sandbox's own threads, which live as long as the sandbox: a
    worker is killed by the kernel when the thread that spawned it ends (`child_lifetime`)."""

    def __init__(self, processes: int | None = None, one_checkout: bool = True):
        # score a candidate's pairs in one checkout when its script allows it (False: always one
        # checkout per pair, the reference the tests compare with)
        self.one_checkout = one_checkout
        # at least three: one script may use two at once and still leave one for the others
        self.processes = processes or max(3, min(4, os.cpu_count() or 1))
        # one script's run may hold this many workers at once, so another script always finds one
        self.share = max(1, self.processes - 1)
        self._pool = None
        self._lock = threading.Lock()
        self._executor = ThreadPoolExecutor(max_workers=self.processes, thread_name_prefix="monty", initializer=_mark_pool_thread)
        self._pairs = PairQueue(self._executor, lambda: self.share)
        self._sessions = SessionCache(SESSION_CACHE_SIZE)
        self._watchdog = Watchdog()
        self._walls = None

    # -- lifecycle -------------------------------------------------------------------------
    def _get_pool(self):
        with self._lock:
            if self._pool is None:
                _skip_missing_telemetry()
                import pydantic_monty

                pool = pydantic_monty.Monty(
                    binary_path=_worker_binary(),
                    min_processes=1,
                    max_processes=self.processes,
                    checkout_timeout=60.0,
                    request_timeout=120.0,  # a backstop; the per-run limit is the real bound
                    feed_duration_limit_grace=1.0,
                )
                pool.__enter__()
                self._pool = pool
            return self._pool

    def _on_pool_thread(self, fn: Callable[..., Any], *args: Any) -> Any:
        if getattr(_pool_thread, "active", False):
            return fn(*args)
        return self._executor.submit(fn, *args).result()

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
        script = one_line_break(script)
        static = self.static_error(script)
        if static is not None:
            return RunResult(result=None, error=static)
        return self._on_pool_thread(self._run_checked, script, inputs, limits)

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

        The inputs of every run in flight share the sandbox's threads fairly (`pair_queue`): one
        script holds at most `share` workers, and between its pairs the other scripts get a turn.
        When the script can be wrapped as a function, all its pairs first go in one checkout (one
        turn, at most one time limit); the pairs that could not be vouched for there run one checkout
        each (`one_checkout`).
        """
        script = one_line_break(script)
        static = self.static_error(script)
        if static is not None:
            return [RunResult(result=None, error=static) for _ in inputs_list]

        results = self._run_together(script, inputs_list, limits, should_stop)
        return self._run_rest(script, inputs_list, results, limits, should_stop)

    def run_batch(self, scripts: list[str], inputs_list: list[dict[str, Any]], limits: RunLimits = RunLimits()) -> list[list[RunResult]]:
        """Several scripts (the candidates of one task) each on every input: for each, what
        `run_many` gives it. Those that can be wrapped as functions run together, in one checkout
        and one feed (`one_checkout.run_batch_together`: one turn and one round trip for all); a
        candidate left out of it, or whose pairs could not all be vouched for there, runs as
        `run_many` runs it."""
        scripts = [one_line_break(script) for script in scripts]
        out: list[list[RunResult | None] | None] = [None] * len(scripts)
        batched = [
            index
            for index, script in enumerate(scripts)
            if self.one_checkout and len(inputs_list) > 1 and wrapped_code(script) is not None and self.static_error(script) is None
        ]
        if len(batched) > 1:
            every = [keys_read(scripts[index]) for index in batched]
            keys = None if any(k is None for k in every) else frozenset().union(*every)

            def together(_: int) -> list[list[RunResult | None]]:
                return run_batch_together(self._get_pool(), self._watchdog, [scripts[i] for i in batched], keys, inputs_list, limits)

            done = together(0) if _long_lived_thread() else self._pairs.run(together, 1)[0]
            for index, results in zip(batched, done):
                out[index] = results
        final = []
        for script, results in zip(scripts, out):
            if results is None or all(result is None for result in results):
                final.append(self.run_many(script, inputs_list, limits))
            else:
                final.append(self._run_rest(script, inputs_list, results, limits, None))
        return final

    def _run_rest(
        self,
        script: str,
        inputs_list: list[dict[str, Any]],
        results: list[RunResult | None],
        limits: RunLimits,
        should_stop: Callable[[], bool] | None,
    ) -> list[RunResult]:
        """`results` with each None filled by a run of that pair in a checkout of its own."""

        def run_pair(index: int) -> RunResult:
            if should_stop is not None and should_stop():
                return RunResult(result=None, error=STOPPED)
            return self._run_checked(script, inputs_list[index], limits, should_stop)

        rest = [index for index, result in enumerate(results) if result is None]
        for index, result in zip(rest, self._pairs.run(lambda k: run_pair(rest[k]), len(rest))):
            results[index] = result
        return results  # type: ignore[return-value]

    def _run_together(
        self,
        script: str,
        inputs_list: list[dict[str, Any]],
        limits: RunLimits,
        should_stop: Callable[[], bool] | None,
    ) -> list[RunResult | None]:
        """Every pair in one checkout when the script can be wrapped as a function (`one_checkout`);
        None for each pair left to a checkout of its own. The batch is one turn of the pair queue."""
        code = wrapped_code(script) if self.one_checkout and len(inputs_list) > 1 else None
        if code is None or (should_stop is not None and should_stop()):
            return [None] * len(inputs_list)

        def together(_: int) -> list[RunResult | None]:
            pool = self._get_pool()
            return run_together(pool, self._sessions, self._watchdog, script, keys_read(script), inputs_list, limits, should_stop)

        if _long_lived_thread():
            return together(0)  # no hop to the sandbox's threads: the batch is one turn, and its worker outlives this thread
        return self._pairs.run(together, 1)[0]

    def execute(self, code: str, limits: RunLimits = RunLimits(time_s=1.0)) -> Any:
        """Run trusted probe code and return its last expression (raises MontyError on failure)."""
        def probe() -> Any:
            with self._get_pool().checkout(limits=limits.monty_limits()) as session:
                return session.feed_run(code, print_callback=OutputCap(1024))

        return self._on_pool_thread(probe)

    def static_error(self, script: str) -> RunError | None:
        """Problems found without running: imports of modules the sandbox lacks."""
        return import_error(script, self.walls(), self)

    def walls(self) -> Walls:
        """What this sandbox allows, probed once per process (see `walls.py`)."""
        return get_walls(self)

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

    def _feed_script(self, session, script: str, output: OutputCap) -> tuple[Any, RunError | None]:
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
                    return None, MISSING_RESULT
                raise
        code = script if script.endswith("\n") else script + "\n"
        result_line = code.count("\n") + 1  # line breaks are "\n" alone by now (`one_line_break`)
        try:
            return session.feed_run(code + "result\n", print_callback=output), None
        except pm.MontyRuntimeError as exc:
            frames = frames_of(exc)
            if exc.display("type-msg").startswith("NameError") and frames and frames[-1].range.line == result_line:
                return None, MISSING_RESULT
            raise

    def _run_checked(
        self, script: str, inputs: dict[str, Any], limits: RunLimits, should_stop: Callable[[], bool] | None = None
    ) -> RunResult:
        import pydantic_monty as pm

        output = OutputCap(limits.output_bytes)
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
                    error = crash_error(exc, limits)
                except pm.MontyError as exc:
                    error = error_from(exc, limits)
                finally:
                    if token is not None and self._watchdog.release(token):
                        error, result = STOPPED, None
        except pm.MontyCrashedError as exc:
            error = crash_error(exc, limits)
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


def one_line_break(script: str) -> str:
    """The script with every line break as "\n". Monty counts only "\n" as a break, while the
    editor (LSP) and Python's own parser also count "\r\n" and a lone "\r": with one kind of break,
    the lines Monty reports are the lines the editor shows."""
    if "\r" not in script:
        return script
    return script.replace("\r\n", "\n").replace("\r", "\n")


def _worker_binary() -> str | None:
    """The `monty` binary, wrapped so that its workers die with this process (None: Monty's own
    lookup, when the binary cannot be found here)."""
    try:
        from pydantic_monty._binary import find_monty_binary

        return guarded_binary(find_monty_binary())
    except Exception:
        return None


def _skip_missing_telemetry() -> None:
    """pydantic-monty looks for opentelemetry on every feed; when it is not installed each look is
    a failed import that costs a tenth of a small run. Record its absence once, the way Python's
    import system allows (None in sys.modules), so the look fails at once."""
    import importlib.util
    import sys

    if "opentelemetry" not in sys.modules and importlib.util.find_spec("opentelemetry") is None:
        sys.modules["opentelemetry"] = None  # type: ignore[assignment]


_default_sandbox: Sandbox | None = None
_default_lock = threading.Lock()


def get_sandbox() -> Sandbox:
    """The process-wide sandbox (created on first use)."""
    global _default_sandbox
    with _default_lock:
        if _default_sandbox is None:
            _default_sandbox = Sandbox()
        return _default_sandbox
