"""Objects: selecting the odd object out by symmetry (the one object that is its own mirror
image), and a many-coloured template stamped over every object of its outline."""

from __future__ import annotations

from offline_family_checks import same_in_sandbox, search_finds

from synth_lsp.offline.primitives.objects import (
    crop_object,
    find_objects,
    is_mirror_symmetric,
    stamp_template,
)
from synth_lsp.offline.steps import Step

SCENE = [
    [1, 1, 0, 0, 0, 0],
    [0, 1, 0, 2, 2, 2],
    [0, 0, 0, 0, 2, 0],
    [3, 0, 0, 0, 0, 0],
    [3, 3, 3, 0, 0, 0],
]


def test_an_object_is_symmetric_when_a_mirror_leaves_it_unchanged():
    objects = find_objects(SCENE, 0, False, False)
    assert [is_mirror_symmetric(o) for o in objects] == [False, True, False]
    assert is_mirror_symmetric([(0, 0, 4)])
    assert not is_mirror_symmetric(
        [(0, 0, 4), (0, 1, 5), (1, 0, 5), (1, 1, 4)]
    )  # colours count


def test_the_one_symmetric_object_is_cropped_out():
    assert crop_object(SCENE, 0, False, False, "symmetric") == [[2, 2, 2], [0, 2, 0]]
    two = [[1, 0, 2], [0, 0, 0], [0, 0, 0]]
    assert (
        crop_object(two, 0, False, False, "symmetric") is None
    )  # both are: no odd one
    assert (
        crop_object([[5]], 0, False, False, "symmetric") is None
    )  # one object is no choice


def test_the_sandbox_picks_the_same_object(sandbox):
    steps = [
        Step("crop_object", (0, d, m, "symmetric"), "crop")
        for d, m in ((True, True), (False, False))
    ]
    same_in_sandbox(sandbox, steps, [SCENE, [[1, 0, 2]], [[5]]])


def test_the_search_crops_the_symmetric_object(sandbox):
    train = [
        (SCENE, [[2, 2, 2], [0, 2, 0]]),
        (
            [[4, 0, 0, 0], [4, 4, 0, 0], [0, 0, 0, 0], [0, 6, 0, 6], [0, 6, 6, 6]],
            [[6, 0, 6], [6, 6, 6]],
        ),
        (
            [
                [0, 7, 7, 0, 0],
                [0, 7, 7, 0, 0],
                [0, 0, 0, 0, 8],
                [1, 0, 0, 8, 8],
                [1, 1, 0, 0, 0],
            ],
            [[7, 7], [7, 7]],
        ),
    ]
    test_in = [
        [9, 9, 0, 0, 0],
        [0, 9, 0, 0, 0],
        [0, 0, 0, 3, 0],
        [0, 0, 3, 3, 3],
        [0, 0, 0, 3, 0],
    ]
    best = search_finds(sandbox, train, test_in, [[0, 3, 0], [3, 3, 3], [0, 3, 0]])
    assert "symmetric" in best.description


STAMPS = [
    [1, 2, 0, 0, 0],
    [0, 3, 0, 8, 8],
    [0, 0, 0, 0, 8],
    [8, 8, 0, 0, 0],
    [8, 0, 0, 0, 0],
]


def test_a_template_is_stamped_over_every_object_of_its_outline():
    assert stamp_template(STAMPS, 0, True) == [
        [1, 2, 0, 0, 0],
        [0, 3, 0, 1, 2],
        [0, 0, 0, 0, 3],
        [8, 8, 0, 0, 0],  # another outline: left alone
        [8, 0, 0, 0, 0],
    ]
    erased = stamp_template(STAMPS, 0, False)
    assert erased[0][:2] == [0, 0] and erased[1][1] == 0 and erased[1][3:] == [1, 2]
    assert stamp_template([[1, 2, 0, 8]], 0, True) is None  # nothing has its outline
    assert (
        stamp_template([[1, 2, 0, 3, 4]], 0, True) is None
    )  # two templates: which one?
    assert stamp_template([[8, 0, 8]], 0, True) is None  # no template


NOISY = [
    [1, 0, 1, 0, 1, 0],
    [0, 4, 4, 0, 0, 1],
    [1, 4, 0, 1, 0, 0],
    [0, 1, 0, 0, 1, 0],
]


def test_the_rarest_colour_is_the_odd_one_out_among_noise():
    from synth_lsp.offline.primitives.geometry import crop_to_rarest_colour

    assert crop_to_rarest_colour(NOISY, 0) == [[4, 4], [4, 0]]
    assert crop_to_rarest_colour([[1, 2], [0, 0]], 0) is None  # a tie: no single rarest
    assert crop_to_rarest_colour([[0]], 0) is None


def test_the_search_crops_the_rare_colour_out_of_noise(sandbox):
    train = [
        (NOISY, [[4, 4], [4, 0]]),
        ([[2, 0, 2, 2], [0, 0, 0, 2], [2, 6, 2, 0], [0, 0, 2, 2]], [[6]]),
        (
            [[0, 3, 0, 5], [5, 3, 3, 0], [0, 0, 5, 0], [5, 0, 0, 5], [0, 5, 5, 0]],
            [[3, 0], [3, 3]],
        ),
    ]
    test_in = [[8, 0, 8, 0, 8], [0, 0, 7, 7, 0], [8, 0, 0, 7, 8], [0, 8, 0, 0, 8]]
    best = search_finds(sandbox, train, test_in, [[7, 7], [0, 7]])
    assert "rarest" in best.description
