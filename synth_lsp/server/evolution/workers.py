"""Evolution workers per script: start, stop, kill them all at shutdown, route their status, and
let a saved version of the script join its population, scored by the run the save triggered."""

from __future__ import annotations

import asyncio
import logging
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from synth_lsp.core.task import TaskError, read_regular_text
from synth_lsp.server.evolution.host import EvolutionHost
from synth_lsp.server.evolution.population_cache import PopulationCache
from synth_lsp.server.evolution.progress import EvolutionProgress
from synth_lsp.server.evolution.restart import offer_restart
from synth_lsp.server.evolution.state import ScriptEvolution
from synth_lsp.server.outcome import RunOutcome
from synth_lsp.workers.evolution_process import EvolutionStatus, EvolutionWorker

if TYPE_CHECKING:
    from synth_lsp.core.evaluation import Evaluation

log = logging.getLogger(__name__)

MAX_SCRIPT_MB = 4.0
START_COMMAND = "synthLsp.evolve.start"
STOP_COMMAND = "synthLsp.evolve.stop"
ENDED = ("stopped", "finished", "crashed", "failed")
DEFAULT_MAX_WORKERS = 2


class Workers:
    def __init__(self, host: EvolutionHost, cache: PopulationCache) -> None:
        self.host = host
        self.cache = cache
        self.progress = EvolutionProgress(host)
        self.scripts: dict[str, ScriptEvolution] = {}
        self.closing = False  # after shutdown nothing more is sent to the client
        self.queue: list[str] = []  # scripts waiting for a worker slot, first come first served
        # population file work (read, merge, write) off the loop, apart from the script runs
        self.file_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-population")

    # -- lifecycle -------------------------------------------------------------------------
    def running(self, uri: str) -> bool:
        entry = self.scripts.get(uri)
        return bool(entry and entry.worker and entry.worker.running)

    def active(self, uri: str) -> bool:
        """Running, or queued for a worker slot."""
        return self.running(uri) or uri in self.queue

    def _max_workers(self) -> int:
        value = self.host.settings_payload().get("maxEvolutionWorkers")
        return value if isinstance(value, int) and value >= 1 else DEFAULT_MAX_WORKERS

    def _holding_slots(self) -> int:
        return sum(1 for e in self.scripts.values() if e.worker is not None and e.worker.running and (e.status is None or e.status.state not in ENDED))

    async def start(self, uri: str) -> dict[str, Any]:
        document = self.host.document(uri)
        path = document.path if document is not None else None
        if path is None:
            return {"started": False, "message": f"{uri} is not a saved .synth.py file: save it to evolve it"}
        if self.running(uri):
            return {"started": False, "message": "evolution is already running for this script"}
        if uri in self.queue:
            return {"started": False, "queued": True, "message": self._queued_message(uri)}
        entry = self.scripts.setdefault(uri, ScriptEvolution(uri, path))
        entry.path = path
        if self._holding_slots() >= self._max_workers():
            self.queue.append(uri)
            self._show(entry, EvolutionStatus(path, state="queued", message=self._queued_message(uri)))
            if self.host.supports_work_done_progress() and entry.progress_token is None:
                self.host.spawn(self.progress.begin(entry, on_cancel=lambda: self.stop(uri)))
            return {"started": False, "queued": True, "message": self._queued_message(uri)}
        return await self._launch(uri, entry, path)

    async def auto_start(self, uri: str) -> dict[str, Any]:
        """`autoEvolve` on open: no generation for a population whose best already fits every
        train pair (with a paid model or the offline one alike: there is nothing left to find on
        the train pairs, and the offline search costs the user's CPU); the start command still
        starts one, since that is asking for it."""
        document = self.host.document(uri)
        path = document.path if document is not None else None
        if path is not None and self.cache.exists(path):
            loop = asyncio.get_running_loop()
            try:
                fits = await loop.run_in_executor(self.file_executor, _best_fits_train, path, document.text)
            except Exception as exc:  # cannot tell: evolution itself will say what is wrong
                log.warning("could not check the stored population of %s: %s", path.name, exc)
                fits = False
            if fits:
                entry = self.scripts.setdefault(uri, ScriptEvolution(uri, path))
                message = "not started on open: the population's best already fits the train pairs (start evolution to search on)"
                self._show(entry, EvolutionStatus(path, state="idle", message=message))
                return {"started": False, "message": message}
        return await self.start(uri)

    def _queued_message(self, uri: str) -> str:
        ahead = self.queue.index(uri) if uri in self.queue else 0
        waiting = f", {ahead} ahead in the queue" if ahead else ""
        return f"queued: {self._holding_slots()} script(s) evolving (maxEvolutionWorkers {self._max_workers()}){waiting}; starts when one ends"

    def _show(self, entry: ScriptEvolution, status: EvolutionStatus) -> None:
        """A status the server itself decides (queued, taken off the queue), as a worker's are shown."""
        entry.status = status
        self.progress.report(entry, status)
        self.progress.notify_status(entry, status)

    async def _start_next(self) -> None:
        """A slot came free: the first queued script that is still open starts."""
        while self.queue and not self.closing and self._holding_slots() < self._max_workers():
            uri = self.queue.pop(0)
            entry = self.scripts.get(uri)
            if entry is None:
                continue
            await self._launch(uri, entry, entry.path)
            for waiting in self.queue:  # the others move up
                if waiting in self.scripts:
                    self._show(self.scripts[waiting], replace(self.scripts[waiting].status, message=self._queued_message(waiting)))

    async def _launch(self, uri: str, entry: ScriptEvolution, path: Path) -> dict[str, Any]:
        worker = EvolutionWorker(
            path, self.host.settings_payload(), lambda status: self._on_status(uri, status), text=self._unsaved_text(uri, path)
        )
        entry.worker = worker
        try:
            await worker.start()
        except OSError as exc:
            return {"started": False, "message": f"could not start the evolution worker: {exc}"}
        if self.host.supports_work_done_progress() and entry.progress_token is None:  # a queued one has its token
            self.host.spawn(self.progress.begin(entry, on_cancel=lambda: self.stop(uri)))
        return {"started": True, "message": f"evolving {path.name}"}

    def _unsaved_text(self, uri: str, path: Path) -> str | None:
        """The editor's text when it differs from the file: evolution starts from what the user sees
        (it joins the population as their edit), and the file is left alone."""
        document = self.host.document(uri)
        if document is None:
            return None
        try:  # on the event loop: only a regular file, and no larger than a script can sensibly be
            on_disk = read_regular_text(path, MAX_SCRIPT_MB, "script")
        except TaskError:
            return document.text
        return None if document.text == on_disk else document.text

    async def stop(self, uri: str) -> dict[str, Any]:
        entry = self.scripts.get(uri)
        if uri in self.queue:  # not started yet: off the queue
            self.queue.remove(uri)
            if entry is not None and entry.status is not None:
                self._show(entry, replace(entry.status, state="stopped", message="taken off the queue before it started"))
            return {"stopped": True}
        if entry is None or entry.worker is None or not entry.worker.running:
            return {"stopped": False}
        await entry.worker.stop()
        return {"stopped": True}

    def kill_all(self) -> None:
        self.closing = True
        self.queue.clear()
        for entry in self.scripts.values():
            if entry.worker is not None:
                entry.worker.kill()

    def _on_status(self, uri: str, status: EvolutionStatus) -> None:
        entry = self.scripts.get(uri)
        if entry is None or self.closing:
            return
        entry.status = status
        self.progress.report(entry, status)
        self.progress.notify_status(entry, status)
        self.progress.announce_improvement(entry, status)
        if status.state in ENDED and self.queue:
            self.host.spawn(self._start_next())
        if status.state == "crashed":
            self.host.spawn(offer_restart(self.host, status.message, lambda: self.start(uri)))
        elif status.state == "failed":  # a restart would fail the same way: say what to fix
            message = f"synth-lsp: evolution of {entry.path.name} cannot run: {status.message}"
            self.host.show_message(types.MessageType.Error, message)
        self.host.refresh_code_lenses()

    # -- saved versions join the population ------------------------------------------------
    def on_saved(self, uri: str) -> None:
        """Remember the saved version: when its run is published, it joins the population."""
        document = self.host.document(uri)
        path = document.path if document is not None else None
        if path is None or not self.cache.exists(path):  # a stat: this runs on the event loop
            return  # only scripts that have a population (evolution ran at least once)
        entry = self.scripts.setdefault(uri, ScriptEvolution(uri, path))
        entry.saved_version = document.version

    def on_published(self, outcome: RunOutcome) -> None:
        """A saved version's run is out: the text joins the population, scored by that same run.
        An evolved candidate's script saved by the user is recorded as accepted, in its lineage."""
        entry = self.scripts.get(outcome.uri)
        if entry is None or entry.saved_version is None or entry.saved_version != outcome.version:
            return
        entry.saved_version = None
        evaluation, task = outcome.evaluation, outcome.task
        if evaluation is None or task is None:
            return  # nothing ran (e.g. the examples are broken): nothing to score it by
        fingerprint = self.cache.fingerprint(task)
        self.host.spawn(self._join_population(entry, outcome.script, evaluation, fingerprint))

    async def _join_population(self, entry: ScriptEvolution, text: str, evaluation: "Evaluation", fingerprint: str) -> None:
        loop = asyncio.get_running_loop()
        try:
            await loop.run_in_executor(self.file_executor, _record_saved, entry, entry.path, text, evaluation, fingerprint)
        except Exception as exc:
            log.warning("could not add the saved script to the population: %s", exc)


def _record_saved(entry: ScriptEvolution, path: Path, text: str, evaluation: "Evaluation", fingerprint: str) -> None:
    """On the file thread: add the saved text to the population file, or revive it, or record an
    evolved candidate's acceptance."""
    from synth_lsp.optimizer.candidate import candidate_id, new_candidate
    from synth_lsp.optimizer.population import Population

    cid = candidate_id(text)
    if cid == entry.last_saved_id:
        return  # saved again unchanged
    entry.last_saved_id = cid
    population = Population.for_script(path)
    existing = population.get(cid)
    if existing is not None and existing.origin != "user":
        population.record_accept(cid)
    elif existing is not None:
        existing.alive = True
        population.save()
    else:
        candidate = new_candidate(text, "user", generation=population.generation)
        population.add(candidate.apply_evaluation(evaluation, fingerprint))
        population.save()


def _best_fits_train(path: Path, text: str) -> bool:
    """On the file thread: whether a stored candidate scored on the script's current examples
    fits every train pair."""
    from synth_lsp.core.task import load_task_for_script
    from synth_lsp.optimizer.candidate import task_fingerprint
    from synth_lsp.optimizer.population import Population

    fingerprint = task_fingerprint(load_task_for_script(path, text))
    return any(c.fits_train and c.task_fingerprint == fingerprint for c in Population.for_script(path).candidates.values())
