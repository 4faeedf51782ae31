"""Run inside a network namespace that has only loopback (tests/test_batch_ray.py starts it with
`unshare --net`): a Ray head and a second node as separate `ray start` processes, then batches on
them. Prints one JSON line with what happened; the test judges it.

usage: python ray_cluster.py WORKDIR MODE   (MODE: same | kill | model | poll); the batch's options in $BATCH_ARGS (JSON);
the tasks in WORKDIR/tasks, the report in WORKDIR/out-ray. bench/batch_arc.py uses it too.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HEAD_PORT = 6391
NODE2_MANAGER_PORT = 6395


def sh(*args: str, env: dict | None = None, timeout: float = 180) -> subprocess.CompletedProcess:
    """Output to a file, not a pipe: the daemons `ray start` leaves behind would hold a pipe open."""
    import tempfile

    with tempfile.TemporaryFile("w+", dir="/tmp") as log:
        done = subprocess.run(list(args), stdout=log, stderr=subprocess.STDOUT, text=True, timeout=timeout, env=env)
        log.seek(0)
        done.stderr = done.stdout = log.read()
    return done


def children(pid: int) -> list[int]:
    try:
        tasks = Path(f"/proc/{pid}/task").iterdir()
        found = []
        for task in tasks:
            text = (task / "children").read_text().split()
            found += [int(c) for c in text]
        return found
    except OSError:
        return []


def descendants(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        for child in children(current):
            out.append(child)
            todo.append(child)
    return out


def processes_naming(text: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if text.encode() in (entry / "cmdline").read_bytes():
                    found.append(int(entry.name))
            except OSError:
                pass
    return found


def stop_cluster(short: Path) -> None:
    """SIGKILL this cluster's processes only: those whose command line names its temporary folder
    (GCS, raylets, agents), and everything under them (the workers)."""
    roots = [p for p in processes_naming(str(short)) if p != os.getpid()]
    for pid in {q for r in roots for q in (r, *descendants(r))}:
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass


def node2_raylet() -> int | None:
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            args = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if args and args[0].endswith(b"raylet") and f"--node_manager_port={NODE2_MANAGER_PORT}".encode() in args:
            return int(entry.name)
    return None


def cluster_env() -> dict:
    """Ray 2.5x: every process of the cluster (the batch too) uses one token; a fresh one per cluster,
    in the environment, so nothing depends on (or writes) a token file under the user's home."""
    return {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)}


def start_cluster(env: dict) -> tuple[Path, dict]:
    """Loopback up, then a head and a second node (one CPU each) as separate `ray start` processes.
    Returns the cluster's temporary folder (for `stop_cluster`) and how the starts went."""
    ray = str(Path(sys.executable).parent / "ray")
    subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
    # Ray's Unix sockets live under its temp folder and their paths must stay short (108 bytes)
    short = Path(tempfile.mkdtemp(prefix="sr-", dir="/tmp"))
    head = sh(
        ray,
        "start",
        "--head",
        f"--port={HEAD_PORT}",
        "--node-ip-address=127.0.0.1",
        "--num-cpus=1",
        "--include-dashboard=false",
        f"--temp-dir={short / 'h'}",
        env={**env, "TMPDIR": str(short)},
    )
    node2_tmp = short / "n2"
    node2_tmp.mkdir()
    node2 = sh(
        ray,
        "start",
        f"--address=127.0.0.1:{HEAD_PORT}",
        "--node-ip-address=127.0.0.1",
        "--num-cpus=1",
        f"--node-manager-port={NODE2_MANAGER_PORT}",
        env={**env, "TMPDIR": str(node2_tmp)},
    )
    errors = (head.stderr[-1500:] if head.returncode else "") + (node2.stderr[-1500:] if node2.returncode else "")
    return short, {"head": head.returncode, "node2": node2.returncode, "start_errors": errors}


def main() -> None:
    work, mode = Path(sys.argv[1]), sys.argv[2]
    key = os.environ.pop("BATCH_KEY", "")  # model mode: only the batch's own environment has the key
    env = cluster_env()
    result: dict = {"mode": mode}
    short, starts = start_cluster(env)
    result.update(starts)
    node2_tmp = short / "n2"
    head, node2 = starts["head"], starts["node2"]
    try:
        if head == 0 and node2 == 0 and mode == "poll":
            os.environ.update(env)
            result.update(first_poll(work, f"127.0.0.1:{HEAD_PORT}"))
        elif head == 0 and node2 == 0:
            batch = [
                sys.executable,
                "-m",
                "synth_lsp",
                "evolve",
                str(work / "tasks"),
                "--out",
                str(work / "out-ray"),
                "--engine",
                "ray",
                "--ray-address",
                f"127.0.0.1:{HEAD_PORT}",
                *json.loads(os.environ["BATCH_ARGS"]),
            ]
            batch_env = dict(env)
            server = None
            if mode == "model":
                from fake_openai import FakeOpenAI, Reply

                count = [0]

                def respond(body):
                    count[0] += 1
                    return Reply(f"```python\nk = {count[0]}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```")

                server = FakeOpenAI(respond).start()
                batch += ["--api-base", server.api_base]
                batch_env["OPENAI_API_KEY"] = key
            started = time.monotonic()
            process = subprocess.Popen(batch, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=batch_env)
            if mode == "kill":
                result["killed"] = kill_node2_when_busy(node2_tmp, process)
            out, err = process.communicate(timeout=600)
            result.update(returncode=process.returncode, stdout=out[-4000:], stderr=err[-4000:], seconds=round(time.monotonic() - started, 2))
            if server is not None:
                result["chat_requests"] = len(server.chat_requests())
                server.stop()
                result["key_in_files"] = files_holding(key, [short, work / "out-ray"]) if key else []
    finally:
        stop_cluster(short)  # not `ray stop`, which would end every Ray on the machine, in any namespace
        shutil.rmtree(short, ignore_errors=True)
    print(json.dumps(result))


def first_poll(work: Path, address: str) -> dict:
    """The Ray engine driven by hand: every task of WORKDIR/tasks submitted at once, then what the
    first `poll` that returns anything brings, how long it took, and how many tasks still run."""
    from synth_lsp.batch.driver import plan
    from synth_lsp.batch.ray_engine import RayEngine
    from synth_lsp.batch.targets import resolve_targets, scaffold
    from synth_lsp.cli.batch import task_config
    from synth_lsp.cli.main import build_parser

    out = work / "out-ray"
    args = build_parser().parse_args(["evolve", str(work / "tasks"), "--out", str(out), "--engine", "ray", *json.loads(os.environ["BATCH_ARGS"])])
    out.mkdir(parents=True, exist_ok=True)
    tasks = resolve_targets([args.file, *args.more_targets], out)
    for task in tasks:
        scaffold(task)
    engine = RayEngine(address)
    try:
        for job in plan(tasks, task_config(args, len(tasks))):
            engine.submit(job)
        started = time.monotonic()
        first: list = []
        while not first and time.monotonic() - started < 300:
            first = engine.poll(120.0)
        seconds, still_running = time.monotonic() - started, engine.running()
        while engine.running() and time.monotonic() - started < 300:
            engine.poll(5.0)
        return {
            "first_done": sorted(name for kind, name, _ in first if kind == "done"),
            "first_seconds": round(seconds, 2),
            "running_after_first": still_running,
            "all_seconds": round(time.monotonic() - started, 2),
        }
    finally:
        engine.close()


def files_holding(secret: str, folders: list[Path]) -> list[str]:
    """Every file under the folders (Ray's logs and session files, the batch's --out) holding it."""
    needle = secret.encode()
    found = []
    for folder in folders:
        for path in folder.rglob("*"):
            try:
                if path.is_file() and not path.is_symlink() and needle in path.read_bytes():
                    found.append(str(path))
            except OSError:
                pass
    return found


def kill_node2_when_busy(node2_tmp: Path, process: subprocess.Popen) -> dict:
    """Once a generation is running on the second node (its scratch folder exists), SIGKILL the
    node: its raylet and everything under it."""
    deadline = time.monotonic() + 240
    while time.monotonic() < deadline and process.poll() is None:
        if any(p.name.startswith("synth-lsp-step-") for p in node2_tmp.iterdir()):
            raylet = node2_raylet()
            if raylet is None:
                return {"killed": False, "why": "no raylet of the second node"}
            victims = [raylet, *descendants(raylet)]
            for pid in victims:
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
            return {"killed": True, "processes": len(victims), "batch_still_running": process.poll() is None}
        time.sleep(0.1)
    return {"killed": False, "why": "no generation ran on the second node"}


if __name__ == "__main__":
    main()
