"""Plateaus: generations to reach train reward 1.0 when every stepping stone scores 0.

The scripted model of tests/stepping_stones.py (a real evolution: litellm -> HTTP -> the tests'
in-process OpenAI-compatible server, every candidate scored in the Monty sandbox): stone j gets
j/STONES of the cells right and no pair passes before the last one; the model offers stone j+1 only
to a prompt showing stone j, with probability p, and otherwise a dead end. For each seed, the same
seed runs with the new rules (reward then cell-level secondary fitness, ties by novelty, behavioural
duplicates as near-copies, parents weighed the same way) and with the old ones (reward alone, ties
by list position), in the same run. Reported: generations to reach reward 1.0 per seed, their
medians (a run that never gets there counts as not solved), and the share of seeds solved within
`--generations`.

    python bench/plateau.py                 # 20 seeds, 30 generations
    python bench/plateau.py --seeds 5 --generations 10
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import FakeOpenAI  # noqa: E402
from stepping_stones import OLD_RULES, STONE_MARK, SteppingStoneModel, stone  # noqa: E402

from synth_lsp.core.task import load_task_for_script  # noqa: E402
from synth_lsp.optimizer.llm.language_model import import_litellm  # noqa: E402
from synth_lsp.optimizer.omega import DEFAULT_RULES, EvolveConfig, run_evolve  # noqa: E402
from synth_lsp.sandbox.runner import Sandbox  # noqa: E402

ARC = ROOT / "examples" / "arc"


def generations_to_one(server: FakeOpenAI, sandbox: Sandbox, rules, seed: int, args: argparse.Namespace) -> tuple[int | None, int]:
    """(the generation at which the best first fits every train pair, or None within the limit;
    the highest stone that ever survived a generation)."""
    with tempfile.TemporaryDirectory() as folder:
        shutil.copy(ARC / "007bbfb7.json", Path(folder) / "007bbfb7.json")
        script = Path(folder) / "007bbfb7.synth.py"
        script.write_text(stone(0, args.stones))
        server.responder = SteppingStoneModel(stones=args.stones, p=args.p, seed=seed)
        config = EvolveConfig(
            model="openai/x", api_base=server.api_base, api_key="dummy", population_size=args.population,
            children_per_generation=args.population, generations=args.generations, patience=0,
            concurrency=1, retry_attempts=1, time_limit_s=1.0, seed=seed,
        )
        reached: list[int] = []

        def on_progress(progress) -> None:
            if progress.best_reward >= 1.0 and not reached:
                reached.append(progress.generation)

        result = run_evolve(load_task_for_script(script), script, config, sandbox=sandbox, rules=rules, on_progress=on_progress)
        stones = [int(m) for c in result.population.candidates.values() for m in STONE_MARK.findall(c.script)]
        return (reached[0] if reached else None), max(stones, default=0)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--generations", type=int, default=30)
    parser.add_argument("--stones", type=int, default=4)
    parser.add_argument("--p", type=float, default=0.5, help="chance that the model offers the next stone")
    parser.add_argument("--population", type=int, default=8, help="population size = children per generation")
    parser.add_argument("--selection-only", action="store_true",
                        help="instead: the new survival with parents weighed by reward alone, against the new rules")
    args = parser.parse_args()
    if args.selection_only:
        compare_selection(args)
        return
    import_litellm()
    results: dict[str, list[int | None]] = {"new": [], "old": []}
    highest: dict[str, list[int]] = {"new": [], "old": []}
    started = time.perf_counter()
    with FakeOpenAI() as server, Sandbox(processes=2) as sandbox:
        print(f"| seed | new rules: generations to 1.0 | old rules (ties by position) | old: highest stone of {args.stones} made |")
        print("|---|---|---|---|")
        for seed in range(args.seeds):
            for name, rules in (("new", DEFAULT_RULES), ("old", OLD_RULES)):
                reached, stone_made = generations_to_one(server, sandbox, rules, seed, args)
                results[name].append(reached)
                highest[name].append(stone_made)
            new, old = results["new"][-1], results["old"][-1]
            print(f"| {seed} | {new if new is not None else 'not solved'} | {old if old is not None else 'not solved'} "
                  f"| {highest['old'][-1]} |", flush=True)
    print()
    print(f"{args.seeds} seeds, {args.stones} stones, p = {args.p}, population {args.population}, "
          f"at most {args.generations} generations; {time.perf_counter() - started:.0f} s")
    for name in ("new", "old"):
        done = [g for g in results[name] if g is not None]
        median = statistics.median(done) if done else None
        print(f"{name}: solved within {args.generations} generations: {len(done)}/{args.seeds} "
              f"({100 * len(done) / args.seeds:.0f} %); median generations to 1.0 over the solved: {median}")


def compare_selection(args: argparse.Namespace) -> None:
    """What parent selection by (reward, secondary fitness) adds to the new survival alone."""
    from synth_lsp.optimizer.omega import SearchRules, survive

    reward_only = SearchRules(survive, lambda c: c.train_reward)
    import_litellm()
    runs: dict[str, list[int | None]] = {"new": [], "reward-only parents": []}
    with FakeOpenAI() as server, Sandbox(processes=2) as sandbox:
        for seed in range(args.seeds):
            for name, rules in (("new", DEFAULT_RULES), ("reward-only parents", reward_only)):
                runs[name].append(generations_to_one(server, sandbox, rules, seed, args)[0])
            print(f"seed {seed}: new {runs['new'][-1]}, reward-only parents {runs['reward-only parents'][-1]}", flush=True)
    for name, reached in runs.items():
        done = [g for g in reached if g is not None]
        print(f"{name}: solved {len(done)}/{args.seeds}; median generations to 1.0 over the solved: "
              f"{statistics.median(done) if done else None}")


if __name__ == "__main__":
    main()
