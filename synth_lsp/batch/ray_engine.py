"""The Ray engine: a batch's tasks on a Ray cluster (`--ray-address`, or a local one it starts).

Each task advances one generation per Ray task (`generation_step.run_step`), so what a worker has
done streams back to the driver generation by generation: the driver writes the population after
each one, and a generation lost with its worker or node is retried by Ray from the same stored
population (nothing is counted twice; only the calls of the lost generation are spent again).
Ray workers are long-lived processes, so each keeps its own warm Monty pool. API keys reach the
workers in memory, with each generation's arguments, and are set in the worker's environment; not
through Ray's runtime environment, whose agent writes it, values included, to its log on every node
(`runtime_env_agent.log`, Ray 2.60: tests/test_batch_ray.py found the key there)."""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, field
from typing import Any

from synth_lsp.batch.generation_step import Secrets, StepInput, StepOutput, run_step
from synth_lsp.batch.report import TaskRow
from synth_lsp.batch.task_run import Job

CONNECT_TIMEOUT_S = 5.0
RETRIES = 3  # Ray retries a generation whose worker or node died this many times
FIT_STOP = "fits every train pair"
OFFLINE_DONE = "the offline model has offered all its programs"


class RayUnavailable(RuntimeError):
    """Ray cannot be used: not installed, or the cluster does not answer (the message says which)."""


@dataclass
class TaskState:
    """The driver's view of one task between its generations."""

    job: Job
    task: Any
    script: str
    config: dict[str, Any]
    started: float
    generations: int = 0  # done in this batch
    fit_since: int | None = None  # the population's generation at which the best first fitted
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    last: StepOutput | None = None
    by_model_and_origin: list[dict[str, Any]] = field(default_factory=list)


def check_address(address: str) -> None:
    """A TCP connect first, so an address that does not answer is said within seconds."""
    host, _, port = address.rpartition(":")
    if not host or not port.isdigit():
        raise RayUnavailable(f"--ray-address {address!r}: expected HOST:PORT of the cluster's head (e.g. 127.0.0.1:6379)")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=CONNECT_TIMEOUT_S):
            pass
    except OSError as exc:
        raise RayUnavailable(f"the Ray cluster at {address} does not answer ({exc.strerror or exc}); is `ray start --head` running there?") from None


def key_environment(config: dict[str, Any]) -> dict[str, str]:
    """The API-key variables the configured models read, from this environment (values stay in memory)."""
    models = [m for m in [config.get("model", ""), *config.get("models", []), config.get("embedding_model", "")] if m and m != "offline"]
    if not models:
        return {}
    from synth_lsp.optimizer.llm.credentials import key_variables

    names = {name for model in models for name in key_variables(model)}
    return {name: os.environ[name] for name in sorted(names) if name in os.environ}


def init_ray(address: str):
    """Connect (or start a local cluster), or say why not."""
    try:
        import ray
    except ImportError as exc:
        raise RayUnavailable(f"--engine ray needs Ray: pip install 'synth-lsp[ray]' ({exc})") from None
    if address:
        check_address(address)
    os.environ.setdefault("RAY_USAGE_STATS_ENABLED", "0")
    local = {} if address else {"_node_ip_address": "127.0.0.1"}  # a cluster of one machine: loopback
    try:  # on the main thread: ray.init from another thread loses its GCS connection
        ray.init(address=address or None, include_dashboard=False, log_to_driver=False, logging_level="ERROR", **local)
    except Exception as exc:
        raise RayUnavailable(f"Ray could not start or connect ({address or 'a new local cluster'}): {exc}") from None
    return ray


class RayEngine:
    def __init__(self, address: str = "", jobs: int | None = None, env_vars: dict[str, str] | None = None):
        self.ray = init_ray(address)
        self._secrets = Secrets(env_vars)
        self.slots = jobs or max(1, int(self.ray.cluster_resources().get("CPU", 1)))
        self._remote = self.ray.remote(max_retries=RETRIES, retry_exceptions=False)(run_step)
        self._inflight: dict[Any, TaskState] = {}
        self._stop = False
        self._pending_done: list[tuple[str, str, Any]] = []  # rows settled without a Ray task

    # -- the Engine protocol ----------------------------------------------------------------------
    def submit(self, job: Job) -> None:
        import time

        from synth_lsp.core.task import load_task_for_script

        try:
            script = job.script.read_text(encoding="utf-8")
            task = load_task_for_script(job.script, script)
        except Exception as exc:  # the row says why; the batch goes on
            self._pending_done.append(("done", job.name, TaskRow(task=job.name, script=str(job.script), state="error", error=str(exc))))
            return
        state = TaskState(job, task, script, dict(job.config), time.monotonic())
        self._send(state, generations=0 if job.skip else 1)

    def poll(self, timeout: float) -> list[tuple[str, str, Any]]:
        """Returns at the first generation to finish (then takes whatever else is ready too), or
        after `timeout` when none does; at once when rows are already settled."""
        happened, self._pending_done = list(self._pending_done), []
        if not self._inflight:
            return happened
        refs = list(self._inflight)
        ready, rest = self.ray.wait(refs, num_returns=1, timeout=0 if happened else timeout)
        if ready and rest:
            ready += self.ray.wait(rest, num_returns=len(rest), timeout=0)[0]
        for ref in ready:
            state = self._inflight.pop(ref)
            try:
                output: StepOutput = self.ray.get(ref)
            except Exception as exc:  # retries used up, or a bug on the worker: that task's row says so
                happened.append(("done", state.job.name, self._failed(state, exc)))
                continue
            happened += self._after_step(state, output)
        return happened

    def running(self) -> int:
        return len(self._inflight) + len(self._pending_done)

    def stop(self) -> None:
        self._stop = True  # generations in flight finish; no new one starts

    def close(self, kill: bool = False) -> None:
        if kill:
            for ref in list(self._inflight):
                self.ray.cancel(ref, force=True)
        self._inflight.clear()
        self.ray.shutdown()

    # -- one task, generation by generation -------------------------------------------------------
    def _send(self, state: TaskState, generations: int) -> None:
        from synth_lsp.optimizer.population import population_path_for

        path = population_path_for(state.job.script)
        stored = path.read_text(encoding="utf-8") if path.exists() else None
        config = {**state.config, "generations": generations, **self._caps_left(state)}
        if state.generations and config.get("use_offline") is not False:
            config["use_offline"] = False  # the offline model searches once per task, as in one long run
        step = StepInput(state.job.name, state.task, state.script, stored, config, self._secrets)
        self._inflight[self._remote.remote(step)] = state

    def _caps_left(self, state: TaskState) -> dict[str, Any]:
        left = {}
        for key, used in (("max_calls", state.calls), ("max_tokens", state.tokens), ("max_cost_usd", state.cost_usd)):
            if state.config.get(key) is not None:
                left[key] = max(0, state.config[key] - used)
        return left

    def _after_step(self, state: TaskState, output: StepOutput) -> list[tuple[str, str, Any]]:
        from synth_lsp.core.atomic_file import write_atomically
        from synth_lsp.optimizer.population import population_path_for

        if not state.job.skip:  # a skipped task's population is only read, as on the local engine
            write_atomically(population_path_for(state.job.script), output.population)  # the driver writes
        state.last = output
        state.calls += output.calls
        state.tokens += output.tokens
        state.cost_usd += output.cost_usd
        state.by_model_and_origin += output.by_model_and_origin
        ran = output.stop_reason.startswith("ran the")
        if ran:
            state.generations += 1 if not state.job.skip else 0
        if output.train_total and output.train_passed == output.train_total and state.fit_since is None:
            state.fit_since = output.generation
        events: list[tuple[str, str, Any]] = [("progress", state.job.name, self._progress(state, output))]
        reason = self._stop_reason(state, output, ran)
        if reason is None:
            self._send(state, 1)
        else:
            events.append(("done", state.job.name, self._row(state, reason)))
        return events

    def _stop_reason(self, state: TaskState, output: StepOutput, ran: bool) -> str | None:
        """Why this task ends now, in the words one long run would use; None to go on."""
        patience = state.config.get("patience", 2)
        if state.job.skip:
            return "its population already fits every train pair"
        if not ran:
            return output.stop_reason  # a budget, a stop, or nothing left to evolve with
        if self._stop:
            return "stopped by user"
        if state.fit_since is not None and output.generation - state.fit_since >= patience:
            return FIT_STOP + (f" for {patience} generation(s)" if patience else "")
        spent = self._spent_cap(state)
        if spent:
            return spent
        if state.generations >= state.config.get("generations", 10):
            return f"ran the {state.config.get('generations')} generation(s) asked for" + (
                " (the best fits every train pair)" if state.fit_since is not None else ""
            )
        offline_only = not state.config.get("model") and not state.config.get("models")
        if offline_only and state.config.get("use_offline") is not False:
            return OFFLINE_DONE
        return None

    def _spent_cap(self, state: TaskState) -> str | None:
        """The task's own cap reached across its generations, in the words of one long run."""
        calls, tokens, cost = (state.config.get(k) for k in ("max_calls", "max_tokens", "max_cost_usd"))
        if calls is not None and state.calls >= calls:
            return f"budget: {calls} calls reached"
        if tokens is not None and state.tokens >= tokens:
            return f"budget: {tokens} tokens reached ({state.tokens} used)"
        if cost is not None and state.cost_usd >= cost:
            return f"budget: ${cost:.4f} reached (${state.cost_usd:.4f} spent)"
        return None

    def _progress(self, state: TaskState, output: StepOutput) -> dict[str, Any]:
        return {
            "generation": output.generation,
            "best_reward": output.best_reward,
            "train_passed": output.train_passed,
            "train_total": output.train_total,
            "calls": state.calls,
            "tokens": state.tokens,
            "cost_usd": round(state.cost_usd, 6),
            "state": "running",
            "message": "",
        }

    def _row(self, state: TaskState, reason: str) -> TaskRow:
        import time

        from synth_lsp.batch.task_run import best_model, set_confidence

        out = state.last
        assert out is not None
        row = TaskRow(
            task=state.job.name, script=str(state.job.script), state="skipped" if state.job.skip else ("stopped" if reason == "stopped by user" else "done")
        )
        row.train_passed, row.train_total, row.best_reward = out.train_passed, out.train_total, out.best_reward
        row.best_id, row.best_origin, row.best_script, row.best_note = out.best_id, out.best_origin, out.best_script, out.best_note
        row.best_model = best_model(out.best_origin, out.best_note, state.by_model_and_origin)
        set_confidence(row, out.best_confidence, out.best_note)
        row.generation, row.tests, row.stop_reason = out.generation, out.tests, reason
        row.test_total = sum(1 for t in out.tests if t.right is not None)
        row.test_passed = sum(1 for t in out.tests if t.right)
        if not state.job.skip:
            row.calls, row.tokens, row.cost_usd = state.calls, state.tokens, round(state.cost_usd, 6)
        row.seconds = round(time.monotonic() - state.started, 3)
        return row

    def _failed(self, state: TaskState, exc: BaseException) -> TaskRow:
        import time

        row = TaskRow(
            task=state.job.name,
            script=str(state.job.script),
            state="error",
            error=f"the generation failed on Ray after {RETRIES} retries or with an error: {type(exc).__name__}: {str(exc)[:300]}",
        )
        row.calls, row.tokens, row.cost_usd = state.calls, state.tokens, round(state.cost_usd, 6)
        row.seconds = round(time.monotonic() - state.started, 3)
        return row
