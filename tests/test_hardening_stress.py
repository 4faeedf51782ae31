"""Issue 16, a stress test of the whole server: many scripts, an evolution, edits and saves every few
milliseconds, requests good and bad, for a bounded time. Then: every request was answered, every
open script's latest version was published, every saved file holds what was saved (the server
never writes a script), the population file is whole, the server exits cleanly and every process
under it is gone."""

from __future__ import annotations

import itertools
import json
import os
import random
import shutil
import time
from pathlib import Path

import pytest
from fake_openai import FakeOpenAI, Reply
from hardening_wire import WireClient, descendants, wait_gone
from server_client import EXAMPLES
from solutions import FRACTAL_007BBFB7, IDENTITY

STRESS_S = float(os.environ.get("SYNTH_STRESS_S", "12"))
SETTLE_S = 60.0  # bounded wait for the last answers and publications on a shared machine
HEADER = "# synth: examples = 007bbfb7.json\n"
VARIANTS = [
    IDENTITY,
    FRACTAL_007BBFB7,
    'result = {"output_grid": [[0] * 9 for _ in range(9)]}\n',
    "# synth: time_limit = 0.5\nwhile True:\n    pass\n",
    "x = inputs['input_grid'][99]\nresult = {'output_grid': x}\n",
    "def broken(:\n    pass\n",
    "import numpy\nresult = 1\n",
    "print('hello')\nresult = {'output_grid': inputs['input_grid']}\r\n",
]


def write_atomically(path: Path, text: str) -> None:
    """As an editor saves: a new file renamed over the old one."""
    tmp = path.with_name(path.name + ".saving")
    tmp.write_bytes(text.encode())
    os.replace(tmp, path)


def fenced_candidates() -> FakeOpenAI:
    counter = itertools.count()
    return FakeOpenAI(responder=lambda body: Reply(f"```python\n# candidate {next(counter)}\n{IDENTITY}```\n"))


@pytest.mark.slow
def test_the_server_under_a_storm_of_edits_saves_and_requests(tmp_path: Path):
    rng = random.Random(16)
    shutil.copy(EXAMPLES / "007bbfb7.json", tmp_path / "007bbfb7.json")
    examples_before = (tmp_path / "007bbfb7.json").read_bytes()
    scripts = [tmp_path / f"s{i}.synth.py" for i in range(8)]
    versions: dict[Path, int] = {}
    saved: dict[Path, str] = {}  # what is on disk
    current: dict[Path, str] = {}  # what the editor holds
    with fenced_candidates() as model:
        client = WireClient()
        try:
            settings = {
                "runTrigger": "change", "debounceMs": 5, "timeLimit": 1,
                "model": "openai/scripted", "apiBase": model.api_base, "useOffline": False,
                "populationSize": 3, "generations": 1000, "patience": 1000,
            }
            client.initialize(settings, {"runResult": True}, root=tmp_path)
            for i, path in enumerate(scripts):
                text = HEADER + VARIANTS[i % len(VARIANTS)]
                write_atomically(path, text)
                saved[path] = current[path] = text
                versions[path] = 1
                client.open(path, text)
            evolving = scripts[0].resolve().as_uri()
            assert client.call("workspace/executeCommand", {"command": "synthLsp.evolve.start", "arguments": [evolving]})["result"]["started"]

            requests: list[int] = []
            deadline = time.monotonic() + STRESS_S
            while time.monotonic() < deadline:
                path = rng.choice(scripts)
                uri = path.resolve().as_uri()
                action = rng.random()
                if action < 0.45:  # an edit
                    versions[path] += 1
                    text = HEADER + rng.choice(VARIANTS) + f"# edit {versions[path]}\n"
                    change = {"textDocument": {"uri": uri, "version": versions[path]}, "contentChanges": [{"text": text}]}
                    client.notify("textDocument/didChange", change)
                    current[path] = text
                elif action < 0.6:  # a save of the current text
                    text = current[path]
                    write_atomically(path, text)
                    saved[path] = text
                    client.notify("textDocument/didSave", {"textDocument": {"uri": uri}})
                elif action < 0.75:
                    position = {"line": rng.randrange(0, 12), "character": rng.randrange(0, 40)}
                    requests.append(client.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position}))
                elif action < 0.85:
                    requests.append(client.request("textDocument/codeLens", {"textDocument": {"uri": uri}}))
                elif action < 0.9:
                    rng_ = {"start": {"line": 0, "character": 0}, "end": {"line": 3, "character": 0}}
                    params = {"textDocument": {"uri": uri}, "range": rng_, "context": {"diagnostics": []}}
                    requests.append(client.request("textDocument/codeAction", params))
                elif action < 0.95:
                    requests.append(client.request("workspace/executeCommand", {"command": "synthLsp.population", "arguments": [evolving]}))
                else:  # malformed: must be answered all the same
                    requests.append(client.request("textDocument/hover", rng.choice([None, [], {"textDocument": 3}])))
                client.pump(0.002)

            # every request answered
            for msg_id in requests:
                client.response(msg_id, SETTLE_S)
            # every open script's latest version published
            def latest_published() -> bool:
                published = {}
                for message in client.notifications("textDocument/publishDiagnostics"):
                    published[message["params"]["uri"]] = message["params"].get("version")
                return all(published.get(p.resolve().as_uri()) == versions[p] for p in scripts)

            client.wait_until(latest_published, SETTLE_S, "the latest version of every script published")
            processes = descendants(client.pid)
            assert any("evolution_worker" in command for command, _ in processes.values())

            # the files: what was saved, whole; the server wrote none of them
            for path in scripts:
                assert path.read_bytes() == saved[path].encode(), path
            assert (tmp_path / "007bbfb7.json").read_bytes() == examples_before
            population = tmp_path / "s0.synth.population.json"
            if population.exists():
                json.loads(population.read_text())

            # a clean exit, and nothing left behind
            assert "result" in client.response(client.request("shutdown", omit_params=True), SETTLE_S)
            client.notify("exit")
            assert client.process.wait(5) == 0
            assert not wait_gone(processes, 5), "processes outlived the server"
            # checked once every writer is gone: while the evolution runs, a save may be mid-rename
            leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith((".tmp", ".saving"))]
            assert not leftovers, leftovers
            log = client.stderr_text()
            assert "Traceback" not in log, log[-3000:]
        finally:
            client.close()
