"""The user's `# synth:` header stays the script's: an evolved script must not be able to change
which examples the script pairs with, its limits, its default or its instructions.

Writing an evolved script into the file (`evolve --write`, or an editor applying a rewrite) puts
the file's own header lines on top and drops any header lines the evolved script brought.
"""

from __future__ import annotations

from synth_lsp.core.script_header import HEADER_PREFIX


def header_lines(script: str) -> list[str]:
    """The `# synth:` lines of the script's header (the comment lines before the first code)."""
    lines = []
    for raw in script.splitlines():
        text = raw.strip()
        if text and not text.startswith("#"):
            break
        if text.startswith(HEADER_PREFIX):
            lines.append(raw.rstrip("\r"))
    return lines


def without_header(script: str) -> str:
    """The script with the `# synth:` lines of its header removed (other comments stay)."""
    lines = script.splitlines(keepends=True)
    out, in_header = [], True
    for raw in lines:
        text = raw.strip()
        if in_header and text and not text.startswith("#"):
            in_header = False
        if in_header and text.startswith(HEADER_PREFIX):
            continue
        out.append(raw)
    return "".join(out)


def keep_header(original: str, evolved: str) -> str:
    """`evolved` under the header of `original`: exactly the original's `# synth:` lines on top."""
    kept = header_lines(original)
    body = without_header(evolved)
    if not kept:
        return body
    return "\n".join(kept) + "\n" + body.lstrip("\n")
