"""The layout keeps its architecture: the import contracts hold, the top level holds only packages,
and every package says what it is (docs/architecture.md)."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "synth_lsp"


def _lint_imports() -> list[str]:
    found = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    return [found] if found else [sys.executable, "-m", "importlinter.cli"]


def test_the_import_contracts_hold():
    done = subprocess.run(_lint_imports(), cwd=REPO, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 broken" in done.stdout


def test_the_contracts_cover_the_rules_the_layout_promises():
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11

    contracts = tomllib.loads((REPO / "pyproject.toml").read_text())["tool"]["importlinter"]["contracts"]
    types = {c["type"] for c in contracts}
    assert {"layers", "acyclic_siblings", "forbidden"} <= types
    lsp_only = [c for c in contracts if c["type"] == "forbidden" and "pygls" in c["forbidden_modules"]]
    assert lsp_only and "synth_lsp.server" not in lsp_only[0]["source_modules"]
    packages = {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()}
    layered = {name.strip().removeprefix("synth_lsp.") for c in contracts if c["type"] == "layers" for layer in c["layers"] for name in layer.split("|")}
    assert packages <= layered, f"packages outside the layers contract: {packages - layered}"


def test_the_top_level_holds_only_the_entry_modules_and_packages():
    loose = sorted(p.name for p in PACKAGE.glob("*.py") if p.name not in {"__init__.py", "__main__.py"})
    assert loose == []


@pytest.mark.parametrize("init", sorted(PACKAGE.rglob("__init__.py")), ids=lambda p: str(p.parent.relative_to(REPO)))
def test_every_package_says_what_it_is(init: Path):
    docstring = ast.get_docstring(ast.parse(init.read_text()))
    assert docstring and len(docstring.split()) >= 12, f"{init} needs a docstring saying what the package is"
