"""The background population in the editor: evolution workers per script, their progress, and the
population's candidates offered back as code actions, a lens and commands.

Evolution runs in a worker process per script (`synth_lsp.workers.evolution_process`), never on the
server's loop or threads. The population is the file stored beside the script, so after a restart
the code actions are there again without re-running anything, and a new worker resumes from it.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from synth_lsp.workers.evolution_process import EvolutionStatus, EvolutionWorker
from synth_lsp.server import code_actions
from synth_lsp.server.code_actions import CurrentScore, EditSupport

if TYPE_CHECKING:
    from synth_lsp.optimizer.population import Population
    from synth_lsp.server.server import SynthLanguageServer

log = logging.getLogger(__name__)

START_COMMAND = "synthLsp.evolve.start"
STOP_COMMAND = "synthLsp.evolve.stop"
POPULATION_COMMAND = "synthLsp.population"
APPLY_BEST_COMMAND = "synthLsp.applyBest"
STATUS_METHOD = "synthLsp/evolutionStatus"
RESTART_ACTION = "Restart evolution"


@dataclass
class _Cached:
    stamp: tuple[int, int]
    population: "Population"


@dataclass
class ScriptEvolution:
    """What the server knows of one script's evolution."""

    uri: str
    path: Path
    worker: EvolutionWorker | None = None
    status: EvolutionStatus | None = None
    progress_token: str | None = None
    announced: set[str] = field(default_factory=set)  # best candidates the user was told about
    last_saved_id: str | None = None  # the candidate id of the last saved text
    saved_version: int | None = None  # a saved version whose run is awaited


def settings_payload(ls: "SynthLanguageServer") -> dict[str, Any]:
    from synth_lsp.server.settings import to_wire

    return to_wire(ls.settings)


class Evolution:
    def __init__(self, ls: "SynthLanguageServer"):
        self.ls = ls
        self.scripts: dict[str, ScriptEvolution] = {}
        self._cache: dict[Path, _Cached] = {}
        self._fingerprints: dict[int, tuple[Any, str]] = {}
        self.closing = False  # after shutdown nothing more is sent to the client
        # population file work (read, merge, write) off the loop, apart from the script runs
        self.file_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="synth-population")

    # -- capabilities ----------------------------------------------------------------------
    def _supports_progress(self) -> bool:
        caps = self.ls.client_capabilities
        return bool(caps and caps.window and caps.window.work_done_progress)

    def edit_support(self) -> EditSupport:
        caps = self.ls.client_capabilities
        edit = caps.workspace.workspace_edit if caps and caps.workspace else None
        return EditSupport(
            document_changes=bool(edit and edit.document_changes),
            change_annotations=bool(edit and edit.change_annotation_support is not None),
        )

    # -- the population on disk ------------------------------------------------------------
    def script_path(self, uri: str) -> Path | None:
        document = self.ls.workspace.text_documents.get(uri)
        if document is None or not uri.startswith("file:") or not document.path:
            return None
        return Path(document.path).resolve()

    def population(self, path: Path) -> "Population | None":
        """The stored population of a script, re-read only when the file changed."""
        from synth_lsp.core.task import population_path_for

        file = population_path_for(path)
        try:
            stat = file.stat()
        except OSError:
            self._cache.pop(path, None)
            return None  # no population: the optimizer is not even imported
        from synth_lsp.optimizer.population import Population, PopulationError

        stamp = (stat.st_mtime_ns, stat.st_size)
        cached = self._cache.get(path)
        if cached is not None and cached.stamp == stamp:
            return cached.population
        try:
            population = Population.load(file)
        except PopulationError as exc:
            log.warning("%s", exc)
            return None
        self._cache[path] = _Cached(stamp, population)
        return population

    def _fingerprint(self, task) -> str:
        from synth_lsp.optimizer.candidate import task_fingerprint

        key = id(task)
        cached = self._fingerprints.get(key)
        if cached is None or cached[0] is not task:
            cached = (task, task_fingerprint(task))
            self._fingerprints = {key: cached}  # only the latest tasks matter
        return cached[1]

    def current(self, uri: str) -> tuple[CurrentScore | None, str | None]:
        """The latest run of the document's text: its score and the task fingerprint."""
        state = self.ls.states.scripts.get(uri)
        outcome = state.outcome if state else None
        if outcome is None or outcome.evaluation is None or outcome.task is None:
            return None, None
        ev = outcome.evaluation
        score = CurrentScore(ev.train_passed, len(ev.train), ev.test_passed, len(ev.scored_test))
        return score, self._fingerprint(outcome.task)

    def offered(self, uri: str) -> list:
        path = self.script_path(uri)
        document = self.ls.workspace.text_documents.get(uri)
        if path is None or document is None:
            return []
        population = self.population(path)
        if population is None:
            return []
        current, fingerprint = self.current(uri)
        if fingerprint is None:
            return []
        return code_actions.offered(population.ranked(), current, document.source, fingerprint)

    # -- features --------------------------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        uri = params.text_document.uri
        candidates = self.offered(uri)
        if not candidates:
            return []
        document = self.ls.workspace.text_documents[uri]
        current, _ = self.current(uri)
        mismatches = [d for d in params.context.diagnostics if d.source == "synth-lsp"] or None
        return code_actions.code_actions(uri, document.version, document.source, candidates, current, self.edit_support(), mismatches)

    def lens(self, uri: str) -> types.CodeLens | None:
        """A second lens when the population holds a script better than the current text."""
        candidates = self.offered(uri)
        current, _ = self.current(uri)
        document = self.ls.workspace.text_documents.get(uri)
        if not candidates or document is None or (current is not None and candidates[0].train_passed <= current.train_passed):
            return None
        best = candidates[0]
        title = f"evolved: {best.train_passed}/{best.train_total} on train — apply"
        return types.CodeLens(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            command=types.Command(title=title, command=code_actions.APPLY_COMMAND, arguments=[uri, best.id, document.version]),
        )

    def population_listing(self, uri: str) -> list[dict[str, Any]]:
        path = self.script_path(uri)
        document = self.ls.workspace.text_documents.get(uri)
        population = self.population(path) if path else None
        if population is None or document is None:
            return []
        current, fingerprint = self.current(uri)
        offered = {c.id for c in self.offered(uri)}
        out = []
        for candidate in population.ranked():
            out.append(
                {
                    "id": candidate.id,
                    "origin": candidate.origin,
                    "generation": candidate.generation,
                    "alive": candidate.alive,
                    "trainPassed": candidate.train_passed,
                    "trainTotal": candidate.train_total,
                    "trainReward": candidate.train_reward,
                    "testPassed": candidate.test_passed,
                    "testTotal": candidate.test_total,
                    "current": fingerprint is None or candidate.task_fingerprint == fingerprint,
                    "beatsCurrent": candidate.id in offered and (current is None or candidate.train_passed > current.train_passed),
                    "note": candidate.note,
                    "script": candidate.script,
                    "diff": code_actions.unified_diff(document.source, candidate.script, path.name),
                }
            )
        return out

    async def apply_candidate(self, uri: str, candidate_id: str, version: int | None) -> dict[str, Any]:
        document = self.ls.workspace.text_documents.get(uri)
        path = self.script_path(uri)
        if document is None or path is None:
            return {"applied": False, "message": f"{uri} is not open as a file"}
        if version is not None and version != document.version:
            return {"applied": False, "message": f"the document changed (version {document.version}, the rewrite was offered for {version}): ask again"}
        population = self.population(path)
        candidate = population.get(candidate_id) if population else None
        if candidate is None:
            return {"applied": False, "message": f"no candidate {candidate_id} in the population"}
        edit = code_actions.rewrite_edit(uri, document.version, document.source, candidate.script, self.edit_support())
        result = await self.ls.workspace_apply_edit_async(types.ApplyWorkspaceEditParams(edit=edit, label="Apply evolved script"))
        if not result.applied:
            return {"applied": False, "message": result.failure_reason or "the editor refused the edit"}
        # the acceptance is recorded in the candidate's lineage when the rewrite is saved
        return {"applied": True, "message": f"applied {candidate_id}"}

    async def apply_best(self, uri: str) -> dict[str, Any]:
        await self._first_run(uri)
        candidates = self.offered(uri)
        document = self.ls.workspace.text_documents.get(uri)
        if not candidates or document is None:
            return {"applied": False, "message": "the population holds nothing better than the current script"}
        return await self.apply_candidate(uri, candidates[0].id, document.version)

    async def _first_run(self, uri: str, timeout_s: float = 30.0) -> None:
        """Right after opening (or a restart) the current text's score is not known yet: wait for
        its first run, since what is offered depends on it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self.current(uri)[1] is None and uri in self.ls.states.scripts and loop.time() < deadline:
            await asyncio.sleep(0.05)

    def on_saved(self, uri: str) -> None:
        """Remember the saved version: when its run is published, it joins the population."""
        path = self.script_path(uri)
        document = self.ls.workspace.text_documents.get(uri)
        if path is None or document is None or self.population(path) is None:
            return  # only scripts that have a population (evolution ran at least once)
        entry = self.scripts.setdefault(uri, ScriptEvolution(uri, path))
        entry.saved_version = document.version

    def on_published(self, outcome) -> None:
        """A saved version's run is out: the text joins the population, scored by that same run.
        An evolved candidate's script saved by the user is recorded as accepted, in its lineage."""
        entry = self.scripts.get(outcome.uri)
        if entry is None or entry.saved_version is None or entry.saved_version != outcome.version:
            return
        entry.saved_version = None
        evaluation, task = outcome.evaluation, outcome.task
        if evaluation is None or task is None:
            return  # nothing ran (e.g. the examples are broken): nothing to score it by
        text, path, fingerprint = outcome.script, entry.path, self._fingerprint(task)

        def job() -> None:
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

        async def run() -> None:
            try:
                await asyncio.get_running_loop().run_in_executor(self.file_executor, job)
            except Exception as exc:
                log.warning("could not add the saved script to the population: %s", exc)

        self.ls.spawn(run())

    # -- workers ---------------------------------------------------------------------------
    def running(self, uri: str) -> bool:
        entry = self.scripts.get(uri)
        return bool(entry and entry.worker and entry.worker.running)

    async def start(self, uri: str) -> dict[str, Any]:
        path = self.script_path(uri)
        if path is None:
            return {"started": False, "message": f"{uri} is not a saved .synth.py file: save it to evolve it"}
        if self.running(uri):
            return {"started": False, "message": "evolution is already running for this script"}
        entry = self.scripts.setdefault(uri, ScriptEvolution(uri, path))
        entry.path = path
        worker = EvolutionWorker(
            path, settings_payload(self.ls), lambda status: self._on_status(uri, status), text=self._unsaved_text(uri, path)
        )
        entry.worker = worker
        try:
            await worker.start()
        except OSError as exc:
            return {"started": False, "message": f"could not start the evolution worker: {exc}"}
        if self._supports_progress():
            self.ls.spawn(self._begin_progress(entry))
        return {"started": True, "message": f"evolving {path.name}"}

    def _unsaved_text(self, uri: str, path: Path) -> str | None:
        """The editor's text when it differs from the file: evolution starts from what the user sees
        (it joins the population as their edit), and the file is left alone."""
        document = self.ls.workspace.text_documents.get(uri)
        if document is None:
            return None
        try:
            on_disk = path.read_text(encoding="utf-8")
        except OSError:
            return document.source
        return None if document.source == on_disk else document.source

    async def stop(self, uri: str) -> dict[str, Any]:
        entry = self.scripts.get(uri)
        if entry is None or entry.worker is None or not entry.worker.running:
            return {"stopped": False}
        await entry.worker.stop()
        return {"stopped": True}

    def kill_all(self) -> None:
        self.closing = True
        for entry in self.scripts.values():
            if entry.worker is not None:
                entry.worker.kill()

    async def _begin_progress(self, entry: ScriptEvolution) -> None:
        token = f"synth-lsp-evolve-{uuid.uuid4()}"
        progress = self.ls.work_done_progress
        try:
            await progress.create_async(token)
        except Exception as exc:
            log.warning("client refused a progress token: %s", exc)
            return
        entry.progress_token = token
        progress.begin(token, types.WorkDoneProgressBegin(title=f"Evolving {entry.path.name}", cancellable=True, message="starting", percentage=0))
        future = progress.tokens.get(token)
        if future is not None:
            future.add_done_callback(lambda f: f.cancelled() and self.ls.spawn(self.stop(entry.uri)))
        if entry.status is not None:
            self._report_progress(entry, entry.status)

    def _report_progress(self, entry: ScriptEvolution, status: EvolutionStatus) -> None:
        token = entry.progress_token
        if token is None:
            return
        progress = self.ls.work_done_progress
        if status.state == "running":
            if not status.generations:
                return  # the worker has not reported its plan yet
            pct = int(100 * status.generation / status.generations) if status.generations else 0
            message = f"generation {status.generation}/{status.generations} · best {status.best_train_passed}/{status.train_total} · {status.calls} calls"
            if status.cost_usd:
                message += f" · ${status.cost_usd:.4f}"
            progress.report(token, types.WorkDoneProgressReport(message=message, percentage=max(0, min(100, pct))))
        else:
            progress.end(token, types.WorkDoneProgressEnd(message=f"{status.state}: {status.message}"))
            entry.progress_token = None

    def _on_status(self, uri: str, status: EvolutionStatus) -> None:
        entry = self.scripts.get(uri)
        if entry is None or self.closing:
            return
        entry.status = status
        self._report_progress(entry, status)
        if self.ls.features.evolution_status:
            pid = entry.worker.pid if entry.worker else None
            self.ls.protocol.notify(STATUS_METHOD, {"uri": uri, "pid": pid, **status.payload()})
        self._announce_improvement(entry, status)
        if status.state == "crashed":
            self.ls.spawn(self._offer_restart(uri, status.message))
        elif status.state == "failed":  # a restart would fail the same way: say what to fix
            message = f"synth-lsp: evolution of {entry.path.name} cannot run: {status.message}"
            self.ls.window_show_message(types.ShowMessageParams(types.MessageType.Error, message))
        if self.ls.supports_code_lens_refresh():
            self.ls.workspace_code_lens_refresh(None)

    def _announce_improvement(self, entry: ScriptEvolution, status: EvolutionStatus) -> None:
        current, _ = self.current(entry.uri)
        if not status.best_id or status.best_id in entry.announced or current is None:
            return
        if status.best_train_passed <= current.train_passed:
            return
        entry.announced.add(status.best_id)
        message = (
            f"synth-lsp: evolution found a script for {entry.path.name} that passes {status.best_train_passed}/{status.train_total} "
            f"train pairs (the current text passes {current.train_passed}). Apply it from the code actions or the lens."
        )
        self.ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, message))

    async def _offer_restart(self, uri: str, reason: str) -> None:
        message = f"synth-lsp: evolution stopped with an error: {reason}"
        try:
            choice = await self.ls.window_show_message_request_async(
                types.ShowMessageRequestParams(types.MessageType.Error, message, actions=[types.MessageActionItem(RESTART_ACTION)])
            )
        except Exception:
            return
        if choice is not None and choice.title == RESTART_ACTION:
            await self.start(uri)


def register(server) -> None:
    """Wire the evolution features into the server (called once, from server.py)."""
    # handlers leave `ls` unannotated: pygls resolves command annotations in this module's globals

    def evolution(ls) -> Evolution:
        if getattr(ls, "evolution", None) is None:
            ls.evolution = Evolution(ls)
            ls.publish_hooks.append(ls.evolution.on_published)
        return ls.evolution

    @server.feature(
        types.TEXT_DOCUMENT_CODE_ACTION,
        types.CodeActionOptions(code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.RefactorRewrite]),
    )
    def on_code_action(ls, params: types.CodeActionParams):
        from synth_lsp.server.examples_actions import layout_actions

        actions = evolution(ls).code_actions(params)
        document = ls.workspace.text_documents.get(params.text_document.uri)
        if document is not None:
            actions += layout_actions(document.uri, document.version, document.source, evolution(ls).edit_support())
        return actions or None

    @server.command(START_COMMAND)
    async def on_start(ls, uri: str):
        return await evolution(ls).start(uri)

    @server.command(STOP_COMMAND)
    async def on_stop(ls, uri: str):
        return await evolution(ls).stop(uri)

    @server.command(POPULATION_COMMAND)
    def on_population(ls, uri: str):
        return evolution(ls).population_listing(uri)

    @server.command(code_actions.APPLY_COMMAND)
    async def on_apply(ls, uri: str, candidate_id: str, version: int | None = None):
        return await evolution(ls).apply_candidate(uri, candidate_id, version)

    @server.command(APPLY_BEST_COMMAND)
    async def on_apply_best(ls, uri: str):
        return await evolution(ls).apply_best(uri)

    return evolution
