"""What a step does to a grid's shape (`synth_lsp.offline.shapes`), and the search's use of it.

Every shape the module predicts from the shape alone is checked against the step actually run, on
real ARC grids, for every step of their catalogues; the search skips only steps that cannot end
right, and still finds fits that need a change of shape late in the chain.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from synth_lsp.offline.catalogue import build_catalogue, task_facts
from synth_lsp.offline.search import _Keeper, _moves, _State, search_programs
from synth_lsp.offline.shapes import can_end_as, cannot_end_right, shape_after, shape_of
from synth_lsp.offline.steps import Step

ARC = Path(__file__).resolve().parents[2] / "shared" / "arc" / "ARC-AGI-1" / "training"


def _tasks(step: int = 25) -> list[list[tuple[list, list]]]:
    paths = sorted(ARC.glob("*.json"))[::step]
    if not paths:
        pytest.skip("ARC tasks not available here")
    return [[(p["input"], p["output"]) for p in json.loads(path.read_text())["train"]] for path in paths]


def test_every_predicted_shape_is_the_shape_the_step_gives():
    checked = 0
    for pairs in _tasks():
        for step in build_catalogue(task_facts(pairs)):
            for grid, _ in pairs:
                predicted = shape_after(step, shape_of(grid))
                result = step.apply(grid)
                if predicted is None or result is None:
                    continue
                assert shape_of(result) == predicted, f"{step.function}{step.args} on a {shape_of(grid)} grid"
                checked += 1
    assert checked > 1000


def test_a_last_state_may_end_as_the_outputs_or_tile_up_to_them():
    assert can_end_as([(3, 3), (2, 4)], [(3, 3), (2, 4)])
    assert can_end_as([(3, 3)], [(9, 6)])  # a learned mosaic of 3x3 tiles
    assert not can_end_as([(3, 3), (2, 4)], [(3, 3), (3, 4)])
    mirror, scale = Step("flip_left_right", (), "mirror"), Step("scale_up", (2,), "x2")
    assert cannot_end_right(mirror, [(5, 5)], [(2, 2)])
    assert not cannot_end_right(scale, [(2, 2)], [(4, 4)])
    crop = Step("crop_to_content", (0,), "crop")
    assert not cannot_end_right(crop, [(5, 5)], [(2, 2)])  # its shape depends on the content: always run


def test_the_last_level_skips_what_cannot_end_right_and_earlier_levels_only_defer_it():
    pairs = [([[1, 0], [0, 0]], [[1]]), ([[0, 2], [0, 0]], [[2]])]
    catalogue = build_catalogue(task_facts(pairs))
    outputs = [out for _, out in pairs]
    state = _State((), [inp for inp, _ in pairs])
    keeper = _Keeper(len(pairs), 4, outputs)
    last = [step for _, step in _moves([state], catalogue, outputs, keeper, last=True, defer=False)]
    assert keeper.pruned > 0 and len(last) + keeper.pruned == len(catalogue)
    assert not any(step.function == "flip_left_right" for step in last)
    deferred = [step for _, step in _moves([state], catalogue, outputs, _Keeper(2, 4, outputs), last=False, defer=True)]
    assert sorted(map(repr, deferred)) == sorted(map(repr, catalogue))  # nothing lost, only later
    hopeless = [cannot_end_right(step, [(2, 2)] * 2, [(1, 1)] * 2) for step in deferred]
    assert any(hopeless) and hopeless == sorted(hopeless)  # every step that may end right comes first


def test_a_chain_that_changes_shape_last_is_still_found_at_depth_three():
    # mirror, then turn, then scale up: the shape changes only at the third step
    grids = [[[1, 2, 0], [0, 3, 0]], [[4, 0], [5, 6], [0, 7]], [[8, 9, 1, 0]]]

    def rule(g):
        mirrored = [row[::-1] for row in g]
        turned = [list(r) for r in zip(*mirrored[::-1])]  # 90 clockwise
        return [[v for v in row for _ in range(3)] for row in turned for _ in range(3)]

    pairs = [(g, rule(g)) for g in grids]
    found = search_programs(pairs, time_budget_s=30.0, max_programs=1)
    assert found and found[0].correct == len(pairs)
