"""Last steps that copy a template elsewhere (see `primitives.templates`): pictures onto the marks
of their colours (the only parameters: whether the templates stay, whether loose marks touching a
template are cut off it, so the four are tried), or a frame onto the one other place its hole
fits (no parameter). A step is kept when it reproduces every pair. Like the counting learners they
run on the short chains only; the search cross-validates them leave-one-out."""

from __future__ import annotations

from synth_lsp.offline.counting_learning import background_of
from synth_lsp.offline.steps import Grid, Step


def learn_marker_stamps(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    if not _gate(states, outputs):
        return None
    background = background_of(states)
    for keep in (True, False):
        for trim in (False, True):
            words = ("kept" if keep else "erased") + (", marks touching it cut off" if trim else "")
            step = Step("stamp_on_markers", (background, keep, trim), f"copy each template onto the marks of its colours, turned to fit (template {words})")
            if all(step.apply(s) == o for s, o in zip(states, outputs)):
                return step
    return None


def learn_frame_copy(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    if not _gate(states, outputs):
        return None
    step = Step("stamp_frame_on_hole", (background_of(states),), "copy the frame with the largest hole to the one other place its hole fits")
    return step if all(step.apply(s) == o for s, o in zip(states, outputs)) else None


def _gate(states: list[Grid], outputs: list[Grid]) -> bool:
    """Same shapes, and every change adds a colour the input already had (a copy adds no new colour)."""
    if not states or any(len(s) != len(o) or len(s[0]) != len(o[0]) for s, o in zip(states, outputs)):
        return False
    for state, out in zip(states, outputs):
        if state == out:
            return False
        colours = {v for row in state for v in row}
        if any(b not in colours for row, out_row in zip(state, out) for a, b in zip(row, out_row) if a != b):
            return False
    return True


TEMPLATE_LEARNERS = (learn_marker_stamps, learn_frame_copy)
