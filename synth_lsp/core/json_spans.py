"""Where each value of a JSON document sits in its text, by path.

Diagnostics in an examples file must point at one cell of one grid, e.g. the path
``("train", 2, "output", 1, 3)``. `json.loads` forgets positions, so this module scans the text
itself and records the span of every value. Malformed text is not an exception here: the scan
keeps the spans it found before the problem and reports the problem's position, so an editor can
still mark both.

Offsets and columns count characters (code points) of the Python string; converting them to an
editor's units (UTF-16 for LSP) is the caller's job.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import dataclass, field

JsonPath = tuple[str | int, ...]

_WHITESPACE = re.compile(r"[ \t\r\n]*")
_NUMBER = re.compile(r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?")
_LITERALS = ("true", "false", "null")
_N = r"-?(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?"
# a list of plain numbers (a grid row): scanned in one go, it is most of an ARC file
_NUMBER_ROW = re.compile(r"\[[ \t\r\n]*(?:" + _N + r"(?:[ \t\r\n]*,[ \t\r\n]*" + _N + r")*)?[ \t\r\n]*\]")


@dataclass(frozen=True)
class Span:
    """Character offsets of a value in the text, end exclusive."""

    start: int
    end: int


@dataclass(frozen=True)
class TextPoint:
    """A 0-based line and column (in characters)."""

    line: int
    column: int


@dataclass(frozen=True)
class JsonProblem:
    offset: int
    message: str


@dataclass
class JsonSpans:
    """Spans of every value found in `text`, and the first syntax problem (if any)."""

    text: str
    spans: dict[JsonPath, Span] = field(default_factory=dict)
    problem: JsonProblem | None = None
    _line_starts: list[int] = field(default_factory=list, repr=False)

    def __post_init__(self) -> None:
        # a line ends at "\n", "\r\n" or a lone "\r", as in LSP
        self._line_starts = [0] + [m.end() for m in re.finditer("\r\n|\r|\n", self.text)]

    def span(self, path: JsonPath) -> Span | None:
        return self.spans.get(tuple(path))

    def nearest_span(self, path: JsonPath) -> tuple[JsonPath, Span] | None:
        """The span of `path`, or of its closest ancestor that exists."""
        path = tuple(path)
        while True:
            found = self.spans.get(path)
            if found is not None:
                return path, found
            if not path:
                return None
            path = path[:-1]

    def point(self, offset: int) -> TextPoint:
        offset = max(0, min(offset, len(self.text)))
        line = bisect.bisect_right(self._line_starts, offset) - 1
        return TextPoint(line, offset - self._line_starts[line])


class _Malformed(Exception):
    def __init__(self, offset: int, message: str):
        super().__init__(message)
        self.offset = offset
        self.message = message


def index_json(text: str) -> JsonSpans:
    """Scan `text` and return the span of every value it holds."""
    out = JsonSpans(text)
    scanner = _Scanner(text, out.spans)
    try:
        pos = scanner.value(scanner.skip(0), ())
        pos = scanner.skip(pos)
        if pos < len(text):
            raise _Malformed(pos, "extra data after the JSON value")
    except _Malformed as exc:
        out.problem = JsonProblem(exc.offset, exc.message)
    except RecursionError:
        out.problem = JsonProblem(0, "the JSON value is nested too deeply")
    return out


def find_span(text: str, path: JsonPath) -> Span | None:
    return index_json(text).span(path)


class _Scanner:
    def __init__(self, text: str, spans: dict[JsonPath, Span]):
        self.text = text
        self.spans = spans
        self.decoder = json.JSONDecoder()

    def skip(self, pos: int) -> int:
        return _WHITESPACE.match(self.text, pos).end()

    def value(self, pos: int, path: JsonPath) -> int:
        text = self.text
        if pos >= len(text):
            raise _Malformed(pos, "expected a value, got the end of the text")
        ch = text[pos]
        if ch == "{":
            end = self.object(pos, path)
        elif ch == "[":
            row = _NUMBER_ROW.match(text, pos)
            end = self.number_row(pos, row.end(), path) if row is not None else self.array(pos, path)
        elif ch == '"':
            end = self.string(pos)[1]
        else:
            end = self.scalar(pos)
        self.spans[path] = Span(pos, end)
        return end

    def number_row(self, start: int, end: int, path: JsonPath) -> int:
        spans = self.spans
        for index, number in enumerate(_NUMBER.finditer(self.text, start, end)):
            spans[path + (index,)] = Span(number.start(), number.end())
        return end

    def scalar(self, pos: int) -> int:
        number = _NUMBER.match(self.text, pos)
        if number is not None:
            return number.end()
        for word in _LITERALS:
            if self.text.startswith(word, pos):
                return pos + len(word)
        raise _Malformed(pos, f"expected a value, got {self.text[pos]!r}")

    def string(self, pos: int) -> tuple[str, int]:
        try:
            return self.decoder.raw_decode(self.text, pos)
        except json.JSONDecodeError as exc:
            raise _Malformed(exc.pos, exc.msg) from None

    def array(self, pos: int, path: JsonPath) -> int:
        text = self.text
        pos = self.skip(pos + 1)
        if pos < len(text) and text[pos] == "]":
            return pos + 1
        index = 0
        while True:
            pos = self.skip(self.value(pos, path + (index,)))
            index += 1
            if pos >= len(text):
                raise _Malformed(pos, "unterminated list: expected ',' or ']'")
            if text[pos] == "]":
                return pos + 1
            if text[pos] != ",":
                raise _Malformed(pos, f"expected ',' or ']' in a list, got {text[pos]!r}")
            pos = self.skip(pos + 1)

    def object(self, pos: int, path: JsonPath) -> int:
        text = self.text
        pos = self.skip(pos + 1)
        if pos < len(text) and text[pos] == "}":
            return pos + 1
        while True:
            if pos >= len(text) or text[pos] != '"':
                got = repr(text[pos]) if pos < len(text) else "the end of the text"
                raise _Malformed(pos, f"expected a property name in double quotes, got {got}")
            key, pos = self.string(pos)
            pos = self.skip(pos)
            if pos >= len(text) or text[pos] != ":":
                raise _Malformed(pos, "expected ':' after a property name")
            pos = self.skip(self.value(self.skip(pos + 1), path + (key,)))
            if pos >= len(text):
                raise _Malformed(pos, "unterminated object: expected ',' or '}'")
            if text[pos] == "}":
                return pos + 1
            if text[pos] != ",":
                raise _Malformed(pos, f"expected ',' or '}}' in an object, got {text[pos]!r}")
            pos = self.skip(pos + 1)
