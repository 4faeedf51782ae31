"""The evolution worker: one OS process per script, so evolution never runs on the language server's
event loop or threads, and stopping it is a kill.

    python -m synth_lsp.workers.evolution_worker

Protocol, JSON lines:
- stdin, first line: ``{"script": "/abs/NAME.synth.py", "settings": {<the synthLsp settings>}, "text": "..."}``
  (``text``, optional: the editor's text to start from when it differs from the file);
  later lines: ``{"command": "stop"}`` (finish the generation in flight, save, exit). End of input
  (the server went away) stops it too.
- stdout: ``{"event": "progress", ...}`` after every generation, then ``{"event": "finished", ...}``,
  or ``{"event": "error", "message": ...}`` when the run cannot go on (bad settings, broken
  examples, a model that refuses the key: a restart would fail the same way). Nothing else is written to
  stdout: anything a library prints goes to stderr.

The population is saved beside the script after every generation, so a kill loses at most the
generation in flight and the next worker resumes from the file. API keys come from the environment.
"""

from __future__ import annotations

import json
import os
import sys
import threading
from dataclasses import asdict
from pathlib import Path
from typing import Any, TextIO


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

    def send(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, **fields}, default=str)
        with self._lock:
            self._out.write(line + "\n")
            self._out.flush()


def _watch_stdin(stop: threading.Event) -> None:
    for line in sys.stdin:
        try:
            message = json.loads(line)
        except ValueError:
            continue
        if isinstance(message, dict) and message.get("command") == "stop":
            stop.set()
    stop.set()  # the server closed our input: it is gone or wants us gone


def main() -> int:
    channel = _Channel()
    try:
        job = json.loads(sys.stdin.readline() or "{}")
        script_path = Path(job["script"])
        settings = job.get("settings") or {}
        text = job.get("text")
        if text is not None and not isinstance(text, str):
            raise TypeError("text must be a string")
    except (ValueError, KeyError, TypeError) as exc:
        channel.send("error", message=f"bad job for the evolution worker: {exc}")
        return 2
    stop = threading.Event()
    threading.Thread(target=_watch_stdin, args=(stop,), daemon=True, name="stdin").start()

    from synth_lsp.optimizer import EvolveConfig, EvolveError, PopulationError, run_evolve
    from synth_lsp.core.task import TaskError, load_task_for_script

    try:
        config = EvolveConfig.from_settings(settings)
        task = load_task_for_script(script_path)
    except (TaskError, OSError, ValueError) as exc:
        channel.send("error", message=str(exc))
        return 2

    def on_progress(progress) -> None:
        channel.send("progress", **asdict(progress))

    try:
        result = run_evolve(task, script_path, config, on_progress=on_progress, should_stop=stop.is_set, start_script=text)
    except (EvolveError, PopulationError) as exc:
        channel.send("error", message=str(exc))
        return 1
    best = result.best
    channel.send(
        "finished",
        best_id=best.id,
        best_reward=best.train_reward,
        best_train_passed=best.train_passed,
        train_total=best.train_total,
        improved=result.improved,
        stop_reason=result.stop_reason,
        generations_run=result.generations_run,
        failures=result.failures[:5],
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
