"""The population file stays bounded: old dead history moves to an archive beside it, still
readable, never losing a candidate (even when a crash comes between the two writes); a FIFO at
the population's or the script's path is refused, not read (issue 12, section 5 and bad input)."""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import pytest

from synth_lsp.optimizer.candidate import new_candidate
from synth_lsp.optimizer.population import (
    HISTORY_CAP,
    Population,
    PopulationError,
    PopulationNotAFile,
)


def history(path: Path, dead: int, generation: int = 1000) -> Population:
    """A population with `dead` old dead candidates of falling secondary fitness, 4 alive ones and a user's."""
    population = Population(path)
    population.generation = generation
    for i in range(dead):
        c = new_candidate(
            f"result = {{'output_grid': [[{i}]]}}\n", "mutation", generation=i // 8
        )
        c.alive, c.train_total, c.train_fitness, c.task_fingerprint = (
            False,
            3,
            1.0 - i / (dead + 1),
            "f",
        )
        population.add(c)
    for i in range(4):
        population.add(
            new_candidate(
                f"result = {{'output_grid': [[-{i}]]}}\n",
                "mutation",
                generation=generation,
            )
        )
    old_user = new_candidate(
        "result = {'output_grid': [['mine']]}\n", "user", generation=0
    )
    old_user.alive = False
    population.add(old_user)
    return population


def ids_on_disk(path: Path) -> set[str]:
    stored = Population.load(path)
    archived, problems = stored.archived()
    assert problems == []
    return set(stored.candidates) | {c.id for c in archived}


def test_history_beyond_the_cap_moves_to_a_readable_archive(tmp_path: Path):
    path = tmp_path / "x.synth.population.json"
    population = history(path, 2000)
    everyone = set(population.candidates)
    population.save()

    stored = Population.load(path)
    dead = [c for c in stored.candidates.values() if not c.alive]
    assert (
        len(dead) <= HISTORY_CAP + 1
    )  # the cap, and the user's old script, which always stays
    assert len(stored.alive()) == 4 and any(c.origin == "user" for c in dead)
    assert ids_on_disk(path) == everyone  # nothing lost
    # the worst went to the archive, the best of the dead stayed
    kept_worst = min(c.train_fitness for c in dead if c.origin == "mutation")
    archived, _ = stored.archived()
    assert max(c.train_fitness for c in archived) <= kept_worst
    # the archive is JSON lines under a header, one candidate a line
    lines = stored.archive_path.read_text().splitlines()
    assert json.loads(lines[0])["format"] == "synth-lsp-population-archive/1"
    assert len(lines) - 1 == len(archived) == len(everyone) - len(stored)
    assert stored.archive_path.name == "x.synth.population.archive.jsonl"


def test_a_second_save_adds_no_duplicate_and_a_small_history_stays_whole(
    tmp_path: Path,
):
    path = tmp_path / "x.synth.population.json"
    small = history(path, 50)
    small.save()
    assert not small.archive_path.exists() and len(Population.load(path)) == 55

    population = history(path, 2000)
    population.save()
    lines = len(population.archive_path.read_text().splitlines())
    again = history(
        path, 2000
    )  # another process still holding the old candidates saves
    again.save()
    assert len(again.archive_path.read_text().splitlines()) == lines
    assert ids_on_disk(path) == set(history(path, 2000).candidates)


def test_a_crash_between_the_archive_and_the_population_loses_nothing(
    tmp_path: Path, monkeypatch
):
    path = tmp_path / "x.synth.population.json"
    small = history(path, 10)
    small.save()
    population = history(path, 2000)
    everyone = set(population.candidates)

    def crash(self, text):
        raise OSError("power cut")

    monkeypatch.setattr(Population, "_write", crash)
    with pytest.raises(OSError):
        population.save()
    monkeypatch.undo()
    stored = Population.load(path)
    assert len(stored) == 15  # the previous file, whole
    archived, _ = stored.archived()
    assert archived  # the archive was written first
    assert (
        ids_on_disk(path) >= set(small.candidates)
        and {c.id for c in archived} | set(stored.candidates) <= everyone
    )
    # the next save (resuming) completes the move without duplicating the archived ones
    history(path, 2000).save()
    lines = stored.archive_path.read_text().splitlines()[1:]
    assert len(lines) == len({json.loads(line)["id"] for line in lines})
    assert ids_on_disk(path) == everyone


def test_an_unreadable_archive_is_left_alone_and_the_candidates_stay(tmp_path: Path):
    path = tmp_path / "x.synth.population.json"
    population = history(path, 2000)
    population.archive_path.write_text("not an archive\n")
    population.save()
    assert population.archive_path.read_text() == "not an archive\n"
    assert len(Population.load(path)) == len(population.candidates) == 2005
    assert (
        "not a synth-lsp population archive" in Population.load(path).archived()[1][0]
    )


def test_a_garbled_archive_line_is_reported_and_the_rest_read(tmp_path: Path):
    path = tmp_path / "x.synth.population.json"
    history(path, 2000).save()
    archive = Population.load(path).archive_path
    with archive.open("a") as handle:
        handle.write('[1, 2]\n{"id": \n')
    archived, problems = Population.load(path).archived()
    assert len(archived) > 1000 and len(problems) == 2


def test_a_fifo_at_the_population_path_is_refused_not_read(tmp_path: Path):
    path = tmp_path / "x.synth.population.json"
    os.mkfifo(path)
    with pytest.raises(PopulationNotAFile, match="not a regular file"):
        Population.load(path)  # returns at once (a plain read would wait for a writer)
    assert issubclass(PopulationNotAFile, PopulationError)


def test_evolve_refuses_a_fifo_population_without_moving_it(tmp_path: Path):
    from synth_lsp.optimizer.omega import open_population

    script = tmp_path / "x.synth.py"
    os.mkfifo(tmp_path / "x.synth.population.json")
    with pytest.raises(PopulationNotAFile):
        open_population(script)
    assert (
        tmp_path / "x.synth.population.json"
    ).is_fifo()  # not renamed aside as a broken file
    assert not list(tmp_path.glob("*.broken-*"))


def test_a_fifo_script_is_refused_by_the_run(tmp_path: Path, sandbox):
    import asyncio

    from synth_lsp.core.task import parse_task
    from synth_lsp.optimizer.omega import EvolveConfig, EvolveError, evolve

    script = tmp_path / "x.synth.py"
    os.mkfifo(script)
    task = parse_task(
        json.dumps({"train": [{"input": [[1]], "output": [[1]]}], "test": []})
    )
    with pytest.raises(EvolveError, match="not a regular file"):
        asyncio.run(
            asyncio.wait_for(
                evolve(
                    task,
                    script,
                    EvolveConfig(generations=1, use_offline=True),
                    sandbox=sandbox,
                ),
                30,
            )
        )


def test_the_cli_refuses_a_fifo_script_at_once(tmp_path: Path):
    import subprocess
    import sys

    script = tmp_path / "x.synth.py"
    os.mkfifo(script)
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parent.parent)}
    done = subprocess.run(
        [sys.executable, "-m", "synth_lsp", "evolve", str(script)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2 and "not a regular file" in done.stderr, done.stderr


def test_a_run_knows_the_archived_scripts(tmp_path: Path):
    from synth_lsp.optimizer.omega import open_population

    script = tmp_path / "x.synth.py"
    history(Population.for_script(script).path, 2000).save()
    population, notice = open_population(script)
    archived, _ = population.archived()
    assert (
        notice == "" and archived and all(c.id in population for c in archived)
    )  # a regenerated old script is not new


async def test_the_server_cache_answers_from_the_previous_version_while_a_changed_file_is_read(
    tmp_path: Path,
):
    from synth_lsp.server.evolution.population_cache import PopulationCache

    script = tmp_path / "x.synth.py"
    path = Population.for_script(script).path
    history(path, 20).save()
    cache = PopulationCache()
    told = []
    cache.listeners.append(lambda: told.append(True))
    first = await cache.stored(script)
    assert first is not None and len(first.ranked) == 25
    assert (
        await cache.stored(script, wait_s=0) is first
    )  # unchanged: the same version, no read

    grown = history(path, 40)
    os.utime(path, ns=(1, 1))  # a different stamp for certain
    grown.save()
    stale = await cache.stored(
        script, wait_s=0
    )  # the read has not finished: the previous version answers
    assert stale is first and told == []
    for _ in range(200):
        if told:
            break
        await asyncio.sleep(0.01)
    assert told == [True]  # the listeners heard the new version is in
    fresh = await cache.stored(script, wait_s=0)
    assert fresh is not first and len(fresh.ranked) == 45
    assert all(
        c.pairs == [] for c in fresh.ranked
    )  # the server's view leaves out per-pair results
