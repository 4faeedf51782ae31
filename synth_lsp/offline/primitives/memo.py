"""A memo of `find_objects` shared by the many object steps a search tries on the same grid.

Host-side only: the emitter copies `find_objects` without its decorator. The memo lives in a
context variable, not in a module global, so a search in one thread never sees another's and
nothing is swapped at run time; outside `memoised_objects()` calls go straight through.
"""

from __future__ import annotations

import functools
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Callable, Iterator

MAX_ENTRIES = 20_000  # beyond this the memo starts afresh: bounded memory on long searches

_MEMO: ContextVar[dict[tuple, list] | None] = ContextVar("find_objects_memo", default=None)


def memoised(find_objects: Callable) -> Callable:
    """`find_objects`, answered from the current search's memo when one is active.

    It returns what the function returns (the same list for the same grid: callers do not
    mutate it), so the memo changes speed, never results."""

    @functools.wraps(find_objects)
    def lookup(grid, background, diagonal, multicolour):
        memo = _MEMO.get()
        if memo is None:
            return find_objects(grid, background, diagonal, multicolour)
        key = (tuple(map(tuple, grid)), background, diagonal, multicolour)
        found = memo.get(key)
        if found is None:
            if len(memo) > MAX_ENTRIES:
                memo.clear()
            found = memo[key] = find_objects(grid, background, diagonal, multicolour)
        return found

    return lookup


@contextmanager
def memoised_objects() -> Iterator[None]:
    """A fresh memo for the duration of one search, in the current context only."""
    token = _MEMO.set({})
    try:
        yield
    finally:
        _MEMO.reset(token)

