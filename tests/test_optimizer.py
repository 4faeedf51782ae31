"""OMEGA's parts without a language model: DNS, softmax, crossover planning, similarity, replies,
prompts, the stored population, budget caps, and the offline source."""

from __future__ import annotations

import asyncio
import json
import math
import random
import shutil
import time
from pathlib import Path

import pytest
from solutions import FRACTAL_007BBFB7

from synth_lsp.optimizer import novelty, selection, similarity
from synth_lsp.optimizer.llm import prompts
from synth_lsp.optimizer.llm.budget import Budget, BudgetCaps
from synth_lsp.optimizer.candidate import Candidate, candidate_id, new_candidate, score_candidate
from synth_lsp.optimizer.llm.embeddings import BuiltinSimilarity
from synth_lsp.optimizer.omega import EvolveConfig, EvolveError, plan_generation, run_evolve, survive
from synth_lsp.optimizer.population import Population, PopulationError, population_path_for
from synth_lsp.optimizer.llm.replies import ReplyError, extract_script
from synth_lsp.core.runs import RunLimits
from synth_lsp.core.task import load_task, load_task_for_script

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
FAST = RunLimits(time_s=1.0, memory_mb=64)

SOLUTION = FRACTAL_007BBFB7
IDENTITY = (ARC / "007bbfb7.synth.py").read_text()



@pytest.fixture(scope="module")
def task():
    return load_task(ARC / "007bbfb7.json")


def scored(script: str, task, sandbox, origin="mutation") -> Candidate:
    return score_candidate(new_candidate(script, origin), task, sandbox, FAST)


# -- Dominated Novelty Search ------------------------------------------------------------------
def test_dns_dominated_near_copy_dies_and_fit_outlier_lives():
    # 0: the fittest; 1: a near-copy of it, a little less fit; 2: far from both, less fit still
    fitness = [1.0, 0.8, 0.6]
    d = {(0, 1): 0.01, (0, 2): 0.9, (1, 2): 0.85}
    dist = lambda i, j: 0.0 if i == j else d[(min(i, j), max(i, j))]
    scores = novelty.competition_scores(fitness, dist, k=2)
    assert scores[0] == math.inf  # nothing is fitter
    assert scores[1] == pytest.approx(0.01)
    assert scores[2] == pytest.approx((0.9 + 0.85) / 2)
    assert novelty.survivors(fitness, dist, k=2, size=2) == [0, 2]  # a pure top-k by reward would keep 0 and 1


def test_dns_uses_only_strictly_fitter_neighbours_and_k_nearest():
    fitness = [0.5, 0.5, 0.2]
    dist = lambda i, j: abs(i - j) * 0.1
    scores = novelty.competition_scores(fitness, dist, k=1)
    assert scores[:2] == [math.inf, math.inf]  # equally fit candidates do not dominate each other
    assert scores[2] == pytest.approx(0.1)  # the nearest of the two fitter ones


def test_dns_on_real_scripts_with_builtin_similarity(task, sandbox):
    best = scored(SOLUTION, task, sandbox)
    # same algorithm with a bug in the last row block: a near-copy, less fit
    near_copy = scored(SOLUTION.replace("for R in range(n):", "for R in range(n - 1):"), task, sandbox)
    # a different algorithm that also fails: far away
    outlier = scored(
        "g = inputs['input_grid']\nrows = []\nfor row in g:\n    rows.append([v for v in row for _ in range(3)])\n"
        "result = {'output_grid': rows + rows + rows}\n",
        task,
        sandbox,
    )
    assert best.train_reward == 1.0
    assert near_copy.train_reward < 1.0 and outlier.train_reward < 1.0
    # make the near-copy fitter than the outlier, as in the scenario
    near_copy.train_reward, outlier.train_reward = 0.6, 0.4
    measure = BuiltinSimilarity()
    assert measure.distance(best, near_copy) < 0.2 < measure.distance(best, outlier)
    kept = survive([best, near_copy, outlier], measure, k=5, size=2)
    assert kept == {best.id, outlier.id}


# -- selection and crossover -------------------------------------------------------------------
def test_softmax_probabilities():
    p = selection.softmax([1.0, 0.5, 0.0], temperature=0.3)
    assert sum(p) == pytest.approx(1.0)
    assert p[0] > p[1] > p[2]
    assert p[0] / p[1] == pytest.approx(math.exp(0.5 / 0.3))
    assert selection.softmax([1.0, 0.0], temperature=0) == [1.0, 0.0]
    hot = selection.softmax([1.0, 0.0], temperature=1000)
    assert hot[0] == pytest.approx(0.5, abs=0.01)


def test_softmax_choice_frequencies_follow_the_probabilities():
    rng = random.Random(7)
    items, rewards = ["a", "b", "c"], [1.0, 0.6, 0.0]
    expected = selection.softmax(rewards, 0.5)
    draws = [selection.choose(rng, items, rewards, 0.5) for _ in range(4000)]
    for item, p in zip(items, expected):
        assert draws.count(item) / len(draws) == pytest.approx(p, abs=0.03)


def test_crossover_happens_at_its_configured_rate():
    parents = [new_candidate(f"result = {{'v': {i}}}\n", "seed") for i in range(4)]
    for i, c in enumerate(parents):
        c.train_reward = i / 4
    rng = random.Random(1)
    for rate in (0.0, 0.25, 1.0):
        config = EvolveConfig(crossover_rate=rate, children_per_generation=2000)
        requests = plan_generation(rng, parents, config, generation=1)
        share = sum(r.kind == "crossover" for r in requests) / len(requests)
        assert share == pytest.approx(rate, abs=0.03)
        for r in requests:
            if r.kind == "crossover":
                assert len(r.parents) == 2 and r.parents[0].id != r.parents[1].id
    # with a single candidate there is nothing to cross
    lone = plan_generation(rng, parents[:1], EvolveConfig(crossover_rate=1.0, children_per_generation=5), 1)
    assert {r.kind for r in lone} == {"mutation"}


# -- similarity and identity -------------------------------------------------------------------
def test_similarity_orders_near_copy_renamed_and_unrelated():
    base = similarity.profile(SOLUTION)
    comment_only = similarity.profile("# a comment\n" + SOLUTION.replace("    n = len(grid)", "    n  =  len(grid)  # size"))
    renamed = similarity.profile(SOLUTION.replace("grid", "g").replace("out", "res"))
    unrelated = similarity.profile("import json\nresult = {'count': len(json.dumps(inputs))}\n")
    assert similarity.distance(base, comment_only) == pytest.approx(0.0)
    assert 0 < similarity.distance(base, renamed) < similarity.distance(base, unrelated)
    assert similarity.profile("x = (") is not None  # broken code still gets a profile


def test_identical_scripts_up_to_whitespace_are_one_candidate():
    a = "x = [1,2]\nresult = {'a': x}\n"
    b = "x = [1, 2]\n\n\nresult = {'a' :  x}   \n"
    assert candidate_id(a) == candidate_id(b)
    assert candidate_id(a) != candidate_id("x = [1, 3]\nresult = {'a': x}\n")


# -- replies -----------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "reply, expected",
    [
        ("Here it is:\n```python\nresult = {'a': 1}\n```\nDone.", "result = {'a': 1}\n"),
        ("```py\nx = (\n```\nOops, fixed:\n```Python\nresult = 2\n```", "result = 2\n"),
        ("~~~python\nresult = 3\n~~~", "result = 3\n"),
        ("```\nresult = 4\n```", "result = 4\n"),
        ("<think>maybe ```python\nresult = 0\n```</think>\n```python\nresult = 5\n```", "result = 5\n"),
        ("Sure:\n```python\nresult = 6\n", "result = 6\n"),  # unterminated fence, complete reply
        ("result = 7", "result = 7\n"),  # bare code
        ("Explanation\n```python\n    result = 8\n```", "result = 8\n"),  # indented block
    ],
)
def test_replies_are_parsed_defensively(reply, expected):
    assert extract_script(reply, "stop") == expected


@pytest.mark.parametrize(
    "reply, finish, reason",
    [
        ("I cannot help with that.", "stop", "no python code"),
        ("```python\nresult = {'a': [1, 2\n```", "stop", "does not parse"),
        ("```python\nresult = {'a': 1}\n```", "length", "truncated"),
        ("```python\nx = 1\n```", "stop", "never assigns `result`"),
        ("", "stop", "empty"),
        ("```json\n{\"result\": 1}\n```", "stop", "no python code"),
    ],
)
def test_unusable_replies_are_rejected_with_a_reason(reply, finish, reason):
    with pytest.raises(ReplyError) as info:
        extract_script(reply, finish)
    assert reason in info.value.reason


# -- prompts -----------------------------------------------------------------------------------
def test_mutation_prompt_shows_the_parent_its_predictions_and_the_walls_but_no_test_pair(task, sandbox):
    buggy = (
        "import sys\nprint('looking at', len(inputs['input_grid']), file=sys.stderr)\n"
        "g = inputs['input_grid']\nif g[0][0] == 4:\n    g = g[5]\n"
        "result = {'output_grid': [row * 3 for row in g] * 3}\n"
    )
    parent = scored(buggy, task, sandbox)
    walls = "WALLS: importable modules are probed"
    messages = prompts.mutation_messages(task, parent, walls)
    text = "\n".join(m["content"] for m in messages)
    assert walls in messages[0]["content"]
    assert task.instructions in text
    assert buggy.strip() in text
    assert f"reward {parent.train_reward:.2f}" in text
    assert "differing cells" in text and "expected" in text  # cell diffs, not only grids
    assert "IndexError" in text and "(line 5)" in text  # the error with its line
    assert "looking at 3" in text  # stderr
    # grids are compact: one row of digits per line
    first_input = task.train[0].inputs["input_grid"]
    assert "\n".join("".join(map(str, r)) for r in first_input) in text
    assert str(first_input[0]) not in text
    # nothing of the test pair
    for pair in task.test:
        assert prompts.render_grid(pair.inputs["input_grid"]) not in text
        assert prompts.render_grid(pair.expected["output_grid"]) not in text
        assert json.dumps(pair.inputs["input_grid"]) not in text
    assert parent.test_total == 1  # the test pair was scored, just not shown


def test_prompt_is_compact_against_python_reprs(task, sandbox):
    parent = scored(IDENTITY, task, sandbox)
    compact = "\n".join(m["content"] for m in prompts.mutation_messages(task, parent, ""))
    assert "[[" not in compact


def test_prompts_for_generic_tasks_render_json(sandbox):
    generic = load_task_for_script(ROOT / "examples" / "generic" / "word_stats.synth.py")
    parent = scored("result = {'words': 0}\n", generic, sandbox)
    text = prompts.mutation_messages(generic, parent, "")[1]["content"]
    assert json.dumps(generic.train[0].inputs, separators=(",", ":"))[:40] in text
    assert "its result" in text or "error" in text


# -- the stored population ---------------------------------------------------------------------
@pytest.fixture
def workdir(tmp_path):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(ARC / name, tmp_path / name)
    return tmp_path


def test_population_round_trip_user_edits_and_accepts(workdir, sandbox, task):
    path = population_path_for(workdir / "007bbfb7.synth.py")
    assert path.name == "007bbfb7.synth.population.json"
    population = Population.load(path)
    assert len(population) == 0
    population.attach_task(task)
    seed = population.add(scored(IDENTITY, task, sandbox, "seed"))[0]
    population.save()
    user = population.add_user_edit(SOLUTION, sandbox=sandbox, limits=FAST)
    assert user.origin == "user" and user.train_reward == 1.0 and user.test_passed == 1
    again = population.add_user_edit(SOLUTION.replace("= [[0]", "=  [[0]"), sandbox=sandbox)
    assert again.id == user.id and len(population) == 2
    population.record_accept(user.id)
    with pytest.raises(KeyError):
        population.record_accept("nope")

    loaded = Population.load(path)  # user edits and accepts were saved at once
    assert [c.id for c in loaded.ranked()] == [user.id, seed.id]
    assert loaded.best().script == user.script
    assert len(loaded.best().accepted_by_user) == 1
    assert loaded.get(seed.id).pairs[0].output == {"output_grid": task.train[0].inputs["input_grid"]}
    text = path.read_text()
    assert '      "def transform(grid):",\n' in text  # scripts stored line by line, readable
    assert "[0, 0, 0, 0, 7, 7, 0, 7, 7]" in text  # a grid row on one line
    assert not [p for p in workdir.iterdir() if p.name.endswith(".tmp")]


def test_population_save_merges_what_another_process_added(workdir, sandbox, task):
    path = population_path_for(workdir / "007bbfb7.synth.py")
    mine = Population.load(path)
    mine.attach_task(task)
    mine.add(scored(IDENTITY, task, sandbox, "seed"))
    mine.save()
    theirs = Population.load(path)
    theirs.attach_task(task)
    edit = theirs.add_user_edit(SOLUTION, sandbox=sandbox)  # e.g. the language server
    mine.generation = 3
    mine.save()  # must not drop the user's edit
    merged = Population.load(path)
    assert edit.id in merged and merged.generation == 3


BROKEN_POPULATIONS = {
    "invalid JSON": ('{"format": "synth-lsp-population/1", "candidates": [\n  {"id": 1,,}]}'.encode(), ":2:"),
    "a candidate that is not an object": (b'{"format": "synth-lsp-population/1", "candidates": [5, "x"]}', "candidate 1 is not an object"),
    "nested 100,000 deep": (b'{"format": "synth-lsp-population/1", "candidates": [' + b"[" * 100_000 + b"]" * 100_000 + b"]}", "nested too deeply"),
    "a reward that is not a number": (b'{"format": "synth-lsp-population/1", "candidates": [{"id": "a", "script": "x", "origin": "seed", "train_reward": "high"}]}', "'train_reward' must be a number"),
    "not UTF-8": (b'{"format": "synth-lsp-population/1", "candidates": [], "x": "\xff\xfe"}', "not UTF-8"),
}


@pytest.mark.parametrize("case", sorted(BROKEN_POPULATIONS))
def test_a_broken_population_is_explained_kept_aside_and_a_new_one_started(case, workdir, sandbox):
    content, what = BROKEN_POPULATIONS[case]
    script = workdir / "007bbfb7.synth.py"
    path = population_path_for(script)
    path.write_bytes(content)
    with pytest.raises(PopulationError) as info:
        Population.load(path)
    assert what in str(info.value)
    aside = workdir / "007bbfb7.synth.population.broken-1.json"
    aside.write_bytes(b"an earlier broken file")  # never overwritten: the next free name is taken
    seen = []
    result = run_evolve(load_task_for_script(script), script, EvolveConfig(generations=0), sandbox=sandbox, on_progress=seen.append)
    kept = workdir / "007bbfb7.synth.population.broken-2.json"
    assert kept.read_bytes() == content and aside.read_bytes() == b"an earlier broken file"
    assert what in result.notices[0] and kept.name in result.notices[0] and "new population" in result.notices[0]
    assert kept.name in seen[0].message
    assert Population.load(path).get(result.start.id).origin == "seed"  # a new population


# -- budget ------------------------------------------------------------------------------------
def test_budget_caps():
    budget = Budget(BudgetCaps(max_calls=2))
    first, second = asyncio.run(_acquire_many(budget, 3, prompt=10, reply=100))[:2]
    assert first and second and budget.spend.calls == 2 and "2 calls reached" in budget.exhausted()
    tokens = Budget(BudgetCaps(max_tokens=100))
    tokens.record_usage(80, 30, 0.0)
    assert "100 tokens reached" in tokens.exhausted()
    cost = Budget(BudgetCaps(max_cost_usd=0.05))
    cost.record_usage(1, 1, 0.06)
    assert "$0.0500 reached" in cost.exhausted()


async def _acquire_many(budget: Budget, n: int, prompt: int, reply: int, price=None):
    return [await budget.acquire(prompt, reply, price) for _ in range(n)]


def test_budget_holds_the_worst_case_and_lowers_the_reply_limit_near_a_cap():
    async def scenario():
        budget = Budget(BudgetCaps(max_tokens=3000))
        first = await budget.acquire(1000, 4096)
        # the first call holds its prompt (with a margin) and all the reply it may get within the cap
        assert first.tokens <= 3000 and first.max_completion_tokens < 4096
        waiting = asyncio.ensure_future(budget.acquire(1000, 4096))
        await asyncio.sleep(0.01)
        assert not waiting.done()  # nothing left while the first holds its worst case
        budget.settle(first, 1000, 100)  # it really used 1100
        second = await asyncio.wait_for(waiting, 1.0)
        assert second.tokens <= 3000 - 1100
        budget.settle(second, 1000, 100)
        assert await budget.acquire(1000, 4096) is None  # 800 left cannot pay for a useful reply
        assert "3000 tokens reached" in budget.exhausted() and budget.spend.tokens == 2200

        priced = Budget(BudgetCaps(max_cost_usd=0.5))
        price = lambda p, c: p * 1e-4 + c * 2e-4  # noqa: E731
        call = await priced.acquire(1000, 4096, price)
        assert call.cost_usd <= 0.5 and call.max_completion_tokens < 4096

    asyncio.run(scenario())


# -- the offline source and the loop without a language model ----------------------------------
def test_offline_model_solves_007bbfb7_from_the_identity_seed(workdir, sandbox):
    script = workdir / "007bbfb7.synth.py"
    task = load_task_for_script(script)
    seen = []
    result = run_evolve(task, script, EvolveConfig(generations=3, offline_time_budget_s=5), on_progress=seen.append, sandbox=sandbox)
    assert result.best.train_reward == 1.0 and result.best.origin == "offline"
    assert result.start.origin == "seed" and result.improved
    assert result.best.test_total == 1  # reported separately
    assert seen[0].generation == 0 and seen[-1].state == "finished"
    assert "offline model has offered all its programs" in result.stop_reason
    stored = Population.load(population_path_for(script))
    assert stored.best().id == result.best.id and stored.generation == result.population.generation
    assert stored.get(result.start.id) is not None
    # the offline program's confidence travels with it, into the note and the stored candidate
    best = stored.get(result.best.id)
    assert best.confidence is not None and 0.0 < best.confidence <= 1.0
    assert "confidence" in best.note and "cross-validated" in best.note


def test_a_stored_confidence_that_is_not_a_share_is_dropped_not_fatal():
    from synth_lsp.optimizer.candidate import Candidate, new_candidate

    good = new_candidate("result = 1\n", "offline", confidence=0.5).to_dict()
    assert Candidate.from_dict(good).confidence == 0.5
    for garbage in ("high", 7, True, float("nan")):
        assert Candidate.from_dict(good | {"confidence": garbage}).confidence is None
    legacy = {k: v for k, v in good.items() if k != "confidence"}
    assert Candidate.from_dict(legacy).confidence is None


def test_offline_model_refuses_a_non_grid_task_with_advice(tmp_path, sandbox):
    for name in ("word_stats.json", "word_stats.synth.py"):
        shutil.copy(ROOT / "examples" / "generic" / name, tmp_path / name)
    script = tmp_path / "word_stats.synth.py"
    task = load_task_for_script(script)
    with pytest.raises(EvolveError) as info:
        run_evolve(task, script, EvolveConfig(generations=1), sandbox=sandbox)
    message = str(info.value)
    assert "only solves ARC-style grid tasks" in message and "--model" in message


def test_config_from_the_servers_settings():
    settings = {
        "model": "gemini/gemini-2.0-flash", "embeddingModel": "", "apiBase": "", "populationSize": 6,
        "generations": 3, "patience": 1, "timeLimit": 1.5, "memoryLimitMb": 128, "runTrigger": "save",
        "budget": {"maxCalls": 50, "maxCostUsd": 0.5},
    }
    config = EvolveConfig.from_settings(settings, concurrency=2)
    assert (config.model, config.population_size, config.generations, config.patience) == ("gemini/gemini-2.0-flash", 6, 3, 1)
    assert (config.time_limit_s, config.memory_mb, config.max_calls, config.max_cost_usd, config.max_tokens) == (1.5, 128, 50, 0.5, None)
    assert config.concurrency == 2 and config.language_model == "gemini/gemini-2.0-flash" and not config.offline_enabled
    assert config.edit_mode == "auto" and config.price_per_mtok is None and config.max_cost_total_usd is None
    priced = EvolveConfig.from_settings({"pricePerMtok": [0.15, 0.6], "budget": {"maxCostTotalUsd": 2}})
    assert priced.price_per_mtok == (0.15, 0.6) and priced.max_cost_total_usd == 2 and priced.cost_capped
    with pytest.raises(ValueError):
        EvolveConfig.from_settings({"pricePerMtok": [-1, 0.6]})
    assert EvolveConfig.from_settings({"model": "offline"}).offline_enabled
    assert EvolveConfig.from_settings({}).language_model is None
    secret = EvolveConfig(api_key="sk-abc-SECRET")
    assert "SECRET" not in repr(secret) and "SECRET" not in secret.model_dump_json()
    with pytest.raises(ValueError):
        EvolveConfig(crossover_rate=1.5)


def test_dead_candidates_are_stored_without_outputs_and_rescored_when_revived(workdir, sandbox, task):
    script = workdir / "007bbfb7.synth.py"
    path = population_path_for(script)
    population = Population.load(path)
    population.attach_task(task)
    seed = population.add(scored(IDENTITY, task, sandbox, "seed"))[0]
    seed.alive = False
    population.save()
    stored = Population.load(path).get(seed.id)
    assert stored.train_reward == 0.0 and stored.pairs[0].summary  # verdicts kept
    assert stored.pairs[0].output is None and not stored.has_feedback  # outputs dropped
    result = run_evolve(task, script, EvolveConfig(generations=0), sandbox=sandbox)
    assert result.start.id == seed.id and result.start.alive and result.start.has_feedback


def test_a_generated_script_cannot_raise_its_own_limits(task, sandbox):
    greedy = "# synth: time_limit = 60\nwhile True:\n    pass\nresult = {}\n"
    started = time.monotonic()
    candidate = score_candidate(new_candidate(greedy, "mutation"), task, sandbox, RunLimits(time_s=0.3, memory_mb=64))
    assert time.monotonic() - started < 10
    assert candidate.pairs[0].error_kind == "timeout" and "0.3 s" in candidate.pairs[0].error
    # the user's own header is honoured
    user = new_candidate("# synth: time_limit = 0.2\nwhile True:\n    pass\nresult = {}\n", "user")
    score_candidate(user, task, sandbox, RunLimits(time_s=1.0))
    assert "0.2 s" in user.pairs[0].error


def test_retry_after_in_seconds_or_http_date_and_backoff_caps():
    from email.utils import formatdate

    from synth_lsp.optimizer.llm.language_model import RetryPolicy, backoff_delay, retry_after_seconds

    class Failed(Exception):
        def __init__(self, headers):
            self.litellm_response_headers = headers

    assert retry_after_seconds(Failed({"retry-after": "2.5"})) == 2.5
    in_ten = retry_after_seconds(Failed({"retry-after": formatdate(time.time() + 10, usegmt=True)}))
    assert 8 <= in_ten <= 11
    assert retry_after_seconds(Failed({})) is None and retry_after_seconds(Exception()) is None
    policy = RetryPolicy(base_delay_s=1.0, max_delay_s=4.0, max_retry_after_s=30.0)
    rng = random.Random(0)
    assert backoff_delay(1, policy, 3.0, rng) == 3.0  # the server's word wins
    assert backoff_delay(1, policy, 300.0, rng) is None  # too long: give up rather than hang
    delays = [backoff_delay(attempt, policy, None, rng) for attempt in (1, 2, 3, 4, 5)]
    assert 0.5 <= delays[0] <= 1.0 and all(d <= 4.0 for d in delays) and delays[4] >= 2.0
