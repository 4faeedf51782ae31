"""OMEGA through the real litellm HTTP path, against the in-process OpenAI-compatible server.

Every model call here goes litellm -> HTTP -> tests/fake_openai.py; nothing is mocked inside litellm.
"""

from __future__ import annotations

import itertools
import json
import re
import shutil
import time
from pathlib import Path

import pytest

from fake_openai import Failure, FakeOpenAI, Reply
from synth_lsp.optimizer.llm import prompts
from synth_lsp.optimizer.llm.budget import Budget
from synth_lsp.optimizer.candidate import new_candidate, score_candidate
from synth_lsp.optimizer.llm.language_model import (
    LanguageModel,
    ModelAuthError,
    ModelRequestError,
    ModelUnavailableError,
    RetryPolicy,
    import_litellm,
)
from synth_lsp.optimizer.omega import EvolveConfig, EvolveError, run_evolve
from synth_lsp.optimizer.population import Population, population_path_for
from synth_lsp.optimizer.sources import LanguageModelSource, ProposalRequest
from synth_lsp.core.runs import RunLimits
from synth_lsp.core.task import load_task_for_script

pytestmark = pytest.mark.usefixtures("litellm_loaded")  # once per module: the import takes seconds

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
FAST_RETRY = RetryPolicy(max_attempts=3, base_delay_s=0.01, max_delay_s=0.05)
MESSAGES = [{"role": "user", "content": "write a script"}]

# 007bbfb7: a right-shaped but wrong answer (the input tiled everywhere), then the rule itself
TILE_EVERYWHERE = """def transform(grid):
    n = len(grid)
    return [[grid[r % n][c % n] for c in range(n * n)] for r in range(n * n)]

result = {"output_grid": transform(inputs["input_grid"])}
"""
SOLUTION = """def transform(grid):
    n = len(grid)
    out = [[0] * (n * n) for _ in range(n * n)]
    for R in range(n):
        for C in range(n):
            if grid[R][C] != 0:
                for r in range(n):
                    for c in range(n):
                        out[R * n + r][C * n + c] = grid[r][c]
    return out

result = {"output_grid": transform(inputs["input_grid"])}
"""


def fenced(script: str, prose: str = "Here is the improved script.") -> str:
    return f"{prose}\n```python\n{script}```\n"




@pytest.fixture
def workdir(tmp_path):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(ARC / name, tmp_path / name)
    return tmp_path


def model_config(server: FakeOpenAI, **overrides) -> EvolveConfig:
    settings = dict(
        model="openai/x",
        api_base=server.api_base,
        api_key="dummy",
        population_size=4,
        children_per_generation=2,
        generations=4,
        patience=0,
        concurrency=2,
        retry_attempts=2,
        retry_base_delay_s=0.01,
        request_timeout_s=10,
        time_limit_s=1.0,
        seed=3,
    )
    settings.update(overrides)
    return EvolveConfig(**settings)


def lm(server: FakeOpenAI, **kwargs) -> LanguageModel:
    kwargs.setdefault("retry", FAST_RETRY)
    kwargs.setdefault("timeout_s", 5)
    return LanguageModel("openai/x", api_base=server.api_base, api_key=kwargs.pop("api_key", "dummy"), **kwargs)


# -- the client: retries, timeouts, fatal errors ------------------------------------------------
async def test_429_is_retried_after_the_servers_retry_after(fake_openai):
    fake_openai.fail(429, retry_after=0.4).reply("fine", prompt_tokens=7, completion_tokens=3)
    budget = Budget()
    completion = await lm(fake_openai, budget=budget, retry=RetryPolicy(max_attempts=3, base_delay_s=0.001)).complete(MESSAGES, 0.5)
    assert completion.text == "fine" and completion.attempts == 2
    first, second = fake_openai.chat_requests()
    assert first.answered_with == "failure 429" and second.answered_with == "reply"
    assert second.at - first.at >= 0.35  # waited as told, not the 1 ms backoff
    assert budget.spend.calls == 2 and budget.spend.prompt_tokens == 7 and budget.spend.completion_tokens == 3


async def test_503_backs_off_then_gives_up_with_a_clear_error(fake_openai):
    fake_openai.fail(503).fail(503).reply("ok")
    assert (await lm(fake_openai).complete(MESSAGES, 0.5)).attempts == 3
    fake_openai.fail(503).fail(503).fail(503)
    with pytest.raises(ModelUnavailableError) as info:
        await lm(fake_openai).complete(MESSAGES, 0.5)
    assert "gave up after 3 attempt(s)" in str(info.value) and "ServiceUnavailable" in str(info.value)
    assert not info.value.fatal


async def test_each_call_has_a_timeout_and_timeouts_are_retried(fake_openai):
    fake_openai.plan(Reply("too late", delay_s=6.0), Reply("in time"))
    started = time.monotonic()
    completion = await lm(fake_openai, timeout_s=0.3).complete(MESSAGES, 0.5)
    assert completion.text == "in time" and completion.attempts == 2
    assert time.monotonic() - started < 5.0  # did not wait for the slow reply (6 s)


async def test_401_stops_at_once_and_never_shows_the_key(fake_openai):
    fake_openai.fail(401, message="bad key", echo_key=True).reply("never reached")
    with pytest.raises(ModelAuthError) as info:
        await lm(fake_openai, api_key="sk-test-SECRET-1234").complete(MESSAGES, 0.5)
    assert len(fake_openai.chat_requests()) == 1  # no retry
    assert "OPENAI_API_KEY" in str(info.value) and "SECRET" not in str(info.value)
    assert info.value.fatal


async def test_400_stops_at_once_and_its_message_is_scrubbed_of_keys(fake_openai, monkeypatch):
    fake_openai.fail(400, message="unknown parameter", echo_key=True)
    with pytest.raises(ModelRequestError) as info:
        await lm(fake_openai, api_key="sk-test-PASSED-98765").complete(MESSAGES, 0.5)
    assert "rejected the request" in str(info.value) and "unknown parameter" in str(info.value)
    assert "PASSED" not in str(info.value) and "***" in str(info.value)
    assert len(fake_openai.chat_requests()) == 1  # not retried
    # a key from the provider's environment variable is scrubbed too
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-FROMENV-13579")
    fake_openai.fail(400, message="unknown parameter", echo_key=True)
    with pytest.raises(ModelRequestError) as info:
        await LanguageModel("openai/x", api_base=fake_openai.api_base, retry=FAST_RETRY).complete(MESSAGES, 0.5)
    assert "FROMENV" not in str(info.value) and "***" in str(info.value)


async def test_requests_carry_temperature_max_tokens_and_messages(fake_openai):
    fake_openai.reply("ok")
    await lm(fake_openai, max_tokens=321).complete(MESSAGES, 0.25)
    body = fake_openai.chat_requests()[0].body
    assert body["temperature"] == 0.25 and body["max_tokens"] == 321 and body["messages"] == MESSAGES


# -- the language-model source: garbage replies are failed mutations ----------------------------
async def test_unusable_replies_are_failed_mutations_not_failed_runs(fake_openai, sandbox):
    task = load_task_for_script(ARC / "007bbfb7.synth.py")
    parent = score_candidate(new_candidate((ARC / "007bbfb7.synth.py").read_text(), "seed"), task, sandbox, RunLimits(time_s=1))
    fake_openai.plan(
        Reply("I think the grid should be tiled."),  # no code
        Reply(fenced(SOLUTION), finish_reason="length"),  # truncated (even though it parses)
        Reply("```python\nresult = {'output_grid': [[1, 2]\n```"),  # code that does not parse
        Reply("Try this:\n~~~ Python\n" + TILE_EVERYWHERE + "~~~\n"),  # an odd fence: accepted
    )
    budget = Budget()
    source = LanguageModelSource(lm(fake_openai, budget=budget), task, "walls", budget, concurrency=1)
    report = await source.propose([ProposalRequest("mutation", (parent,), 1)] * 4)
    assert [p.script for p in report.proposals] == [TILE_EVERYWHERE]
    assert report.proposals[0].parents == (parent.id,) and report.proposals[0].origin == "mutation"
    assert len(report.failures) == 3
    assert any("truncated" in f for f in report.failures) and any("no python code" in f for f in report.failures)
    assert budget.spend.failed_replies == 3


# -- a full evolution ---------------------------------------------------------------------------
def solver_responder(body: dict) -> Reply:
    """A 'model' that reads the prompt like a model would: it fixes what the feedback says is wrong."""
    text = "\n".join(str(m.get("content")) for m in body["messages"])
    if "Script A" in text:  # a crossover: hand back the better-looking parent
        return Reply(fenced(TILE_EVERYWHERE if "cells differ" in text else SOLUTION))
    if "wrong shape: expected 9x9, got 3x3" in text:
        return Reply(fenced(TILE_EVERYWHERE, "The output must be 3 times larger."))
    if "cells differ" in text:
        return Reply(fenced(SOLUTION, "Copy the grid only where the cell is filled."))
    return Reply("No idea.")


def test_full_evolution_reaches_reward_1_from_the_identity_seed(workdir, sandbox, fake_openai):
    fake_openai.responder = solver_responder
    script = workdir / "007bbfb7.synth.py"
    task = load_task_for_script(script)
    progress = []
    result = run_evolve(task, script, model_config(fake_openai, crossover_rate=0.0), on_progress=progress.append, sandbox=sandbox)

    assert result.best.train_reward == 1.0 and result.best.script == SOLUTION
    assert result.start.origin == "seed" and result.start.train_reward == 0.0
    # lineage: seed -> tiled everywhere -> solution
    population = Population.load(population_path_for(script))
    middle = population.get(result.best.parents[0])
    assert middle.script == TILE_EVERYWHERE and middle.parents == [result.start.id]
    assert result.best.origin == "mutation" and result.best.generation == 2
    assert result.stop_reason == "fits every train pair" and population.generation == 2
    # progress: start, one line per generation, then the end
    assert [p.generation for p in progress] == [0, 1, 2, 2] and progress[-1].state == "finished"
    assert progress[-1].best_reward == 1.0 and progress[-1].calls == result.spend.calls == 4
    assert population.totals.calls == 4 and population.totals.tokens > 0

    requests = fake_openai.chat_requests()
    first = requests[0].prompt_text
    # what the first mutation prompt holds: walls, instructions, train pairs, parent, its predictions
    assert "Importable modules:" in first and "NOT importable:" in first  # the probed walls
    assert task.instructions in first
    assert "def transform(inputs):" in first and "reward 0.00 (0 of 5 pairs pass)" in first
    assert "wrong shape: expected 9x9, got 3x3" in first
    assert "expected output (9x9):\n000077077" in first  # compact grids
    later = [r.prompt_text for r in requests if "cells differ" in r.prompt_text]
    assert later and re.search(r"differing cells \(row,col from 0\): \(0,1\) expected 0 got 7, \(0,2\)", later[0])
    # no test pair in any prompt
    test_pair = task.test[0]
    for request in requests:
        text = request.prompt_text
        assert prompts.render_grid(test_pair.inputs["input_grid"]) not in text
        assert prompts.render_grid(test_pair.expected["output_grid"]) not in text
        assert json.dumps(test_pair.expected["output_grid"]) not in text
        assert "test" not in text.lower()
    # test results are reported, separately
    assert result.best.test_total == 1 and result.best.test_passed == 1


def test_test_pairs_never_decide_between_candidates(workdir, sandbox, fake_openai):
    """Two scripts equal on train, one right on test: the choice must not depend on the test pair."""
    script = workdir / "007bbfb7.synth.py"
    task = load_task_for_script(script)
    test_input = task.test[0].inputs["input_grid"]
    # passes train like SOLUTION, but breaks the test input only (its first cell is 7, no train input's is)
    cheat = SOLUTION.replace("    n = len(grid)\n    out", "    n = len(grid)\n    if grid[0][0] == 7:\n        n = 1\n    out", 1)
    assert test_input[0][0] == 7
    fake_openai.plan(Reply(fenced(cheat)), Reply(fenced(SOLUTION)))
    config = model_config(fake_openai, generations=1, children_per_generation=2, concurrency=1, population_size=2)
    result = run_evolve(task, script, config, sandbox=sandbox)
    population = result.population
    good = population.get(new_candidate(SOLUTION, "mutation").id)
    bad = population.get(new_candidate(cheat, "mutation").id)
    assert good.train_reward == bad.train_reward == 1.0
    assert good.test_passed == 1 and bad.test_passed == 0
    # equal on train: the shorter script ranks first; flipping the test results changes nothing
    key = [c.id for c in population.ranked()]
    assert key.index(good.id) < key.index(bad.id)
    bad.test_passed, good.test_passed = 1, 0
    assert [c.id for c in population.ranked()] == key


def test_crossover_really_happens_in_a_run(workdir, sandbox, fake_openai):
    counter = {"n": 0}

    def variants(body: dict) -> Reply:
        counter["n"] += 1
        return Reply(fenced(f"g = inputs['input_grid']\nk = {counter['n']}\nresult = {{'output_grid': [row[:] for row in g] * (k % 3 + 1)}}\n"))

    fake_openai.responder = variants
    script = workdir / "007bbfb7.synth.py"
    task = load_task_for_script(script)
    config = model_config(fake_openai, crossover_rate=0.5, generations=3, children_per_generation=4)
    result = run_evolve(task, script, config, sandbox=sandbox)
    crossover_prompts = [r for r in fake_openai.chat_requests() if "## Script A" in r.prompt_text and "## Script B" in r.prompt_text]
    assert crossover_prompts, "no crossover prompt was sent"
    # generation 1 has only the seed to mutate; after that, about half of the children are crossovers
    eligible = fake_openai.chat_requests()[4:]
    assert 0.15 <= len(crossover_prompts) / len(eligible) <= 0.85
    children = [c for c in result.population.candidates.values() if c.origin == "crossover"]
    assert children and all(len(c.parents) == 2 for c in children)


def distinct_scripts():
    """A responder whose every reply is a new (wrong) script."""
    counter = itertools.count(1)
    return lambda body: Reply(fenced(f"k = {next(counter)}\nresult = {{'output_grid': [[k % 10]]}}\n"))


def test_embedding_model_is_called_once_per_new_candidate(workdir, sandbox, fake_openai):
    fake_openai.responder = distinct_scripts()
    script = workdir / "007bbfb7.synth.py"
    task = load_task_for_script(script)
    per_generation = []
    config = model_config(fake_openai, embedding_model="openai/embed", generations=3, children_per_generation=3, population_size=3)
    before = {"n": 0}

    def on_progress(p):
        count = len(fake_openai.embedding_requests())
        per_generation.append((p.new_candidates, count - before["n"]))
        before["n"] = count

    result = run_evolve(task, script, config, on_progress=on_progress, sandbox=sandbox)
    embedded = [r.body["input"] for r in fake_openai.embedding_requests()]
    assert len(embedded) == len(result.population)  # each candidate once, however many distances
    assert len({json.dumps(e) for e in embedded}) == len(embedded)
    for new, calls in per_generation[1:-1]:
        assert calls == new  # embedding calls per generation = new candidates
    assert result.spend.embedding_calls == len(result.population)


# -- budget caps --------------------------------------------------------------------------------
def test_call_cap_is_exact(workdir, sandbox, fake_openai):
    fake_openai.responder = lambda body: Reply("no code")
    script = workdir / "007bbfb7.synth.py"
    config = model_config(fake_openai, max_calls=3, generations=5, children_per_generation=2)
    result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    assert len(fake_openai.chat_requests()) == 3 and result.spend.calls == 3
    assert result.stop_reason == "budget: 3 calls reached"


def test_token_and_cost_caps_are_never_exceeded_even_with_calls_in_flight(workdir, sandbox, fake_openai):
    litellm = import_litellm()
    litellm.register_model({"openai/priced-test-model": {"input_cost_per_token": 1e-4, "output_cost_per_token": 2e-4, "litellm_provider": "openai", "mode": "chat"}})
    fake_openai.responder = lambda body: Reply("no code", prompt_tokens=1000, completion_tokens=100)
    script = workdir / "007bbfb7.synth.py"
    task = load_task_for_script(script)
    many = dict(concurrency=4, children_per_generation=4, generations=6)

    by_tokens = run_evolve(task, script, model_config(fake_openai, max_tokens=6000, **many), sandbox=sandbox)
    assert by_tokens.spend.calls >= 2 and by_tokens.spend.tokens <= 6000
    assert "budget: 6000 tokens reached" in by_tokens.stop_reason
    limits = [r.body["max_tokens"] for r in fake_openai.chat_requests()]
    assert max(limits) <= 4096 and min(limits) < 4096  # calls near the cap were sent with a lower reply limit
    fake_openai.clear_log()

    config = model_config(fake_openai, model="openai/priced-test-model", max_cost_usd=0.5, **many)
    by_cost = run_evolve(task, script, config, sandbox=sandbox)
    # a call really costs 1000 * 1e-4 + 100 * 2e-4 = 0.12 USD, but may hold up to its reply limit
    assert by_cost.spend.calls >= 2 and by_cost.spend.cost_usd <= 0.5
    assert by_cost.spend.cost_usd == pytest.approx(0.12 * by_cost.spend.calls)
    assert "budget: $0.5000 reached" in by_cost.stop_reason
    stored = Population.load(population_path_for(script))
    assert stored.totals.cost_usd == pytest.approx(by_cost.spend.cost_usd)
    assert stored.totals.calls == by_tokens.spend.calls + by_cost.spend.calls


def test_a_401_during_evolution_stops_with_a_clear_message(workdir, sandbox, fake_openai):
    fake_openai.responder = lambda body: Failure(401)
    script = workdir / "007bbfb7.synth.py"
    with pytest.raises(EvolveError) as info:
        run_evolve(load_task_for_script(script), script, model_config(fake_openai), sandbox=sandbox)
    assert "credentials" in str(info.value)
    assert len(fake_openai.chat_requests()) <= 2  # the calls already in flight (concurrency 2), no more
    stored = Population.load(population_path_for(script))
    assert stored.runs[-1]["stop_reason"].startswith("failed:") and len(stored) == 1  # the seed is kept


def test_stop_flag_ends_the_run_after_the_generation_in_flight(workdir, sandbox, fake_openai):
    fake_openai.responder = lambda body: Reply(fenced(f"k = {len(fake_openai.chat_requests())}\nresult = {{'output_grid': [[k % 10]]}}\n"))
    script = workdir / "007bbfb7.synth.py"
    seen = []
    stop = lambda: any(p.generation >= 1 for p in seen)
    result = run_evolve(load_task_for_script(script), script, model_config(fake_openai, generations=5), on_progress=seen.append, should_stop=stop, sandbox=sandbox)
    assert result.stop_reason == "stopped by user" and result.generations_run == 1
    assert seen[-1].state == "stopped" and len(fake_openai.chat_requests()) == 2
    assert Population.load(population_path_for(script)).generation == 1


def test_offline_model_beside_a_language_model(workdir, sandbox, fake_openai):
    fake_openai.responder = lambda body: Reply("No code from me.")
    script = workdir / "007bbfb7.synth.py"
    config = model_config(fake_openai, use_offline=True, offline_time_budget_s=5, generations=2)
    result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    assert result.best.origin == "offline" and result.best.train_reward == 1.0
    assert len(fake_openai.chat_requests()) >= 2  # the model was asked too
    assert result.spend.failed_replies == len(fake_openai.chat_requests())


def test_a_user_edit_saved_by_another_process_joins_the_running_evolution(workdir, sandbox, fake_openai):
    script = workdir / "007bbfb7.synth.py"
    state = {"edited": False}

    def responder(body: dict) -> Reply:
        if not state["edited"]:  # meanwhile, the editor saves a version of the script (e.g. the language server)
            state["edited"] = True
            editor_side = Population.for_script(script)
            editor_side.add_user_edit(TILE_EVERYWHERE, sandbox=sandbox)
        text = "\n".join(str(m.get("content")) for m in body["messages"])
        return Reply(fenced(SOLUTION)) if "cells differ" in text else Reply("no idea")

    fake_openai.responder = responder
    config = model_config(fake_openai, generations=4, crossover_rate=0.0, concurrency=1)
    result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    population = Population.load(population_path_for(script))
    user = population.get(new_candidate(TILE_EVERYWHERE, "user").id)
    assert user is not None and user.origin == "user"  # not lost when the run saved
    assert result.best.train_reward == 1.0 and result.best.parents == [user.id]  # the optimizer built on it


def test_an_ollama_model_evolves_through_its_own_api(workdir, sandbox, fake_openai):
    """Any litellm model by name: `ollama_chat/...` speaks Ollama's /api/chat, not OpenAI's API."""
    fake_openai.responder = solver_responder
    script = workdir / "007bbfb7.synth.py"
    config = model_config(fake_openai, model="ollama_chat/qwen2.5-coder", api_base=fake_openai.root, api_key=None,
                          embedding_model="ollama/nomic-embed-text", crossover_rate=0.0)
    result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    assert result.best.train_reward == 1.0 and result.best.note == "ollama_chat/qwen2.5-coder"
    paths = {r.path for r in fake_openai.requests}
    assert "/api/chat" in paths and "/api/embed" in paths and not any(p.startswith("/v1") for p in paths)
    assert fake_openai.chat_requests()[0].body["options"]["temperature"] == config.mutation_temperature


def test_a_resumed_run_does_not_embed_its_population_again(workdir, sandbox, fake_openai):
    fake_openai.responder = distinct_scripts()
    script = workdir / "007bbfb7.synth.py"
    config = model_config(fake_openai, embedding_model="openai/embed", generations=2, children_per_generation=3, population_size=3)
    first = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    cache = script.with_name("007bbfb7.synth.embeddings.json")
    assert json.loads(cache.read_text())["model"] == "openai/embed"
    calls_before = len(fake_openai.embedding_requests())
    assert calls_before == len(first.population)

    second = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox)
    embedded_again = [r.body["input"][0] for r in fake_openai.embedding_requests()[calls_before:]]
    new_ids = set(second.population.candidates) - set(first.population.candidates)
    assert len(embedded_again) == len(new_ids)  # only the candidates the second run made
    assert not set(embedded_again) & {c.script for c in first.population.candidates.values()}


def test_an_embeddings_cache_of_another_model_or_corrupt_is_ignored(tmp_path):
    from synth_lsp.optimizer.embedding_store import EmbeddingStore

    path = tmp_path / "t.synth.embeddings.json"
    EmbeddingStore(path, "openai/a").save({"c1": [0.1234567891, 2.0]})
    assert EmbeddingStore(path, "openai/a").load() == {"c1": [0.1234568, 2.0]}
    assert EmbeddingStore(path, "openai/b").load() == {}  # another model's space
    path.write_text('{"model": "openai/a", "vectors": {"c1": [1')
    assert EmbeddingStore(path, "openai/a").load() == {}
    path.write_text('{"model": "openai/a", "vectors": {"c1": "x", "c2": [1, 2]}}')
    assert EmbeddingStore(path, "openai/a").load() == {"c2": [1.0, 2.0]}


def test_an_embeddings_cache_that_is_a_fifo_is_neither_read_nor_replaced(tmp_path):
    import os
    import stat

    from synth_lsp.optimizer.embedding_store import EmbeddingStore

    path = tmp_path / "t.synth.embeddings.json"
    os.mkfifo(path)
    store = EmbeddingStore(path, "openai/a")
    assert store.load() == {}  # a plain read would block here until someone writes to the FIFO
    store.save({"c1": [1.0]})
    assert stat.S_ISFIFO(os.stat(path).st_mode)  # left as it was, not replaced by a file
