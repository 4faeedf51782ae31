"""The evolution worker: one OS process per script, so evolution never runs on the language server's
event loop or threads, and stopping it is a kill.

    python -m synth_lsp.workers.evolution_worker

The messages (a job in, progress and an end out, as JSON lines) are defined in `protocol.py`.

The population is saved beside the script after every generation, so a kill loses at most the
generation in flight and the next worker resumes from the file. API keys come from the environment.

The worker never outlives its driver: the kernel kills it when the driver dies
(`child_lifetime.die_with_parent`), and the end of its input without a stop command (the driver
closed the pipe, or is gone) ends it at once.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
from dataclasses import asdict
from typing import TextIO

from synth_lsp.workers.protocol import (
    ErrorEvent,
    Event,
    FinishedEvent,
    Job,
    ProgressEvent,
    ProtocolError,
    encode_event,
    event_from,
    is_stop,
)


EOF_SIGNAL_WAIT_S = 0.2


class _Channel:
    """The protocol's own handle on the real stdout. File descriptor 1 and sys.stdout are pointed at
    stderr, so neither a library nor a sandbox worker process (which inherits fd 1) can write into
    the protocol."""

    def __init__(self) -> None:
        sys.stdout.flush()
        self._out: TextIO = os.fdopen(os.dup(1), "w", encoding="utf-8", buffering=1)
        os.dup2(2, 1)
        sys.stdout = sys.stderr
        self._lock = threading.Lock()

    def send(self, event: Event) -> None:
        line = encode_event(event)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()


def _watch_stdin(stop: threading.Event) -> None:
    for line in sys.stdin:
        if is_stop(line):
            stop.set()  # finish the generation in flight, save, and exit
    # a signal that came with the end of input may not have reached its (main-thread) handler yet
    if not stop.wait(EOF_SIGNAL_WAIT_S):
        os._exit(0)  # input ended without a stop: the driver is gone; the last generation is saved


def _stop_on_signals(stop: threading.Event) -> None:
    """SIGTERM (and Ctrl-C) ask for the same stop as the stop command: the calls in flight finish
    within their timeout and their spend and candidates are saved; a driver's kill still ends it."""

    def ask(number, frame) -> None:
        stop.set()
        os.write(2, f"synth-lsp worker: {signal.Signals(number).name}: stopping after the calls in flight\n".encode())  # print may re-enter

    for number in (signal.SIGTERM, signal.SIGINT):
        signal.signal(number, ask)


def main() -> int:
    from synth_lsp.sandbox.child_lifetime import die_with_parent

    die_with_parent()
    channel = _Channel()
    try:
        job = Job.decode(sys.stdin.readline())
    except ProtocolError as exc:
        channel.send(ErrorEvent(str(exc)))
        return 2
    script_path, settings, text = job.script, job.settings, job.text
    stop = threading.Event()
    _stop_on_signals(stop)
    threading.Thread(target=_watch_stdin, args=(stop,), daemon=True, name="stdin").start()

    from synth_lsp.optimizer import EvolveConfig, EvolveError, PopulationError, run_evolve
    from synth_lsp.core.task import MAX_EXAMPLES_MB, TaskError, load_task_for_script

    try:
        config = EvolveConfig.from_settings(settings)
        max_mb = settings.get("examplesMaxMb") or MAX_EXAMPLES_MB
        task = load_task_for_script(script_path, text, max_mb)  # unsaved text: its own header names the task
    except (TaskError, OSError, ValueError) as exc:
        channel.send(ErrorEvent(str(exc)))
        return 2

    def on_progress(progress) -> None:
        channel.send(event_from(ProgressEvent, asdict(progress)))

    try:
        result = run_evolve(task, script_path, config, on_progress=on_progress, should_stop=stop.is_set, start_script=text)
    except (EvolveError, PopulationError) as exc:
        channel.send(ErrorEvent(str(exc)))
        return 1
    best = result.best
    finished = FinishedEvent(
        best_id=best.id,
        best_reward=best.train_reward,
        best_train_passed=best.train_passed,
        train_total=best.train_total,
        improved=result.improved,
        stop_reason=result.stop_reason,
        generations_run=result.generations_run,
        failures=result.failures[:5],
    )
    channel.send(finished)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
