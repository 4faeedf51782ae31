"""`synth-lsp evolve`: the README's main job offline, --write, clear errors, and keys never printed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from synth_lsp.optimizer.candidate import candidate_id
from synth_lsp.optimizer.population import Population, population_path_for

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"


def evolve(*args: str, cwd: Path, env: dict | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    environment = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "synth_lsp", "evolve", *args],
        cwd=cwd, env=environment, capture_output=True, text=True, timeout=timeout,
    )


def copy_task(tmp_path: Path, name: str = "007bbfb7", folder: Path = ARC) -> Path:
    for suffix in (".json", ".synth.py"):
        shutil.copy(folder / (name + suffix), tmp_path / (name + suffix))
    return tmp_path / (name + ".synth.py")


def test_evolve_without_a_model_solves_007bbfb7_and_writes_it(tmp_path):
    script = copy_task(tmp_path)
    seed = script.read_text()
    done = evolve(str(script), "--write", "--offline-time", "5", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    out, err = done.stdout, done.stderr
    # progress on stderr, one line per generation
    assert "generation 0 (this run 0 of 10): best 0.00 (0/5 train)" in err
    assert "generation 1 (this run 1 of 10): best 1.00 (5/5 train)" in err
    # what was measured, in words: fitting the train pairs, not "solved"
    assert "fits the train pairs (5/5); test pairs: 1/1 pass" in out and "solved" not in out + err
    # the best script, its results and a diff on stdout
    assert "train 5/5 (reward 1.00), test 1/1" in out
    assert "--- 007bbfb7.synth.py (current)" in out and "+++ 007bbfb7.synth.py (best)" in out
    assert "-    return {\"output_grid\": [row[:] for row in grid]}" in out
    assert "LiteLLM" not in out and "litellm" not in err.lower()  # no model: litellm never imported
    # --write: the file holds the best script; the old one stays in the population
    written = script.read_text()
    assert written != seed
    population = Population.load(population_path_for(script))
    assert population.best().id == candidate_id(written)
    assert written.rstrip() in out  # the best script was printed whole
    assert population.get(candidate_id(seed)).origin == "seed"
    check = subprocess.run([sys.executable, "-m", "synth_lsp", "check", str(script)], cwd=tmp_path,
                           env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True, timeout=60)
    assert check.returncode == 0 and "train 5/5" in check.stdout


def test_non_grid_task_without_a_model_says_what_to_configure(tmp_path):
    script = copy_task(tmp_path, "word_stats", ROOT / "examples" / "generic")
    done = evolve(str(script), cwd=tmp_path)
    assert done.returncode == 2
    assert "only solves ARC-style grid tasks" in done.stderr and "--model" in done.stderr
    assert done.stdout == ""


def test_bad_options_and_missing_files_are_clear(tmp_path):
    script = copy_task(tmp_path)
    bad = evolve(str(script), "--crossover-rate", "2", cwd=tmp_path)
    assert bad.returncode == 2 and "--crossover-rate" in bad.stderr
    missing = evolve(str(tmp_path / "nope.synth.py"), cwd=tmp_path)
    assert missing.returncode == 2 and "script not found" in missing.stderr and missing.stderr.count("nope.synth.py") == 1


def test_a_rejected_key_stops_the_run_and_is_never_printed(tmp_path, fake_openai, monkeypatch, capfd):
    # in-process (litellm is imported once for the whole test session), through the real command line
    from synth_lsp.cli.main import main

    script = copy_task(tmp_path)
    fake_openai.fail(401, message="invalid key", echo_key=True)  # the error message quotes the key
    secret = "sk-test-VERYSECRET-000111"
    monkeypatch.setenv("OPENAI_API_KEY", secret)
    code = main(["evolve", str(script), "--model", "openai/x", "--api-base", fake_openai.api_base,
                 "--generations", "1", "--concurrency", "1"])
    out, err = capfd.readouterr()
    assert code == 2 and out == ""
    assert "credentials" in err and "OPENAI_API_KEY" in err
    assert secret not in out + err
    stored = population_path_for(script).read_text()
    assert secret not in stored
    assert json.loads(stored)["runs"][-1]["stop_reason"].startswith("failed:")
    assert len(fake_openai.chat_requests()) == 1  # the key went to the server, once: no retry
