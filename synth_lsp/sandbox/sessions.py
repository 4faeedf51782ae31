"""Sessions with `inputs` already bound, dumped once and restored for every later run on them."""

from __future__ import annotations

import threading
from collections import OrderedDict

SESSION_CACHE_SIZE = 256  # sessions holding `inputs`, one per inputs object (LRU)


class SessionCache:
    """Dumped sessions that hold one `inputs` object each (cut down to the keys a script reads),
    keyed by that object (kept alive here, so its id stays its own) and the keys. Callers reuse their
    inputs objects (a Task's pairs), so hits are the rule."""

    def __init__(self, size: int):
        self.size = size
        self._items: OrderedDict[tuple[int, frozenset[str] | None], tuple[dict, bytes]] = OrderedDict()
        # the same, for the inputs of several pairs at once (`one_checkout`), keyed by their ids in order
        self._many: OrderedDict[tuple[tuple[int, ...], frozenset[str] | None], tuple[tuple[dict, ...], object]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, inputs: dict, keys: frozenset[str] | None) -> bytes | None:
        with self._lock:
            item = self._items.get((id(inputs), keys))
            if item is None or item[0] is not inputs:
                return None
            self._items.move_to_end((id(inputs), keys))
            return item[1]

    def get_all(self, inputs_list: list[dict], keys: frozenset[str] | None) -> object | None:
        """What was kept for binding every pair's inputs in `inputs_list` at once (one candidate's
        pairs): a dumped session, or for small inputs the host's own copy of them."""
        key = (tuple(map(id, inputs_list)), keys)
        with self._lock:
            item = self._many.get(key)
            if item is None or any(a is not b for a, b in zip(item[0], inputs_list)):
                return None
            self._many.move_to_end(key)
            return item[1]

    def put_all(self, inputs_list: list[dict], keys: frozenset[str] | None, blob: object) -> None:
        key = (tuple(map(id, inputs_list)), keys)
        with self._lock:
            self._many[key] = (tuple(inputs_list), blob)
            self._many.move_to_end(key)
            while len(self._many) > self.size:
                self._many.popitem(last=False)

    def put(self, inputs: dict, keys: frozenset[str] | None, blob: bytes) -> None:
        with self._lock:
            self._items[(id(inputs), keys)] = (inputs, blob)
            self._items.move_to_end((id(inputs), keys))
            while len(self._items) > self.size:
                self._items.popitem(last=False)
