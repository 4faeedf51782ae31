"""Better edits, several models (issue 12, section 2): SEARCH/REPLACE replies, the rewrite asked
for when they do not apply, prompts with nearest misses and lineage, and a bandit over models.
Model calls go through litellm's HTTP path to the tests' in-process server."""

from __future__ import annotations

import re
import shutil
from collections import Counter
from pathlib import Path

import pytest
from solutions import FRACTAL_007BBFB7
from stepping_stones import SteppingStoneModel, stone

from fake_openai import Failure, Reply
from synth_lsp.core.runs import RunLimits
from synth_lsp.core.task import load_task, load_task_for_script
from synth_lsp.optimizer.candidate import new_candidate, score_candidate
from synth_lsp.optimizer.llm import prompts
from synth_lsp.optimizer.llm.edits import EditError, apply_edits, parse_edits
from synth_lsp.optimizer.model_bandit import ModelBandit
from synth_lsp.optimizer.omega import EvolveConfig, run_evolve

pytestmark = pytest.mark.usefixtures("litellm_loaded")  # once per module: the import takes seconds

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
IDENTITY = (ARC / "007bbfb7.synth.py").read_text()




@pytest.fixture
def script(tmp_path):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(ARC / name, tmp_path / name)
    return tmp_path / "007bbfb7.synth.py"


def edit(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


# -- edits --------------------------------------------------------------------------------------
def test_edits_apply_in_order_and_bad_ones_say_why():
    script = "a = 1\nb = 2\nb = 2\nresult = {'a': a}\n"
    assert apply_edits(script, parse_edits("Change a:\n" + edit("a = 1", "a = 5") + edit("a = 5  ", "a = 6"))) == "a = 6\nb = 2\nb = 2\nresult = {'a': a}\n"
    for reply, reason in [
        (edit("c = 3", "c = 4"), "edit 1's SEARCH text matches nothing"),
        (edit("b = 2", "b = 3"), "edit 1's SEARCH text matches 2 places"),
        (edit("a = 1", "a = 2") + edit("", "x = 1"), "edit 2 searches for nothing"),
    ]:
        with pytest.raises(EditError) as info:
            apply_edits(script, parse_edits(reply))
        assert reason in info.value.reason
    with pytest.raises(EditError):
        parse_edits("<<<<<<< SEARCH\na = 1\n")  # never closed


def test_a_run_applies_edits_asks_again_once_when_they_do_not_apply_and_counts_both(script, sandbox, fake_openai):
    body = IDENTITY.split("\n")
    target_line = next(line for line in body if "result" in line and "=" in line)
    good = "Tile it:\n" + edit(target_line, "g = inputs['input_grid']\nresult = {'output_grid': [row * 3 for row in g] * 3}")
    bad = "Fix:\n" + edit("this line is not in the script", "result = {}")
    rewrite = f"Here is the whole script.\n```python\n{FRACTAL_007BBFB7}```\n"
    fake_openai.plan(Reply(good), Reply(bad), Reply(rewrite))
    config = EvolveConfig(
        model="openai/x", api_base=fake_openai.api_base, api_key="dummy", population_size=4, children_per_generation=2,
        generations=1, patience=0, concurrency=1, crossover_rate=0.0, time_limit_s=1.0, seed=1, edit_mode="auto",
    )
    result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    assert result.edits == {"replies_with_edits": 2, "applied": 1, "not_applied": 1, "rewrites_asked": 1, "rewrites_usable": 1}
    requests = fake_openai.chat_requests()
    assert len(requests) == 3 == result.spend.calls  # the rewrite is a call of its own, counted
    assert "SEARCH/REPLACE" in requests[0].prompt_text
    again = requests[2].messages
    assert again[-2] == {"role": "assistant", "content": bad}
    assert "could not be applied: edit 1's SEARCH text matches nothing" in again[-1]["content"]
    scripts = {c.script for c in result.population.candidates.values()}
    assert FRACTAL_007BBFB7 in scripts and any("row * 3 for row in g" in s for s in scripts)
    assert result.best.fits_train
    assert result.population.runs[-1]["edits"]["applied"] == 1  # stored with the run


def test_edit_modes_say_what_reply_they_want(task, sandbox):
    parent = score_candidate(new_candidate(IDENTITY, "seed"), task, sandbox, RunLimits(time_s=1))
    full = prompts.mutation_messages(task, parent, "", "full")[0]["content"]
    diff = prompts.mutation_messages(task, parent, "", "diff")[0]["content"]
    auto = prompts.mutation_messages(task, parent, "", "auto")[0]["content"]
    assert "no diff" in full and "SEARCH" not in full
    assert "<<<<<<< SEARCH" in diff and "complete script" not in diff
    assert "<<<<<<< SEARCH" in auto and "ONE complete script" in auto


@pytest.fixture(scope="module")
def task():
    return load_task(ARC / "007bbfb7.json")


# -- prompts: nearest misses apart from the worst pairs, and the lineage --------------------------
def test_prompts_show_best_and_worst_pairs_apart_and_the_lineage(task, sandbox):
    uneven = stone(2, 4).replace("for i in range(40, len(out) * len(out[0])):", "for i in range(sum(map(sum, inputs['input_grid'])) % 60, len(out) * len(out[0])):")
    grandparent = score_candidate(new_candidate(IDENTITY, "seed"), task, sandbox, RunLimits(time_s=1))
    parent = score_candidate(new_candidate(stone(1, 4), "mutation", [grandparent.id], 1), task, sandbox, RunLimits(time_s=1))
    child = score_candidate(new_candidate(uneven, "mutation", [parent.id], 2), task, sandbox, RunLimits(time_s=1))
    assert len(set(child.train_credit)) > 2  # the pairs differ in how close they come
    text = prompts.mutation_messages(task, child, "", "auto", (parent, grandparent))[1]["content"]
    best_at, worst_at = text.index("Its best failing pairs"), text.index("Its worst pairs")
    closeness = [float(x) for x in re.findall(r"\(closeness ([0-9.]+):", text)]
    assert len(closeness) == 5 and closeness == sorted(closeness, reverse=True)
    assert best_at < worst_at
    lineage = text[text.index("## Its lineage"):]
    assert f"from {parent.id} (reward 0.00, closeness {parent.fitness[1]:.2f}) to {child.id}" in lineage
    assert f"from {grandparent.id} (reward 0.00, closeness 0.00) to {parent.id}" in lineage
    assert "-STONE = 1" in lineage and "+STONE = 2" in lineage and "+for i in range(sum(" in lineage  # what changed
    assert lineage.index(parent.id) < lineage.index(grandparent.id)  # nearest first


# -- several models -----------------------------------------------------------------------------
def test_the_bandit_prefers_what_improves_per_unit_of_cost():
    bandit = ModelBandit(["cheap", "dear", "broken"])
    picks = Counter()
    for _ in range(300):
        model = bandit.choose()
        bandit.started(model)
        picks[model] += 1
        gain, usable, cost = {"cheap": (0.05, True, 1.0), "dear": (0.05, True, 5.0), "broken": (0.0, False, 0.0)}[model]
        bandit.observe(model, gain, usable, cost)
    assert picks["cheap"] > picks["dear"] > picks["broken"]
    assert picks["cheap"] > 150 and picks["broken"] < 60


def test_several_models_one_always_failing_one_unknown_the_run_goes_on(script, sandbox, fake_openai):
    stones = SteppingStoneModel(stones=6, p=0.6, seed=2)

    def respond(body):
        name = body["model"]
        if name == "flaky":
            return Failure(503)
        if name == "missing":
            return Failure(404, message="no such model")
        return stones(body)

    fake_openai.responder = respond
    script.write_text(stone(0, 6))
    config = EvolveConfig(
        model="openai/good", models=["openai/flaky", "openai/missing"], api_base=fake_openai.api_base, api_key="dummy",
        population_size=6, children_per_generation=4, generations=8, patience=0, concurrency=2, retry_attempts=1,
        crossover_rate=0.0, time_limit_s=1.0, seed=4,
    )
    result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    sent = [r.body["model"] for r in fake_openai.chat_requests()]
    assert sent.count("missing") == 1  # refused once, then retired
    assert 3 <= sent.count("flaky") <= 4  # failed three times in a row (one more may be in flight), then not chosen
    assert sent.count("good") > 10
    assert result.generations_run >= 1 and result.best.fitness > (0.0, 0.1)  # the run went on, and climbed
    arms = {a["model"]: a for a in result.models}
    assert "no such model" in arms["openai/missing"]["retired"] and not arms["openai/good"]["retired"]
    assert "3 calls failed in a row" in arms["openai/flaky"]["retired"]
    rows = {(r["model"], r["origin"]): r for r in result.by_model_and_origin}
    assert rows[("openai/good", "mutation")]["calls"] == sent.count("good")
    assert rows[("openai/flaky", "mutation")]["calls"] == sent.count("flaky")


def test_model_options_on_the_command_line():
    from synth_lsp.cli.evolve import config_from_args
    from synth_lsp.cli.main import build_parser

    args = build_parser().parse_args(["evolve", "x.synth.py", "--model", "openai/a", "--model", "anthropic/b", "--edit-mode", "diff"])
    config = config_from_args(args)
    assert config.language_models == ["openai/a", "anthropic/b"] and config.edit_mode == "diff"
    assert EvolveConfig.from_settings({"model": "openai/a", "models": ["openai/c"], "editMode": "full"}).language_models == ["openai/a", "openai/c"]
