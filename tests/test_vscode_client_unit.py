"""The VS Code extension's own tests, run from pytest so CI runs them: the TypeScript type check
of the whole extension and the node:test unit tests of its pure modules (interpreter choice,
settings, API-key environment, status text, grid-view HTML, protocol parsing).

Node and the extension's npm dependencies come from vscode-client/scripts/setup-e2e.sh (cached
under .cache/; the end-to-end test needs the same). Set SYNTH_LSP_SKIP_VSCODE_E2E=1 to skip.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CLIENT = Path(__file__).resolve().parents[1] / "vscode-client"


@pytest.fixture(scope="module")
def node_env() -> dict[str, str]:
    setup = subprocess.run(["bash", str(CLIENT / "scripts" / "setup-e2e.sh")], capture_output=True, text=True, timeout=1800)
    assert setup.returncode == 0, f"setup-e2e.sh failed:\n{setup.stderr[-4000:]}"
    node = dict(line.split("=", 1) for line in setup.stdout.splitlines() if "=" in line)["NODE"]
    return {**os.environ, "PATH": f"{Path(node).parent}:{os.environ.get('PATH', '')}"}


def _npm(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run(["npm", *args], cwd=CLIENT, env=env, capture_output=True, text=True, timeout=600)


@pytest.mark.skipif(os.environ.get("SYNTH_LSP_SKIP_VSCODE_E2E") == "1", reason="SYNTH_LSP_SKIP_VSCODE_E2E=1")
def test_extension_typechecks(node_env: dict[str, str]) -> None:
    proc = _npm(["run", "--silent", "typecheck"], node_env)
    assert proc.returncode == 0, f"tsc found errors:\n{proc.stdout[-4000:]}{proc.stderr[-2000:]}"


@pytest.mark.skipif(os.environ.get("SYNTH_LSP_SKIP_VSCODE_E2E") == "1", reason="SYNTH_LSP_SKIP_VSCODE_E2E=1")
def test_extension_unit_tests(node_env: dict[str, str]) -> None:
    proc = _npm(["test", "--silent"], node_env)
    summary = [line for line in proc.stdout.splitlines() if line.startswith("# ")]
    assert proc.returncode == 0, f"extension unit tests failed:\n{proc.stdout[-6000:]}{proc.stderr[-2000:]}"
    passed = next(int(line.split()[2]) for line in summary if line.startswith("# pass"))
    assert passed >= 30, summary  # the suite really ran, not an empty glob
