"""`synth-lsp check`, `new` and `walls` as a user runs them (a real subprocess)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

from solutions import FRACTAL_007BBFB7

ROOT = Path(__file__).resolve().parent.parent
ARC_007 = ROOT / "examples" / "arc" / "007bbfb7.json"


def cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "synth_lsp", *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def make_task(tmp_path: Path, script: str) -> Path:
    shutil.copy(ARC_007, tmp_path / "frac.json")
    path = tmp_path / "frac.synth.py"
    path.write_text(script)
    return path


def test_check_reports_failures_with_grids_and_exit_1(tmp_path):
    path = make_task(tmp_path, "result = {'output_grid': [row[:] for row in inputs['input_grid']]}\n")
    out = cli("check", str(path))
    assert out.returncode == 1
    assert "train 0/5 (reward 0.00), test 0/1" in out.stdout
    assert "wrong shape: expected 9x9, got 3x3" in out.stdout
    assert "expected 9x9" in out.stdout and "actual 3x3" in out.stdout
    assert "\x1b[" not in out.stdout  # plain text when not a terminal


def test_check_errors_as_file_line_col_grouped_across_pairs(tmp_path):
    path = make_task(tmp_path, "def f(g):\n    return g[7][0]\n\nresult = {'output_grid': [[f(inputs['input_grid'])]]}\n")
    out = cli("check", str(path))
    assert out.returncode == 1
    lines = [line for line in out.stdout.splitlines() if "IndexError" in line]
    assert len(lines) == 1, out.stdout  # one error for all pairs
    assert lines[0].startswith(f"{path}:2:12: runtime: IndexError")
    assert "train pairs 1, 2, 3, 4, 5" in lines[0] and "test pair 1" in lines[0]


def test_check_colours_when_asked_and_marks_cells(tmp_path):
    path = make_task(tmp_path, "g = inputs['input_grid']\nresult = {'output_grid': [[g[r // 3][c // 3] for c in range(9)] for r in range(9)]}\n")
    out = cli("check", str(path), "--color", "always")
    assert "\x1b[48;2;" in out.stdout
    assert "><" in out.stdout  # differing cells are marked
    plain = cli("check", str(path))
    assert "cells differ" in plain.stdout and "diff (" in plain.stdout


def test_check_json_and_exit_0_when_solved(tmp_path):
    path = make_task(tmp_path, FRACTAL_007BBFB7)
    out = cli("check", str(path), "--json")
    assert out.returncode == 0, out.stdout + out.stderr
    data = json.loads(out.stdout)
    assert data["train_passed"] == 5 and data["test_passed"] == 1 and data["solved"] is True
    assert data["pairs"][0]["diff"]["kind"] == "equal"


def test_check_bad_examples_file_exit_2(tmp_path):
    (tmp_path / "frac.json").write_text('{"train": [oops]}')
    path = tmp_path / "frac.synth.py"
    path.write_text("result = {}\n")
    out = cli("check", str(path))
    assert out.returncode == 2
    assert f"{tmp_path / 'frac.json'}:1:12: invalid JSON" in out.stderr


def test_new_scaffolds_an_identity_seed_that_runs(tmp_path):
    shutil.copy(ARC_007, tmp_path / "007bbfb7.json")
    out = cli("new", str(tmp_path / "007bbfb7.json"))
    assert out.returncode == 0
    script = tmp_path / "007bbfb7.synth.py"
    assert script.exists()
    check = cli("check", str(script), "--json")
    data = json.loads(check.stdout)
    assert data["train_total"] == 5 and all(p["error"] is None for p in data["pairs"])
    assert cli("new", str(tmp_path / "007bbfb7.json")).returncode == 1  # never overwrites


def test_walls_lists_probed_modules():
    out = cli("walls", "--json")
    data = json.loads(out.stdout)
    assert "json" in data["importable"] and "numpy" in data["missing"]
