"""SIGTERM to the evolution worker is a stop, as the stop command is: the calls in flight finish,
their spend and candidates are saved, and the worker reports how it ended (issue 12, section 3)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from fake_openai import Reply
from server_client import EXAMPLES, REPO

from synth_lsp.optimizer.population import Population, population_path_for
from synth_lsp.workers.protocol import WORKER_MODULE, FinishedEvent, Job, decode_event

IDENTITY = 'result = {"output_grid": inputs["input_grid"]}\n'


def test_sigterm_lets_the_calls_in_flight_finish_and_keeps_their_spend(
    tmp_path: Path, fake_openai
):
    (tmp_path / "x.json").write_text((EXAMPLES / "007bbfb7.json").read_text())
    script = tmp_path / "x.synth.py"
    script.write_text(IDENTITY)
    lock, count = threading.Lock(), [0]

    def respond(body):
        with lock:
            count[0] += 1
            n = count[0]
        return Reply(
            f"```python\nk = {n}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```",
            delay_s=1.5,
        )

    fake_openai.responder = respond
    settings = {
        "model": "openai/x",
        "apiBase": fake_openai.api_base,
        "generations": 50,
        "patience": 0,
        "populationSize": 4,
        "useOffline": False,
    }
    env = {**os.environ, "PYTHONPATH": str(REPO), "OPENAI_API_KEY": "dummy"}
    worker = subprocess.Popen(
        [sys.executable, "-m", WORKER_MODULE],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    )
    try:
        worker.stdin.write(Job(script, settings).encode())
        worker.stdin.flush()
        deadline = time.monotonic() + 60
        while not fake_openai.chat_requests():
            assert time.monotonic() < deadline and worker.poll() is None, (
                "no call started"
            )
            time.sleep(0.05)
        in_flight = len(fake_openai.chat_requests())
        worker.send_signal(signal.SIGTERM)
        out, err = worker.communicate(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(10)
    events = [decode_event(line) for line in out.decode().splitlines() if line.strip()]
    assert isinstance(events[-1], FinishedEvent), (events[-1:], err.decode()[-2000:])
    assert events[-1].stop_reason == "stopped by user"
    assert b"SIGTERM: stopping" in err and b"Traceback" not in err
    sent = len(fake_openai.chat_requests())
    assert sent == in_flight  # nothing new was sent after the signal
    stored = Population.load(population_path_for(script))
    assert (
        stored.totals.calls == sent and stored.totals.completion_tokens > 0
    )  # the spend of the calls in flight is kept
    assert (
        sum(c.origin == "mutation" for c in stored.candidates.values()) == sent
    )  # and what they made
