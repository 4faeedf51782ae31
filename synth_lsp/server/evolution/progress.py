"""Telling the client how evolution goes: `$/progress` (when the client takes it), the opt-in
`synthLsp/evolutionStatus` notification, and a message when a candidate beats the current text."""

from __future__ import annotations

import logging
import uuid
from typing import Any, Callable, Coroutine

from lsprotocol import types

from synth_lsp.server.evolution.host import EvolutionHost
from synth_lsp.server.evolution.offers import current_score
from synth_lsp.server.evolution.state import ScriptEvolution
from synth_lsp.workers.evolution_process import EvolutionStatus

log = logging.getLogger(__name__)

STATUS_METHOD = "synthLsp/evolutionStatus"
StopWorker = Callable[[], Coroutine[Any, Any, Any]]


async def open_progress(host: EvolutionHost, kind: str, title: str, on_cancel: Callable[[], Any], percentage: int | None = None) -> str | None:
    """A fresh cancellable `$/progress` token, begun; the client's Cancel calls `on_cancel`.
    None when the client refuses the token."""
    token = f"synth-lsp-{kind}-{uuid.uuid4()}"  # pygls never frees a token: never reuse one
    progress = host.work_done_progress
    try:
        await progress.create_async(token)
    except Exception as exc:
        log.warning("client refused a progress token: %s", exc)
        return None
    progress.begin(token, types.WorkDoneProgressBegin(title=title, cancellable=True, message="starting", percentage=percentage))
    future = progress.tokens.get(token)
    if future is not None:
        future.add_done_callback(lambda f: f.cancelled() and on_cancel())
    return token


class EvolutionProgress:
    def __init__(self, host: EvolutionHost) -> None:
        self.host = host

    async def begin(self, entry: ScriptEvolution, on_cancel: StopWorker) -> None:
        """A fresh progress token for a started worker; the client's Cancel stops the worker."""
        token = await open_progress(self.host, "evolve", f"Evolving {entry.path.name}", lambda: self.host.spawn(on_cancel()), percentage=0)
        if token is None:
            return
        entry.progress_token = token
        if entry.status is not None:
            self.report(entry, entry.status)

    def report(self, entry: ScriptEvolution, status: EvolutionStatus) -> None:
        token = entry.progress_token
        if token is None:
            return
        progress = self.host.work_done_progress
        if status.state == "queued":  # waiting for a worker slot: said, not ended
            progress.report(token, types.WorkDoneProgressReport(message=status.message, percentage=0))
            return
        if status.state == "running":
            if not status.generations:
                return  # the worker has not reported its plan yet
            if status.run_generations:  # a resumed run: its own share of the work, and the population's count
                pct = int(100 * status.run_generation / status.run_generations)
                counter = f"generation {status.generation} (this run {status.run_generation} of {status.run_generations})"
            else:
                pct = int(100 * status.generation / status.generations)
                counter = f"generation {status.generation}/{status.generations}"
            message = f"{counter} · best {status.best_train_passed}/{status.train_total} · {status.calls} calls"
            if status.cost_usd:
                message += f" · ${status.cost_usd:.4f}"
            if status.message.startswith("offline search"):  # the offline model's own progress, while it searches
                message += f" · {status.message}"
            progress.report(token, types.WorkDoneProgressReport(message=message, percentage=max(0, min(100, pct))))
        else:
            progress.end(token, types.WorkDoneProgressEnd(message=f"{status.state}: {status.message}"))
            entry.progress_token = None

    def notify_status(self, entry: ScriptEvolution, status: EvolutionStatus) -> None:
        if self.host.wants_status_notifications():
            pid = entry.worker.pid if entry.worker else None
            self.host.notify(STATUS_METHOD, {"uri": entry.uri, "pid": pid, **status.payload()})

    def announce_improvement(self, entry: ScriptEvolution, status: EvolutionStatus) -> None:
        """Say once per best candidate that evolution beat the current text."""
        current = current_score(self.host.latest_outcome(entry.uri))
        if not status.best_id or status.best_id in entry.announced or current is None:
            return
        if status.best_train_passed <= current.train_passed:
            return
        entry.announced.add(status.best_id)
        message = (
            f"synth-lsp: evolution found a script for {entry.path.name} that passes {status.best_train_passed}/{status.train_total} "
            f"train pairs (the current text passes {current.train_passed}). Apply it from the code actions or the lens."
        )
        self.host.show_message(types.MessageType.Info, message)
