"""Issue 16, processes: however the server ends (exit after shutdown, exit alone, the end of its
input, SIGTERM, SIGINT, SIGKILL), it leaves within 2 s and so does every process below it: the
sandbox workers of its runs, the evolution workers and their own sandbox workers. Each test busies
all of them (two evolutions scoring looping candidates, a script looping in a run), counts the
processes under the server, ends it, and checks that every one of them is gone."""

from __future__ import annotations

import itertools
import os
import shutil
import signal
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply
from hardening_wire import WireClient, descendants, wait_gone
from server_client import EXAMPLES

EXIT_WITHIN_S = 2.0
SLACK_S = 1.0  # the machine is shared: a bounded allowance for scheduling, not for waiting on work
LOOP = "# synth: examples = 007bbfb7.json\n# synth: time_limit = 30\nwhile True:\n    pass\n"
IDENTITY = '# synth: examples = 007bbfb7.json\nresult = {"output_grid": inputs["input_grid"]}\n'


def looping_candidates() -> FakeOpenAI:
    """A model whose every proposal loops for 30 s (each one new, so each is scored)."""
    counter = itertools.count()
    reply = lambda body: Reply(f"```python\n# candidate {next(counter)}\n# synth: time_limit = 30\nwhile True:\n    pass\n```\n")
    return FakeOpenAI(responder=reply)


def evolving_server(root: Path, model: FakeOpenAI) -> tuple[WireClient, dict[int, tuple[str, int]]]:
    """A server with two evolutions and one looping run under way; its processes, counted."""
    shutil.copy(EXAMPLES / "007bbfb7.json", root / "007bbfb7.json")
    for name, text in (("a", IDENTITY), ("b", IDENTITY), ("loop", LOOP)):
        (root / f"{name}.synth.py").write_text(text)
    client = WireClient()
    settings = {
        "model": "openai/scripted", "apiBase": model.api_base, "useOffline": False,
        "populationSize": 2, "generations": 50, "patience": 50, "timeLimit": 30,
    }
    client.initialize(settings, root=root)
    client.open(root / "loop.synth.py")
    for name in ("a", "b"):
        uri = client.open(root / f"{name}.synth.py")
        answer = client.call("workspace/executeCommand", {"command": "synthLsp.evolve.start", "arguments": [uri]})
        assert answer["result"]["started"], answer

    def busy() -> bool:
        tree = descendants(client.pid)
        workers = [pid for pid, (cmd, _) in tree.items() if "evolution_worker" in cmd]
        monty = [pid for pid, (cmd, _) in tree.items() if "monty" in cmd]
        under_workers = [pid for pid in workers if descendants(pid)]
        return len(workers) == 2 and len(under_workers) == 2 and len(monty) >= 3  # the server's own, and one under each worker

    client.wait_until(busy, 60, "two evolution workers scoring candidates and a run in flight")
    time.sleep(0.5)  # let each candidate's run get going
    return client, descendants(client.pid)


def assert_all_gone(client: WireClient, processes: dict[int, tuple[str, int]], returncode: int | None) -> None:
    started = time.monotonic()
    try:
        code = client.process.wait(EXIT_WITHIN_S + SLACK_S)
    except Exception:
        raise AssertionError(f"the server still runs {EXIT_WITHIN_S + SLACK_S} s later")
    left = wait_gone(processes, EXIT_WITHIN_S + SLACK_S - (time.monotonic() - started) + EXIT_WITHIN_S)
    assert not left, f"outlived the server: {left}"
    if returncode is not None:
        assert code == returncode


@pytest.fixture
def model():
    with looping_candidates() as server:
        yield server


@pytest.mark.slow
@pytest.mark.parametrize("ending", ["shutdown-exit", "exit", "stdin-eof", "SIGTERM", "SIGINT", "SIGKILL"])
def test_every_process_ends_with_the_server(tmp_path: Path, model: FakeOpenAI, ending: str):
    client, processes = evolving_server(tmp_path, model)
    try:
        assert len(processes) >= 5, processes
        expected: int | None = None
        if ending == "shutdown-exit":
            assert "result" in client.response(client.request("shutdown", omit_params=True))
            client.notify("exit")
            expected = 0
        elif ending == "exit":
            client.notify("exit")
            expected = 1  # LSP: exit without shutdown
        elif ending == "stdin-eof":
            client.process.stdin.close()
        else:
            client.process.send_signal(getattr(signal, ending))
        assert_all_gone(client, processes, expected)
    finally:
        client.close()


@pytest.mark.slow
def test_an_orphaned_evolution_worker_and_its_sandbox_die_with_their_parent(tmp_path: Path, model: FakeOpenAI):
    """SIGKILL reaches no handler: the children must notice on their own, the evolution worker and,
    under it, its own sandbox workers (the server's are checked by the SIGKILL case above)."""
    client, processes = evolving_server(tmp_path, model)
    try:
        workers = [pid for pid, (cmd, _) in processes.items() if "evolution_worker" in cmd]
        client.wait_until(lambda: any(descendants(pid) for pid in workers), 30, "an evolution worker with a sandbox worker")
        worker = next(pid for pid in workers if descendants(pid))
        below = descendants(worker)
        os.kill(worker, signal.SIGKILL)
        assert not wait_gone(below, EXIT_WITHIN_S + SLACK_S), "a sandbox worker outlived its evolution worker"
        # and the server carries on: it reports the crash and still answers
        assert "result" in client.call("textDocument/codeLens", {"textDocument": {"uri": (tmp_path / "a.synth.py").as_uri()}})
    finally:
        client.close()


@pytest.mark.slow
def test_closing_a_script_stops_its_evolution(tmp_path: Path, model: FakeOpenAI):
    client, processes = evolving_server(tmp_path, model)
    try:
        uri = (tmp_path / "a.synth.py").resolve().as_uri()
        workers = {pid: info for pid, info in processes.items() if "evolution_worker" in info[0]}
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        deadline = time.monotonic() + 6.0  # a polite stop: the generation in flight has 3 s, then a kill
        while time.monotonic() < deadline and len(wait_gone(workers, 0)) == 2:
            client.pump(0.1)
        assert len(wait_gone(workers, 0)) == 1, "closing the script left its evolution running"
    finally:
        client.close()


def test_a_client_that_stops_reading_ends_the_server(tmp_path: Path):
    """The editor closed the pipe the server writes to, but not the one it reads: the next write
    fails, and the server leaves instead of running on for nobody."""
    shutil.copy(EXAMPLES / "007bbfb7.json", tmp_path / "007bbfb7.json")
    (tmp_path / "007bbfb7.synth.py").write_text('result = {"output_grid": inputs["input_grid"]}\n')
    client = WireClient()
    try:
        client.initialize(root=tmp_path)
        processes = descendants(client.pid)
        client.process.stdout.close()
        client.open(tmp_path / "007bbfb7.synth.py")  # its run publishes diagnostics: a write
        client.process.wait(30)  # bounded: the run itself may take a moment on a busy machine
        assert not wait_gone(processes, EXIT_WITHIN_S + SLACK_S)
        assert "Traceback" not in client.stderr_text()
    finally:
        client.close()


@pytest.mark.slow
def test_closing_a_script_stops_the_evolution_auto_evolve_started(tmp_path: Path, model: FakeOpenAI):
    shutil.copy(EXAMPLES / "007bbfb7.json", tmp_path / "007bbfb7.json")
    (tmp_path / "a.synth.py").write_text(IDENTITY)
    client = WireClient()
    try:
        settings = {"model": "openai/scripted", "apiBase": model.api_base, "useOffline": False, "autoEvolve": True,
                    "populationSize": 2, "generations": 50, "patience": 50}
        client.initialize(settings, root=tmp_path)
        uri = client.open(tmp_path / "a.synth.py")
        client.wait_until(lambda: any("evolution_worker" in c for c, _ in descendants(client.pid).values()), 60, "autoEvolve's worker")
        workers = {pid: info for pid, info in descendants(client.pid).items() if "evolution_worker" in info[0]}
        client.notify("textDocument/didClose", {"textDocument": {"uri": uri}})
        deadline = time.monotonic() + 6.0  # a polite stop: the generation in flight has 3 s, then a kill
        while time.monotonic() < deadline and wait_gone(workers, 0):
            client.pump(0.1)
        assert not wait_gone(workers, 0), "closing the script left autoEvolve's worker running"
    finally:
        client.close()
