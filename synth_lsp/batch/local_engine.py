"""The local engine: tasks in worker processes on this machine (one per core by default), each
with its own warm Monty pool. Workers die with the driver (a parent-death signal), ignore Ctrl-C
(the driver asks them to stop through a shared event, so calls in flight settle and are saved),
and a worker that dies mid-task costs only that try: the task is run again from its population."""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from synth_lsp.batch.report import TaskRow
from synth_lsp.batch.task_run import Job, run_job

WAKE = "wake"  # an event that only ends `poll`'s wait: a task's future is done

_events: Any = None  # in a worker: the queue progress goes to
_stop: Any = None  # in a worker: set when the driver asks every task to stop


def _init_worker(events, stop, parent_pid: int) -> None:
    global _events, _stop
    from synth_lsp.sandbox.child_lifetime import die_with_parent

    die_with_parent(parent_pid)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the driver's to handle
    _events, _stop = events, stop


def _run(job: Job) -> TaskRow:
    return run_job(job, lambda p: _events.put(("progress", job.name, p)), _stop.is_set)


class LocalEngine:
    """Runs jobs in `workers` processes; `poll` returns what happened since the last call."""

    retries = 1  # a job whose worker died is run once more (from its stored population)

    def __init__(self, workers: int):
        self.slots = max(1, workers)
        self._context = multiprocessing.get_context("spawn")  # no fork of a threaded driver
        self._events = self._context.Queue()
        self._stop = self._context.Event()
        self._pool: ProcessPoolExecutor | None = None
        self._futures: dict[Future, Job] = {}
        self._tries: dict[str, int] = {}

    def _executor(self) -> ProcessPoolExecutor:
        if self._pool is None:
            self._pool = ProcessPoolExecutor(self.slots, mp_context=self._context, initializer=_init_worker, initargs=(self._events, self._stop, os.getpid()))
        return self._pool

    def submit(self, job: Job) -> None:
        self._tries[job.name] = self._tries.get(job.name, 0) + 1
        future = self._executor().submit(_run, job)
        self._futures[future] = job
        # the end of a task (or the death of its worker) wakes `poll` at once, as its progress does
        future.add_done_callback(lambda _: self._events.put((WAKE, job.name, None)))

    def poll(self, timeout: float) -> list[tuple[str, str, Any]]:
        """What happened since the last call; waits up to `timeout` only while nothing has."""
        happened: list[tuple[str, str, Any]] = []
        if not any(f.done() for f in self._futures):
            try:
                happened.append(self._events.get(timeout=timeout))
            except queue.Empty:
                pass
        try:
            while True:
                happened.append(self._events.get_nowait())
        except queue.Empty:
            pass
        happened = [h for h in happened if h[0] != WAKE]
        broken = False
        for future in [f for f in self._futures if f.done()]:
            job = self._futures.pop(future)
            try:
                happened.append(("done", job.name, future.result()))
            except BrokenProcessPool:
                broken = True
                happened.append(self._retry_or_fail(job, "its worker process died"))
            except Exception as exc:
                happened.append(("done", job.name, TaskRow(task=job.name, script=str(job.script), state="error", error=f"{type(exc).__name__}: {exc}")))
        if broken:
            self._pool = None  # the next submit starts a fresh pool
        return happened

    def _retry_or_fail(self, job: Job, why: str) -> tuple[str, str, Any]:
        if self._tries.get(job.name, 0) <= self.retries and not self._stop.is_set():
            return ("retry", job.name, job)
        return ("done", job.name, TaskRow(task=job.name, script=str(job.script), state="error", error=f"{why} (tried {self._tries[job.name]} times)"))

    def running(self) -> int:
        return len(self._futures)

    def stop(self) -> None:
        self._stop.set()

    def close(self, kill: bool = False) -> None:
        pool, self._pool = self._pool, None
        if pool is None:
            return
        if kill:
            for process in list(getattr(pool, "_processes", {}).values()):
                process.kill()
        pool.shutdown(wait=not kill, cancel_futures=True)
