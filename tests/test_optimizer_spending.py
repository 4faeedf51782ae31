"""Spending (issue 12, section 3): fail fast on a missing key, count embedding calls, refuse a cost
cap without a price, write spend as calls settle, cap the population's total, and stop cleanly.
Every call goes through litellm's real HTTP path to the tests' in-process server."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from fake_openai import Failure, Reply
from synth_lsp.core.task import load_task_for_script
from synth_lsp.optimizer.llm.language_model import import_litellm
from synth_lsp.optimizer.omega import EvolveConfig, EvolveError, run_evolve
from synth_lsp.optimizer.population import Population, population_path_for

pytestmark = pytest.mark.usefixtures("litellm_loaded")  # once per module: the import takes seconds

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"




@pytest.fixture
def script(tmp_path):
    for name in ("007bbfb7.json", "007bbfb7.synth.py"):
        shutil.copy(ARC / name, tmp_path / name)
    return tmp_path / "007bbfb7.synth.py"


def variant(n: int, **kwargs) -> Reply:
    return Reply(f"```python\nk = {n}\nresult = {{'output_grid': [[k % 10] * 3] * 3}}\n```", **kwargs)


def counting_responder():
    lock, count = threading.Lock(), [0]

    def respond(body):
        with lock:
            count[0] += 1
            return variant(count[0])

    return respond


def config(server, **overrides) -> EvolveConfig:
    settings = dict(
        model="openai/x", api_base=server.api_base, api_key="dummy", population_size=4, children_per_generation=2,
        generations=3, patience=0, concurrency=2, retry_attempts=2, retry_base_delay_s=0.01, request_timeout_s=10,
        time_limit_s=1.0, seed=3,
    )
    settings.update(overrides)
    return EvolveConfig(**settings)


# -- a missing key ------------------------------------------------------------------------------
@pytest.mark.parametrize("extra", [[], ["--max-calls", "2"]])
def test_a_missing_key_stops_before_any_call_and_names_its_variable(extra, script, monkeypatch, capfd):
    from synth_lsp.cli.main import main

    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    started = time.monotonic()
    code = main(["evolve", str(script), "--model", "openai/gpt-4o-mini", *extra])
    out, err = capfd.readouterr()
    assert code == 2 and out == ""
    assert "OPENAI_API_KEY" in err and "needs an API key" in err
    assert "budget" not in err  # before: 32 retried "calls", then "the budget is reached"
    assert time.monotonic() - started < 10
    assert not population_path_for(script).exists()  # nothing was run, nothing stored


# -- embeddings count ---------------------------------------------------------------------------
def test_embedding_calls_count_against_the_caps_and_in_the_breakdown(script, sandbox, fake_openai):
    fake_openai.responder = counting_responder()
    result = run_evolve(
        load_task_for_script(script), script,
        config(fake_openai, embedding_model="openai/embed", max_calls=5, generations=5), sandbox=sandbox,
    )
    requests = fake_openai.requests
    assert len(requests) == 5 == result.spend.all_calls  # chat and embedding calls together
    assert result.spend.embedding_calls == len(fake_openai.embedding_requests()) >= 1
    assert result.stop_reason == "budget: 5 calls reached"
    usage = fake_openai.usage
    assert result.spend.embedding_tokens == usage["embedding_tokens"]
    assert result.spend.tokens == usage["prompt_tokens"] + usage["completion_tokens"] + usage["embedding_tokens"]
    rows = {(r["model"], r["origin"]): r for r in result.by_model_and_origin}
    assert rows[("openai/embed", "embedding")]["calls"] == result.spend.embedding_calls
    assert rows[("openai/x", "mutation")]["calls"] + rows.get(("openai/x", "crossover"), {"calls": 0})["calls"] == result.spend.calls


def test_embedding_tokens_count_against_max_tokens(script, sandbox, fake_openai):
    fake_openai.responder = lambda body: variant(len(fake_openai.chat_requests()), prompt_tokens=300, completion_tokens=20)
    cap = 2000
    result = run_evolve(
        load_task_for_script(script), script,
        config(fake_openai, embedding_model="openai/embed", max_tokens=cap, generations=8, max_reply_tokens=256), sandbox=sandbox,
    )
    usage = fake_openai.usage
    assert result.spend.tokens == usage["prompt_tokens"] + usage["completion_tokens"] + usage["embedding_tokens"] <= cap
    assert usage["embedding_tokens"] > 0 and "tokens reached" in result.stop_reason


# -- prices -------------------------------------------------------------------------------------
def test_a_cost_cap_without_a_price_refuses_to_start_and_says_how_to_give_one(script, sandbox, fake_openai):
    task = load_task_for_script(script)
    with pytest.raises(EvolveError) as info:
        run_evolve(task, script, config(fake_openai, max_cost_usd=1.0), sandbox=sandbox)
    assert "no known price" in str(info.value) and "--price-per-mtok" in str(info.value) and "register_model" in str(info.value)
    with pytest.raises(EvolveError) as info:
        run_evolve(task, script, config(fake_openai, max_cost_total_usd=1.0, price_per_mtok=(1, 1), embedding_model="openai/embed"), sandbox=sandbox)
    assert "--embedding-price-per-mtok" in str(info.value)
    assert fake_openai.requests == []


def test_a_given_price_is_what_the_cap_holds_and_the_spend_counts(script, sandbox, fake_openai):
    fake_openai.responder = lambda body: variant(len(fake_openai.chat_requests()), prompt_tokens=1000, completion_tokens=100)
    # 1000 and 2000 USD per million tokens: a call costs 1000 * 1e-3 + 100 * 2e-3 = 1.2 USD
    result = run_evolve(
        load_task_for_script(script), script,
        config(fake_openai, price_per_mtok=(1000, 2000), max_cost_usd=5.0, generations=10, max_reply_tokens=256), sandbox=sandbox,
    )
    calls = len(fake_openai.chat_requests())
    assert result.spend.cost_usd == pytest.approx(1.2 * calls) and result.spend.cost_usd <= 5.0
    assert result.stop_reason.startswith("budget: $5.0000 reached")


def test_a_garbage_price_table_entry_is_refused_under_a_cap_and_ignored_without(script, sandbox, fake_openai):
    litellm = import_litellm()
    litellm.register_model({"openai/garbage-price": {"input_cost_per_token": "lots", "output_cost_per_token": None, "litellm_provider": "openai", "mode": "chat"}})
    task = load_task_for_script(script)
    with pytest.raises(EvolveError) as info:
        run_evolve(task, script, config(fake_openai, model="openai/garbage-price", max_cost_usd=1.0), sandbox=sandbox)
    assert "openai/garbage-price" in str(info.value) and "--price-per-mtok" in str(info.value)
    fake_openai.responder = counting_responder()
    result = run_evolve(task, script, config(fake_openai, model="openai/garbage-price", generations=1), sandbox=sandbox)
    assert result.spend.calls == 2 and result.spend.cost_usd == 0.0


def test_max_cost_total_caps_every_run_of_the_population(script, sandbox, fake_openai):
    fake_openai.responder = lambda body: variant(len(fake_openai.chat_requests()), prompt_tokens=1000, completion_tokens=100)
    task = load_task_for_script(script)
    priced = dict(price_per_mtok=(1000, 2000), max_reply_tokens=256)  # 1.2 USD a call
    first = run_evolve(task, script, config(fake_openai, generations=1, **priced), sandbox=sandbox)
    assert first.totals.cost_usd == pytest.approx(2.4)
    second = run_evolve(task, script, config(fake_openai, generations=10, max_cost_total_usd=6.0, **priced), sandbox=sandbox)
    assert second.totals.cost_usd <= 6.0 and second.spend.cost_usd < 6.0 - 2.4 + 1e-9
    assert "over all runs reached" in second.stop_reason
    before = len(fake_openai.chat_requests())
    third = run_evolve(task, script, config(fake_openai, generations=10, max_cost_total_usd=second.totals.cost_usd, **priced), sandbox=sandbox)
    assert len(fake_openai.chat_requests()) == before and third.spend.calls == 0
    assert Population.load(population_path_for(script)).totals.cost_usd == pytest.approx(second.totals.cost_usd)


# -- stopping and killing -----------------------------------------------------------------------
def test_a_stop_lets_the_calls_in_flight_finish_keeps_what_they_made_and_retries_nothing(script, sandbox, fake_openai):
    stop = threading.Event()
    count = [0]

    def respond(body):
        count[0] += 1
        if count[0] == 1:
            return Failure(503, delay_s=0.5)  # would be retried, but a stop is asked meanwhile
        stop.set()  # both calls are in flight now
        return variant(2, delay_s=0.5)

    fake_openai.responder = respond
    result = run_evolve(
        load_task_for_script(script), script, config(fake_openai, children_per_generation=4, generations=5, retry_attempts=4),
        sandbox=sandbox, should_stop=stop.is_set,
    )
    assert len(fake_openai.chat_requests()) == 2  # no retry, no new call
    assert result.stop_reason == "stopped by user" and result.generations_run == 1
    made = [c for c in result.population.candidates.values() if c.origin == "mutation"]
    assert len(made) == 1 and "k = 2" in made[0].script  # the reply that was in flight is kept
    stored = Population.load(population_path_for(script))
    assert stored.totals.calls == 2 and made[0].id in stored


CHILD = """
import json, sys
from pathlib import Path
from synth_lsp.optimizer import EvolveConfig, run_evolve
from synth_lsp.core.task import load_task_for_script

script = Path(sys.argv[1])
run_evolve(load_task_for_script(script), script, EvolveConfig(**json.loads(sys.argv[2])))
"""


def test_a_killed_run_keeps_the_spend_of_every_call_that_completed(script, fake_openai):
    lock, count = threading.Lock(), [0]

    def respond(body):
        with lock:
            count[0] += 1
            n = count[0]
        return variant(n, prompt_tokens=500, completion_tokens=50) if n <= 2 else Reply("too slow", delay_s=30)

    fake_openai.responder = respond
    settings = dict(
        model="openai/x", api_base=fake_openai.api_base, population_size=4, children_per_generation=4, generations=3,
        patience=0, concurrency=4, retry_attempts=1, request_timeout_s=60, time_limit_s=1.0, seed=1,
    )
    env = {**os.environ, "OPENAI_API_KEY": "dummy", "PYTHONPATH": str(ROOT)}
    child = subprocess.Popen([sys.executable, "-c", CHILD, str(script), json.dumps(settings)], cwd=script.parent, env=env,
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    store = population_path_for(script)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            assert child.poll() is None, child.stderr.read().decode()[-2000:]
            totals = json.loads(store.read_text())["totals"] if store.exists() else {}
            if totals.get("completion_tokens") == 100 and len(fake_openai.chat_requests()) == 4:
                break  # the two finished calls are on disk while generation 1 is still in flight
            time.sleep(0.05)
        else:
            pytest.fail("the spend of the finished calls never reached the file")
        child.send_signal(signal.SIGKILL)
        child.wait(timeout=10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        child.stderr.close()
    stored = Population.load(store)
    assert stored.generation == 0  # the generation never finished ...
    assert (stored.totals.prompt_tokens, stored.totals.completion_tokens) == (1000, 100)  # ... its finished calls are kept
    assert stored.totals.calls == 4  # every call sent is counted


def test_a_garbage_price_option_is_refused(script, capfd):
    from synth_lsp.cli.main import main

    with pytest.raises(SystemExit) as info:
        main(["evolve", str(script), "--price-per-mtok", "cheap"])
    assert info.value.code == 2 and "--price-per-mtok" in capfd.readouterr().err


def test_which_key_a_model_needs_is_named_and_other_credential_chains_are_left_alone(monkeypatch):
    from synth_lsp.optimizer.llm.credentials import missing_key

    for name in ("OPENAI_API_KEY", "GEMINI_API_KEY", "GOOGLE_API_KEY", "ANTHROPIC_API_KEY"):
        monkeypatch.delenv(name, raising=False)
    assert "set GOOGLE_API_KEY or GEMINI_API_KEY" in missing_key("gemini/gemini-2.0-flash", None, None)
    assert "set ANTHROPIC_API_KEY" in missing_key("anthropic/claude-3-5-sonnet-20241022", None, None)
    assert missing_key("openai/gpt-4o-mini", None, "sk-given") is None  # a key given directly
    assert missing_key("openai/x", "http://127.0.0.1:9/v1", None) is None  # a local server may need none
    assert missing_key("bedrock/anthropic.claude-3-sonnet", None, None) is None  # AWS profiles, roles: the call will say
    assert missing_key("ollama_chat/qwen2.5-coder", None, None) is None  # no key at all
    monkeypatch.setenv("GEMINI_API_KEY", "set")
    assert missing_key("gemini/gemini-2.0-flash", None, None) is None
