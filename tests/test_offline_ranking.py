"""Which full fit the offline model offers first when two fit every train pair (the keeper's order, `_Keeper.best`)."""

from synth_lsp.offline.confidence import claimed, confidence
from synth_lsp.offline.search import Found, _Keeper
from synth_lsp.offline.steps import Step

FIXED = Step("erase_colour", (5,), "erase colour 5")


def _table(entries: int) -> Step:
    return Step("recolour", ({i: (i + 1) % 10 for i in range(entries)},), f"colour map ({entries} entries)")


def test_a_parameter_free_fit_comes_before_a_learned_table_that_fails_leave_one_out_found_first():
    keeper = _Keeper(3, 4)
    memorised = Found((_table(9),), (), 3, 1.0, held_out=0, held_out_cells=0.5)
    keeper.offer(memorised)
    keeper.rival_pairs.add(0)  # a simpler program fitted the other pairs: the fixed fit is not claimed either
    fixed = Found((FIXED,), (), 3, 1.0)
    keeper.offer(fixed)
    first, second = keeper.best(4)[:2]
    assert not claimed(first, 3) and not claimed(second, 3)
    assert (first.steps, second.steps) == ((FIXED,), (_table(9),))


def test_at_equal_evidence_the_smaller_learned_table_comes_first():
    keeper = _Keeper(3, 4)
    large = Found((_table(40),), (), 3, 1.0, held_out=1, held_out_cells=1.0)
    small = Found((_table(2),), (), 3, 1.0, held_out=1, held_out_cells=1.0)
    keeper.offer(large)
    keeper.offer(small)
    assert confidence(small, 3) > confidence(large, 3)
    assert [f.steps for f in keeper.best(2)] == [small.steps, large.steps]


def test_at_equal_evidence_the_shorter_chain_comes_first():
    keeper = _Keeper(3, 4)
    keeper.rival_pairs.add(1)
    long = Found((FIXED, FIXED, FIXED), (), 3, 1.0)
    keeper.offer(long)
    short = Found((FIXED,), (), 3, 1.0)
    keeper.offer(short)
    assert [len(f.steps) for f in keeper.best(2)] == [1, 3]


def test_a_claimed_fit_comes_before_an_unclaimed_one_found_first():
    keeper = _Keeper(3, 4)
    keeper.rival_pairs.add(2)
    unclaimed = Found((FIXED,), (), 3, 1.0)  # parameter-free, but a simpler program disagrees on pair 3
    keeper.offer(unclaimed)
    keeper.rival_pairs.clear()  # (only to build the case: rivals are counted when a fit is offered)
    rule = Found((FIXED, _table(3)), (), 3, 1.0, held_out=3, held_out_cells=1.0)
    keeper.offer(rule)
    assert keeper.sure
    assert [claimed(f, 3) for f in keeper.best(2)] == [True, False]


def test_fits_of_equal_confidence_keep_the_order_they_were_found_in():
    keeper = _Keeper(3, 4)
    keeper.rival_pairs.add(0)
    a = Step("erase_colour", (1,), "erase colour 1")
    b = Step("erase_colour", (2,), "erase colour 2")
    keeper.offer(Found((a,), (), 3, 1.0))
    keeper.offer(Found((b,), (), 3, 1.0))
    assert [f.steps for f in keeper.best(2)] == [(a,), (b,)]
