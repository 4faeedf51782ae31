"""The `# synth:` header of a script: which examples it pairs with, and run options.

A header is any number of comment lines at the top of the script (before the
first line of code) of the form

    # synth: examples = ../tasks/007bbfb7.json
    # synth: time_limit = 1.5
    # synth: default = {"output_grid": [[0]]}

One `key = value` per line. The value is read as JSON when it parses as JSON,
otherwise as a plain string (so paths need no quotes).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

HEADER_PREFIX = "# synth:"

# key -> (type the value must have, what it means)
KNOWN_KEYS: dict[str, tuple[tuple[type, ...], str]] = {
    "examples": ((str,), "path of the example pairs, relative to the script"),
    "time_limit": ((int, float), "seconds one pair may run"),
    "memory_mb": ((int, float), "megabytes of sandbox memory one pair may use"),
    "recursion_limit": ((int,), "maximum recursion depth inside the sandbox"),
    "default": ((dict,), "the result a failed run falls back to"),
    "instructions": ((str,), "what the script should do, in words (shown to language models)"),
}


@dataclass(frozen=True)
class HeaderProblem:
    line: int  # 1-based
    message: str


@dataclass(frozen=True)
class ScriptHeader:
    options: dict[str, Any] = field(default_factory=dict)
    # 1-based line of each option, so problems with a value can point at it
    lines: dict[str, int] = field(default_factory=dict)
    problems: tuple[HeaderProblem, ...] = ()

    def get(self, key: str, default: Any = None) -> Any:
        return self.options.get(key, default)


def parse_header(script: str) -> ScriptHeader:
    options: dict[str, Any] = {}
    lines: dict[str, int] = {}
    problems: list[HeaderProblem] = []
    for number, raw in enumerate(script.splitlines(), start=1):
        text = raw.strip()
        if not text:
            continue
        if not text.startswith("#"):
            break  # the header ends at the first line of code
        if not text.startswith(HEADER_PREFIX):
            continue
        body = text[len(HEADER_PREFIX):].strip()
        key, sep, value_text = body.partition("=")
        key = key.strip()
        if not sep or not key:
            problems.append(HeaderProblem(number, f"expected `# synth: key = value`, got `{text}`"))
            continue
        if key not in KNOWN_KEYS:
            known = ", ".join(sorted(KNOWN_KEYS))
            problems.append(HeaderProblem(number, f"unknown header option `{key}` (known: {known})"))
            continue
        value = _parse_value(value_text.strip())
        types, meaning = KNOWN_KEYS[key]
        if isinstance(value, bool) or not isinstance(value, types):
            if types == (str,):
                value = value_text.strip()
            else:
                wanted = " or ".join(t.__name__ for t in types)
                problems.append(HeaderProblem(number, f"`{key}` ({meaning}) must be {wanted}, got `{value_text.strip()}`"))
                continue
        if isinstance(value, (int, float)) and not isinstance(value, bool) and value <= 0:
            problems.append(HeaderProblem(number, f"`{key}` must be positive, got {value}"))
            continue
        options[key] = value
        lines[key] = number
    return ScriptHeader(options=options, lines=lines, problems=tuple(problems))


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
