"""SEARCH/REPLACE edits against the parent script, as a model may answer instead of a full script.

    <<<<<<< SEARCH
    lines exactly as they are in the current script
    =======
    the lines to put in their place
    >>>>>>> REPLACE

Each SEARCH text must occur exactly once in the script (an edit that matches nothing, matches
twice or searches for nothing is refused with the reason, so the model can be asked again); the
edits apply in order, each to the result of the ones before. Whitespace at the ends of lines is
ignored when matching, since models often drop or add it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_EDIT = re.compile(
    r"^[ \t]*<{5,9}[ \t]*SEARCH[^\n]*\n(?P<search>.*?)^[ \t]*={5,9}[ \t]*\n(?P<replace>.*?)^[ \t]*>{5,9}[ \t]*REPLACE[^\n]*$",
    re.DOTALL | re.MULTILINE,
)
_MARKER = re.compile(r"^[ \t]*(<{5,9}[ \t]*SEARCH|>{5,9}[ \t]*REPLACE)", re.MULTILINE)


@dataclass(frozen=True)
class Edit:
    search: str
    replace: str


class EditError(ValueError):
    """The edits cannot be applied; `reason` says which and why, in words a model can act on."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


def has_edits(text: str | None) -> bool:
    return bool(text) and _MARKER.search(text) is not None


def parse_edits(text: str) -> list[Edit]:
    edits = [Edit(m.group("search"), m.group("replace")) for m in _EDIT.finditer(text)]
    if not edits:
        raise EditError("the reply has SEARCH/REPLACE markers but no complete edit (SEARCH, =======, REPLACE)")
    return edits


def apply_edits(script: str, edits: list[Edit]) -> str:
    lines = _lines(script)
    for number, edit in enumerate(edits, start=1):
        search = _trim(_lines(edit.search))
        if not search:
            raise EditError(f"edit {number} searches for nothing (its SEARCH part is empty)")
        where = _find(lines, search)
        if not where:
            raise EditError(f"edit {number}'s SEARCH text matches nothing in the current script")
        if len(where) > 1:
            raise EditError(f"edit {number}'s SEARCH text matches {len(where)} places; include more lines to make it unique")
        start = where[0]
        lines[start : start + len(search)] = _lines(edit.replace)
    return "\n".join(lines) + "\n"


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.replace("\r\n", "\n").split("\n")][: None if not text.endswith("\n") else -1]


def _trim(lines: list[str]) -> list[str]:
    """Without the blank lines at its ends (not significant in a SEARCH block)."""
    while lines and not lines[0].strip():
        lines = lines[1:]
    while lines and not lines[-1].strip():
        lines = lines[:-1]
    return lines


def _find(lines: list[str], search: list[str]) -> list[int]:
    n = len(search)
    return [i for i in range(len(lines) - n + 1) if lines[i : i + n] == search]
