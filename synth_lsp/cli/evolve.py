"""`synth-lsp evolve FILE`: evolve a better script with OMEGA and show it.

Progress goes to stderr (one line per generation); the best script, its train and test results and a
diff against the current file go to stdout. `--write` puts the best script into the file (the old
script stays in the population). Without `--model` the built-in offline model is used.

This module is imported to build the command line, so it imports nothing heavy at load time.
Exit status: 0 when the best script passes every train pair, 1 when not, 2 when nothing could run.
"""

from __future__ import annotations

import argparse
import sys


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the NAME.synth.py script")
    model = parser.add_argument_group("models (API keys come from the provider's environment variables)")
    model.add_argument("--model", default="", help="litellm model, e.g. openai/gpt-4o-mini, anthropic/..., gemini/..., ollama_chat/...; default: the built-in offline model")
    model.add_argument("--embedding-model", default="", help="litellm embedding model for novelty (default: built-in code similarity)")
    model.add_argument("--api-base", default="", help="API base of an OpenAI-compatible or local server")
    model.add_argument("--offline", dest="use_offline", action="store_true", default=None, help="also use the offline model beside --model")
    model.add_argument("--no-offline", dest="use_offline", action="store_false", help="never use the offline model")
    model.add_argument("--offline-time", type=float, default=10.0, metavar="S", help="seconds for the offline model's search (default 10)")
    model.add_argument("--request-timeout", type=float, default=120.0, metavar="S", help="seconds per model call (default 120)")
    model.add_argument("--max-reply-tokens", type=int, default=4096, help="token limit of one reply (default 4096)")
    search = parser.add_argument_group("search")
    search.add_argument("--population-size", type=int, default=8)
    search.add_argument("--generations", type=int, default=10, help="generations in this run (default 10)")
    search.add_argument("--patience", type=int, default=2, help="generations to go on once train reward is 1.0 (default 2)")
    search.add_argument("--children", type=int, help="new scripts asked for per generation (default: population size)")
    search.add_argument("--selection-temperature", type=float, default=0.3, help="softmax temperature for choosing parents")
    search.add_argument("--mutation-temperature", type=float, default=0.7, help="model temperature for mutations")
    search.add_argument("--crossover-temperature", type=float, default=0.7, help="model temperature for crossovers")
    search.add_argument("--crossover-rate", type=float, default=0.2, help="share of children made by crossover (default 0.2)")
    search.add_argument("--k", type=int, default=5, dest="k_nearest_fitter", help="k nearest fitter neighbours in novelty search")
    search.add_argument("--concurrency", type=int, default=4, help="model calls and scorings in flight")
    search.add_argument("--seed", type=int, help="random seed for parent choice")
    search.add_argument("--time-limit", type=float, default=2.0, metavar="S", help="sandbox seconds per pair (default 2)")
    budget = parser.add_argument_group("budget (per run)")
    budget.add_argument("--max-calls", type=int)
    budget.add_argument("--max-tokens", type=int)
    budget.add_argument("--max-cost", type=float, metavar="USD")
    output = parser.add_argument_group("output")
    output.add_argument("--write", action="store_true", help="replace the file's script with the best one")
    output.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="ARC colours in grids")


def config_from_args(args: argparse.Namespace):
    from synth_lsp.optimizer import EvolveConfig

    return EvolveConfig(
        model=args.model,
        embedding_model=args.embedding_model,
        api_base=args.api_base,
        use_offline=args.use_offline,
        offline_time_budget_s=args.offline_time,
        request_timeout_s=args.request_timeout,
        max_reply_tokens=args.max_reply_tokens,
        population_size=args.population_size,
        generations=args.generations,
        patience=args.patience,
        children_per_generation=args.children,
        selection_temperature=args.selection_temperature,
        mutation_temperature=args.mutation_temperature,
        crossover_temperature=args.crossover_temperature,
        crossover_rate=args.crossover_rate,
        k_nearest_fitter=args.k_nearest_fitter,
        concurrency=args.concurrency,
        seed=args.seed,
        time_limit_s=args.time_limit,
        max_calls=args.max_calls,
        max_tokens=args.max_tokens,
        max_cost_usd=args.max_cost,
    )


def progress_line(progress) -> str:
    cost = f" · ${progress.cost_usd:.4f}" if progress.cost_usd else ""
    state = "" if progress.state == "running" else f"{progress.state}, "
    line = (
        f"{state}generation {progress.generation}/{progress.generations}: best {progress.best_reward:.2f} "
        f"({progress.best_train_passed}/{progress.train_total} train) · population {progress.population_size} "
        f"(+{progress.new_candidates} new) · {progress.calls} calls · {progress.tokens} tokens{cost}"
    )
    return line + (f" · {progress.message}" if progress.message else "")


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pydantic import ValidationError

    from synth_lsp.optimizer import EvolveError, PopulationError, run_evolve
    from synth_lsp.core.task import TaskError, load_task_for_script

    script_path = Path(args.file)
    try:
        config = config_from_args(args)
    except ValidationError as exc:
        problems = "; ".join(f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}" for e in exc.errors())
        print(f"synth-lsp evolve: {problems}", file=sys.stderr)
        return 2
    try:
        original = script_path.read_text(encoding="utf-8")
        task = load_task_for_script(script_path, original)
    except (OSError, UnicodeDecodeError) as exc:
        print(f"synth-lsp evolve: cannot read {script_path}: {exc}", file=sys.stderr)
        return 2
    except TaskError as exc:
        print(f"synth-lsp evolve: {exc}", file=sys.stderr)
        return 2

    def on_progress(progress) -> None:
        print(progress_line(progress), file=sys.stderr, flush=True)

    try:
        result = run_evolve(task, script_path, config, on_progress=on_progress)
    except (EvolveError, PopulationError) as exc:
        print(f"synth-lsp evolve: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("synth-lsp evolve: interrupted; the population is saved up to the last finished generation.", file=sys.stderr)
        return 130

    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    print(final_report(script_path, task, original, result, colour))
    if args.write and result.best.script != original:
        write_script(script_path, result.best.script)
        print(f"\nwrote the best script to {script_path} (the previous one stays in {result.population.path.name})")
    return 0 if result.best.solved else 1


def final_report(script_path, task, original: str, result, colour: bool) -> str:
    import difflib

    from synth_lsp.cli.report import report_text
    from synth_lsp.core.evaluation import evaluate, limits_for
    from synth_lsp.core.script_header import parse_header

    best = result.best
    spend = result.spend
    lines = [
        f"# best of {len(result.population)} candidates: {best.id} ({best.origin}"
        + (f", {best.note}" if best.note else "")
        + f"), generation {best.generation}",
        f"# stopped: {result.stop_reason}; this run: {result.generations_run} generation(s), {spend.calls} calls, "
        f"{spend.tokens} tokens, ${spend.cost_usd:.4f}",
        "",
        best.script.rstrip("\n"),
        "",
    ]
    from synth_lsp.sandbox.runner import get_sandbox

    evaluation = evaluate(task, best.script, limits_for(parse_header(best.script)), sandbox=get_sandbox())
    lines.append(report_text(script_path, task, evaluation, (), colour))
    diff = list(difflib.unified_diff(original.splitlines(), best.script.splitlines(), f"{script_path.name} (current)", f"{script_path.name} (best)", lineterm=""))
    lines.append("")
    lines.append("\n".join(diff) if diff else "(the best script is the current file)")
    return "\n".join(lines)


def write_script(path, text: str) -> None:
    from synth_lsp.core.atomic_file import write_atomically

    write_atomically(path, text)
