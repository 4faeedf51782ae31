"""`--engine ray` on a real Ray cluster on loopback: a head and a second node started as separate
processes with `ray start`, inside a network namespace that has only loopback (so nothing leaves
the machine; tests/ray_cluster.py runs there). The batch gives the local engine's verdicts, and
killing the second node while it runs a generation still completes the batch, nothing lost."""

from __future__ import annotations

import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
EASY = ("007bbfb7", "0d3d703e", "25ff71a9", "3c9b0459")
BATCH_ARGS = ["--offline-time", "6", "--population-size", "4"]
DETERMINISTIC_ARGS = ["--offline-programs", "20000", "--population-size", "4"]

ray = pytest.importorskip("ray", reason="Ray is not installed: pip install 'synth-lsp[ray]'")


def namespace_problem() -> str:
    if shutil.which("unshare") is None or shutil.which("ip") is None:
        return "needs util-linux `unshare` and iproute2 `ip` to make a loopback-only network namespace"
    probe = subprocess.run(["unshare", "--net", "sh", "-c", "ip link set lo up"], capture_output=True, text=True)
    if probe.returncode != 0:
        return f"cannot make a network namespace here (needs root or user namespaces): {probe.stderr.strip()[:200]}"
    return ""


pytestmark = pytest.mark.skipif(bool(namespace_problem()), reason=namespace_problem() or "ok")


def make_tasks(folder: Path) -> None:
    """The four example tasks, and two of noise (no rule: the offline search spends its whole time,
    so a generation is surely running when the second node is killed)."""
    folder.mkdir(parents=True)
    for name in EASY:
        shutil.copy(ARC / f"{name}.json", folder)
    rng = random.Random(7)

    def grid(h, w):
        return [[rng.randrange(10) for _ in range(w)] for _ in range(h)]

    for n in (1, 2):
        task = {"train": [{"input": grid(4, 4), "output": grid(2 + k, 3)} for k in range(3)], "test": [{"input": grid(4, 4), "output": grid(2, 2)}]}
        (folder / f"00noise{n}.json").write_text(json.dumps(task))


def verdicts(out: Path, best: bool = False) -> dict[str, tuple]:
    """Each task's verdicts; with `best`, also which script is the best and the confidence in it."""
    data = json.loads((out / "report.json").read_text())
    return {
        t["task"]: (t["state"], t["fits_train"], t["train_passed"], t["train_total"], t["test"]) + ((t["best_id"], t["best_confidence"]) if best else ())
        for t in data["tasks"]
    }


def local_run(work: Path, args: list[str]) -> Path:
    make_tasks(work / "tasks")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "synth_lsp", "evolve", str(work / "tasks"), "--out", str(work / "out"), *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 1, done.stderr  # the noise tasks fit nothing
    return work / "out"


@pytest.fixture(scope="module")
def local_verdicts(tmp_path_factory):
    return verdicts(local_run(tmp_path_factory.mktemp("local"), BATCH_ARGS))


def on_cluster(work: Path, mode: str, args: list[str] = BATCH_ARGS) -> dict:
    make_tasks(work / "tasks")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BATCH_ARGS": json.dumps(args)}
    done = subprocess.run(
        ["unshare", "--net", sys.executable, str(ROOT / "tests" / "ray_cluster.py"), str(work), mode], env=env, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["head"] == 0 and result["node2"] == 0, result["start_errors"]
    return result


def test_the_ray_engine_gives_the_local_engines_verdicts(tmp_path, local_verdicts):
    result = on_cluster(tmp_path, "same")
    assert result["returncode"] == 1, result["stderr"]
    assert verdicts(tmp_path / "out-ray") == local_verdicts
    assert sum(v[1] for v in local_verdicts.values()) == 4  # the example tasks fit, the noise does not
    # only the driver wrote into --out: the populations and the report, nothing from the workers
    names = sorted(p.name for p in (tmp_path / "out-ray").iterdir())
    assert names == sorted(
        ["report.csv", "report.html", "report.json"]
        + [f"{n}.synth.py" for n in (*EASY, "00noise1", "00noise2")]
        + [f"{n}.synth.population.json" for n in (*EASY, "00noise1", "00noise2")]
    )


def test_with_a_budget_in_programs_the_ray_engine_finds_the_local_engines_best_scripts(tmp_path):
    """A budget in programs tried does the same work wherever it runs: not only the verdicts but
    the best script of every task (and the offline model's confidence in it) are the local engine's."""
    local = verdicts(local_run(tmp_path / "local", DETERMINISTIC_ARGS), best=True)
    result = on_cluster(tmp_path / "ray", "same", DETERMINISTIC_ARGS)
    assert result["returncode"] == 1, result["stderr"]
    assert verdicts(tmp_path / "ray" / "out-ray", best=True) == local
    assert sum(v[1] for v in local.values()) == 4 and all(v[6] is not None for v in local.values() if v[1])


def test_the_ray_engines_poll_returns_at_the_first_finished_task(tmp_path):
    """One quick task and one of noise that searches for 15 s, on the two nodes at once: the first
    `poll` that returns anything brings the quick one while the noise still runs (not both at the end)."""
    (tmp_path / "tasks").mkdir()
    shutil.copy(ARC / f"{EASY[0]}.json", tmp_path / "tasks")
    rng = random.Random(3)
    noise = {"train": [{"input": [[rng.randrange(10) for _ in range(4)] for _ in range(4)], "output": [[rng.randrange(10)] * 3] * (2 + k)} for k in range(3)]}
    noise["test"] = [{"input": [[1, 2], [3, 4]], "output": [[1]]}]
    (tmp_path / "tasks" / "00noise.json").write_text(json.dumps(noise))
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BATCH_ARGS": json.dumps(["--offline-time", "15", "--population-size", "4"])}
    done = subprocess.run(
        ["unshare", "--net", sys.executable, str(ROOT / "tests" / "ray_cluster.py"), str(tmp_path), "poll"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["head"] == 0 and result["node2"] == 0, result["start_errors"]
    assert result["first_done"] == [EASY[0]] and result["running_after_first"] == 1, result
    assert result["all_seconds"] > result["first_seconds"], result


def test_killing_the_second_node_mid_run_still_completes_the_batch(tmp_path, local_verdicts):
    started = time.monotonic()
    result = on_cluster(tmp_path, "kill")
    assert result["killed"]["killed"] and result["killed"]["batch_still_running"], result
    assert result["returncode"] == 1, result["stderr"]
    assert verdicts(tmp_path / "out-ray") == local_verdicts  # the lost generation was run again
    data = json.loads((tmp_path / "out-ray" / "report.json").read_text())
    assert data["totals"]["tasks"] == 6 and data["totals"]["errors"] == 0
    for task in data["tasks"]:  # every population came back; one generation each (offline), none counted twice
        population = json.loads((tmp_path / "out-ray" / f"{task['task']}.synth.population.json").read_text())
        assert population["generation"] == task["generation"] == 1
    assert time.monotonic() - started < 600


def test_a_ray_address_that_does_not_answer_is_said_within_seconds(tmp_path):
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    shutil.copy(ARC / "007bbfb7.json", tmp_path)
    started = time.monotonic()
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "synth_lsp",
            "evolve",
            str(tmp_path / "007bbfb7.json"),
            "--out",
            str(tmp_path / "out"),
            "--engine",
            "ray",
            "--ray-address",
            f"127.0.0.1:{port}",
        ],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2 and f"the Ray cluster at 127.0.0.1:{port} does not answer" in done.stderr, done.stderr
    assert time.monotonic() - started < 15
    assert not (tmp_path / "out").exists()  # refused before anything was written
    bad = subprocess.run(
        [sys.executable, "-m", "synth_lsp", "evolve", str(tmp_path / "007bbfb7.json"), "--engine", "ray", "--ray-address", "nowhere"],
        env={**os.environ, "PYTHONPATH": str(ROOT)},
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "expected HOST:PORT" in bad.stderr


def test_api_keys_reach_the_workers_through_the_runtime_env_and_no_file(tmp_path):
    """The nodes are started without the key; only the batch's environment has it. The workers'
    model calls reach the (fake, in-namespace) provider, so the key got there; no file of Ray's
    session or of --out holds it."""
    (tmp_path / "tasks").mkdir()
    for name in EASY[:2]:
        shutil.copy(ARC / f"{name}.json", tmp_path / "tasks")
    key = "sk-ray-runtime-env-" + os.urandom(6).hex()
    args = [
        "--model",
        "openai/x",
        "--max-calls-per-task",
        "4",
        "--population-size",
        "2",
        "--children",
        "2",
        "--generations",
        "5",
        "--patience",
        "0",
        "--concurrency",
        "2",
        "--request-timeout",
        "10",
    ]
    env = {**os.environ, "PYTHONPATH": str(ROOT), "BATCH_ARGS": json.dumps(args), "BATCH_KEY": key}
    env.pop("OPENAI_API_KEY", None)
    done = subprocess.run(
        ["unshare", "--net", sys.executable, str(ROOT / "tests" / "ray_cluster.py"), str(tmp_path), "model"],
        env=env,
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["head"] == 0 and result["node2"] == 0, result["start_errors"]
    data = json.loads((tmp_path / "out-ray" / "report.json").read_text())
    assert data["totals"]["errors"] == 0, result["stderr"]
    assert [t["calls"] for t in data["tasks"]] == [4, 4] and [t["stop_reason"] for t in data["tasks"]] == ["budget: 4 calls reached"] * 2
    assert result["chat_requests"] == 8 == data["totals"]["calls"]  # every call counted once
    assert result["key_in_files"] == []
    assert key not in result["stdout"] + result["stderr"]
