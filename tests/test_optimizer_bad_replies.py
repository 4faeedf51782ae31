"""Bad replies in a real run (issue 12, bad input): SEARCH/REPLACE edits that match twice, an
empty edit, an empty reply. Each is counted and said; the run goes on and keeps what it had.
Model calls go through litellm's HTTP path to the tests' in-process server."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from fake_openai import Reply

from synth_lsp.core.task import load_task_for_script
from synth_lsp.optimizer.omega import EvolveConfig, run_evolve
from synth_lsp.optimizer.population import Population, population_path_for

pytestmark = pytest.mark.usefixtures("litellm_loaded")

ARC = Path(__file__).resolve().parent.parent / "examples" / "arc"


def edit(search: str, replace: str) -> str:
    return f"<<<<<<< SEARCH\n{search}\n=======\n{replace}\n>>>>>>> REPLACE\n"


@pytest.fixture
def script(tmp_path):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(ARC / name, tmp_path / name)
    path = tmp_path / "007bbfb7.synth.py"
    path.write_text(path.read_text() + "# note\n# note\n")  # a line that occurs twice
    return path


def config(fake_openai, **overrides) -> EvolveConfig:
    base = dict(
        model="openai/x",
        api_base=fake_openai.api_base,
        api_key="dummy",
        population_size=4,
        children_per_generation=3,
        generations=1,
        patience=0,
        concurrency=1,
        crossover_rate=0.0,
        time_limit_s=1.0,
        seed=1,
        edit_mode="diff",
        use_offline=False,
    )
    return EvolveConfig(**{**base, **overrides})


def test_edits_that_match_twice_or_are_empty_and_empty_replies_are_counted_and_the_run_goes_on(
    script, sandbox, fake_openai
):
    before = script.read_text()
    twice = "Change the note:\n" + edit("# note", "# changed")
    empty_search = "Add:\n" + edit("", "x = 1")
    fake_openai.plan(Reply(twice), Reply(""), Reply(empty_search), Reply(""), Reply(""))
    result = run_evolve(
        load_task_for_script(script), script, config(fake_openai), sandbox=sandbox
    )

    assert result.generations_run == 1 and result.stop_reason  # the run ended normally
    assert (
        result.failures.count("openai/x: mutation reply unusable: the reply is empty")
        == 3
    )  # said, per reply
    assert (
        result.edits["replies_with_edits"] == 2
        and result.edits["not_applied"] == 2
        and result.edits["applied"] == 0
    )
    assert result.edits["rewrites_asked"] == 2 and result.edits["rewrites_usable"] == 0
    prompts = [r.messages[-1]["content"] for r in fake_openai.chat_requests()]
    assert any(
        "matches 2 places" in p for p in prompts
    )  # the model is told why, once, as a rewrite request
    assert any("searches for nothing" in p for p in prompts)
    assert (
        len(fake_openai.chat_requests()) == result.spend.calls == 5
    )  # every call counted, the asks again too
    stored = Population.load(population_path_for(script))
    assert any(
        c.origin == "seed" for c in stored.candidates.values()
    )  # nothing the run had was lost
    assert script.read_text() == before  # and the script was not touched
