"""Last steps that copy a template elsewhere (see `primitives.templates`): pictures onto the marks
of their colours (the only parameters: whether the templates stay, whether loose marks touching a
template are cut off it, whether a template's cells may touch at corners: eight choices), or a
frame onto the one other place its hole fits (no parameter). A step is kept when it reproduces every pair. Like the counting learners they
run on the short chains only; the search cross-validates them leave-one-out."""

from __future__ import annotations

from synth_lsp.offline.counting_learning import background_of
from synth_lsp.offline.primitives.grids import most_common_colour
from synth_lsp.offline.steps import Grid, Step

CHOICES = [(diagonal, keep, trim) for diagonal in (False, True) for keep in (True, False) for trim in (False, True)]  # simplest first


def learn_marker_stamps(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    if not _gate(states, outputs, True):
        return None
    backgrounds = [background_of(states)]
    if len({most_common_colour(s) for s in states}) > 1:
        backgrounds.append(-1)  # each grid its own background
    for background, (diagonal, keep, trim) in [(b, choice) for b in backgrounds for choice in CHOICES]:
        words = ("kept" if keep else "erased") + (", marks touching it cut off" if trim else "") + (", its cells touching at corners too" if diagonal else "")
        step = Step("stamp_on_markers", (background, keep, trim, diagonal), f"copy each template onto the marks of its colours, turned or scaled to fit (template {words})")
        if all(step.apply(s) == o for s, o in zip(states, outputs)):
            return step
    return None


def learn_frame_copy(states: list[Grid], outputs: list[Grid], tests: list[Grid] = ()) -> Step | None:
    if not _gate(states, outputs, False):
        return None
    step = Step("stamp_frame_on_hole", (background_of(states),), "copy the frame with the largest hole to the one other place its hole fits")
    return step if all(step.apply(s) == o for s, o in zip(states, outputs)) else None


def _gate(states: list[Grid], outputs: list[Grid], onto_background: bool) -> bool:
    """Same shapes, something changes in every pair, and each changed cell takes a colour the input
    had; with `onto_background`, it is also a copy landing on the grid's commonest colour or a cell
    erased to it. Cheap, before any object is found."""
    if not states or any(len(s) != len(o) or len(s[0]) != len(o[0]) for s, o in zip(states, outputs)):
        return False
    for state, out in zip(states, outputs):
        if state == out:
            return False
        background = most_common_colour(state)
        colours = {v for row in state for v in row}
        for row, out_row in zip(state, out):
            for a, b in zip(row, out_row):
                if a != b and (b not in colours or (onto_background and a != background and b != background)):
                    return False
    return True


TEMPLATE_LEARNERS = (learn_marker_stamps, learn_frame_copy)
