"""One parse per script text, shared by the checks that read a script without running it
(imports against the sandbox's walls, the keys of `inputs` it reads). The optimizer scores the same
script on every pair, and the server checks it on every save: parsing once saves a few tenths of a
millisecond per run."""

from __future__ import annotations

import ast
from functools import lru_cache


@lru_cache(maxsize=512)
def parse(script: str) -> ast.Module | None:
    """The script's syntax tree (treat it as read-only: it is shared), or None when it does not
    parse (the sandbox reports syntax errors with its own positions)."""
    try:
        return ast.parse(script)
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return None
