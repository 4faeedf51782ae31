"""Spend accounting: what `synth-lsp evolve --json` states it spent, against what the server billed.

Real runs of the command (in-process, through litellm's HTTP path) against the tests' in-process
OpenAI-compatible server (tests/fake_openai.py) with an embedding model on and a price given
(--price-per-mtok, --embedding-price-per-mtok), under several caps. The server counts the calls it
answered and the tokens it put in its replies' `usage`; the cost it "billed" is those tokens at the
same prices. Each row compares the report's numbers (this run's spend) and the population file's
cumulative totals with the server's. Target: equal, in every row.

    python bench/spend_accounting.py
"""

from __future__ import annotations

import contextlib
import io
import itertools
import json
import os
import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from fake_openai import FakeOpenAI, Reply  # noqa: E402

from synth_lsp.cli.main import main as cli  # noqa: E402
from synth_lsp.optimizer.llm.language_model import import_litellm  # noqa: E402

ARC = ROOT / "examples" / "arc"
CHAT_PRICE = (150.0, 600.0)  # USD per million prompt / completion tokens (large, so cents show)
EMBEDDING_PRICE = 20.0

RUNS = {
    "no cap, 3 generations": ["--generations", "3"],
    "--max-calls 7": ["--generations", "10", "--max-calls", "7"],
    "--max-tokens 9000": ["--generations", "10", "--max-tokens", "9000", "--max-reply-tokens", "512"],
    "--max-cost 0.5": ["--generations", "10", "--max-cost", "0.5", "--max-reply-tokens", "512"],
}


def billed(usage: dict) -> float:
    return (usage["prompt_tokens"] * CHAT_PRICE[0] + usage["completion_tokens"] * CHAT_PRICE[1] + usage["embedding_tokens"] * EMBEDDING_PRICE) / 1e6


def run(server: FakeOpenAI, folder: Path, options: list[str]) -> dict:
    script = folder / "007bbfb7.synth.py"
    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        cli(["evolve", str(script), "--model", "openai/x", "--api-base", server.api_base, "--embedding-model", "openai/embed",
             "--price-per-mtok", ",".join(map(str, CHAT_PRICE)), "--embedding-price-per-mtok", str(EMBEDDING_PRICE),
             "--population-size", "4", "--children", "3", "--patience", "0", "--no-offline", "--json", *options])
    return json.loads(out.getvalue())


def main() -> None:
    import_litellm()
    os.environ.setdefault("OPENAI_API_KEY", "dummy")
    counter = itertools.count(1)
    print("| run | calls: report / server | tokens: report / server | cost USD: report / server | population totals = server (cumulative) | stop reason |")
    print("|---|---|---|---|---|---|")
    agree = 0
    with FakeOpenAI() as server, tempfile.TemporaryDirectory() as tmp:
        server.responder = lambda body: Reply(f"```python\nk = {next(counter)}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```")
        folder = Path(tmp)
        for name in ("007bbfb7.json", "007bbfb7.synth.py"):
            shutil.copy(ARC / name, folder / name)
        cumulative = {"calls": 0, "tokens": 0, "cost": 0.0}
        for label, options in RUNS.items():
            server.clear_log()
            summary = run(server, folder, options)
            usage = server.usage
            calls = usage["chat_calls"] + usage["embedding_calls"]
            tokens = usage["prompt_tokens"] + usage["completion_tokens"] + usage["embedding_tokens"]
            cost = billed(usage)
            spend, totals = summary["spend"], summary["totals"]
            cumulative["calls"] += calls
            cumulative["tokens"] += tokens
            cumulative["cost"] += cost
            same = spend["all_calls"] == calls and spend["tokens"] == tokens and abs(spend["cost_usd"] - cost) < 1e-9
            same_totals = (
                totals["calls"] + totals["embedding_calls"] == cumulative["calls"] and totals["tokens"] == cumulative["tokens"]
                and abs(totals["cost_usd"] - cumulative["cost"]) < 1e-9
            )
            agree += same and same_totals
            print(f"| {label} | {spend['all_calls']} / {calls} | {spend['tokens']} / {tokens} | {spend['cost_usd']:.6f} / {cost:.6f} "
                  f"| {'yes' if same_totals else 'NO'} | {summary['stop_reason']} |")
    print(f"\n{agree} of {len(RUNS)} runs agree with the server on calls, tokens and cost (this run and cumulative).")


if __name__ == "__main__":
    main()
