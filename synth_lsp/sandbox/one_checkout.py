"""Every pair of a candidate in one checkout and one feed: the script wrapped as a function
(`function_wrap`), called once per pair in a loop inside the sandbox.

A checkout per pair costs a checkout, a session restore and a feed for each pair; this costs them
once per candidate. What it returns must be what the per-pair path would have returned, so it
only keeps what it can vouch for and hands the rest back (None) to be run the usual way:

- the feed's time limit is one pair's limit: when every pair is done within it, none would have hit
  its own. When it fires with no pair done, the first pair ran the whole limit alone: its own
  timeout. Otherwise that pair and the rest go back.
- an error of any kind (runtime, memory, recursion, Monty refusing the syntax) ends the feed: the
  pairs done before it are read back, that pair and the rest go back, so their errors, frames and
  line numbers are the ones a fresh checkout gives.
- recursion gets one frame more, the wrapper's own call, so the script reaches the same depth.
- output: wrapped scripts never call `print`; if anything is printed all the same, nothing is kept.
- inputs: each pair gets its own copy, as it does in a checkout of its own.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from typing import Any

from synth_lsp.core.runs import RunError, RunLimits, RunResult
from synth_lsp.sandbox.errors import STOPPED, error_from
from synth_lsp.sandbox.function_wrap import PAIRS
from synth_lsp.sandbox.inputs_usage import restrict
from synth_lsp.sandbox.sessions import SessionCache
from synth_lsp.sandbox.values import normalise
from synth_lsp.sandbox.watchdog import Watchdog

Pending = None  # a pair handed back to the per-pair path


def run_together(
    pool: Any,
    sessions: SessionCache,
    watchdog: Watchdog,
    code: str,
    keys: frozenset[str] | None,
    inputs_list: list[dict[str, Any]],
    limits: RunLimits,
    should_stop: Callable[[], bool] | None = None,
) -> list[RunResult | None]:
    """Results in order; None for each pair the per-pair path must run."""
    import pydantic_monty as pm

    results: list[RunResult | None] = [Pending] * len(inputs_list)
    printed: list[str] = []
    done: list[Any] = []
    error: RunError | None = None
    stopped = False
    started = time.perf_counter()
    try:
        with pool.checkout(limits=_limits(limits)) as session:
            token = watchdog.watch(session.worker_pid, should_stop) if should_stop is not None else None
            try:
                _bind_pairs(session, sessions, inputs_list, keys)
                done = session.feed_run(code, print_callback=lambda stream, text: printed.append(text))
            except pm.MontyCrashedError:
                done = []
            except pm.MontyError as exc:
                error = error_from(exc, limits)
                done = _read_back(session)
            finally:
                if token is not None and watchdog.release(token):
                    stopped = True
    except Exception:  # pool trouble: the per-pair path meets it again and reports it
        return results
    if stopped:
        return [RunResult(result=None, error=STOPPED) for _ in inputs_list]
    if printed or not isinstance(done, list):
        return results
    elapsed = time.perf_counter() - started
    for index, value in enumerate(done[: len(inputs_list)]):
        results[index] = _result(value, elapsed / max(1, len(done)))
    if error is not None and error.kind == "timeout" and not done:
        results[0] = RunResult(result=None, duration_s=elapsed, error=error)
    return results


def _limits(limits: RunLimits) -> dict[str, Any]:
    monty = limits.monty_limits()
    monty["max_recursion_depth"] += 1  # the wrapper's own frame
    return monty


def _bind_pairs(
    session: Any,
    sessions: SessionCache,
    inputs_list: list[dict[str, Any]],
    keys: frozenset[str] | None,
) -> None:
    """Bind every pair's `inputs` at once, restored from a dump when these pairs were bound before
    (every candidate of a task runs on the same pairs)."""
    blob = sessions.get_all(inputs_list, keys)
    if blob is not None:
        session.load_session(blob)
        return
    # a copy of each pair's own: the pairs of a task share grids (a train pair is in the others'
    # examples), the sandbox keeps that sharing, and a pair that changes its inputs in place must
    # not change the next pair's, as it cannot in a checkout of its own
    own = [copy.deepcopy(restrict(inputs, keys)) for inputs in inputs_list]
    session.feed_run("pass", inputs={PAIRS: own})
    sessions.put_all(inputs_list, keys, session.dump())


def _read_back(session: Any) -> list[Any]:
    """The results of the pairs done before the feed failed (the session survives an error
    raised inside the sandbox, limits included, long enough to read them)."""
    try:
        done = session.feed_run("_synth_results")
    except Exception:
        return []
    return done if isinstance(done, list) else []


def _result(value: Any, duration_s: float) -> RunResult:
    result, problem = normalise(value)
    if problem:
        return RunResult(
            result=None,
            duration_s=duration_s,
            error=RunError("schema", "", f"result is not JSON: {problem}"),
        )
    return RunResult(result=result, duration_s=duration_s)
