"""Reading a script out of a language model's reply, defensively.

Order of preference: the last closed fenced block whose body parses (```python, ```py, ``` or ~~~
fences, any case), then an unterminated fence whose body parses, then the whole reply if it is bare
code that parses. `<think>...</think>` text is dropped first. A reply cut off by the token limit
(finish_reason "length") is rejected even when its code happens to parse: it is most likely
incomplete. The script must assign `result`, since that is what gets scored.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass

_THINK = re.compile(r"<think>.*?(</think>|$)", re.DOTALL | re.IGNORECASE)
_FENCE_OPEN = re.compile(r"^[ \t]*(```+|~~~+)[ \t]*([A-Za-z0-9_+.-]*)[^\n]*$", re.MULTILINE)
_CODE_LANGUAGES = {"", "python", "py", "python3", "py3", "python 3"}


class ReplyError(ValueError):
    """The reply holds no usable script; `reason` says why in a few words."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class Block:
    body: str
    language: str
    closed: bool


def extract_script(text: str | None, finish_reason: str | None = "stop") -> str:
    if finish_reason == "length":
        raise ReplyError("the reply was truncated at the token limit")
    if not text or not text.strip():
        raise ReplyError("the reply is empty")
    text = _THINK.sub("", text)
    blocks = fenced_blocks(text)
    code_blocks = [b for b in blocks if b.language.lower() in _CODE_LANGUAGES]
    for block in reversed([b for b in code_blocks if b.closed]):
        if _parses(block.body):
            return _require_result(block.body)
    for block in reversed([b for b in code_blocks if not b.closed]):
        if _parses(block.body):
            return _require_result(block.body)
    if not blocks and _parses(text) and _looks_like_code(text):
        return _require_result(text.strip() + "\n")
    if code_blocks:
        raise ReplyError("the reply's code does not parse")
    raise ReplyError("the reply has no python code block")


def usable_script(script: str) -> str:
    """`script` if it parses and assigns `result` (e.g. after edits were applied), else ReplyError."""
    if not _parses(script):
        raise ReplyError("the edited script does not parse")
    return _require_result(script)


def fenced_blocks(text: str) -> list[Block]:
    """Fenced blocks in order; a fence closes only with the same marker (``` or ~~~) of at least its length."""
    blocks: list[Block] = []
    position = 0
    while True:
        opening = _FENCE_OPEN.search(text, position)
        if not opening:
            return blocks
        marker, language = opening.group(1), opening.group(2)
        closing = re.compile(r"^[ \t]*" + re.escape(marker[0]) + "{" + str(len(marker)) + r",}[ \t]*$", re.MULTILINE)
        start = opening.end() + 1
        end = closing.search(text, start)
        if end is None:
            blocks.append(Block(_dedent(text[start:]), language, closed=False))
            return blocks
        blocks.append(Block(_dedent(text[start : end.start()]), language, closed=True))
        position = end.end()


def assigns_result(script: str) -> bool:
    try:
        tree = ast.parse(script)
    except (SyntaxError, ValueError):
        return False
    for node in ast.walk(tree):
        if isinstance(node, ast.Name) and node.id == "result" and isinstance(node.ctx, ast.Store):
            return True
    return False


def _require_result(script: str) -> str:
    if not assigns_result(script):
        raise ReplyError("the reply's code never assigns `result`")
    return script if script.endswith("\n") else script + "\n"


def _parses(code: str) -> bool:
    if not code.strip():
        return False
    try:
        ast.parse(code)
        return True
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return False


def _looks_like_code(text: str) -> bool:
    # prose like "Sure." parses as an expression; real code has a statement beyond a bare name
    return assigns_result(text)


def _dedent(body: str) -> str:
    import textwrap

    return textwrap.dedent(body)
