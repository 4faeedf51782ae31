"""Every pair of a candidate in one checkout and one feed: the script wrapped as a function
(`function_wrap`), called once per pair in a loop inside the sandbox; and the candidates of one
generation in one checkout and one feed too (`run_batch_together`: each its own function, each on
every pair, one job after another).

A checkout per pair costs a checkout, a session restore and a feed for each pair; this costs them
once per candidate (once per batch). What it returns must be what the per-pair path would have
returned, so it only keeps what it can vouch for and hands the rest back (None) to be run the usual
way:

- the feed's time limit is one pair's limit: when every job is done within it, none would have hit
  its own. When it fires on the first job of a feed, that job ran the whole limit alone: its own
  timeout. Otherwise that job and the rest go back.
- an exception the script raised, whose frames `function_wrap.unwrapped_frames` can place in the
  script for sure, is that pair's error with the frames and line numbers a fresh checkout gives;
  the same checkout goes on with the next job (a continuation feed that marks the pair's place
  among the results with PAIR_FAILED, so nothing is read back in between: one round trip per pair
  that raised). Any other error (a limit, a RecursionError, Monty refusing the syntax, frames that
  cannot be placed) ends the checkout: the jobs done before it are read back, that job and the
  rest go back, to get a fresh checkout each.
- recursion gets one frame more, the wrapper's own call, so the script reaches the same depth.
- output: a script that prints gets a mark printed after each job, and the feed's output is cut
  at the marks (and at each pair that raised), each pair's part capped as its own checkout would
  cap it; output the marks cannot place (stderr) means nothing is kept.
- inputs: each pair of each candidate gets its own copy, as it does in a checkout of its own.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from synth_lsp.core.runs import RunError, RunLimits, RunResult
from synth_lsp.sandbox.errors import MISSING_RESULT, STOPPED, bounded, error_from
from synth_lsp.sandbox.function_wrap import (
    BODY,
    PAIR_END,
    PAIR_FAILED,
    PAIRS,
    batch_code,
    batch_continuation_code,
    continuation_code,
    marks_pairs,
    unwrapped_frames,
    wrapped_code,
)
from synth_lsp.sandbox.inputs_usage import restrict
from synth_lsp.sandbox.output_cap import OutputCap
from synth_lsp.sandbox.sessions import SessionCache
from synth_lsp.sandbox.values import normalise
from synth_lsp.sandbox.watchdog import Watchdog

Pending = None  # a pair handed back to the per-pair path
SMALL_INPUTS = 1000  # values in every pair's inputs together, below which they go with the feed


def run_together(
    pool: Any,
    sessions: SessionCache,
    watchdog: Watchdog,
    script: str,
    keys: frozenset[str] | None,
    inputs_list: list[dict[str, Any]],
    limits: RunLimits,
    should_stop: Callable[[], bool] | None = None,
) -> list[RunResult | None]:
    """Results in order; None for each pair the per-pair path must run."""
    code = wrapped_code(script)
    if code is None:
        return [Pending] * len(inputs_list)
    feeds = Feeds(code, continuation_code(script), {BODY: (script, 1)}, marks_pairs(script))
    return _run_jobs(pool, watchdog, feeds, lambda session: _bind_pairs(session, sessions, inputs_list, keys), len(inputs_list), limits, should_stop)


def run_batch_together(
    pool: Any, watchdog: Watchdog, scripts: list[str], keys: frozenset[str] | None, inputs_list: list[dict[str, Any]], limits: RunLimits
) -> list[list[RunResult | None]]:
    """Several candidates of one task in one checkout and one feed (`function_wrap.batch_code`),
    each on every pair: per candidate, its results in order, None for each pair the per-pair path
    must run (all of them when the batch cannot be run so: inputs too large to copy for each)."""
    pending = [[Pending] * len(inputs_list) for _ in scripts]
    batch = batch_code(tuple(scripts))
    # each candidate gets its own copy of the pairs, as a checkout of its own gives it
    own = [restrict(inputs, keys) for inputs in inputs_list]
    if batch is None or _values_in(own) > SMALL_INPUTS:
        return pending
    code, bodies = batch
    prints = any(map(marks_pairs, scripts))
    feeds = Feeds(code, batch_continuation_code(prints), bodies, prints)
    copies = [copy.deepcopy(own) for _ in scripts]
    flat = _run_jobs(pool, watchdog, feeds, lambda session: {PAIRS: copies}, len(scripts) * len(inputs_list), limits, None)
    n = len(inputs_list)
    return [flat[k * n : (k + 1) * n] for k in range(len(scripts))]


@dataclass(frozen=True)
class Feeds:
    code: str  # the first feed: every function defined, then every job run
    continuation: str  # the feed that marks the place of a job that raised and goes on after it
    bodies: dict[str, tuple[str, int]]  # by the name of a script's function: the script, the line of its `def`
    marked: bool  # the feeds print PAIR_END after each job


def _run_jobs(
    pool: Any,
    watchdog: Watchdog,
    feeds: Feeds,
    bind: Callable[[Any], dict[str, Any] | None],
    jobs: int,
    limits: RunLimits,
    should_stop: Callable[[], bool] | None,
) -> list[RunResult | None]:
    """Every job (a script on a pair) in one checkout: the first feed runs them all; after a job
    that raised, a continuation feed goes on with the next. Results in order, None for each job
    the per-pair path must run."""
    import pydantic_monty as pm

    results: list[RunResult | None] = [Pending] * jobs
    printed = PairOutputs(jobs, limits.output_bytes, marked=feeds.marked)
    raised: list[RunError] = []  # the errors of the jobs gone on after, in order (their places hold PAIR_FAILED)
    ended: RunError | None = None  # the error that ended the checkout's jobs
    values: Any = None  # every `result` so far, read from the sandbox
    stopped = False
    started = feed_started = time.perf_counter()
    try:
        with pool.checkout(limits=_limits(limits)) as session:
            token = watchdog.watch(session.worker_pid, should_stop) if should_stop is not None else None
            try:
                bound = bind(session)
                feed = feeds.code
                while True:
                    feed_started = time.perf_counter()
                    try:
                        values = session.feed_run(feed, inputs=bound if feed is feeds.code else None, print_callback=printed)
                        break
                    except pm.MontyCrashedError:
                        values = None
                        break
                    except pm.MontyError as exc:
                        own = _pair_error(feeds.bodies, exc, limits)
                        # a limit fired, or frames that cannot be placed, or the jobs took a time limit
                        # already (one turn of the pair queue holds a worker for about one): the rest
                        # get a checkout each
                        if own is None or time.perf_counter() - started >= limits.time_s:
                            ended, values = error_from(exc, limits) if own is None else None, _read_back(session)
                            break  # (that job too: the per-pair path gives its error again)
                        raised.append(own)
                        printed.end_pair()
                        feed = feeds.continuation  # marks the job's place and goes on with the next
            except pm.MontyCrashedError:
                values = None
            finally:
                if token is not None and watchdog.release(token):
                    stopped = True
    except Exception:  # pool trouble: the per-pair path meets it again and reports it
        return results
    if stopped:
        return [RunResult(result=None, error=STOPPED) for _ in range(jobs)]
    if not isinstance(values, list) or len(values) > jobs:
        return results
    holes = [index for index, value in enumerate(values) if isinstance(value, str) and value == PAIR_FAILED]
    if len(holes) != len(raised) or not printed.placed(len(values)):
        return results
    each = (time.perf_counter() - started) / max(1, len(values))
    errors = dict(zip(holes, raised))
    for index, value in enumerate(values):
        run = RunResult(result=None, duration_s=each, error=errors[index]) if index in errors else _result(value, each)
        results[index] = printed.attach(index, run)
    following = len(values)
    if ended is not None and ended.kind == "timeout" and following < jobs and following == (holes[-1] + 1 if holes else 0):
        # the job was the first of its feed, so it ran the whole limit alone: its own timeout
        results[following] = printed.attach(following, RunResult(result=None, duration_s=time.perf_counter() - feed_started, error=ended))
    return results


def _pair_error(bodies: dict[str, tuple[str, int]], exc: Exception, limits: RunLimits) -> RunError | None:
    """The error of the pair that raised as a run of the script alone gives it, when the same
    checkout can go on with the next pair; else None. It can after an exception the script raised
    whose frames are placed in the script for sure: that leaves nothing behind but what a finished
    pair leaves (the pair's names were the function's locals; a wrapped script cannot change the
    modules it imports). Not after a limit (the session is thrown away) nor a RecursionError (its
    frames depend on the depth, which the wrapper's own frame changes)."""
    try:
        raw = exc.traceback()
        names = [frame.function_name for frame in raw if frame.function_name in bodies]
        if len(names) != 1:
            return None  # no frame in a script's function (a limit with no frames, say)
        script, def_line = bodies[names[0]]
        unwrapped = unwrapped_frames(script, raw, names[0], def_line)
    except Exception:
        return None
    if unwrapped is None:
        return None
    frames, reads_result = unwrapped
    error = error_from(exc, limits, bounded(frames))  # its kind told from the script's own frames, as alone
    if error.kind != "runtime" or error.exc_type == "RecursionError":
        return None
    if reads_result:  # the wrapper's `return result`: the script never assigned it
        return MISSING_RESULT if error.exc_type in ("NameError", "UnboundLocalError") else None
    return error


class PairOutputs:
    """A print callback for one feed of every pair: the output is cut at the marks the wrapper
    prints after each pair (a mark may arrive in two pieces), and each pair's part is capped as
    its own checkout caps it (`OutputCap`), so what is kept stays small however much is printed."""

    def __init__(self, pairs: int, limit: int, marked: bool):
        self.caps = [OutputCap(limit) for _ in range(pairs + 1)]  # one more: a stray mark is noticed
        self.marked = marked
        self.index = 0  # the pair printing now
        self.pending = ""  # text that may end with the start of a mark
        self.unplaceable = False

    def __call__(self, stream: str, text: str) -> None:
        if stream != "stdout" or not self.marked:
            self.unplaceable = self.unplaceable or bool(text)
            return
        self.pending += text
        while PAIR_END in self.pending and self.index < len(self.caps) - 1:
            before, self.pending = self.pending.split(PAIR_END, 1)
            self.caps[self.index]("stdout", before)
            self.index += 1
        keep = len(PAIR_END) - 1
        if len(self.pending) > keep:
            self.caps[self.index]("stdout", self.pending[:-keep] if keep else self.pending)
            self.pending = self.pending[-keep:] if keep else ""

    def end_pair(self) -> None:
        """The pair printing now ended without its mark (it raised): what follows is the next one's."""
        self.caps[self.index]("stdout", self.pending)
        self.pending = ""
        self.index = min(self.index + 1, len(self.caps) - 1)

    def placed(self, done: int) -> bool:
        """Whether the output is known pair by pair: every finished pair's mark came, nothing else."""
        self.caps[self.index]("stdout", self.pending)
        self.pending = ""
        if self.unplaceable or (self.marked and self.index != done):
            return False
        last = self.caps[-1]  # after every pair's mark nothing more is printed
        return not (last.sizes["stdout"] or last.dropped)

    def attach(self, index: int, run: RunResult) -> RunResult:
        cap = self.caps[index]
        if not cap.sizes["stdout"] and not cap.dropped:
            return run
        return replace(run, stdout=cap.text("stdout"), output_truncated=cap.dropped > 0)


def _limits(limits: RunLimits) -> dict[str, Any]:
    monty = limits.monty_limits()
    monty["max_recursion_depth"] += 1  # the wrapper's own frame
    return monty


def _bind_pairs(
    session: Any,
    sessions: SessionCache,
    inputs_list: list[dict[str, Any]],
    keys: frozenset[str] | None,
) -> dict[str, Any] | None:
    """Every pair's `inputs` at once: small ones are handed to the feed itself (converting a few
    grids costs less than a round trip), large ones are restored from a dump of a session that
    bound them before (every candidate of a task runs on the same pairs). Returns the feed's
    `inputs=`, or None when the session already holds them."""
    kept = sessions.get_all(inputs_list, keys)
    if isinstance(kept, bytes):
        session.load_session(kept)
        return None
    if kept is not None:
        return {PAIRS: kept}  # the sandbox copies it in: the host's copy is never changed
    # a copy of each pair's own: the pairs of a task share grids (a train pair is in the others'
    # examples), the sandbox keeps that sharing, and a pair that changes its inputs in place must
    # not change the next pair's, as it cannot in a checkout of its own
    own = [copy.deepcopy(restrict(inputs, keys)) for inputs in inputs_list]
    if _values_in(own) <= SMALL_INPUTS:
        sessions.put_all(inputs_list, keys, own)
        return {PAIRS: own}
    session.feed_run("pass", inputs={PAIRS: own})
    sessions.put_all(inputs_list, keys, session.dump())
    return None


def _values_in(value: Any, budget: int = SMALL_INPUTS + 1) -> int:
    """How many values `value` holds, counted up to just past `budget`."""
    count, stack = 0, [value]
    while stack and count <= budget:
        item = stack.pop()
        count += 1
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, (list, tuple)):
            stack.extend(item)
    return count


def _read_back(session: Any) -> list[Any]:
    """The results of the pairs done before the feed failed (the session survives an error
    raised inside the sandbox, limits included, long enough to read them)."""
    try:
        done = session.feed_run("_synth_results", print_callback=lambda stream, text: None)  # never the host's stdout
    except Exception:
        return []
    return done if isinstance(done, list) else []


def _result(value: Any, duration_s: float) -> RunResult:
    result, problem = normalise(value)
    if problem:
        return RunResult(
            result=None, duration_s=duration_s, error=RunError("schema", "", f"result is not JSON: {problem}")
        )
    return RunResult(result=result, duration_s=duration_s)
