"""Two processes saving one population (the server's quick fix while an evolution worker runs):
their spend adds up and both run records stay, whoever saves last."""

from __future__ import annotations

from synth_lsp.optimizer.candidate import new_candidate
from synth_lsp.optimizer.llm.budget import Spend
from synth_lsp.optimizer.population import Population


def _spend(calls: int, cost: float) -> Spend:
    return Spend(calls=calls, prompt_tokens=10 * calls, completion_tokens=calls, cost_usd=cost)


def test_two_writers_add_their_spend_and_keep_each_others_runs(tmp_path):
    path = tmp_path / "t.synth.population.json"
    first = Population(path, [new_candidate("result = {'output_grid': [[1]]}\n", "seed")], totals=_spend(1, 0.01))
    first.save()

    evolution, quick_fix = Population.load(path), Population.load(path)
    record = evolution.add_run({"origin": "evolve", "generations": 0})
    evolution.add_spend(_spend(3, 0.03))
    evolution.save()
    quick_fix.add_run({"origin": "quickfix"})
    quick_fix.add_spend(_spend(2, 0.02))
    quick_fix.save()  # saved last, from a copy loaded before the evolution's save
    record["generations"] = 4  # the evolution goes on updating its record, and spends more
    evolution.add_spend(_spend(1, 0.01))
    evolution.save()

    stored = Population.load(path)
    assert stored.totals.calls == 1 + 3 + 2 + 1
    assert abs(stored.totals.cost_usd - 0.07) < 1e-9
    assert stored.totals.prompt_tokens == 70
    origins = {r["origin"]: r for r in stored.runs}
    assert set(origins) == {"evolve", "quickfix"}
    assert origins["evolve"]["generations"] == 4  # its latest state, not the copy the quick fix loaded
    assert len({r["id"] for r in stored.runs}) == 2


def test_a_writer_alone_counts_its_spend_once_over_many_saves(tmp_path):
    path = tmp_path / "t.synth.population.json"
    population = Population(path, [new_candidate("result = {'output_grid': [[1]]}\n", "seed")])
    population.add_run({"origin": "evolve"})
    for _ in range(3):
        population.add_spend(_spend(1, 0.5))
        population.save()
    stored = Population.load(path)
    assert stored.totals.calls == 3 and stored.totals.cost_usd == 1.5 and len(stored.runs) == 1


def test_run_records_written_before_run_ids_are_kept_as_they_are(tmp_path):
    path = tmp_path / "t.synth.population.json"
    old = Population(path, [new_candidate("result = {'output_grid': [[1]]}\n", "seed")], runs=[{"origin": "evolve", "generations": 2}])
    old.save()
    later = Population.load(path)
    later.add_run({"origin": "quickfix"})
    later.save()
    again = Population.load(path)
    again.save()
    assert [r["origin"] for r in Population.load(path).runs] == ["evolve", "quickfix"]
