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
import re
from dataclasses import dataclass, field
from typing import Any

from synth_lsp.core.runs import MAX_MEMORY_MB, MAX_RECURSION_DEPTH, MAX_TIME_S, range_problem

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


# key -> (low, high, whole): a header may not ask for more than the sandbox gives one pair
RANGES: dict[str, tuple[float, float, bool]] = {
    "time_limit": (0, MAX_TIME_S, False),
    "memory_mb": (0, MAX_MEMORY_MB, False),
    "recursion_limit": (1, MAX_RECURSION_DEPTH, True),
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
    # lines as an editor counts them ("\n", "\r\n", a lone "\r"; not str.splitlines' form feeds)
    for number, raw in enumerate(re.split("\r\n|\r|\n", script), start=1):
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
        bounds = RANGES.get(key)
        problem = range_problem(value, *bounds[:2], whole=bounds[2], low_inclusive=bounds[2]) if bounds else None
        if problem:
            problems.append(HeaderProblem(number, f"`{key}` {problem}, got `{value_text.strip()}`; the default applies"))
            continue
        options[key] = value
        lines[key] = number
    return ScriptHeader(options=options, lines=lines, problems=tuple(problems))


def _parse_value(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return text
