"""`synth-lsp evolve FILE`: evolve a better script with OMEGA and show it.

Progress goes to stderr (one line per generation); the best script, its train and test results and a
diff against the current file go to stdout (`--json`: one machine-readable summary instead).
`--write` puts the best script into the file, under the file's own `# synth:` header, before
anything is printed (the old script stays in the population). Without `--model` the built-in
offline model is used. Ctrl-C or SIGTERM asks the run to stop: the calls in flight finish (each
within its timeout), their spend and candidates are saved, then it stops; a second Ctrl-C aborts.

This module is imported to build the command line, so it imports nothing heavy at load time.
Exit status: 0 when the best script fits every train pair, 1 when not, 2 when nothing could run
(bad options, unreadable files, a missing or refused key, a cost cap without a price).
"""

from __future__ import annotations

import argparse
import sys


def price_per_mtok(text: str) -> tuple[float, float]:
    """`IN,OUT` (or one number for both): USD per million prompt and completion tokens."""
    import math

    parts = [p.strip() for p in text.split(",")]
    try:
        values = [float(p) for p in parts]
    except ValueError:
        values = []
    if len(values) == 1:
        values *= 2
    if len(values) != 2 or not all(math.isfinite(v) and v >= 0 for v in values):
        raise argparse.ArgumentTypeError(f"expected INPUT,OUTPUT in USD per million tokens (e.g. 0.15,0.60), got {text!r}")
    return values[0], values[1]


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the NAME.synth.py script; or, for a batch, scripts, folders, globs and ARC task files")
    parser.add_argument("more_targets", nargs="*", metavar="TARGET", help="more targets: a batch (see the batch options)")
    model = parser.add_argument_group("models (API keys come from the provider's environment variables)")
    model.add_argument("--model", action="append", default=[], help="litellm model, e.g. openai/gpt-4o-mini, anthropic/..., gemini/..., ollama_chat/...; give it several times and a bandit picks per call; default: the built-in offline model")
    model.add_argument("--edit-mode", choices=("full", "diff", "auto"), default="auto", help="a mutation's reply: a full script, SEARCH/REPLACE edits, or either (default auto)")
    model.add_argument("--embedding-model", default="", help="litellm embedding model for novelty (default: built-in code similarity)")
    model.add_argument("--api-base", default="", help="API base of an OpenAI-compatible or local server")
    model.add_argument("--price-per-mtok", type=price_per_mtok, metavar="IN,OUT", help="the model's price in USD per million prompt and completion tokens (needed for --max-cost when litellm does not know it)")
    model.add_argument("--embedding-price-per-mtok", type=float, metavar="USD", help="the embedding model's price in USD per million tokens")
    model.add_argument("--offline", dest="use_offline", action="store_true", default=None, help="also use the offline model beside --model")
    model.add_argument("--no-offline", dest="use_offline", action="store_false", help="never use the offline model")
    model.add_argument("--offline-time", type=float, default=10.0, metavar="S", help="seconds for the offline model's search (default 10)")
    model.add_argument("--offline-jobs", type=int, default=0, metavar="N", help="processes for the offline model's search (default 0: every core)")
    model.add_argument("--offline-programs", type=int, metavar="N", help="count the offline search's budget in programs tried (N per search process) instead of seconds: the same result on every run for the same N and --offline-jobs")
    model.add_argument("--request-timeout", type=float, default=120.0, metavar="S", help="seconds per model call (default 120)")
    model.add_argument("--max-reply-tokens", type=int, default=4096, help="token limit of one reply (default 4096)")
    search = parser.add_argument_group("search")
    search.add_argument("--population-size", type=int, default=8)
    search.add_argument("--generations", type=int, default=10, help="generations in this run (default 10; 0 to only report or --write the stored best)")
    search.add_argument("--patience", type=int, default=2, help="generations to go on once the best fits every train pair (default 2)")
    search.add_argument("--children", type=int, help="new scripts asked for per generation (default: population size)")
    search.add_argument("--selection-temperature", type=float, default=0.3, help="softmax temperature for choosing parents")
    search.add_argument("--mutation-temperature", type=float, default=0.7, help="model temperature for mutations")
    search.add_argument("--crossover-temperature", type=float, default=0.7, help="model temperature for crossovers")
    search.add_argument("--crossover-rate", type=float, default=0.2, help="share of children made by crossover (default 0.2)")
    search.add_argument("--k", type=int, default=5, dest="k_nearest_fitter", help="k nearest fitter neighbours in novelty search")
    search.add_argument("--concurrency", type=int, default=4, help="model calls and scorings in flight")
    search.add_argument("--seed", type=int, help="random seed for parent choice")
    search.add_argument("--time-limit", type=float, default=2.0, metavar="S", help="sandbox seconds per pair (default 2)")
    budget = parser.add_argument_group("budget (chat and embedding calls alike)")
    budget.add_argument("--max-calls", type=int, help="calls in this run")
    budget.add_argument("--max-tokens", type=int, help="tokens in this run")
    budget.add_argument("--max-cost", type=float, metavar="USD", help="cost of this run")
    budget.add_argument("--max-cost-total", type=float, metavar="USD", help="cost of every run of this population together")
    output = parser.add_argument_group("output")
    output.add_argument("--write", action="store_true", help="replace the file's script with the best one (its # synth: header is kept)")
    output.add_argument("--json", action="store_true", help="print one machine-readable summary instead of the report")
    output.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="ARC colours in grids")


def config_from_args(args: argparse.Namespace):
    from synth_lsp.optimizer import EvolveConfig

    return EvolveConfig(
        model=args.model[0] if args.model else "",
        models=args.model[1:],
        edit_mode=args.edit_mode,
        embedding_model=args.embedding_model,
        api_base=args.api_base,
        price_per_mtok=args.price_per_mtok,
        embedding_price_per_mtok=args.embedding_price_per_mtok,
        use_offline=args.use_offline,
        offline_time_budget_s=args.offline_time,
        offline_jobs=args.offline_jobs,
        offline_programs=args.offline_programs,
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
        max_cost_total_usd=args.max_cost_total,
    )


def progress_line(progress) -> str:
    cost = f" · ${progress.cost_usd:.4f}" if progress.cost_usd else ""
    state = "" if progress.state == "running" else f"{progress.state}, "
    counter = f"generation {progress.generation} (this run {progress.run_generation} of {progress.run_generations})"
    line = (
        f"{state}{counter}: best {progress.best_reward:.2f} "
        f"({progress.best_train_passed}/{progress.train_total} train) · population {progress.population_size} "
        f"(+{progress.new_candidates} new) · {progress.calls} calls · {progress.tokens} tokens{cost}"
    )
    return line + (f" · {progress.message}" if progress.message else "")


class StopOnSignal:
    """Ctrl-C and SIGTERM ask the run to stop (the calls in flight finish first); a second Ctrl-C
    aborts at once. Restores the previous handlers on exit."""

    def __init__(self, timeout_s: float):
        self.timeout_s = timeout_s
        self.asked = False
        self._previous: dict = {}

    def __enter__(self) -> "StopOnSignal":
        import signal

        for number in (signal.SIGINT, signal.SIGTERM):
            try:
                self._previous[number] = signal.signal(number, self._handle)
            except (ValueError, OSError):  # not the main thread: no signals to take
                pass
        return self

    def __exit__(self, *exc) -> None:
        import signal

        for number, handler in self._previous.items():
            signal.signal(number, handler)

    def _handle(self, number, frame) -> None:
        import signal

        if self.asked and number == signal.SIGINT:
            raise KeyboardInterrupt
        self.asked = True
        say(f"synth-lsp evolve: stopping: the calls in flight finish (within {self.timeout_s:g} s each) and are saved; Ctrl-C again to abort.")

    def __call__(self) -> bool:
        return self.asked


def say(text: str) -> None:
    """A line on stderr; nothing when stderr is a closed pipe."""
    try:
        print(text, file=sys.stderr, flush=True)
    except (BrokenPipeError, ValueError):
        pass


def main(args: argparse.Namespace) -> int:
    from pathlib import Path

    from pydantic import ValidationError

    from synth_lsp.optimizer import EvolveError, PopulationError, run_evolve
    from synth_lsp.core.task import TaskError, load_task_for_script, read_regular_text

    script_path = Path(args.file)
    try:
        config = config_from_args(args)
    except ValidationError as exc:
        problems = "; ".join(f"--{'-'.join(str(p) for p in e['loc']).replace('_', '-')}: {e['msg']}" for e in exc.errors())
        say(f"synth-lsp evolve: {problems}")
        return 2
    try:
        original = read_regular_text(script_path, 4.0, "script")  # a FIFO there would block
    except TaskError as exc:
        say(f"synth-lsp evolve: {exc.message if str(script_path) in exc.message else exc}")  # the script named once
        return 2
    try:
        task = load_task_for_script(script_path, original)
    except (OSError, UnicodeDecodeError) as exc:
        say(f"synth-lsp evolve: cannot read {script_path}: {exc}")
        return 2
    except TaskError as exc:
        say(f"synth-lsp evolve: {exc}")
        return 2

    try:
        with StopOnSignal(config.request_timeout_s) as stop:
            result = run_evolve(task, script_path, config, on_progress=lambda p: say(progress_line(p)), should_stop=stop)
    except (EvolveError, PopulationError) as exc:
        say(f"synth-lsp evolve: {exc}")
        return 2
    except KeyboardInterrupt:
        say("synth-lsp evolve: aborted; the population and the spend of every finished call are saved.")
        return 130
    for notice in result.notices:
        say(f"synth-lsp evolve: {notice}")

    written = None
    if args.write:  # write first: a reader that closes the pipe early must not cost the file
        written = written_text(original, result.best.script)
        if written != original:
            write_script(script_path, written)
        else:
            written = None
    colour = args.color == "always" or (args.color == "auto" and sys.stdout.isatty())
    code = 0 if result.best.fits_train else 1
    try:
        if args.json:
            import json

            print(json.dumps(summary_json(script_path, task, original, result, written), indent=2))
        else:
            print(final_report(script_path, task, original, result, colour, written, args.write))
        sys.stdout.flush()
    except BrokenPipeError:
        quiet_stdout()
    return code


def quiet_stdout() -> None:
    """The reader closed the pipe: send the rest of stdout nowhere, so exiting raises nothing."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


def written_text(original: str, best: str) -> str:
    from synth_lsp.optimizer.kept_header import keep_header

    return keep_header(original, best)


def best_evaluation(task, script: str):
    from synth_lsp.core.evaluation import evaluate, limits_for
    from synth_lsp.core.script_header import parse_header
    from synth_lsp.sandbox.runner import get_sandbox

    return evaluate(task, script, limits_for(parse_header(script)), sandbox=get_sandbox())


def verdict_words(best) -> str:
    """What was measured, and no more: fitting the train pairs is not solving the task."""
    train = f"{best.train_passed}/{best.train_total}"
    head = f"fits the train pairs ({train})" if best.fits_train else f"fits {train} train pairs"
    if best.test_total:
        head += f"; test pairs: {best.test_passed}/{best.test_total} pass (reported only, never used to choose)"
    return head


def run_words(result) -> str:
    spend = result.spend
    total = f" (all runs: ${result.totals.cost_usd:.4f})" if result.totals is not None and result.totals.cost_usd else ""
    return (
        f"generation {result.population.generation} (this run {result.generations_run} of {result.generations_asked}); "
        f"{spend.all_calls} calls{f' ({spend.embedding_calls} of them embeddings)' if spend.embedding_calls else ''}, "
        f"{spend.tokens} tokens, ${spend.cost_usd:.4f}{total}"
    )


def breakdown_rows(result):
    from synth_lsp.optimizer.run_breakdown import breakdown

    return breakdown(result.by_model_and_origin, result.population, result.first_generation)


def final_report(script_path, task, original: str, result, colour: bool, written: str | None = None, asked_write: bool = False) -> str:
    import difflib

    from synth_lsp.cli.report import report_text

    best = result.best
    lines = [
        f"# best of {len(result.population)} candidates: {best.id} ({best.origin}"
        + (f", {best.note}" if best.note else "")
        + f"), generation {best.generation}: {verdict_words(best)}",
        f"# stopped: {result.stop_reason}; {run_words(result)}",
    ]
    for row in breakdown_rows(result):
        if row.calls or row.candidates:
            lines.append(
                f"#   {row.model} / {row.origin}: {row.calls} calls, {row.tokens} tokens, ${row.cost_usd:.4f}, "
                f"{row.candidates} new candidates, {row.improvements} improved on their parents"
            )
    edits = result.edits or {}
    if edits.get("replies_with_edits"):
        lines.append(
            f"# edits: {edits['replies_with_edits']} replies with SEARCH/REPLACE edits, {edits['applied']} applied, "
            f"{edits['not_applied']} did not apply (asked again as a full rewrite: {edits['rewrites_usable']} of "
            f"{edits['rewrites_asked']} usable)"
        )
    for arm in result.models:
        if arm.get("retired"):
            lines.append(f"# model {arm['model']} was retired: {arm['retired']}")
    lines += ["", best.script.rstrip("\n"), ""]
    lines.append(report_text(script_path, task, best_evaluation(task, best.script), (), colour))
    target = written if written is not None else (written_text(original, best.script))
    diff = list(difflib.unified_diff(original.splitlines(), target.splitlines(), f"{script_path.name} (current)", f"{script_path.name} (best)", lineterm=""))
    lines.append("")
    lines.append("\n".join(diff) if diff else "(the best script is the current file)")
    if written is not None:
        lines.append(f"\nwrote the best script to {script_path}, under its own # synth: header (the previous one stays in {result.population.path.name})")
    elif diff and not asked_write:
        lines.append(f"\nto put the best script into the file: synth-lsp evolve {script_path} --generations 0 --write")
    return "\n".join(lines)


def summary_json(script_path, task, original: str, result, written: str | None) -> dict:
    """One machine-readable summary of the run (`evolve --json`)."""
    best = result.best
    evaluation = best_evaluation(task, best.script)
    from synth_lsp.cli.report import evaluation_json

    pairs = evaluation_json(script_path, task, evaluation)["pairs"]
    return {
        "file": str(script_path),
        "population": str(result.population.path),
        "best": {
            "id": best.id,
            "origin": best.origin,
            "note": best.note,
            "generation": best.generation,
            "script": best.script,
            "fits_train": best.fits_train,
            "train": {"passed": best.train_passed, "total": best.train_total, "reward": best.train_reward, "secondary_fitness": best.fitness[1]},
            "test": {"passed": best.test_passed, "total": best.test_total},
            "pairs": pairs,
        },
        "start": {"id": result.start.id, "train_reward": result.start.train_reward},
        "improved": result.improved,
        "stop_reason": result.stop_reason,
        "generation": result.population.generation,
        "generations_this_run": result.generations_run,
        "spend": {**result.spend.to_dict(), "all_calls": result.spend.all_calls},
        "totals": result.totals.to_dict() if result.totals is not None else None,
        "by_model_and_origin": [row.to_dict() for row in breakdown_rows(result)],
        "edits": result.edits,
        "models": result.models,
        "written": written is not None,
        "notices": result.notices,
        "failures": result.failures[:20],
    }


def write_script(path, text: str) -> None:
    from synth_lsp.core.atomic_file import write_atomically

    write_atomically(path, text)
