"""Code actions on an examples file: lay it out with one grid row per line.

ARC files come as one line of JSON, where a grid cannot be read and every cell mark sits on line 1.
The action is a versioned edit of the whole document that the user chooses to apply; the JSON value
does not change, so the scripts that use the file rerun to the same rewards, with their marks now on
the rows they concern.
"""

from __future__ import annotations

from lsprotocol import types

from synth_lsp.core.examples_layout import lay_out
from synth_lsp.server.code_actions import EditSupport, rewrite_edit

LAYOUT_TITLE = "Lay out the examples: one grid row per line"


# laying out runs on the event loop (editors ask at every cursor move): a file larger than any
# examples file a person reads is not offered it
MAX_LAYOUT_CHARS = 2_000_000


def layout_actions(uri: str, version: int | None, text: str, support: EditSupport) -> list[types.CodeAction]:
    if not uri.endswith(".json") or len(text) > MAX_LAYOUT_CHARS:
        return []
    laid_out = lay_out(text)
    if laid_out is None:
        return []  # not an examples file, or already laid out
    return [
        types.CodeAction(
            title=LAYOUT_TITLE,
            kind=types.CodeActionKind.RefactorRewrite,
            edit=rewrite_edit(uri, version, text, laid_out, support),
        )
    ]
