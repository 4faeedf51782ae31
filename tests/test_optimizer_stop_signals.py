"""Ctrl-C and SIGTERM stop `synth-lsp evolve` cleanly: the calls in flight finish and are saved,
nothing more is sent, and the report still comes out (issue 12, section 3)."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fake_openai import Reply
from synth_lsp.optimizer.population import Population, population_path_for

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"


@pytest.mark.parametrize("signal_number", [signal.SIGINT, signal.SIGTERM])
def test_a_signal_lets_the_calls_in_flight_finish_then_stops(signal_number, tmp_path, fake_openai):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(ARC / name, tmp_path / name)
    script = tmp_path / "007bbfb7.synth.py"
    lock, count = threading.Lock(), [0]

    def respond(body):
        with lock:
            count[0] += 1
            n = count[0]
        return Reply(f"```python\nk = {n}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```", delay_s=1.5)

    fake_openai.responder = respond
    command = [sys.executable, "-m", "synth_lsp", "evolve", str(script), "--model", "openai/x", "--api-base", fake_openai.api_base,
               "--generations", "5", "--children", "6", "--concurrency", "2", "--no-offline"]
    env = {**os.environ, "OPENAI_API_KEY": "dummy", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while len(fake_openai.chat_requests()) < 2:
            assert time.monotonic() < deadline and child.poll() is None, "the calls never started"
            time.sleep(0.05)
        child.send_signal(signal_number)
        asked = time.monotonic()
        out, err = child.communicate(timeout=30)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert time.monotonic() - asked < 15
    assert "Traceback" not in err and "stopping: the calls in flight finish" in err
    assert child.returncode == 1 and "# stopped: stopped by user" in out  # the report still comes out
    assert len(fake_openai.chat_requests()) == 2  # nothing sent after the signal
    stored = Population.load(population_path_for(script))
    assert stored.totals.calls == 2 and stored.totals.completion_tokens > 0  # the two calls' spend is kept
    assert sum(c.origin == "mutation" for c in stored.candidates.values()) == 2  # and what they made
