"""`synth-lsp evolve TARGET...`: a batch over scripts, folders, globs and ARC task files, with the
offline model and the real sandbox: scaffolded seeds, one row per task in the report, resumption,
a clean Ctrl-C, the live view, and every bad input of issue 15 refused or reported."""

from __future__ import annotations

import csv
import hashlib
import json
import os
import pty
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from fake_openai import Reply
from solutions import FRACTAL_007BBFB7

from synth_lsp.batch.budget import BatchBudget, Caps
from synth_lsp.batch.targets import TargetError, resolve_targets
from synth_lsp.optimizer.population import Population, population_path_for

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
TASKS = ("007bbfb7", "0d3d703e", "25ff71a9", "3c9b0459")


def evolve(*args: str, cwd: Path, timeout: float = 240) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "synth_lsp", "evolve", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=timeout)


def task_files(folder: Path, names=TASKS) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    return [Path(shutil.copy(ARC / f"{n}.json", folder / f"{n}.json")) for n in names]


def digest(paths) -> dict[str, str]:
    return {str(p): hashlib.sha256(p.read_bytes()).hexdigest() for p in paths}


def report(out: Path) -> dict:
    return json.loads((out / "report.json").read_text())


def rows(out: Path) -> dict[str, dict]:
    return {r["task"]: r for r in report(out)["tasks"]}


def test_a_batch_of_task_files_a_script_and_a_broken_task(tmp_path):
    tasks = task_files(tmp_path / "tasks", TASKS[:2])
    mine = tmp_path / "mine"
    mine.mkdir()
    for suffix in (".json", ".synth.py"):
        shutil.copy(ARC / f"25ff71a9{suffix}", mine / f"25ff71a9{suffix}")
    broken = tmp_path / "tasks" / "broken.json"
    broken.write_text(json.dumps({"train": [{"input": [[1]]}], "test": []}))
    before = digest([*tasks, broken])
    out = tmp_path / "out"
    done = evolve(str(tmp_path / "tasks"), str(mine / "25ff71a9.synth.py"), "--out", str(out), "--offline-time", "3", cwd=tmp_path)
    assert done.returncode == 1, done.stderr  # one task cannot run, so not every task fits
    assert digest([*tasks, broken]) == before  # the task files are only read
    # seeds scaffolded into --out for the task files; the user's script evolves where it is
    for name in TASKS[:2]:
        seed = (out / f"{name}.synth.py").read_text()
        assert "# synth: examples = ../tasks/" + name + ".json" in seed
        assert population_path_for(out / f"{name}.synth.py").exists()
    assert population_path_for(mine / "25ff71a9.synth.py").exists()
    table = rows(out)
    assert set(table) == {*TASKS[:2], "25ff71a9", "broken"}
    for name in (*TASKS[:2], "25ff71a9"):
        row = table[name]
        assert row["state"] == "done" and row["fits_train"], row
        assert row["train"].startswith("fits the train pairs (")
        assert row["test"] == "right" and row["test_passed"] == row["test_total"] >= 1
        assert row["best_origin"] == "offline" and row["best_model"] == "offline" and row["best_script"]
        assert row["tests"][0]["predicted"] == row["tests"][0]["expected"]
        assert row["seconds"] > 0 and row["finished_at"] is not None
    assert table["broken"]["state"] == "error" and "output" in table["broken"]["error"]
    totals = report(out)["totals"]
    assert totals["tasks"] == 4 and totals["fits_train"] == 3 and totals["errors"] == 1 and totals["test_right"] == 3
    with (out / "report.csv").open() as handle:
        assert sorted(r["task"] for r in csv.DictReader(handle)) == sorted(table)
    assert "3 fit the train pairs" in done.stdout and "broken:" in done.stdout
    assert "solved" not in (done.stdout + done.stderr + (out / "report.html").read_text()).lower()


def test_a_rerun_skips_what_fits_and_continues_the_rest(tmp_path):
    task_files(tmp_path / "tasks", TASKS[:2])
    out = tmp_path / "out"
    first = evolve(str(tmp_path / "tasks"), "--out", str(out), "--generations", "0", cwd=tmp_path)
    assert first.returncode == 1, first.stderr  # no generation: the identity seeds fit nothing
    assert {r["generation"] for r in rows(out).values()} == {0}
    assert not any(r["fits_train"] for r in rows(out).values())
    # the user edits the first seed into a script that fits (kept: a re-run never rewrites a seed)
    fitted = out / f"{TASKS[0]}.synth.py"
    header = fitted.read_text().splitlines()[0]
    fitted.write_text(header + "\n" + FRACTAL_007BBFB7)
    second = evolve(str(tmp_path / "tasks"), "--out", str(out), "--generations", "0", cwd=tmp_path)
    assert rows(out)[TASKS[0]]["fits_train"] and fitted.read_text().startswith(header), second.stderr
    third = evolve(str(tmp_path / "tasks"), "--out", str(out), "--offline-time", "3", cwd=tmp_path)
    assert third.returncode == 0, third.stderr + third.stdout
    table = rows(out)
    assert table[TASKS[0]]["state"] == "skipped" and table[TASKS[0]]["calls"] == 0
    assert table[TASKS[0]]["best_origin"] == "user" and table[TASKS[0]]["test"] == "right"
    assert table[TASKS[1]]["state"] == "done" and table[TASKS[1]]["fits_train"]
    population = Population.load(population_path_for(out / f"{TASKS[1]}.synth.py"))
    assert population.generation >= 1 and len(population.runs) == 3  # continued: the earlier runs are in it
    assert "1 task(s) already fit every train pair: skipped" in third.stderr


def test_ctrl_c_stops_the_batch_cleanly_and_writes_the_report(tmp_path):
    task_files(tmp_path / "tasks", TASKS)
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_lsp", "evolve", str(tmp_path / "tasks"), "--out", str(out), "--jobs", "1", "--offline-time", "4"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines = []
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        line = process.stderr.readline()
        lines.append(line)
        if line.startswith("[1/4]"):
            break
    process.send_signal(signal.SIGINT)
    out_text, err_text = process.communicate(timeout=120)
    err_text = "".join(lines) + err_text
    assert process.returncode in (0, 1), err_text
    table = rows(out)
    assert len(table) == 4
    stopped = [r for r in table.values() if r["state"] == "stopped"]
    assert stopped and all(r["stop_reason"] in ("not started: stopped by user", "stopped by user") for r in stopped), table
    assert report(out)["settings"]["stop_reason"] == "stopped by user"
    assert "stopped by user" in out_text
    # nothing left running: no worker of ours outlives the batch
    time.sleep(1)
    ps = subprocess.run(["ps", "-eo", "args"], capture_output=True, text=True).stdout
    assert str(out) not in ps


def test_the_live_view_on_a_terminal_is_a_table(tmp_path):
    task_files(tmp_path / "tasks", TASKS[:2])
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "120"}
    main_fd, child_fd = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "synth_lsp", "evolve", str(tmp_path / "tasks"), "--out", str(out), "--offline-time", "2"],
        cwd=tmp_path,
        env=env,
        stdin=child_fd,
        stdout=subprocess.PIPE,
        stderr=child_fd,
    )
    os.close(child_fd)
    seen = b""
    while True:
        try:
            chunk = os.read(main_fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        seen += chunk
    process.wait(timeout=120)
    os.close(main_fd)
    text = seen.decode(errors="replace")
    assert process.returncode == 0, text
    for column in ("task", "state", "best train reward", "confidence", "test", "calls", "cost"):
        assert column in text
    assert "confidence 0." in text or "confidence 1.00" in text  # the offline model's fits say how far to trust them
    assert "2/2" in text and "fit the train pairs" in text and TASKS[0] in text


@pytest.mark.parametrize(
    "make_target, message",
    [
        (lambda d: (d / "notes.txt").write_text("hello") and [str(d / "notes.txt")], "neither a script"),
        (lambda d: (d / "empty").mkdir() or [str(d / "empty")], "a folder with no tasks"),
        (lambda d: [str(d / "missing.synth.py")], "no such file"),
        (lambda d: [str(d / "nothing-*.json")], "matches no script or task"),
        (lambda d: [str(d / "tasks"), str(d / "tasks" / "007bbfb7.json")], "is named twice"),
    ],
)
def test_bad_targets_are_refused_with_a_reason(tmp_path, make_target, message):
    task_files(tmp_path / "tasks", TASKS[:1])
    targets = make_target(tmp_path)
    done = evolve(*targets, "--out", str(tmp_path / "out"), cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and message in done.stderr, done.stderr


def test_an_out_that_is_a_file_or_read_only_is_refused(tmp_path):
    [task] = task_files(tmp_path / "tasks", TASKS[:1])
    (tmp_path / "afile").write_text("x")
    done = evolve(str(task), "--out", str(tmp_path / "afile"), cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "is a file, not a folder" in done.stderr
    read_only = tmp_path / "ro"
    read_only.mkdir()
    if os.geteuid() == 0:  # root writes through permissions: make a read-only mount in a private namespace
        if shutil.which("unshare") is None or subprocess.run(["unshare", "-m", "true"]).returncode != 0:
            pytest.skip("as root a read-only --out needs a mount namespace (unshare -m), which cannot be made here")
        command = (
            f"mount --bind {read_only} {read_only} && mount -o remount,bind,ro {read_only} && {sys.executable} -m synth_lsp evolve {task} --out {read_only}"
        )
        done = subprocess.run(
            ["unshare", "-m", "sh", "-c", command], cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60
        )
    else:
        read_only.chmod(0o555)
        done = evolve(str(task), "--out", str(read_only), cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "not writable" in done.stderr, done.stderr
    assert not list(read_only.iterdir())


def test_write_is_refused_for_a_batch(tmp_path):
    tasks = task_files(tmp_path / "tasks", TASKS[:2])
    done = evolve(*map(str, tasks), "--write", "--out", str(tmp_path / "out"), cwd=tmp_path, timeout=60)
    assert done.returncode == 2 and "--write works on one script" in done.stderr


def test_targets_pair_scripts_with_their_tasks_in_a_folder(tmp_path):
    folder = tmp_path / "f"
    task_files(folder, TASKS[:2])
    shutil.copy(ARC / f"{TASKS[0]}.synth.py", folder)  # this task has its script: no seed for it
    (folder / "notes.json").write_text('{"not": "a task"}')  # skipped inside a folder
    out = tmp_path / "out"
    found = resolve_targets([str(folder)], out)
    assert [(t.name, t.script, t.task_file) for t in found] == [
        (TASKS[0], folder / f"{TASKS[0]}.synth.py", None),
        (TASKS[1], out / f"{TASKS[1]}.synth.py", folder / f"{TASKS[1]}.json"),
    ]
    globbed = resolve_targets([str(folder / "*.json")], out)
    assert [t.name for t in globbed] == [TASKS[0], TASKS[1]]  # the task file beside a script names that script
    with pytest.raises(TargetError, match="neither a script"):
        resolve_targets([str(folder / "notes.json")], out)
    other = tmp_path / "g"
    task_files(other, TASKS[1:2])
    with pytest.raises(TargetError, match="both named"):
        resolve_targets([str(folder / f"{TASKS[1]}.json"), str(other / f"{TASKS[1]}.json")], out)


def test_one_budget_for_the_batch_over_real_model_calls(tmp_path, fake_openai):
    """Three tasks one after another, 6 calls for the batch and 4 per task: the first task spends 4,
    the second the 2 left, the third never starts; the fake server saw exactly those calls."""
    count = [0]

    def respond(body):
        count[0] += 1
        return Reply(f"```python\nk = {count[0]}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```")

    fake_openai.responder = respond
    task_files(tmp_path / "tasks", TASKS[:3])
    out = tmp_path / "out"
    key = "sk-batch-test-key-never-written"
    env = {**os.environ, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": key}
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "synth_lsp",
            "evolve",
            str(tmp_path / "tasks"),
            "--out",
            str(out),
            "--jobs",
            "1",
            "--model",
            "openai/x",
            "--api-base",
            fake_openai.api_base,
            "--max-calls",
            "6",
            "--max-calls-per-task",
            "4",
            "--population-size",
            "2",
            "--children",
            "2",
            "--generations",
            "10",
            "--patience",
            "0",
            "--concurrency",
            "1",
            "--request-timeout",
            "10",
        ],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert done.returncode == 1, done.stderr
    table = rows(out)
    assert [table[n]["calls"] for n in TASKS[:3]] == [4, 2, 0]
    assert len(fake_openai.chat_requests()) == 6 == report(out)["totals"]["calls"]
    assert table[TASKS[0]]["stop_reason"] == "budget: 4 calls reached"
    assert table[TASKS[2]]["state"] == "stopped" and table[TASKS[2]]["stop_reason"] == "not started: batch budget: 6 calls reached"
    assert "batch budget: 6 calls reached" in done.stdout
    for path in out.rglob("*"):
        assert key not in path.read_text(errors="replace"), path
    assert key not in done.stdout + done.stderr


def test_the_batch_budget_caps_each_task_by_what_is_left():
    budget = BatchBudget(Caps(calls=10, cost_usd=1.0), Caps(calls=4))
    assert budget.task_caps() == {"max_calls": 4, "max_tokens": None, "max_cost_usd": 1.0}
    budget.report("a", calls=3, tokens=100, cost_usd=0.5)
    budget.settle("b", calls=4, tokens=10, cost_usd=0.2)
    assert budget.task_caps() == {"max_calls": 3, "max_tokens": None, "max_cost_usd": pytest.approx(0.3)}
    assert budget.exhausted() is None
    budget.report("a", calls=6, tokens=100, cost_usd=0.5)
    assert budget.exhausted() == "batch budget: 10 calls reached"
    assert budget.task_caps()["max_calls"] == 0


def test_a_missing_key_or_price_stops_the_batch_before_any_task(tmp_path, monkeypatch):
    task_files(tmp_path / "tasks", TASKS[:2])
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    run = [sys.executable, "-m", "synth_lsp", "evolve", str(tmp_path / "tasks"), "--out", str(tmp_path / "out"), "--model", "openai/x"]
    no_key = subprocess.run(run, env={**env, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert no_key.returncode == 2 and "OPENAI_API_KEY" in no_key.stderr and "needs an API key" in no_key.stderr
    no_price = subprocess.run(
        [*run, "--max-cost", "1"], env={**env, "PYTHONPATH": str(ROOT), "OPENAI_API_KEY": "sk-x"}, capture_output=True, text=True, timeout=120, cwd=tmp_path
    )
    assert no_price.returncode == 2 and "--price-per-mtok" in no_price.stderr
    assert not (tmp_path / "out" / "report.json").exists()  # no task ran


@pytest.mark.parametrize("jobs", [1, 2, 64])
def test_tasks_running_at_once_share_the_cores_of_the_offline_search(jobs):
    from synth_lsp.cli.batch import task_config
    from synth_lsp.cli.main import build_parser

    cores = len(os.sched_getaffinity(0))
    args = build_parser().parse_args(["evolve", "a.synth.py", "b.synth.py", "--jobs", str(jobs)])
    shared = task_config(args, n_tasks=64)["offline_jobs"]
    assert shared == max(1, cores // jobs)  # never "every core" in each of several tasks
    asked = build_parser().parse_args(["evolve", "a.synth.py", "--jobs", str(jobs), "--offline-jobs", "3"])
    assert task_config(asked, n_tasks=64)["offline_jobs"] == 3  # what the user asks for stays
    for deterministic in (["--offline-programs", "5000"], ["--engine", "ray"]):  # the same work on every engine; a Ray task holds one CPU
        one = build_parser().parse_args(["evolve", "a.synth.py", "--jobs", str(jobs), *deterministic])
        assert task_config(one, n_tasks=64)["offline_jobs"] == 1


def test_a_batch_pinned_to_one_core_searches_with_one_process():
    """`taskset -c 0 synth-lsp evolve ... --jobs 1`: the cores it may use are its affinity, not the machine's."""
    code = "from synth_lsp.cli.batch import task_config; from synth_lsp.cli.main import build_parser; " \
        "print(task_config(build_parser().parse_args(['evolve', 'a.synth.py', '--jobs', '1']), n_tasks=9)['offline_jobs'])"
    core = min(os.sched_getaffinity(0))
    done = subprocess.run(
        [sys.executable, "-c", code], env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60,
        preexec_fn=lambda: os.sched_setaffinity(0, {core}),
    )
    assert done.stdout.strip() == "1", done.stderr


def test_a_finished_task_wakes_the_local_engines_poll_at_once(tmp_path):
    """A task that ends without a word of progress (its examples are broken) must not leave `poll`
    sitting on its timeout: the end of the task's future wakes it."""
    from synth_lsp.batch.local_engine import LocalEngine
    from synth_lsp.batch.task_run import Job

    broken = tmp_path / "broken.synth.py"
    broken.write_text("# synth: examples = broken.json\nresult = {'output_grid': input_grid}\n")
    (tmp_path / "broken.json").write_text(json.dumps({"train": [{"input": [[1]]}], "test": []}))
    engine = LocalEngine(1)
    try:
        engine.submit(Job("broken", broken, {}))
        started = time.monotonic()
        happened = []
        while not happened and time.monotonic() - started < 120:
            happened = engine.poll(60.0)
        waited = time.monotonic() - started
    finally:
        engine.close()
    assert [(kind, name) for kind, name, _ in happened] == [("done", "broken")]
    assert happened[0][2].state == "error"
    assert waited < 30, f"poll returned {waited:.1f} s after the submit (a worker starts in a few seconds; the timeout was 60 s)"


def test_the_plain_view_and_the_report_show_the_offline_models_confidence(tmp_path):
    task_files(tmp_path / "tasks", TASKS[:2])
    out = tmp_path / "out"
    done = evolve(str(tmp_path / "tasks"), "--out", str(out), "--offline-time", "3", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    for name, row in rows(out).items():
        assert row["best_origin"] == "offline" and isinstance(row["best_confidence"], float), row
        checked = "not cross-validated" not in row["best_note"]
        assert row["best_cross_validated"] is checked
        words = f"confidence {row['best_confidence']:.2f}" if checked else f"not cross-validated, confidence {row['best_confidence']:.2f}"
        assert row["confidence"] == words and row["fit"] == f"{row['train']}, {words}"
        assert f"{name}: done: {row['fit']}; test: right" in done.stderr  # the plain live view's line
    with (out / "report.csv").open() as handle:
        read = list(csv.reader(handle))
    assert read[0][-1] == "confidence" and read[0][:3] == ["task", "state", "train"]  # a new last column; the others keep their places
    assert {r[0]: r[-1] for r in read[1:]} == {n: r["confidence"] for n, r in rows(out).items()}
    page = (out / "report.html").read_text()
    assert "<th>confidence</th>" in page and all(f'<td class="confidence">{r["confidence"]}</td>' in page for r in rows(out).values())


def test_a_report_row_from_before_the_confidence_still_reads():
    from synth_lsp.batch.report import TaskRow, cross_validated

    old = {"task": "t", "script": "t.synth.py", "state": "done", "train_passed": 3, "train_total": 3, "tests": []}
    row = TaskRow.from_dict(old)
    assert row.best_confidence is None and row.confidence_words == "" and row.fit_words == "fits the train pairs (3/3)"
    row.best_confidence, row.best_cross_validated = 0.4, cross_validated("a lookup table; offline search, not cross-validated")
    assert row.fit_words == "fits the train pairs (3/3), not cross-validated, confidence 0.40"
    row.best_cross_validated = cross_validated("recolour; offline search, cross-validated")
    assert row.fit_words == "fits the train pairs (3/3), confidence 0.40"
    row.train_passed = 2  # no fit: no confidence beside the verdict
    assert row.fit_words == "fits 2/3 train pairs"


def test_a_budget_in_programs_gives_the_same_verdicts_on_one_core_and_on_every_core(tmp_path):
    """--offline-programs counts the search's work, not its time: one task at a time pinned to one
    core and two at a time (the machine's load differs between them) find the same best scripts."""
    found = {}
    for jobs in (1, 2):
        folder = tmp_path / f"jobs{jobs}"
        task_files(folder / "tasks", TASKS)
        (folder / "tasks" / "00noise.json").write_text(json.dumps(NOISE_TASK))
        command = [sys.executable, "-m", "synth_lsp", "evolve", str(folder / "tasks"), "--out", str(folder / "out"), "--jobs", str(jobs)]
        pin = (lambda: os.sched_setaffinity(0, {min(os.sched_getaffinity(0))})) if jobs == 1 else None
        done = subprocess.run(
            [*command, "--offline-programs", "3000", "--population-size", "4"],
            env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=300, preexec_fn=pin,
        )
        assert done.returncode == 1, done.stderr  # the noise fits nothing
        found[jobs] = {
            n: (r["state"], r["train_passed"], r["train_total"], r["test"], r["best_id"], r["best_confidence"]) for n, r in rows(folder / "out").items()
        }
    assert found[1] == found[2]
    assert sum(v[1] == v[2] for v in found[1].values()) == len(TASKS)


NOISE_TASK = {  # no rule to find: the search spends its whole budget
    "train": [
        {"input": [[(7 * i + 3 * j + k) % 10 for j in range(4)] for i in range(4)], "output": [[(5 * i * j + k) % 10 for j in range(3)] for i in range(2 + k)]}
        for k in range(3)
    ],
    "test": [{"input": [[(i + j) % 10 for j in range(4)] for i in range(4)], "output": [[1, 2], [3, 4]]}],
}
