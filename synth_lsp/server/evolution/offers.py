"""What the population offers for a script: code actions and a lens for candidates that beat the
current text, the population listing, and applying a candidate as a versioned edit."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from lsprotocol import types

from synth_lsp.server import code_actions
from synth_lsp.server.code_actions import CurrentScore, evolved_lens_title
from synth_lsp.server.evolution.host import EvolutionHost
from synth_lsp.server.evolution.population_cache import PopulationCache
from synth_lsp.server.outcome import RunOutcome

if TYPE_CHECKING:
    from synth_lsp.optimizer.candidate import Candidate

POPULATION_COMMAND = "synthLsp.population"
APPLY_BEST_COMMAND = "synthLsp.applyBest"
FIRST_RUN_TIMEOUT_S = 30.0
STALE_AFTER_S = 0.03  # a code action or lens waits this long for a changed population, else the previous one answers
LISTING_DIFFS = 20  # the best this many get a diff in the listing, beside the living and the offered


def current_score(outcome: RunOutcome | None) -> CurrentScore | None:
    """How the latest run of the text did; None when nothing could be scored."""
    if outcome is None or outcome.evaluation is None or outcome.task is None:
        return None
    ev = outcome.evaluation
    return CurrentScore(ev.train_passed, len(ev.train), ev.test_passed, len(ev.scored_test))


class Offers:
    def __init__(self, host: EvolutionHost, cache: PopulationCache) -> None:
        self.host = host
        self.cache = cache
        cache.listeners.append(host.refresh_code_lenses)  # a newer population may offer more

    def current(self, uri: str) -> tuple[CurrentScore | None, str | None]:
        """The latest run of the document's text: its score and the task fingerprint."""
        outcome = self.host.latest_outcome(uri)
        score = current_score(outcome)
        if score is None:
            return None, None
        return score, self.cache.fingerprint(outcome.task)

    async def offered(self, uri: str, wait_s: float | None = STALE_AFTER_S) -> list["Candidate"]:
        document = self.host.document(uri)
        if document is None or document.path is None:
            return []
        stored = await self.cache.stored(document.path, wait_s)
        if stored is None:
            return []
        current, fingerprint = self.current(uri)
        if fingerprint is None:
            return []
        return code_actions.offered(stored.ranked, current, document.text, fingerprint)

    async def code_actions(self, uri: str, context_diagnostics: list[types.Diagnostic]) -> list[types.CodeAction]:
        """Rewrites to the offered candidates; those the client sent marks for fix its mismatches."""
        candidates = await self.offered(uri)
        document = self.host.document(uri)
        if not candidates or document is None:
            return []
        current, _ = self.current(uri)
        mismatches = [d for d in context_diagnostics if d.source == "synth-lsp"] or None
        return code_actions.code_actions(uri, document.version, document.text, candidates, current, self.host.edit_support(), mismatches)

    async def lens(self, uri: str) -> types.CodeLens | None:
        """A second lens when the population holds a script better than the current text."""
        candidates = await self.offered(uri)
        current, _ = self.current(uri)
        document = self.host.document(uri)
        if not candidates or document is None or (current is not None and candidates[0].train_passed <= current.train_passed):
            return None
        best = candidates[0]
        return types.CodeLens(
            range=types.Range(types.Position(0, 0), types.Position(0, 0)),
            command=types.Command(title=evolved_lens_title(best), command=code_actions.APPLY_COMMAND, arguments=[uri, best.id, document.version]),
        )

    async def population_listing(self, uri: str) -> list[dict[str, Any]]:
        """Every candidate of the population file, ranked, as the `synthLsp.population` command
        returns them. A diff against the current text only for the living, the offered and the
        first few: the dead history is listed without one (the file holds hundreds)."""
        document = self.host.document(uri)
        path = document.path if document is not None else None
        stored = await self.cache.stored(path) if path else None
        if stored is None or document is None or path is None:
            return []
        current, fingerprint = self.current(uri)
        offered = {c.id for c in await self.offered(uri, None)}
        out = []
        for rank, candidate in enumerate(stored.ranked):
            with_diff = candidate.alive or candidate.id in offered or rank < LISTING_DIFFS
            out.append(
                {
                    "id": candidate.id,
                    "origin": candidate.origin,
                    "generation": candidate.generation,
                    "alive": candidate.alive,
                    "trainPassed": candidate.train_passed,
                    "trainTotal": candidate.train_total,
                    "trainReward": candidate.train_reward,
                    "fitsTrain": candidate.fits_train,
                    "testPassed": candidate.test_passed,
                    "testTotal": candidate.test_total,
                    "current": fingerprint is None or candidate.task_fingerprint == fingerprint,
                    "beatsCurrent": candidate.id in offered and (current is None or candidate.train_passed > current.train_passed),
                    "note": candidate.note,
                    "confidence": getattr(candidate, "confidence", None),
                    "script": candidate.script,
                    "diff": code_actions.unified_diff(document.text, code_actions.rewritten(document.text, candidate.script), path.name) if with_diff else None,
                }
            )
        return out

    async def apply_candidate(self, uri: str, candidate_id: str, version: int | None) -> dict[str, Any]:
        document = self.host.document(uri)
        if document is None or document.path is None:
            return {"applied": False, "message": f"{uri} is not open as a file"}
        if version is not None and version != document.version:
            return {"applied": False, "message": f"the document changed (version {document.version}, the rewrite was offered for {version}): ask again"}
        stored = await self.cache.stored(document.path, STALE_AFTER_S)
        candidate = stored.population.get(candidate_id) if stored else None
        if candidate is None:  # offered by a newer version than the one at hand
            stored = await self.cache.stored(document.path)
            candidate = stored.population.get(candidate_id) if stored else None
        if candidate is None:
            return {"applied": False, "message": f"no candidate {candidate_id} in the population"}
        new_text = code_actions.rewritten(document.text, candidate.script)  # under the user's own header
        edit = code_actions.rewrite_edit(uri, document.version, document.text, new_text, self.host.edit_support())
        result = await self.host.apply_edit(edit, "Apply evolved script")
        if not result.applied:
            return {"applied": False, "message": result.failure_reason or "the editor refused the edit"}
        # the acceptance is recorded in the candidate's lineage when the rewrite is saved
        return {"applied": True, "message": f"applied {candidate_id}"}

    async def apply_best(self, uri: str) -> dict[str, Any]:
        await self._first_run(uri)
        candidates = await self.offered(uri, None)  # the latest population, however long its read
        document = self.host.document(uri)
        if not candidates or document is None:
            return {"applied": False, "message": "the population holds nothing better than the current script"}
        return await self.apply_candidate(uri, candidates[0].id, document.version)

    async def _first_run(self, uri: str, timeout_s: float = FIRST_RUN_TIMEOUT_S) -> None:
        """Right after opening (or a restart) the current text's score is not known yet: wait for
        its first run, since what is offered depends on it."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout_s
        while self.current(uri)[1] is None and self.host.has_script(uri) and loop.time() < deadline:
            await asyncio.sleep(0.05)
