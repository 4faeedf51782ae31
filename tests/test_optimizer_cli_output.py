"""What `synth-lsp evolve` prints and writes (issue 12 section 4, issue 16): --json, counters that
add up across resumes, the user's header kept by --write, and a closed pipe that costs nothing."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from solutions import FRACTAL_007BBFB7

from synth_lsp.optimizer.candidate import candidate_id
from synth_lsp.optimizer.population import Population, population_path_for

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}


def evolve(*args: str, cwd: Path, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth_lsp", "evolve", *args], cwd=cwd, env=ENV, capture_output=True, text=True, timeout=timeout)


def readme_layout(tmp_path: Path) -> Path:
    """The README's layout: the script names its examples in its header."""
    (tmp_path / "tasks").mkdir()
    (tmp_path / "scripts").mkdir()
    shutil.copy(ARC / "007bbfb7.json", tmp_path / "tasks" / "007bbfb7.json")
    script = tmp_path / "scripts" / "007bbfb7.synth.py"
    script.write_text("# synth: examples = ../tasks/007bbfb7.json\n# synth: time_limit = 1.5\n" + (ARC / "007bbfb7.synth.py").read_text())
    return script


def test_write_keeps_the_scripts_header_and_check_still_finds_the_examples(tmp_path):
    script = readme_layout(tmp_path)
    done = evolve(str(script), "--write", "--offline-time", "5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    written = script.read_text()
    assert written.startswith("# synth: examples = ../tasks/007bbfb7.json\n# synth: time_limit = 1.5\n")
    check = subprocess.run([sys.executable, "-m", "synth_lsp", "check", str(script)], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and "train 5/5" in check.stdout


def test_an_evolved_script_cannot_change_the_header():
    from synth_lsp.optimizer.kept_header import keep_header

    original = "# synth: examples = ../tasks/t.json\n# a note\nresult = {}\n"
    evolved = "# synth: examples = /etc/passwd\n# synth: time_limit = 1000\nx = 1\nresult = {'a': x}\n"
    kept = keep_header(original, evolved)
    assert kept == "# synth: examples = ../tasks/t.json\nx = 1\nresult = {'a': x}\n"
    assert keep_header("result = {}\n", evolved) == "x = 1\nresult = {'a': x}\n"  # no header: none may be added
    same = "# synth: examples = ../tasks/t.json\nresult = 1\n"
    assert keep_header(same, same) == same


def test_json_prints_one_summary_and_counters_add_up_across_resumes(tmp_path):
    script = tmp_path / "007bbfb7.synth.py"
    shutil.copy(ARC / "007bbfb7.json", tmp_path / "007bbfb7.json")
    script.write_text((ARC / "007bbfb7.synth.py").read_text())
    first = evolve(str(script), "--json", "--generations", "1", "--offline-time", "5", cwd=tmp_path)
    summary = json.loads(first.stdout)  # one JSON document, nothing else on stdout
    assert first.returncode == 0 and summary["best"]["fits_train"] is True
    assert summary["best"]["train"] == {"passed": 5, "total": 5, "reward": 1.0, "secondary_fitness": 1.0}
    assert summary["best"]["test"] == {"passed": 1, "total": 1}
    assert summary["best"]["script"] == Population.load(population_path_for(script)).best().script
    assert summary["population"] == str(population_path_for(script)) and summary["written"] is False
    assert summary["stop_reason"] == "ran the 1 generation(s) asked for (the best fits every train pair)"
    assert {"model": "offline", "origin": "offline"}.items() <= summary["by_model_and_origin"][0].items()
    assert summary["by_model_and_origin"][0]["candidates"] >= 1
    assert [p["split"] for p in summary["best"]["pairs"]] == ["train"] * 5 + ["test"]
    # a second run resumes: its counters say where the population is and what this run did
    second = evolve(str(script), "--generations", "2", "--patience", "5", cwd=tmp_path)
    assert "generation 1 (this run 0 of 2)" in second.stderr
    assert "generation 2 (this run 1 of 2)" in second.stderr
    assert "this run 1 of 2" in second.stdout and "the offline model has offered all its programs" in second.stdout
    # not written: the end says how to apply the best
    assert f"synth-lsp evolve {script} --generations 0 --write" in second.stdout
    applied = evolve(str(script), "--generations", "0", "--write", cwd=tmp_path)
    assert applied.returncode == 0 and candidate_id(script.read_text()) == summary["best"]["id"]
    assert "wrote the best script" in applied.stdout and "--generations 0 --write" not in applied.stdout


def test_a_closed_pipe_ends_quietly_after_the_file_is_written(tmp_path):
    script = tmp_path / "007bbfb7.synth.py"
    shutil.copy(ARC / "007bbfb7.json", tmp_path / "007bbfb7.json")
    script.write_text((ARC / "007bbfb7.synth.py").read_text())
    command = f"{sys.executable} -m synth_lsp evolve {script} --write --offline-time 5 | head -c 10"
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], cwd=tmp_path, env=ENV, capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert len(done.stdout) == 10 and done.returncode == 0
    written = script.read_text()
    assert "def " in written and written == Population.load(population_path_for(script)).best().script


def test_exit_status_says_whether_the_best_fits_the_train_pairs(tmp_path):
    script = tmp_path / "007bbfb7.synth.py"
    shutil.copy(ARC / "007bbfb7.json", tmp_path / "007bbfb7.json")
    script.write_text(FRACTAL_007BBFB7)
    fits = evolve(str(script), "--generations", "0", cwd=tmp_path)
    assert fits.returncode == 0 and "fits the train pairs (5/5)" in fits.stdout and "(the best script is the current file)" in fits.stdout
    script.write_text("result = {'output_grid': [[0]]}\n")
    population_path_for(script).unlink()
    not_yet = evolve(str(script), "--generations", "0", "--json", cwd=tmp_path)
    assert not_yet.returncode == 1 and json.loads(not_yet.stdout)["best"]["fits_train"] is False
