"""`json.loads` for a large JSON object, one list item at a time.

The C decoder holds the GIL for a whole document: reading a 6 MB population file on a worker
thread of the language server stalled its event loop for the half second the parse took. Parsing
the top-level object key by key, and the big list (the candidates) item by item, gives the other
threads their turn between the pieces. The result and the errors (`json.JSONDecodeError`, with
the same positions) are those of `json.loads`.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable

_SPACE = re.compile(r"[ \t\n\r]*")
_DECODER = json.JSONDecoder()


def _skip(text: str, at: int) -> int:
    return _SPACE.match(text, at).end()


def loads_in_pieces(text: str, listed_key: str, pause: Callable[[], None] | None = None) -> Any:
    """`json.loads(text)`, with the list under the top-level `listed_key` parsed item by item;
    `pause` is called between two items (e.g. `time.sleep(0)`: the other threads run now)."""
    at = _skip(text, 0)
    if not text.startswith("{", at):
        return json.loads(
            text
        )  # not an object: nothing big to split, and the same error if broken
    out: dict[str, Any] = {}
    at = _skip(text, at + 1)
    if text.startswith("}", at):
        at += 1
    else:
        while True:
            if not text.startswith('"', at):
                raise json.JSONDecodeError(
                    "Expecting property name enclosed in double quotes", text, at
                )
            key, at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if not text.startswith(":", at):
                raise json.JSONDecodeError("Expecting ':' delimiter", text, at)
            at = _skip(text, at + 1)
            if key == listed_key and text.startswith("[", at):
                out[key], at = _list_in_pieces(text, at, pause)
            else:
                out[key], at = _DECODER.raw_decode(text, at)
            at = _skip(text, at)
            if text.startswith(",", at):
                at = _skip(text, at + 1)
                continue
            if text.startswith("}", at):
                at += 1
                break
            raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
    if _skip(text, at) != len(text):
        raise json.JSONDecodeError("Extra data", text, _skip(text, at))
    return out


def _list_in_pieces(text: str, at: int, pause: Callable[[], None] | None) -> tuple[list[Any], int]:
    items: list[Any] = []
    at = _skip(text, at + 1)
    if text.startswith("]", at):
        return items, at + 1
    while True:
        item, at = _DECODER.raw_decode(text, at)
        items.append(item)
        if pause is not None:
            pause()
        at = _skip(text, at)
        if text.startswith(",", at):
            at = _skip(text, at + 1)
            continue
        if text.startswith("]", at):
            return items, at + 1
        raise json.JSONDecodeError("Expecting ',' delimiter", text, at)
