"""The instrumented run: the script rewritten to record its values (`core.trace_rewrite`) runs in
the sandbox on one pair, with the scored run's limits, in a fresh checkout of its own. It never
touches the reward: the scored run is separate, and this one only yields values.

The values are read back after the script (also after a runtime error: what was recorded until
then is kept); a run that hit a limit or crashed leaves nothing to read. Captured prints are
dropped: the scored run shows them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from synth_lsp.core.runs import RunError, RunLimits
from synth_lsp.core.trace_rewrite import FINISH, Instrumented, Refusal, instrument
from synth_lsp.core.value_trace import ValueTrace, entries_from
from synth_lsp.sandbox.errors import STOPPED, crash_error, error_from
from synth_lsp.sandbox.inputs_usage import keys_read
from synth_lsp.sandbox.output_cap import OutputCap
from synth_lsp.sandbox.runner import Sandbox, one_line_break
from synth_lsp.sandbox.values import normalise


@dataclass(frozen=True)
class TraceRun:
    """What the instrumented run gave: a trace, or why there is none."""

    trace: ValueTrace | None
    problem: str | None = None  # why there are no values (for the server's log)
    duration_s: float = 0.0


def trace_pair(
    sandbox: Sandbox,
    script: str,
    inputs: dict[str, Any],
    limits: RunLimits,
    split: str = "train",
    index: int = 0,
    should_stop: Callable[[], bool] | None = None,
) -> TraceRun:
    """Run the instrumented `script` on one pair's `inputs` and return what it recorded."""
    started = time.perf_counter()
    script = one_line_break(script)
    rewritten = instrument(script)
    if isinstance(rewritten, Refusal):
        return TraceRun(None, rewritten.reason)
    if sandbox.static_error(script) is not None:
        return TraceRun(None, "the script cannot run (see its diagnostics)")
    keys = keys_read(script)
    # through the sandbox's fair queue, as a run's pairs go: values never take a worker out of turn
    ((raw, result, error),) = sandbox._pairs.run(lambda _: _run(sandbox, rewritten, inputs, limits, keys, should_stop), 1)
    duration = time.perf_counter() - started
    if error is not None and raw is None:
        return TraceRun(None, f"the instrumented run failed: {error.headline()}", duration)
    records, failed = raw if isinstance(raw, (list, tuple)) and len(raw) == 2 else (None, 1)
    if failed:
        return TraceRun(None, f"{failed} record(s) could not be taken (near the recursion limit?): the values would be incomplete", duration)
    trace = ValueTrace(script, split, index, rewritten.sites, entries_from(records), error, result)
    return TraceRun(trace, None, duration)


def _run(
    sandbox: Sandbox,
    rewritten: Instrumented,
    inputs: dict[str, Any],
    limits: RunLimits,
    keys: frozenset[str] | None,
    should_stop: Callable[[], bool] | None,
) -> tuple[Any, Any, RunError | None]:
    """(recorded values or None, result, error) of one instrumented run, on a sandbox thread."""
    import pydantic_monty as pm

    raw: Any = None
    result: Any = None
    error: RunError | None = None
    try:
        with sandbox._get_pool().checkout(limits=limits.monty_limits()) as session:
            token = sandbox._watchdog.watch(session.worker_pid, should_stop) if should_stop is not None else None
            try:
                sandbox._bind_inputs(session, inputs, keys)
                output = OutputCap(limits.output_bytes)
                try:
                    session.feed_run(rewritten.code, print_callback=output)
                    result = _read(session, "result", output)
                except pm.MontyRuntimeError as exc:  # the script raised: its values up to there are kept
                    error = error_from(exc, limits)
                raw = session.feed_run(FINISH, print_callback=OutputCap(1024))
            except pm.MontyCrashedError as exc:
                error, raw = crash_error(exc, limits), None
            except pm.MontyError as exc:  # a limit: the session cannot be read any more
                error, raw = error_from(exc, limits), None
            finally:
                if token is not None and sandbox._watchdog.release(token):
                    error, raw = STOPPED, None
    except pm.MontyCrashedError as exc:
        error, raw = crash_error(exc, limits), None
    except Exception as exc:  # noqa: BLE001 (pool trouble: checkout timeout, disconnect, ...)
        error, raw = RunError("crash", type(exc).__name__, f"the sandbox failed: {exc}"), None
    return raw, result, error


def _read(session: Any, name: str, output: OutputCap) -> Any:
    import pydantic_monty as pm

    try:
        value = session.feed_run(name, print_callback=output)
    except pm.MontyRuntimeError:
        return None  # no `result`: the scored run says so
    value, problem = normalise(value)
    return None if problem else value
