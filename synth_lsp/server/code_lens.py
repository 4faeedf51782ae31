"""The reward lens at the top of a script: `train 2/5 · test 0/1 · 12 ms` (command: rerun)."""

from __future__ import annotations

from lsprotocol import types

from synth_lsp.server.outcome import RunOutcome

RERUN_COMMAND = "synthLsp.rerun"


def lens_title(outcome: RunOutcome | None, running: bool = False) -> str:
    if outcome is None:
        return "synth-lsp: running…" if running else "synth-lsp: not run yet (save to run)"
    if outcome.error_message is not None:
        return "synth-lsp: cannot run (see the diagnostic)"
    evaluation = outcome.evaluation
    if evaluation is None:
        return "synth-lsp: no result"
    parts = [f"train {evaluation.train_passed}/{len(evaluation.train)}"]
    scored = evaluation.scored_test
    if scored:
        parts.append(f"test {evaluation.test_passed}/{len(scored)}")
    elif evaluation.test:
        parts.append(f"test {len(evaluation.test)} unscored")
    parts.append(f"{outcome.duration_s * 1000:.0f} ms")
    title = " · ".join(parts)
    return title + (" (re-running…)" if running else "")


def reward_lens(uri: str, outcome: RunOutcome | None, running: bool = False) -> types.CodeLens:
    return types.CodeLens(
        range=types.Range(types.Position(0, 0), types.Position(0, 0)),
        command=types.Command(title=lens_title(outcome, running), command=RERUN_COMMAND, arguments=[uri]),
    )
