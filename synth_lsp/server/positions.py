"""Turning character positions into LSP ranges in the client's position encoding.

The core counts columns in characters (code points): Monty's frames do (checked with non-ASCII
source in tests), and so do Python string offsets. LSP counts UTF-16 code units unless the client
negotiated another encoding, so every range goes through pygls' position codec here.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Sequence

from lsprotocol import types
from pygls.workspace.position_codec import PositionCodec

from synth_lsp.core.runs import SourceRange


LINE_BREAK = re.compile("\r\n|\r|\n")  # the line breaks of LSP (the sandbox runs a script with "\n" alone)


@dataclass(frozen=True)
class TextLocator:
    lines: Sequence[str]
    codec: PositionCodec
    # whether each line is ASCII (then a column is its own count of units), found once per line:
    # an examples file is often one line of 100 kB, and a run marks dozens of cells in it
    _ascii: dict[int, bool] = field(default_factory=dict, compare=False, repr=False)

    @classmethod
    def for_text(cls, text: str, codec: PositionCodec | None = None) -> "TextLocator":
        return cls(LINE_BREAK.split(text), codec or PositionCodec())

    def position(self, line: int, column: int) -> types.Position:
        """A 0-based line and character column, clamped into the text, in client units."""
        if not self.lines:
            return types.Position(0, 0)
        line = max(0, min(line, len(self.lines) - 1))
        text = self.lines[line]
        end = len(text)
        while end and text[end - 1] in "\r\n":  # the line's length without its break, with no copy
            end -= 1
        column = max(0, min(column, end))
        ascii_line = self._ascii.get(line)
        if ascii_line is None:
            ascii_line = self._ascii[line] = text.isascii()
        return types.Position(line, column if ascii_line else self.units(text[:column]))

    def units(self, prefix: str) -> int:
        """Length of `prefix` in the client's units (examples files are often one long line:
        counting in C, not per character in Python, keeps that cheap)."""
        if prefix.isascii():
            return len(prefix)
        encoding = self.codec.encoding  # a str enum or a plain str: both compare to the value
        if encoding == "utf-16":
            return len(prefix.encode("utf-16-le", "surrogatepass")) // 2
        if encoding == "utf-32":
            return len(prefix)
        if encoding == "utf-8":
            return len(prefix.encode("utf-8", "surrogatepass"))
        return self.codec.client_num_units(prefix)

    def range(self, line: int, column: int, end_line: int, end_column: int) -> types.Range:
        start = self.position(line, column)
        end = self.position(end_line, end_column)
        if (end.line, end.character) < (start.line, start.character):
            end = start
        return types.Range(start, end)

    def source_range(self, rng: SourceRange) -> types.Range:
        """A Monty range (1-based, end exclusive); an empty one widens to the rest of its line."""
        if (rng.end_line, rng.end_column) <= (rng.line, rng.column):
            return self.range(rng.line - 1, rng.column - 1, rng.line - 1, 10**9)
        return self.range(rng.line - 1, rng.column - 1, rng.end_line - 1, rng.end_column - 1)

    def line_range(self, line: int) -> types.Range:
        """The text of a 0-based line without its indentation and trailing spaces."""
        if not self.lines:
            return types.Range(types.Position(0, 0), types.Position(0, 0))
        line = max(0, min(line, len(self.lines) - 1))
        text = self.lines[line].rstrip()
        indent = len(text) - len(text.lstrip())
        return self.range(line, indent, line, len(text))


def contains(rng: types.Range, position: types.Position) -> bool:
    here = (position.line, position.character)
    return (rng.start.line, rng.start.character) <= here <= (rng.end.line, rng.end.character)
