"""Plateaus (issue 12, section 1): a secondary fitness orders candidates of equal reward, ties in
survival go by novelty and never by list position, behavioural duplicates are near-copies, and a
search whose stepping stones all score 0 still climbs."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from solutions import FRACTAL_007BBFB7
from stepping_stones import OLD_RULES, SteppingStoneModel, old_survive, stone

from synth_lsp.core.runs import RunLimits
from synth_lsp.core.task import load_task, load_task_for_script
from synth_lsp.optimizer import novelty
from synth_lsp.optimizer.candidate import new_candidate, score_candidate
from synth_lsp.optimizer.fitness import selection_score
from synth_lsp.optimizer.llm.embeddings import BuiltinSimilarity
from synth_lsp.optimizer.llm.language_model import import_litellm
from synth_lsp.optimizer.omega import DEFAULT_RULES, EvolveConfig, parent_score, run_evolve, survive

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
FAST = RunLimits(time_s=1.0, memory_mb=64)



@pytest.fixture(scope="module")
def task():
    return load_task(ARC / "007bbfb7.json")


def scored(script, task, sandbox, origin="mutation", generation=0):
    return score_candidate(new_candidate(script, origin, generation=generation), task, sandbox, FAST)


# -- the two reproductions, calling survival directly ----------------------------------
def test_children_of_a_full_population_of_equals_can_survive():
    fitness = [(0.0, 0.0)] * 16  # 8 old, then 8 new, all at reward 0
    same = lambda i, j: 0.5  # noqa: E731 - the distances say nothing
    kept = novelty.survivors(fitness, same, k=5, size=8, newness=[1] * 8 + [2] * 8)
    assert kept == list(range(8, 16))  # before: always the 8 old ones, so no child ever survived
    # the old rule, for the record: ties went by position
    assert novelty.survivors([0.0] * 16, same, k=5, size=8, newness=[2] * 8 + [1] * 8) == list(range(8))


def test_among_equals_the_distinct_newcomers_outlive_near_copies():
    near = set(range(8))  # 8 near-copies of each other (distance 0.1), then 8 distinct newcomers (0.9)
    dist = lambda i, j: 0.0 if i == j else (0.1 if i in near and j in near else 0.9)  # noqa: E731
    kept = novelty.survivors([0.0] * 16, dist, k=5, size=8)
    assert len(set(kept) - near) >= 7 and len(set(kept) & near) <= 1  # before: the 8 near-copies were kept


def test_fitter_than_is_reward_then_secondary_fitness():
    # equal reward: the candidate with more cells right dominates its near-copy
    fitness = [(0.0, 0.6), (0.0, 0.3), (0.0, 0.1)]
    dist = lambda i, j: 0.0 if i == j else {frozenset((0, 1)): 0.05, frozenset((0, 2)): 0.9, frozenset((1, 2)): 0.9}[frozenset((i, j))]  # noqa: E731
    assert novelty.survivors(fitness, dist, k=1, size=2) == [0, 2]
    # reward first: one more pair passed beats any amount of cell credit
    assert (0.2, 0.2) > (0.0, 0.99)
    assert selection_score(0.2, 0.2, 5) > selection_score(0.0, 0.99, 5) > selection_score(0.0, 0.5, 5)


# -- the secondary fitness, measured in the sandbox --------------------------------------------
def test_cell_credit_on_real_runs(task, sandbox):
    solution = scored(FRACTAL_007BBFB7, task, sandbox)
    half = scored(stone(2, 4), task, sandbox)  # 40 of 81 cells right on every pair
    none_right = scored(stone(0, 4), task, sandbox)
    identity = scored((ARC / "007bbfb7.synth.py").read_text(), task, sandbox)  # 3x3 for 9x9
    crash = scored("result = {'output_grid': inputs['missing']}\n", task, sandbox)
    assert solution.fitness == (1.0, 1.0)
    assert half.train_reward == none_right.train_reward == identity.train_reward == 0.0
    assert half.fitness[1] == pytest.approx(0.1 + 0.9 * 40 / 81, abs=1e-4)
    assert none_right.fitness[1] == pytest.approx(0.1)  # the right shape earns a little
    assert identity.fitness[1] == 0.0 and crash.fitness[1] == 0.0
    assert half.train_credit == [pytest.approx(half.fitness[1], abs=1e-4)] * 5
    assert parent_score(half) > parent_score(none_right) > parent_score(identity)


def test_leaf_credit_on_a_generic_task(sandbox):
    generic = load_task_for_script(ROOT / "examples" / "generic" / "word_stats.synth.py")
    words_only = "result = {'words': len(inputs['text'].split()), 'longest': '?', 'most_common': '?'}\n"
    nothing_right = "result = {'words': 10 ** 6, 'longest': '?', 'most_common': '?'}\n"
    one = scored(words_only, generic, sandbox)
    none = scored(nothing_right, generic, sandbox)
    assert one.train_reward == none.train_reward == 0.0
    assert none.fitness[1] == 0.0  # every leaf wrong
    assert one.fitness[1] == pytest.approx(1 / 3, abs=0.01)  # one leaf of three right on every pair


# -- behavioural duplicates --------------------------------------------------------------------
def test_one_behaviour_written_many_ways_keeps_one_seat(task, sandbox):
    writings = [
        "result = {'output_grid': [[%d] * 9 for _ in range(9)]}\n" % 3,
        "g = [[3] * 9 for _ in range(9)]\nresult = {'output_grid': g}\n",
        "row = [3 for _ in range(9)]\nresult = {'output_grid': [list(row) for _ in range(9)]}\n",
        "def f():\n    return [[1 + 2] * 9 for i in range(9)]\nresult = {'output_grid': f()}\n",
    ]
    same = [scored(w, task, sandbox) for w in writings]
    assert len({c.id for c in same}) == 4 and len({c.behaviour for c in same}) == 1
    others = [scored(stone(0, 4).replace("(out[r][c] + 1)", f"(out[r][c] + {s})"), task, sandbox) for s in (2, 3, 4)]
    assert len({c.behaviour for c in others}) == 3
    kept = survive(same + others, BuiltinSimilarity(), k=3, size=4)
    assert len(kept & {c.id for c in same}) == 1 and {c.id for c in others} <= kept


# -- the stepping-stone model, through litellm, the fake server and the sandbox ---------------
def climb(tmp_path: Path, fake_openai, sandbox, rules, seed: int, generations: int):
    tmp_path.mkdir()
    shutil.copy(ARC / "007bbfb7.json", tmp_path / "007bbfb7.json")
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text(stone(0, 4))
    model = SteppingStoneModel(stones=4, p=0.5, seed=seed)
    fake_openai.responder = model
    config = EvolveConfig(
        model="openai/x", api_base=fake_openai.api_base, api_key="dummy", population_size=6, children_per_generation=6,
        generations=generations, patience=0, concurrency=1, retry_attempts=1, time_limit_s=1.0, seed=seed,
    )
    result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox, rules=rules)
    return result, model


def test_stepping_stones_that_all_score_zero_reach_reward_one(tmp_path, fake_openai, sandbox):
    import_litellm()
    new, model = climb(tmp_path / "new", fake_openai, sandbox, DEFAULT_RULES, seed=5, generations=25)
    assert new.best.train_reward == 1.0 and new.best.fits_train
    assert model.offered[-1] == 4  # the last stone was offered, to a prompt that showed stone 3
    fake_openai.clear_log()
    old, old_model = climb(tmp_path / "old", fake_openai, sandbox, OLD_RULES, seed=5, generations=new.generations_run)
    assert old.best.train_reward == 0.0  # children died on ties once the population was full
    assert max(old_model.offered, default=0) < 4  # the last stone was never even offered
    late = [c for c in old.population.candidates.values() if c.generation > 3]
    assert late and not any(c.alive for c in late)  # no child of a later generation survived


def test_the_old_rules_really_kept_by_position():
    # the baseline the benchmark compares against reproduces the first finding
    class Flat:
        def distance(self, a, b):
            return 0.5

    items = [new_candidate(f"result = {{'v': {i}}}\n", "mutation", generation=1 if i < 8 else 2) for i in range(16)]
    kept = old_survive(items, Flat(), k=5, size=8)
    assert kept == {c.id for c in items[:8]}
