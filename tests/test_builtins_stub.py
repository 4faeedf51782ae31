"""`__builtins__.pyi` beside the scripts: `synth-lsp new` provides it, the real basedpyright then
knows `inputs` (and without the file it does not: the check can fail), a user's own file is never
changed, and the VS Code extension writes the same declaration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from synth_lsp.core.builtins_stub import (
    STUB_NAME,
    STUB_TEXT,
    declares_inputs,
    provide_stub,
)

REPO = Path(__file__).resolve().parents[1]
ARC_007 = REPO / "examples" / "arc" / "007bbfb7.json"
CLIENT_STUB = REPO / "vscode-client" / "src" / "builtinsStub.ts"
# a script as people write them: it indexes `inputs` deeply and does arithmetic on the cells
WRITTEN = '''def transform(inputs):
    g = inputs["input_grid"]
    n = len(g)
    out = [[0] * (n * n) for _ in range(n * n)]
    for i in range(n):
        for j in range(n):
            out[i][j] = g[i % n][j % n] + 1
    return {"output_grid": out}


result = transform(inputs)
'''


def cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", "")}
    return subprocess.run([sys.executable, "-m", "synth_lsp", *args], capture_output=True, text=True, timeout=120, env=env, check=False)


def basedpyright() -> list[str]:
    """The basedpyright of this environment (the `test` extra installs it)."""
    beside = Path(sys.executable).with_name("basedpyright")
    found = str(beside) if beside.exists() else shutil.which("basedpyright")
    if found is None:
        pytest.skip("basedpyright is not installed (pip install -e '.[test]')")
    return [found]


def errors(folder: Path, script: Path) -> list[dict]:
    # the folder is its own project, as a user's folder of scripts is: otherwise basedpyright would take
    # a pyproject.toml above it (this clone's, when the temporary folder is inside it) as the project
    # root, whose default excludes (hidden folders such as .cache) would leave the script unchecked
    config = folder / "pyrightconfig.json"
    if not config.exists():
        config.write_text("{}\n")
    out = subprocess.run([*basedpyright(), "--outputjson", str(script)], cwd=folder, capture_output=True, text=True, timeout=300, check=False)
    report = json.loads(out.stdout)
    assert report["summary"]["filesAnalyzed"] >= 1, report["summary"]  # the script was checked at all
    return [d for d in report["generalDiagnostics"] if d["severity"] == "error"]


def undefined(found: list[dict]) -> list[str]:
    return [d["message"] for d in found if d.get("rule") == "reportUndefinedVariable"]


@pytest.mark.slow
def test_a_scaffolded_script_has_no_undefined_name_and_without_the_stub_it_has(tmp_path: Path):
    shutil.copy(ARC_007, tmp_path / "007bbfb7.json")
    out = cli("new", str(tmp_path / "007bbfb7.json"))
    assert out.returncode == 0, out.stderr
    stub = tmp_path / STUB_NAME
    assert stub.read_text(encoding="utf-8") == STUB_TEXT and "wrote" in out.stderr
    script = tmp_path / "007bbfb7.synth.py"
    (tmp_path / "written.synth.py").write_text(WRITTEN)
    assert errors(tmp_path, script) == []
    assert errors(tmp_path, tmp_path / "written.synth.py") == []  # JSON values index without narrowing

    stub.unlink()
    assert undefined(errors(tmp_path, script)) == ['"inputs" is not defined']


def test_a_users_own_file_is_left_alone_with_advice(tmp_path: Path):
    shutil.copy(ARC_007, tmp_path / "007bbfb7.json")
    own = "# my own builtins\ndef helper() -> int: ...\n"
    (tmp_path / STUB_NAME).write_text(own)
    out = cli("new", str(tmp_path / "007bbfb7.json"))
    assert out.returncode == 0
    assert (tmp_path / STUB_NAME).read_text() == own
    assert "does not declare `inputs`; add the line `inputs: dict[str, Any]`" in out.stderr

    declared = "from typing import Any\ninputs: dict[str, Any]\n"
    (tmp_path / STUB_NAME).write_text(declared)
    (tmp_path / "007bbfb7.synth.py").unlink()
    out = cli("new", str(tmp_path / "007bbfb7.json"))
    assert out.returncode == 0 and (tmp_path / STUB_NAME).read_text() == declared
    assert STUB_NAME not in out.stderr  # nothing to say


def test_provide_stub_never_overwrites_and_reports_what_it_found(tmp_path: Path):
    assert provide_stub(tmp_path).outcome == "written"
    assert provide_stub(tmp_path).outcome == "present"
    link = tmp_path / "linked"
    link.mkdir()
    (link / STUB_NAME).symlink_to(tmp_path / "nowhere.pyi")  # a dangling link is the user's too
    assert provide_stub(link).outcome == "failed" and not (tmp_path / "nowhere.pyi").exists()
    assert provide_stub(tmp_path / "missing-folder").outcome == "failed"
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert declares_inputs("x = 1\ninputs: dict\n") and not declares_inputs("# inputs: dict\n")


def test_the_extension_writes_the_same_declaration():
    source = CLIENT_STUB.read_text(encoding="utf-8")
    for line in STUB_TEXT.splitlines():
        assert line in source, f"vscode-client/src/builtinsStub.ts lacks {line!r}"
