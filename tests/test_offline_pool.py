"""The offline search on several cores (`synth_lsp.offline.pool`), with real worker processes.

A budget in programs tried gives the same programs on every run; a pool finds what one process
finds; a worker killed mid-search loses only its share (all killed: a clear error, no hang); the
workers die with their parent and stop when asked; `synth-lsp evolve` shows the search's progress
and Ctrl-C stops it cleanly. The emitted scripts of a pool's fits run in the real sandbox.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from synth_lsp.core.evaluation import evaluate
from synth_lsp.core.task import load_task
from synth_lsp.offline import NotAGridTask, SearchWorkerDied, synthesize

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = ROOT / "examples" / "arc"
WORKER = "synth_lsp.offline.search_worker"


def _no_rule_task() -> list[tuple[list[list[int]], list[list[int]]]]:
    """Outputs with no relation to their inputs, on grids big enough to keep a search busy."""
    grids = [[[(r * 3 + c * c + k) % 7 for c in range(9)] for r in range(8)] for k in range(3)]
    outputs = [[[(r + 2 * c * k) % 5 for c in range(6)] for r in range(4)] for k in range(1, 4)]
    return list(zip(grids, outputs))


def _workers_of(pid: int) -> list[int]:
    """The search worker processes whose parent is `pid` (read from /proc)."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid and WORKER in cmdline:
            found.append(int(entry.name))
    return found


def _alive(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def test_a_program_budget_gives_the_same_programs_on_every_run():
    pairs = _no_rule_task()
    runs = [synthesize(pairs, max_programs=4, jobs=2, program_budget=3000) for _ in range(2)]
    assert [p.script for p in runs[0]] == [p.script for p in runs[1]]
    single = [synthesize(pairs, max_programs=4, program_budget=3000) for _ in range(2)]
    assert [p.script for p in single[0]] == [p.script for p in single[1]]


def test_a_pool_finds_the_fit_one_process_finds_and_its_script_runs_in_the_sandbox(sandbox):
    task = load_task(EXAMPLES / "007bbfb7.json")
    alone = synthesize(task.train_grids(), time_budget_s=10.0, max_programs=1)
    pooled = synthesize(task.train_grids(), time_budget_s=10.0, max_programs=3, jobs=2)
    assert pooled[0].description == alone[0].description and pooled[0].claimed
    assert len({p.description for p in pooled}) == len(pooled)  # a program found by two shards comes once
    evaluation = evaluate(task, pooled[0].script, sandbox=sandbox)
    assert evaluation.train_passed == len(task.train) and evaluation.solved


def test_the_shard_that_owns_a_first_step_finds_its_fit():
    # only one shard judges "mirror left-right"; the merged result has it, whatever the number of shards
    grids = [[[1, 0, 0], [0, 2, 0]], [[0, 3], [4, 0], [5, 5]], [[6, 7, 8], [0, 0, 1]]]
    pairs = [(g, [row[::-1] for row in g[::-1]][::-1]) for g in grids]
    for jobs in (1, 2, 3):
        (best, *_) = synthesize(pairs, time_budget_s=10.0, jobs=jobs)
        assert best.fits, f"jobs={jobs}: {best.description}"


def test_a_worker_killed_mid_search_loses_only_its_share():
    heard = []
    killed: list[int] = []

    def on_progress(progress):
        heard.append(progress)
        if not killed and progress.programs_tried > 0:
            workers = _workers_of(os.getpid())
            if len(workers) == 2:
                os.kill(workers[0], signal.SIGKILL)
                killed.append(workers[0])

    started = time.monotonic()
    programs = synthesize(_no_rule_task(), time_budget_s=3.0, jobs=2, on_progress=on_progress)
    assert killed, "the workers were never seen"
    assert time.monotonic() - started < 30  # it never waits for the dead one
    assert programs, "the other worker's programs come back"
    assert "1 of 2 offline search workers died (killed by signal 9)" in heard[-1].note
    assert not _workers_of(os.getpid())


def test_every_worker_killed_is_a_clear_error_not_a_hang():
    def on_progress(progress):
        for pid in _workers_of(os.getpid()):
            os.kill(pid, signal.SIGKILL)

    started = time.monotonic()
    with pytest.raises(SearchWorkerDied, match="every one of the 2 offline search workers died.*killed by signal 9"):
        synthesize(_no_rule_task(), time_budget_s=20.0, jobs=2, on_progress=on_progress)
    assert time.monotonic() - started < 30


def test_a_stuck_worker_is_given_up_on_not_waited_for():
    stuck: list[int] = []

    def on_progress(progress):
        workers = _workers_of(os.getpid())
        if not stuck and len(workers) == 2:
            os.kill(workers[1], signal.SIGSTOP)  # alive, but never answers again
            stuck.append(workers[1])

    started = time.monotonic()
    programs = synthesize(_no_rule_task(), time_budget_s=1.0, jobs=2, on_progress=on_progress)
    assert stuck and time.monotonic() - started < 40  # the budget, the grace, the stop's wait; then killed
    assert isinstance(programs, list)
    assert not _alive(stuck[0]) and not _workers_of(os.getpid())


def test_a_stopped_pool_returns_what_it_found_and_leaves_no_worker():
    heard = []
    started = time.monotonic()
    searching = lambda: any(p.programs_tried > 1000 for p in heard)
    programs = synthesize(_no_rule_task(), time_budget_s=120.0, jobs=2, on_progress=heard.append, should_stop=searching)
    assert time.monotonic() - started < 60  # a 120 s budget, cancelled long before
    assert isinstance(programs, list) and heard[-1].programs_tried > 1000 and heard[-1].train_total == 3
    assert not _workers_of(os.getpid())


def test_the_workers_die_with_their_parent(tmp_path):
    code = (
        "import sys; sys.path.insert(0, sys.argv[1])\n"
        "from synth_lsp.offline import synthesize\n"
        "pairs = [([[(r * 3 + c * c + k) % 7 for c in range(9)] for r in range(8)], [[k]]) for k in range(3)]\n"
        "synthesize(pairs, time_budget_s=300.0, jobs=2)\n"
    )
    parent = subprocess.Popen([sys.executable, "-c", code, str(ROOT)])
    try:
        deadline = time.monotonic() + 60
        while len(_workers_of(parent.pid)) < 2:
            assert time.monotonic() < deadline and parent.poll() is None, "the workers never started"
            time.sleep(0.05)
        workers = _workers_of(parent.pid)
        parent.kill()
        parent.wait()
        deadline = time.monotonic() + 20
        while any(_alive(pid) for pid in workers):
            assert time.monotonic() < deadline, "a worker outlived its parent"
            time.sleep(0.05)
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"time_budget_s": 0}, "time budget of more than 0 seconds"),
        ({"time_budget_s": -3.0}, "time budget of more than 0 seconds"),
        ({"time_budget_s": float("inf")}, "time budget of more than 0 seconds"),
        ({"program_budget": 0}, "budget of at least 1 program"),
        ({"program_budget": -10}, "budget of at least 1 program"),
        ({"program_budget": 2.5}, "budget of at least 1 program"),
        ({"jobs": 0}, "at least 1 job"),
        ({"jobs": -2}, "at least 1 job"),
    ],
)
def test_a_budget_or_jobs_that_are_not_positive_are_refused_clearly(options, message):
    with pytest.raises(ValueError, match=message):
        synthesize([([[1]], [[1]])], **options)


def test_a_non_grid_task_is_refused_before_any_worker_starts():
    with pytest.raises(NotAGridTask, match="only helps with ARC-style grid tasks"):
        synthesize([({"a": 1}, {"b": 2})], jobs=2)
    assert not _workers_of(os.getpid())


def test_tiny_huge_one_pair_and_inconsistent_tasks_in_a_pool(sandbox, tmp_path):
    big = [[(r * 7 + c) % 10 for c in range(30)] for r in range(30)]
    tiny = synthesize([([[3]], [[3, 3], [3, 3]]), ([[4]], [[4, 4], [4, 4]])], time_budget_s=5.0, jobs=2)
    assert tiny[0].fits and tiny[0].claimed  # "scale up x2" and "tile 2x2" agree on 1x1 grids
    huge = synthesize([(big, [row[::-1] for row in big]), (big[::-1], [row[::-1] for row in big[::-1]])], time_budget_s=5.0, jobs=2)
    assert huge[0].description == "mirror left-right" and huge[0].claimed
    one = synthesize([(big, [row[::-1] for row in big])], time_budget_s=3.0, jobs=2)
    assert one[0].fits and not one[0].claimed and "one train pair" in one[0].evidence
    mixed = [([[5]], [[5, 5], [5, 5]]), (big, [row[::-1] for row in big]), ([[1, 2, 3]], [[1], [2], [3]])]
    programs = synthesize(mixed, time_budget_s=2.0, jobs=2)
    assert programs and not any(p.claimed for p in programs)
    # what the pool emits runs in the sandbox as the host computed it
    task_path = tmp_path / "huge.json"
    import json

    task_path.write_text(json.dumps({"train": [{"input": big, "output": [row[::-1] for row in big]}], "test": [{"input": big[::-1]}]}))
    evaluation = evaluate(load_task(task_path), huge[0].script, sandbox=sandbox)
    assert evaluation.train_passed == 1
    assert evaluation.test[0].run.result["output_grid"] == [row[::-1] for row in big[::-1]]


def test_evolve_shows_the_offline_search_and_ctrl_c_stops_it(tmp_path):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    # a task with no rule, so the search runs its whole (long) budget unless stopped
    (tmp_path / "007bbfb7.json").write_text(
        __import__("json").dumps(
            {"train": [{"input": i, "output": o} for i, o in _no_rule_task()], "test": [{"input": _no_rule_task()[0][0]}]}
        )
    )
    command = [
        sys.executable,
        "-m",
        "synth_lsp",
        "evolve",
        "007bbfb7.synth.py",
        "--offline-time",
        "120",
        "--offline-jobs",
        "2",
        "--generations",
        "3",
    ]
    child = subprocess.Popen(
        command, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines = []
    try:
        deadline = time.monotonic() + 60
        while not any("programs tried, best so far fits" in line for line in lines):
            assert time.monotonic() < deadline and child.poll() is None, f"no search progress: {lines}"
            lines.append(child.stderr.readline())
        workers = _workers_of(child.pid)
        child.send_signal(signal.SIGINT)
        asked = time.monotonic()
        out, err = child.communicate(timeout=60)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
    assert time.monotonic() - asked < 30  # not the 120 s budget
    assert "Traceback" not in err and "stopped by user" in out + err
    assert workers and not any(_alive(pid) for pid in workers)
    progress = next(line for line in lines if "best so far fits" in line)
    assert "offline search:" in progress and "train pairs" in progress and "s left" in progress


@pytest.mark.parametrize(
    ("option", "message"),
    [
        (["--offline-programs", "0"], "--offline-programs: Input should be greater than 0"),
        (["--offline-jobs", "-1"], "--offline-jobs: Input should be greater than or equal to 0"),
    ],
)
def test_evolve_refuses_a_budget_or_jobs_below_the_minimum(tmp_path, option, message):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(EXAMPLES / name, tmp_path / name)
    command = [sys.executable, "-m", "synth_lsp", "evolve", "007bbfb7.synth.py", *option]
    done = subprocess.run(
        command, check=False, cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 2 and message in done.stderr and "Traceback" not in done.stderr


def test_a_worker_too_slow_to_answer_a_stop_is_not_called_dead():
    from synth_lsp.offline.pool import _lost_note, _Worker

    late = object.__new__(_Worker)  # alive and busy: it missed the stop's wait (a loaded machine)
    late.part, late.lost, late.late, late.error = 1, True, True, ""
    note = _lost_note([late], 2)
    assert note.startswith("1 of 2 offline search workers did not answer a stop") and "died" not in note
    assert "share(s) 2" in note
