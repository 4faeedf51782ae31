"""Evolved rewrites as code actions: the population's best candidates that beat the current text
(or match it with a different approach), each a versioned edit of the whole document.

Pure: the caller passes the candidates, the current score and the document; this module builds
the LSP objects. A versioned `TextDocumentEdit` makes the client refuse the edit when the
document changed after the action was computed, so a rewrite is never applied to text it was not
computed for.
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable

from lsprotocol import types

if TYPE_CHECKING:  # the optimizer is imported on first use, not at server start-up
    from synth_lsp.optimizer.candidate import Candidate

APPLY_COMMAND = "synthLsp.applyCandidate"
PREVIEW_ANNOTATION = "synth-lsp-preview"
MAX_ACTIONS = 3


@dataclass(frozen=True)
class CurrentScore:
    """How the document's current text did in its latest run."""

    train_passed: int
    train_total: int
    test_passed: int = 0
    test_total: int = 0


@dataclass(frozen=True)
class EditSupport:
    document_changes: bool = True  # the client takes versioned TextDocumentEdits
    change_annotations: bool = False  # it can ask the user to confirm (a diff preview)


def rewritten(text: str, script: str) -> str:
    """The document's text after applying `script`: the user's own `# synth:` header stays on top
    (as `evolve --write` does), so a rewrite cannot change the examples, limits or instructions."""
    from synth_lsp.optimizer.kept_header import keep_header

    return keep_header(text, script)


def offered(candidates: Iterable["Candidate"], current: CurrentScore | None, text: str, fingerprint: str, limit: int = MAX_ACTIONS) -> list["Candidate"]:
    """Candidates worth offering, best first: more train pairs than the current text, or as many
    (at least one) with a different script. Candidates scored on other examples are left out."""
    from synth_lsp.optimizer.candidate import normalise_script

    current_norm = None  # normalised only when a candidate gets that far
    floor = current.train_passed if current else 0
    out = []
    for candidate in candidates:  # cheap checks first: the population may hold thousands
        if candidate.task_fingerprint != fingerprint or candidate.train_total == 0:
            continue
        if not (candidate.train_passed > floor or (candidate.train_passed == floor and floor > 0)):
            continue
        if current_norm is None:
            current_norm = normalise_script(text)
        if normalise_script(rewritten(text, candidate.script)) == current_norm:
            continue
        out.append(candidate)
        if len(out) >= limit:
            break
    return out


def train_verdict(candidate: "Candidate") -> str:
    """What was measured on the train pairs: "fits the train pairs (5/5)" or "3/5 train pairs",
    never "solved" (the test pairs, when their answers are known, are reported beside it)."""
    if candidate.train_total and candidate.train_passed == candidate.train_total:
        return f"fits the train pairs ({candidate.train_passed}/{candidate.train_total})"
    return f"{candidate.train_passed}/{candidate.train_total} train pairs"


def test_verdict(candidate: "Candidate") -> str:
    """The test pairs with known answers ("" when there are none); shown, never used to choose."""
    return f"test {candidate.test_passed}/{candidate.test_total}" if candidate.test_total else ""


def evolved_lens_title(candidate: "Candidate") -> str:
    parts = [train_verdict(candidate), test_verdict(candidate)]
    return "evolved: " + " · ".join(p for p in parts if p) + " — apply"


def describe(candidate: "Candidate", current: CurrentScore | None) -> str:
    """What applying the candidate achieves, in a few words."""
    parts = [train_verdict(candidate)]
    if candidate.test_total:
        parts.append(test_verdict(candidate))
    gain = candidate.train_passed - (current.train_passed if current else 0)
    if current is not None:
        parts.append(f"+{gain} pair{'s' if gain != 1 else ''} over the current script" if gain > 0 else "same score, another approach")
    return ", ".join(parts)


def title_for(candidate: "Candidate", current: CurrentScore | None) -> str:
    # the offline model says how far to trust a fit (a lookup table may only memorise the pairs)
    confidence = getattr(candidate, "confidence", None)
    trust = f", confidence {confidence:.2f}" if confidence is not None else ""
    return f"Apply evolved script ({candidate.origin}{trust}): {describe(candidate, current)}"


def whole_document_range(text: str) -> types.Range:
    lines = text.split("\n")
    last = lines[-1]
    end_character = len(last.encode("utf-16-le")) // 2
    return types.Range(start=types.Position(0, 0), end=types.Position(len(lines) - 1, end_character))


def rewrite_edit(uri: str, version: int | None, text: str, new_text: str, support: EditSupport, preview: bool = False) -> types.WorkspaceEdit:
    annotation = PREVIEW_ANNOTATION if preview else None
    if annotation:
        edit: types.TextEdit = types.AnnotatedTextEdit(range=whole_document_range(text), new_text=new_text, annotation_id=annotation)
    else:
        edit = types.TextEdit(range=whole_document_range(text), new_text=new_text)
    if not support.document_changes:
        return types.WorkspaceEdit(changes={uri: [edit]})
    document = types.OptionalVersionedTextDocumentIdentifier(uri=uri, version=version)
    workspace_edit = types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(text_document=document, edits=[edit])])
    if annotation:
        workspace_edit.change_annotations = {
            annotation: types.ChangeAnnotation(label="Evolved script", needs_confirmation=True, description="Review the rewrite before applying it")
        }
    return workspace_edit


def code_actions(
    uri: str,
    version: int | None,
    text: str,
    candidates: list["Candidate"],
    current: CurrentScore | None,
    support: EditSupport,
    diagnostics: list[types.Diagnostic] | None = None,
) -> list[types.CodeAction]:
    actions = []
    for rank, candidate in enumerate(candidates):
        better = current is None or candidate.train_passed > current.train_passed
        actions.append(
            types.CodeAction(
                title=title_for(candidate, current),
                kind=types.CodeActionKind.QuickFix if better else types.CodeActionKind.RefactorRewrite,
                diagnostics=diagnostics if better else None,
                is_preferred=rank == 0 and better,
                edit=rewrite_edit(uri, version, text, rewritten(text, candidate.script), support),
                data={"candidateId": candidate.id},
            )
        )
    if candidates and support.document_changes and support.change_annotations:
        best = candidates[0]
        actions.append(
            types.CodeAction(
                title=f"Preview evolved script ({best.origin}) as a diff: {describe(best, current)}",
                kind=types.CodeActionKind.RefactorRewrite,
                edit=rewrite_edit(uri, version, text, rewritten(text, best.script), support, preview=True),
                data={"candidateId": best.id},
            )
        )
    return actions


def unified_diff(current: str, proposed: str, name: str) -> str:
    return "".join(
        difflib.unified_diff(current.splitlines(keepends=True), proposed.splitlines(keepends=True), f"{name} (current)", f"{name} (evolved)")
    )
