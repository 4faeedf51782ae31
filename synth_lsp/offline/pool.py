"""The offline search on several cores: one process per shard of the first steps.

Shard k of n computes every first step (cheap, and all are needed to drop repeats), then judges and
extends only every n-th distinct one from the k-th (shard 0 also judges the input itself), with the
whole budget: n cores search n times as many programs in the same time. Each shard's results come
back in one message; they are merged by a fixed rank (claimed first, confidence, fewer steps, then
shard and the order found), never by arrival. So with a budget counted in programs tried the result
depends only on the budget and the number of shards (`jobs`), and every shard runs to its end; with
a budget in seconds it also depends on the machine's speed and load, as a search in one process
does, and the first shard to send a claimed fit ends the others.

A worker that dies (killed, out of memory) loses its share: the search goes on with the others and
says so in its last progress note; when every worker dies it raises `SearchWorkerDied`. Workers
die with their parent (Linux's parent-death signal, and the end of their input), ignore Ctrl-C (the
parent decides: it writes to their input and each worker returns what it found so far), and are
killed if they outlive the budget by far. They are `python -m synth_lsp.offline.search_worker` processes
(`search_worker`) talking pickles over pipes (not multiprocessing's spawn, which would re-run the caller's main
script), so the caller needs no `if __name__ == "__main__"` guard.
"""

from __future__ import annotations

import ctypes
import os
import pickle
import signal
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from pathlib import Path
from typing import Any

from synth_lsp.offline.confidence import claimed, confidence
from synth_lsp.offline.search import Found, SearchProgress, search_programs
from synth_lsp.offline.steps import Grid

HEADER = "<Q"  # each message: its length, then its pickle
CLOCKS = {"wall": time.perf_counter, "cpu": time.process_time}
GRACE_S = 10.0  # a worker still busy this long past its budget's wall time is stopped, then killed
SLOWEST_PROGRAMS_PER_S = 200  # far below any machine's pace (about 10 000 a second): only a stuck worker is that slow
CPU_SHARE = 0.1  # a CPU budget may take ten times as long on the wall clock of a busy machine
STOP_WAIT_S = 3.0  # how long a stopped worker may take to send what it found


def usable_cores() -> int:
    """The cores this process may run on (its CPU affinity, not the machine's count)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


class SearchWorkerDied(RuntimeError):
    """Every search worker died before sending its results."""


def search_in_pool(
    train_pairs: list[tuple[Grid, Grid]],
    test_inputs: list[Grid],
    jobs: int,
    time_budget_s: float = 10.0,
    program_budget: int | None = None,
    clock: str = "wall",
    max_programs: int = 8,
    max_depth: int = 3,
    on_progress: Callable[[SearchProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
) -> list[Found]:
    """`search_programs` split over `jobs` processes; `clock` is "wall" or "cpu" (each worker's own)."""
    workers = []
    try:
        for part in range(jobs):
            request = {
                "train_pairs": train_pairs,
                "test_inputs": test_inputs,
                "time_budget_s": time_budget_s,
                "program_budget": program_budget,
                "clock": clock,
                "max_programs": max_programs,
                "max_depth": max_depth,
                "shard": (part, jobs),
                "parent": os.getpid(),
            }
            workers.append(_Worker.start(part, request))
        return _collect(
            workers,
            time_budget_s if program_budget is None else None,
            _give_up_s(time_budget_s, program_budget, clock),
            max_programs,
            on_progress,
            should_stop,
        )
    finally:
        for worker in workers:
            worker.stop()
        for worker in workers:
            worker.end()


class _Worker:
    def __init__(self, part: int, process: subprocess.Popen):
        self.part, self.process = part, process
        self.connection = process.stdout  # what `wait` watches
        self.progress: SearchProgress | None = None
        self.found: list[Found] | None = None
        self.lost = False
        self.late = False  # alive, but did not answer a stop in time (a busy machine): not a death
        self.error = ""
        self.budget = 0  # its program budget, if it has one

    @staticmethod
    def start(part: int, request: dict[str, Any]) -> _Worker:
        env = dict(os.environ)
        here = str(Path(__file__).resolve().parents[2])  # the folder holding synth_lsp, whatever sys.path the caller has
        env["PYTHONPATH"] = os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p)
        process = subprocess.Popen(
            [sys.executable, "-m", "synth_lsp.offline.search_worker"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            env=env,
            close_fds=True,
        )
        process.stdin.write(pickle.dumps({**request, "sent_at": time.time()}))
        process.stdin.flush()
        worker = _Worker(part, process)
        worker.budget = request["program_budget"] or 0
        return worker

    @property
    def open(self) -> bool:
        return self.found is None and not self.lost

    def stop(self) -> None:
        """Any byte on its input (or its end) ends the worker's search."""
        try:
            self.process.stdin.write(b"s")
            self.process.stdin.flush()
        except (OSError, ValueError):
            pass

    def read(self) -> None:
        try:
            kind, payload = pickle.loads(_read_message(self.process.stdout.fileno()))
        except (EOFError, OSError, pickle.UnpicklingError):
            self.lost = True  # died (or closed) without sending its results
            return
        if kind == "progress":
            self.progress = payload
        elif kind == "found":
            self.found = payload
        else:  # "error": the search itself failed in that process
            self.lost = True
            self.error = payload

    def end(self) -> None:
        try:
            self.process.wait(STOP_WAIT_S if self.open else 1.0)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        for pipe in (self.process.stdin, self.process.stdout):
            try:
                pipe.close()
            except OSError:
                pass

    def exit_text(self) -> str:
        try:
            code = self.process.wait(0.5)
        except subprocess.TimeoutExpired:
            return self.error or "still running"
        return self.error or (f"killed by signal {-code}" if code < 0 else f"exit code {code}")


def _give_up_s(time_budget_s: float, program_budget: int | None, clock: str) -> float:
    """Wall seconds after which a worker is surely stuck (never hang): well past any budget."""
    if program_budget is not None:
        return program_budget / SLOWEST_PROGRAMS_PER_S + GRACE_S
    return (time_budget_s if clock == "wall" else time_budget_s / CPU_SHARE) + GRACE_S


def _read_message(fd: int) -> bytes:
    """One length-prefixed message, read straight from the pipe (no buffer that `wait` cannot see)."""
    (size,) = struct.unpack(HEADER, _read_exactly(fd, struct.calcsize(HEADER)))
    return _read_exactly(fd, size)


def _read_exactly(fd: int, size: int) -> bytes:
    chunks, left = [], size
    while left:
        chunk = os.read(fd, min(left, 1 << 20))
        if not chunk:
            raise EOFError("the worker's output ended")
        chunks.append(chunk)
        left -= len(chunk)
    return b"".join(chunks)


def _collect(
    workers: list[_Worker],
    time_budget_s: float | None,
    give_up_s: float,
    max_programs: int,
    on_progress: Callable[[SearchProgress], None] | None,
    should_stop: Callable[[], bool] | None,
) -> list[Found]:
    started = time.monotonic()
    give_up_at = started + give_up_s
    stopped_at: float | None = None
    stopped_for_claim = False
    next_report = started
    while any(w.open for w in workers):
        for connection in wait([w.connection for w in workers if w.open], timeout=0.1):
            next(w for w in workers if w.connection is connection).read()
        now = time.monotonic()
        # a budget in seconds is not deterministic anyway: a claimed fit in one shard ends the others
        found_claim = time_budget_s is not None and any(w.found and _claims(w.found) for w in workers)
        if stopped_at is None and (found_claim or (should_stop is not None and should_stop()) or now > give_up_at):
            for worker in workers:
                worker.stop()  # every worker ends its search and sends what it has
            stopped_at, stopped_for_claim = now, found_claim
        if stopped_at is not None and now > stopped_at + STOP_WAIT_S:
            for worker in workers:
                if worker.open:
                    worker.lost = worker.late = True  # did not answer the stop in time
            break
        if on_progress is not None and now >= next_report:
            next_report = now + 0.25
            on_progress(_merged_progress(workers, time_budget_s, started))
    done = [w for w in workers if w.found is not None]
    lost = [w for w in workers if w.found is None]
    if not done:
        raise SearchWorkerDied(f"every one of the {len(workers)} offline search workers died before it finished ({_exits(lost)})")
    merged = merge([w.found for w in done], max_programs)
    if on_progress is not None:
        final = _merged_progress(workers, time_budget_s, started)
        # after a claimed fit, a shard too slow to answer the stop is just not waited for
        note = _lost_note([w for w in lost if not (w.late and stopped_for_claim)], len(workers))
        on_progress(
            SearchProgress(
                final.programs_tried, merged[0].correct if merged else 0, final.train_total, final.best, 0.0, final.programs_left, note
            )
        )
    return merged


def _claims(found: list[Found]) -> bool:
    return any(claimed(f, len(f.train_outputs)) for f in found)


def _merged_progress(workers: list[_Worker], time_budget_s: float | None, started: float) -> SearchProgress:
    seen = [w.progress for w in workers if w.progress is not None]
    best = max(seen, key=lambda p: p.best_correct, default=None)
    left = max(0.0, time_budget_s - (time.monotonic() - started)) if time_budget_s is not None else 0.0
    # a worker that has not reported yet has its whole program budget left
    programs_left = -1 if time_budget_s is not None else sum(max(0, w.progress.programs_left) if w.progress else w.budget for w in workers)
    return SearchProgress(
        programs_tried=sum(p.programs_tried for p in seen),
        best_correct=best.best_correct if best else 0,
        train_total=best.train_total if best else 0,
        best=best.best if best else "",
        seconds_left=left,
        programs_left=programs_left,
    )


def merge(results: list[list[Found]], limit: int) -> list[Found]:
    """Every shard's programs in one fixed order: full fits (claimed first, then by confidence,
    fewer steps, shard, order found), then partial fits by score; a repeat is kept once."""
    full, partial = [], []
    for part, found in enumerate(results):
        for order, f in enumerate(found):
            n = len(f.train_outputs)
            if f.correct == n:
                full.append(((not claimed(f, n), -confidence(f, n), len(f.steps), part, order), f))
            else:
                partial.append(((-f.correct, -f.cell_score, len(f.steps), part, order), f))
    merged, seen = [], set()
    for _, f in sorted(full, key=lambda x: x[0]) + sorted(partial, key=lambda x: x[0]):
        key = repr(f.steps)
        if key not in seen:
            seen.add(key)
            merged.append(f)
    return merged[:limit]


def _lost_note(lost: list[_Worker], total: int) -> str:
    if not lost:
        return ""
    notes = []
    for gone, how in (([w for w in lost if not w.late], "died"), ([w for w in lost if w.late], f"did not answer a stop within {STOP_WAIT_S:g} s")):
        if gone:
            shares = ", ".join(str(w.part + 1) for w in gone)
            why = f" ({_exits(gone)})" if how == "died" else ""
            notes.append(f"{len(gone)} of {total} offline search workers {how}{why}: share(s) {shares} of the first steps were not searched")
    return "; ".join(notes)


def _exits(workers: list[_Worker]) -> str:
    return "; ".join(dict.fromkeys(w.exit_text() for w in workers))


def work_main() -> None:
    """One shard, in this process: the request on stdin, messages on stdout, stop on more stdin."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C reaches the whole process group: the parent decides
    out = os.fdopen(os.dup(sys.stdout.fileno()), "wb")
    sys.stdout = sys.stderr  # nothing else may write into the message pipe
    request = pickle.load(sys.stdin.buffer)
    _die_with_parent(request.pop("parent"))
    name = request.pop("clock")
    clock = CLOCKS[name]
    sent_at = request.pop("sent_at")
    if name == "wall":  # the seconds this process took to start count against the wall budget
        request["time_budget_s"] = max(0.05, request["time_budget_s"] - max(0.0, time.time() - sent_at))
    stop = threading.Event()

    def watch_input() -> None:
        sys.stdin.buffer.read(1)  # a byte or the end of input (the parent is gone): stop
        stop.set()

    threading.Thread(target=watch_input, daemon=True).start()

    def send(kind: str, payload: Any) -> None:
        data = pickle.dumps((kind, payload))
        out.write(struct.pack(HEADER, len(data)) + data)
        out.flush()

    try:
        found = search_programs(**request, clock=clock, on_progress=lambda p: send("progress", p), should_stop=stop.is_set)
    except Exception as exc:  # noqa: BLE001 (a bug in a primitive must reach the user, not end as a silent lost share)
        send("error", f"{type(exc).__name__}: {exc}")
        os._exit(1)
    send("found", found)
    os._exit(0)  # not a normal exit: the thread still reading stdin would block the interpreter's shutdown


def _die_with_parent(parent: int) -> None:
    """SIGKILL this process when its parent dies (Linux); exit now if it already has."""
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL, 0, 0, 0)  # 1: PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass
    if os.getppid() != parent:
        os._exit(1)
