"""Issue 16, the evolution worker: started on unsaved text it reads the task from that text's header
(not from the header on disk), and it ends as soon as its input ends without a stop."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from server_client import EXAMPLES, REPO

from synth_lsp.workers.protocol import (
    WORKER_MODULE,
    ErrorEvent,
    FinishedEvent,
    Job,
    decode_event,
)

IDENTITY = 'result = {"output_grid": inputs["input_grid"]}\n'
SETTINGS = {"generations": 1, "populationSize": 2, "patience": 0, "useOffline": True}


def start_worker(job: Job) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    worker = subprocess.Popen([sys.executable, "-m", WORKER_MODULE], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env)
    worker.stdin.write(job.encode())
    worker.stdin.flush()
    return worker


def test_unsaved_text_names_its_own_examples(tmp_path: Path):
    (tmp_path / "task.json").write_text((EXAMPLES / "007bbfb7.json").read_text())
    script = tmp_path / "x.synth.py"
    script.write_text(IDENTITY)  # on disk: no header, and no x.json beside it
    text = "# synth: examples = task.json\n" + IDENTITY  # the editor's text names the task
    worker = start_worker(Job(script, SETTINGS, text))
    try:
        events = [decode_event(line) for line in worker.stdout]
    finally:
        worker.kill()
        worker.wait(10)
    ends = [e for e in events if isinstance(e, (FinishedEvent, ErrorEvent))]
    assert ends and isinstance(ends[-1], FinishedEvent), ends
    assert script.read_text() == IDENTITY  # the file is left alone


def test_the_worker_ends_when_its_input_ends_without_a_stop(tmp_path: Path):
    (tmp_path / "x.json").write_text((EXAMPLES / "007bbfb7.json").read_text())
    script = tmp_path / "x.synth.py"
    script.write_text(IDENTITY)
    worker = start_worker(Job(script, {**SETTINGS, "generations": 10_000, "patience": 10_000}))
    try:
        first = worker.stdout.readline()
        assert json.loads(first)["event"] == "progress"
        worker.stdin.close()  # the driver went away
        started = time.monotonic()
        worker.wait(10)
        assert time.monotonic() - started < 3.0
    finally:
        worker.kill()
        worker.wait(10)
