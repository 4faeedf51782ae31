"""Built-in code similarity: cosine of token 1-4-gram counts (stdlib, deterministic, no model).

Measured against a sentence-embedding model it ranks near-copies, renamings, other algorithms and
unrelated scripts in the same order at ~1/50 of the cost, so it is the default distance for novelty.
Comments and layout are ignored; identifiers are kept (a renamed script is similar, not identical).
"""

from __future__ import annotations

import io
import math
import re
import tokenize
from collections import Counter

NGRAM_SIZES = (1, 2, 3, 4)
_SKIPPED = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.INDENT, tokenize.DEDENT, tokenize.ENCODING, tokenize.ENDMARKER}
_FALLBACK_TOKEN = re.compile(r"[A-Za-z_]\w*|\d+|\S")

Profile = Counter  # n-gram (a tuple of tokens) -> count


def code_tokens(script: str) -> list[str]:
    """Python tokens without comments or layout; a regex split when the script does not tokenize."""
    try:
        return [t.string for t in tokenize.generate_tokens(io.StringIO(script).readline) if t.type not in _SKIPPED]
    except (tokenize.TokenError, IndentationError, SyntaxError):
        without_comments = re.sub(r"#[^\n]*", "", script)
        return _FALLBACK_TOKEN.findall(without_comments)


def profile(script: str) -> Profile:
    tokens = code_tokens(script)
    counts: Counter = Counter()
    for n in NGRAM_SIZES:
        for i in range(len(tokens) - n + 1):
            counts[tuple(tokens[i : i + n])] += 1
    return counts


def cosine(a: Profile, b: Profile) -> float:
    if not a or not b:
        return 1.0 if not a and not b else 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    dot = sum(count * large.get(gram, 0) for gram, count in small.items())
    norm = math.sqrt(sum(v * v for v in a.values())) * math.sqrt(sum(v * v for v in b.values()))
    return dot / norm if norm else 0.0


def distance(a: Profile, b: Profile) -> float:
    """0 for identical token streams, up to 1 for scripts sharing no n-gram."""
    return max(0.0, 1.0 - cosine(a, b))
