"""The `__builtins__.pyi` beside the scripts: it declares the global a synthesis script is given
(`inputs`), so that Pylance, Pyright and basedpyright stop calling it undefined. `result` needs
nothing: the script assigns it.

It is provided, never imposed: an existing file is left alone, and when it lacks the declaration
the caller is told what to add (see `advice`). The VS Code extension writes the same text
(vscode-client/src/builtinsStub.ts).
"""

from __future__ import annotations

import os
import re
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

STUB_NAME = "__builtins__.pyi"
DECLARATION = "inputs: dict[str, _JsonValue]"
STUB_TEXT = f"""\
# synth-lsp: the globals of the synthesis scripts (NAME.synth.py) in this folder, for Pylance,
# Pyright and basedpyright. A script is given `inputs` and must assign `result`.
from typing import Any, TypeAlias

# a JSON value (dict, list, str, int, float, bool or None); Any, so that a script can index
# `inputs['input_grid'][0]` without narrowing each level first
_JsonValue: TypeAlias = Any

{DECLARATION}
"""

_DECLARES_INPUTS = re.compile(r"^inputs\s*:", re.MULTILINE)

StubOutcome = Literal["written", "present", "lacks-inputs", "failed"]


@dataclass(frozen=True)
class StubResult:
    path: Path
    outcome: StubOutcome
    detail: str = ""


def declares_inputs(text: str) -> bool:
    return _DECLARES_INPUTS.search(text) is not None


def advice(path: Path) -> str:
    """How to add the declaration to a user's own file (which is never changed for them)."""
    return f"{path} does not declare `inputs`; add the line `inputs: dict[str, Any]` (and `from typing import Any`) so that Pylance and Pyright know it"


def provide_stub(folder: Path) -> StubResult:
    """Write the stub into `folder` unless a file of that name exists (never overwritten)."""
    path = folder / STUB_NAME
    if path.exists() or path.is_symlink():
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError as exc:
            return StubResult(path, "failed", str(exc))
        return StubResult(path, "present" if declares_inputs(text) else "lacks-inputs")
    try:
        _create_exclusively(path, STUB_TEXT)
    except FileExistsError:  # made meanwhile by someone else: theirs
        return provide_stub(folder)
    except OSError as exc:
        return StubResult(path, "failed", str(exc))
    return StubResult(path, "written")


def _create_exclusively(path: Path, text: str) -> None:
    """A whole file or none: written aside, then linked into place (which fails if the name exists)."""
    tmp = path.with_name(f".{path.name}.{uuid.uuid4().hex}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o666)  # the usual mode: 0666 less the umask
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
        os.link(tmp, path)
    finally:
        os.unlink(tmp)
