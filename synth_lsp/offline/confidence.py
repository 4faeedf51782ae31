"""How far to trust a program the search found: what cross-validation says, and how simple it is.

A program that fits every train pair may still have memorised them: a learned lookup (a colour
map, a neighbourhood table, an object table) can list a case for every cell it was shown. So every
learned last step is cross-validated: relearned on all train pairs but one, it must predict the one
left out, for each pair in turn. A fit is *claimed* only when that holds (or nothing was learned,
or the learner has too few parameters to memorise with, a colour map, a mosaic, rays, and it predicts
some pair from the others) and there are at least two pairs to check against; the rest are offered as what they are.

The confidence (0-1) is that evidence, times how many pairs back it (two pairs leave more room for
a coincidence than five), times a simplicity factor (fewer steps, smaller tables): it is shown
wherever a program is offered, and orders the full fits. A claim also needs a confidence of at least
`CLAIM_THRESHOLD`. The factors were calibrated on the half of the ARC-AGI-1 training tasks we develop
on (bench/offline_arc.py), never on the half we measure on.
"""

from __future__ import annotations

from typing import Protocol

from synth_lsp.offline.steps import Step


class Checked(Protocol):
    """What the search knows of a program (`search.Found`)."""

    steps: tuple[Step, ...]
    correct: int
    held_out: int  # pairs its learned last step predicts when relearned without them; -1: nothing learned
    held_out_cells: float  # mean share of right cells on the pair left out; -1: not checked
    low_capacity: bool  # the learned step has too few possible parameters to memorise with
    rivals: int  # pairs a simpler program, found first, gets wrong while fitting all the others


CLAIM_THRESHOLD = 0.7
ONE_PAIR_FIXED = 0.5  # one pair and nothing learned: a chain that happens to fit once
ONE_PAIR_LEARNED = 0.25  # one pair and a learned table: it can always be made to fit


def claimed(found: Checked, n_train: int) -> bool:
    """Fits every train pair, and each pair follows from the others (or nothing was learned)."""
    if n_train < 2 or found.correct != n_train:
        return False
    # a small table still has to predict some pair from the others: one entry per pair is a list, not a rule
    checked = found.held_out in (-1, n_train) or (found.low_capacity and found.held_out >= 1)
    return checked and found.rivals == 0 and confidence(found, n_train) >= CLAIM_THRESHOLD


def confidence(found: Checked, n_train: int) -> float:
    if found.correct != n_train or n_train == 0:
        return 0.0
    return round(_evidence(found, n_train) * _pairs_factor(n_train) * _rivals_factor(found, n_train) * _simplicity(found), 2)


def evidence_text(found: Checked, n_train: int) -> str:
    """What was checked, in words, for a script's header and the editor."""
    if found.correct != n_train:
        return f"a partial fit: {found.correct} of {n_train} train pairs"
    learned = found.held_out >= 0
    if n_train == 1:
        return "one train pair: nothing to cross-validate against"
    if found.rivals:
        return (
            f"fits all {n_train}, but for {found.rivals} of them a simpler program that fits the others gets it wrong: "
            "the pairs do not single this rule out"
        )
    if not learned:
        return f"no parameters learned from the pairs; fits all {n_train}"
    if found.held_out == n_train:
        return f"cross-validated: each of the {n_train} train pairs is predicted when learned from the others"
    if found.low_capacity and found.held_out >= 1:
        return (
            f"a small table learned from the pairs: {found.held_out} of {n_train} are predicted when one is left out, "
            "the others show entries no other pair has"
        )
    return (
        f"not cross-validated: learned from the pairs, it predicts {found.held_out} of {n_train} "
        "when one is left out (it may have memorised them)"
    )


def _evidence(found: Checked, n_train: int) -> float:
    learned = found.held_out >= 0
    if n_train == 1:
        return ONE_PAIR_LEARNED if learned else ONE_PAIR_FIXED
    if not learned or found.held_out == n_train:
        return 1.0
    if found.low_capacity and found.held_out >= 1:
        return 0.5 + 0.5 * found.held_out / n_train
    cells = found.held_out_cells if found.held_out_cells >= 0 else 0.0
    # failing the exact check caps the evidence well below any claimed fit
    return min(0.6, 0.6 * cells + 0.4 * found.held_out / n_train)


def _rivals_factor(found: Checked, n_train: int) -> float:
    """A pair that a simpler program, found first, fits all others but gets wrong: left out, the
    search would have chosen that program, so the pair does not follow from the others."""
    return 1.0 - found.rivals / n_train if n_train >= 2 else 1.0


def _pairs_factor(n_train: int) -> float:
    """Each pair a rule must also explain halves the room for a coincidence."""
    return 1.0 if n_train < 2 else 1.0 - 0.5**n_train


def _simplicity(found: Checked) -> float:
    """Fewer steps and fewer learned entries read as a likelier rule (description length)."""
    entries = learned_entries(found.steps[-1]) if found.steps and found.held_out >= 0 else 0
    return 1.0 / (1.0 + 0.1 * max(0, len(found.steps) - 1) + 0.01 * entries)


def learned_entries(step: Step) -> int:
    """The size of a learned step's tables: the parameters it took from the pairs."""
    return sum(len(arg) for arg in step.args if isinstance(arg, (dict, list)))
