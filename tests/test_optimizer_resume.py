"""Killing an evolution in the middle of a generation loses at most that generation; a new run resumes."""

from __future__ import annotations

import json
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
from synth_lsp.optimizer.omega import EvolveConfig, run_evolve
from synth_lsp.optimizer.population import Population, population_path_for
from synth_lsp.sandbox.runner import Sandbox
from synth_lsp.core.task import load_task_for_script

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"

CHILD = """
import json, sys
from pathlib import Path
from synth_lsp.optimizer import EvolveConfig, run_evolve
from synth_lsp.core.task import load_task_for_script

script = Path(sys.argv[1])
config = EvolveConfig(**json.loads(sys.argv[2]))
run_evolve(load_task_for_script(script), script, config,
           on_progress=lambda p: print("generation", p.generation, file=sys.stderr, flush=True))
"""


def variant(n: int) -> Reply:
    return Reply(f"```python\nk = {n}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```")


def test_kill_mid_generation_then_resume(tmp_path, fake_openai):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(ARC / name, tmp_path / name)
    script = tmp_path / "007bbfb7.synth.py"
    store = population_path_for(script)
    lock = threading.Lock()
    calls = {"n": 0}

    def responder(body):
        with lock:
            calls["n"] += 1
            n = calls["n"]
        if n <= 2:
            return variant(n)  # generation 1: two quick replies
        return Reply("too slow", delay_s=30)  # generation 2 hangs until the kill

    fake_openai.responder = responder
    settings = dict(
        model="openai/x", api_base=fake_openai.api_base, population_size=4, children_per_generation=2,
        generations=5, patience=0, concurrency=2, retry_attempts=1, request_timeout_s=60, time_limit_s=1.0, seed=1,
    )
    env = {**os.environ, "OPENAI_API_KEY": "dummy", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(script), json.dumps(settings)],
        cwd=tmp_path, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if child.poll() is not None:
                pytest.fail(f"the evolution ended early: {child.stderr.read().decode()[-2000:]}")
            generation_one_saved = store.exists() and json.loads(store.read_text())["generation"] == 1
            if generation_one_saved and len(fake_openai.chat_requests()) >= 4:
                break  # generation 2's calls are in flight
            time.sleep(0.1)
        else:
            pytest.fail("generation 2 never started")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stdout.close()
        child.stderr.close()

    stored = Population.load(store)  # a complete file: the last finished generation
    assert stored.generation == 1
    ids_after_one = set(stored.candidates)
    assert len(ids_after_one) == 3  # the seed and generation 1's two children
    assert stored.totals.calls == 2

    fake_openai.responder = lambda body: variant(100 + len(fake_openai.chat_requests()))
    config = EvolveConfig(**{**settings, "generations": 1}, api_key="dummy")
    with Sandbox(processes=2) as sandbox:
        result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    resumed = Population.load(store)
    assert resumed.generation == 2 and result.generations_run == 1
    assert ids_after_one <= set(resumed.candidates)  # nothing from before the kill is lost
    assert {c.generation for c in resumed.candidates.values()} == {0, 1, 2}
    assert result.start.origin == "seed"  # the same file: not re-added as a user edit
    assert len(resumed.runs) == 2 and resumed.totals.calls == 4
