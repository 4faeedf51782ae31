"""End to end: the VS Code extension in code-server, driven in Debian's Chromium by Playwright.

What runs for real: the .vsix built from vscode-client/ (npm ci, esbuild, vsce), code-server
4.139.1 on Node 24, the synth-lsp server started by the extension with this Python, the Monty
sandbox. The scenario (vscode-client/scripts/e2e-driver.mjs): a mismatching script shows a
squiggle, a Problems entry and its reward in the status bar; the grid view draws the pairs; the
script is fixed in the editor and saved; diagnostics clear and the full reward shows; then the
bad paths: the server is killed (a restart is offered and works), the interpreter is missing or
lacks synth_lsp (one clear message, no crash loop), and restoring it brings the server back.

Setup (Node 24, code-server, Chromium) is done by vscode-client/scripts/setup-e2e.sh under
.cache/ (a few minutes the first time). Screenshots land in test-artifacts/vscode-e2e/.
Set SYNTH_LSP_SKIP_VSCODE_E2E=1 to skip it locally; CI never sets it.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from synth_lsp.core.evaluation import evaluate
from synth_lsp.sandbox.runner import get_sandbox
from synth_lsp.core.task import load_task_for_script

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[1]
CLIENT = REPO / "vscode-client"
ARTIFACTS = REPO / "test-artifacts" / "vscode-e2e"
TASK = "007bbfb7"

# A near miss: every block gets a copy of the input, also where the input cell is 0, so the
# shape is right and the cells of the blank blocks differ.
MISMATCH_SCRIPT = (
    "# Tiles the input: right shape, wrong where a block should stay blank.\n"
    "def transform(grid):\n"
    "    n = len(grid)\n"
    "    return [[grid[r % n][c % n] for c in range(n * n)] for r in range(n * n)]\n"
    "\n"
    "\n"
    'result = {"output_grid": transform(inputs["input_grid"])}\n'
)

# The rule of 007bbfb7: each input cell that is set places a copy of the input in its block.
# One-line statements, so typing it into the editor cannot be re-indented.
FIXED_SCRIPT = (
    "# Fixed in the editor by the end-to-end test.\n"
    'g = inputs["input_grid"]\n'
    "n = len(g)\n"
    'result = {"output_grid": [[g[r // n][c // n] and g[r % n][c % n] for c in range(n * n)] for r in range(n * n)]}\n'
)

USER_SETTINGS = {
    "workbench.startupEditor": "none",
    "workbench.tips.enabled": False,
    "workbench.enableExperiments": False,
    "chat.disableAIFeatures": True,
    "workbench.secondarySideBar.defaultVisibility": "hidden",
    "extensions.autoUpdate": False,
    "extensions.autoCheckUpdates": False,
    "update.mode": "none",
    "telemetry.telemetryLevel": "off",
    "security.workspace.trust.enabled": False,
    "files.autoSave": "off",
    "editor.quickSuggestions": {"other": False, "comments": False, "strings": False},
    "editor.suggestOnTriggerCharacters": False,
    "editor.autoClosingBrackets": "never",
    "editor.autoClosingQuotes": "never",
    "editor.autoIndent": "none",
    "editor.formatOnType": False,
}

SETUP_TIMEOUT_S = 1800  # first run: apt, Node 24, code-server's native modules
DRIVER_TIMEOUT_S = 900


def _run(cmd: list[str], timeout: float, env: dict[str, str] | None = None, what: str = "") -> str:
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, env=env)
    except subprocess.TimeoutExpired as exc:
        pytest.fail(f"{what or cmd[0]} took longer than {timeout:.0f}s; stderr so far:\n{(exc.stderr or '')[-3000:]}")
    if proc.returncode != 0:
        pytest.fail(f"{what or cmd[0]} failed (exit {proc.returncode}):\n{proc.stderr[-4000:]}\n{proc.stdout[-2000:]}")
    return proc.stdout


def _setup() -> dict[str, str]:
    out = _run(["bash", str(CLIENT / "scripts" / "setup-e2e.sh")], SETUP_TIMEOUT_S, what="setup-e2e.sh")
    found = dict(line.split("=", 1) for line in out.splitlines() if "=" in line)
    for key in ("NODE", "CODE_SERVER", "CHROMIUM"):
        assert key in found and Path(found[key]).exists(), f"setup-e2e.sh did not report a usable {key}: {out!r}"
    return found


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _wait_healthy(url: str, proc: subprocess.Popen, log: Path, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"code-server exited with {proc.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as r:
                if r.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.3)
    pytest.fail(f"code-server did not answer /healthz within {timeout}s:\n{log.read_text()[-3000:]}")


def _stop(proc: subprocess.Popen | None) -> None:
    """Ends a process we started in its own session, with everything it started."""
    if proc is None or proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


def _workspace(root: Path) -> Path:
    ws = root / "workspace"
    ws.mkdir()
    shutil.copy(REPO / "examples" / "arc" / f"{TASK}.json", ws / f"{TASK}.json")
    (ws / f"{TASK}.synth.py").write_text(MISMATCH_SCRIPT)
    return ws


def _imports_synth_lsp(python: Path | str, cwd: Path) -> bool:
    return subprocess.run([str(python), "-c", "import synth_lsp"], capture_output=True, cwd=cwd).returncode == 0


def _server_python(root: Path) -> str:
    """This Python when synth_lsp is installed in it; else a venv over it that sees this clone.

    pytest imports synth_lsp from the clone even when it is not installed; the server, started
    by VS Code in the workspace folder, would not. A .pth file is what an editable install does.
    """
    if _imports_synth_lsp(sys.executable, root):
        return sys.executable
    venv = root / "server-venv"
    _run([sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)], 120, what="python -m venv")
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], capture_output=True, text=True, check=True
    ).stdout.strip()
    Path(purelib, "synth_lsp_clone.pth").write_text(f"{REPO}\n")
    assert _imports_synth_lsp(python, root), "a venv with the clone on its path still cannot import synth_lsp"
    return str(python)


def _bare_python(root: Path) -> Path:
    """A real Python that lacks synth_lsp: a venv without the base's site-packages."""
    venv = root / "bare-venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], 120, what="python -m venv")
    python = venv / "bin" / "python"
    assert not _imports_synth_lsp(python, root), "the bare venv can import synth_lsp, so it cannot stand for a Python without it"
    return python


def _step(report: dict, name: str) -> dict:
    for step in report["steps"]:
        if step["name"] == name:
            return step
    pytest.fail(f"the driver never reached step {name!r} (fatal: {report.get('fatal')}); steps: {[s['name'] for s in report['steps']]}")


def _ok(report: dict, name: str) -> object:
    step = _step(report, name)
    assert step["ok"], f"step {name!r} failed: {step['error']} (screenshot: {step['screenshot']})"
    return step["detail"]


@pytest.mark.skipif(os.environ.get("SYNTH_LSP_SKIP_VSCODE_E2E") == "1", reason="SYNTH_LSP_SKIP_VSCODE_E2E=1")
def test_extension_in_code_server(tmp_path: Path) -> None:
    # the premise, checked in the sandbox: the script misses every pair, the fix solves them all
    ws = _workspace(tmp_path)
    task = load_task_for_script(ws / f"{TASK}.synth.py")
    assert evaluate(task, MISMATCH_SCRIPT, sandbox=get_sandbox()).train_passed == 0
    assert evaluate(task, FIXED_SCRIPT, sandbox=get_sandbox()).train_passed == 5

    tools = _setup()
    node_bin = str(Path(tools["NODE"]).parent)
    env = {**os.environ, "PATH": f"{node_bin}:{os.environ.get('PATH', '')}"}
    vsix = tmp_path / "synth-lsp.vsix"
    _run(["bash", str(CLIENT / "scripts" / "build-vsix.sh"), "--out", str(vsix)], 600, env=env, what="build-vsix.sh")

    if ARTIFACTS.exists():
        shutil.rmtree(ARTIFACTS)
    ARTIFACTS.mkdir(parents=True)
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    settings_path = user_data / "User" / "settings.json"
    user_settings = {**USER_SETTINGS, "synthLsp.interpreter": _server_python(tmp_path)}
    settings_path.write_text(json.dumps(user_settings, indent=2))
    cs_env = {
        **env,
        "XDG_CONFIG_HOME": str(tmp_path / "xdg-config"),
        "XDG_DATA_HOME": str(tmp_path / "xdg-data"),
        "XDG_CACHE_HOME": str(tmp_path / "xdg-cache"),
    }
    # API keys of the machine never reach this test's server
    for name in list(cs_env):
        if name.endswith("_API_KEY"):
            del cs_env[name]
    dirs = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    _run([tools["CODE_SERVER"], *dirs, "--install-extension", str(vsix)], 300, env=cs_env, what="code-server --install-extension")
    assert any(p.name.startswith("synth-lsp.synth-lsp") for p in extensions.iterdir()), "the extension was not installed"

    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cs_log = ARTIFACTS / "code-server.log"
    code_server = driver = None
    try:
        with cs_log.open("w") as log_file:
            code_server = subprocess.Popen(
                [tools["CODE_SERVER"], "--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
                 "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override",
                 *dirs, str(ws)],
                env=cs_env, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        _wait_healthy(url, code_server, cs_log)
        report_path = tmp_path / "report.json"
        config = {
            "url": url,
            "workspace": str(ws),
            "scriptName": f"{TASK}.synth.py",
            "fixedScript": FIXED_SCRIPT,
            "mismatchScript": MISMATCH_SCRIPT,
            "userDataDir": str(user_data),
            "artifactsDir": str(ARTIFACTS),
            "reportPath": str(report_path),
            "browserProfile": str(tmp_path / "browser-profile"),
            "chromium": tools["CHROMIUM"],
            "codeServerPid": code_server.pid,
            "missingInterpreter": str(tmp_path / "no-such-dir" / "python3"),
            "bareInterpreter": str(_bare_python(tmp_path)),
        }
        config_path = tmp_path / "driver.json"
        config_path.write_text(json.dumps(config))
        with (ARTIFACTS / "driver.log").open("w") as driver_log:
            driver = subprocess.Popen(
                [tools["NODE"], str(CLIENT / "scripts" / "e2e-driver.mjs"), str(config_path)],
                cwd=CLIENT, env=env, stdout=driver_log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            try:
                driver.wait(timeout=DRIVER_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the Playwright driver took longer than {DRIVER_TIMEOUT_S}s; see {ARTIFACTS / 'driver.log'}")
        assert report_path.exists(), f"the driver wrote no report (exit {driver.returncode}):\n{(ARTIFACTS / 'driver.log').read_text()[-3000:]}"
        report = json.loads(report_path.read_text())
        shutil.copy(report_path, ARTIFACTS / "report.json")
    finally:
        _stop(driver)  # and the browser it started
        _stop(code_server)  # and the language servers it started

    # --- the happy path ---
    assert "result" in _ok(report, "open-script")
    assert _ok(report, "squiggle")["squiggles"] >= 1
    assert "train 0/5 (0.00)" in _ok(report, "status-bar-reward")["text"]
    problems = _ok(report, "problems")["rows"]
    assert any("pair" in row for row in problems), problems
    grids = _ok(report, "grid-view")
    assert [p["split"] for p in grids["pairs"]] == ["train"] * 5 + ["test"], grids
    for pair in grids["pairs"]:
        assert pair["passed"] == "false", pair
        assert pair["cells"] == 9 + 81 + 81, pair  # input, expected, actual
        # the differing cells are outlined in both the expected and the actual grid
        assert pair["diffCount"] > 0 and pair["markedCells"] == 2 * pair["diffCount"], pair
    assert "train 0/5" in grids["summary"]
    _ok(report, "fix-and-save")
    _ok(report, "diagnostics-clear")
    assert "train 5/5 (1.00) · test 1/1" in _ok(report, "status-bar-full-reward")["text"]
    fixed = _ok(report, "grid-view-updated")
    assert all(p["passed"] == "true" and p["markedCells"] == 0 for p in fixed["pairs"]), fixed
    assert "train 5/5" in fixed["summary"]

    # --- the bad paths ---
    died = _ok(report, "server-dies")
    assert died["killed"], died
    assert "server stopped" in died["status"] and "stopped unexpectedly" in died["gridDown"], died
    restarted = _ok(report, "restart-offered")
    assert "train 5/5" in restarted["status"] and restarted["servers"] == 1, restarted
    assert restarted["gridPairs"] == 6, restarted
    for name, words in (("interpreter-missing", "was not found"), ("interpreter-lacks-synth-lsp", "lacks the synth_lsp package")):
        bad = _ok(report, name)
        assert words in bad["toast"] and "synthLsp.interpreter" in bad["toast"], bad
        assert bad["toasts"] == 1, f"{name}: the message repeated (a restart loop?): {bad}"
        assert bad["servers"] == 0, f"{name}: a server process is running: {bad}"
        assert "server stopped" in bad["status"], bad
    restored = _ok(report, "interpreter-restored")
    assert restored["servers"] == 1, restored

    # --- evolution with the offline model: an evolved rewrite as a code action ---
    assert "train 0/5 (0.00)" in _ok(report, "break-again")["status"]
    evolved = _ok(report, "evolve-from-status-bar")
    assert "evolved best 1.00" in evolved["status"], evolved
    population = _ok(report, "browse-population")
    assert population["items"] and "1.00 · train 5/5" in population["items"][0], population
    assert f"{TASK}.synth.py ↔ candidate" in population["preview"], population
    applied = _ok(report, "apply-evolved-rewrite")
    assert "Apply evolved script" in applied["action"] and "fits the train pairs (5/5)" in applied["action"], applied
    # the editor now holds the evolved script (the top of it: Monaco renders what is in view)
    assert "offline model" in applied["text"] and "grid[r % n][c % n]" not in applied["text"], applied["text"]
    assert "train 5/5 (1.00)" in _ok(report, "evolved-script-passes")["status"]

    # --- a changed setting reaches the running server (no restart): it now runs unsaved text ---
    changed = _ok(report, "setting-reaches-server")
    assert changed["dirty"] == 1 and "train 0/5 (0.00)" in changed["status"], changed
    assert changed["sameServer"], changed

    # --- an API key stored with the command reaches the server's environment, and nothing else ---
    key = _ok(report, "api-key-to-server-env")
    assert key["inEnvironment"] and not key["inCommandLine"], key
    assert key["filesWithKey"] == [], f"the API key was written to disk: {key['filesWithKey']}"

    # --- "Apply Best Candidate" replaces the (unsaved, mismatching) text with the evolved script ---
    best = _ok(report, "apply-best-command")
    assert best["wasMismatch"] and "train 5/5 (1.00)" in best["status"], best
    assert report["ok"], [s for s in report["steps"] if not s["ok"]]


def _drive(tmp_path: Path, ws: Path, driver_script: str, extra: dict, user_settings: dict | None = None, name: str = "") -> dict:
    """Builds and installs the extension, starts code-server on `ws` and runs a driver
    (vscode-client/scripts/`driver_script`, which reuses e2e-driver.mjs); returns its report."""
    tools = _setup()
    env = {**os.environ, "PATH": f"{Path(tools['NODE']).parent}:{os.environ.get('PATH', '')}"}
    vsix = tmp_path / "synth-lsp.vsix"
    _run(["bash", str(CLIENT / "scripts" / "build-vsix.sh"), "--out", str(vsix)], 600, env=env, what="build-vsix.sh")
    artifacts = ARTIFACTS.with_name(f"vscode-e2e-{name or Path(driver_script).stem}")
    shutil.rmtree(artifacts, ignore_errors=True)
    artifacts.mkdir(parents=True)
    user_data, extensions = tmp_path / "user-data", tmp_path / "extensions"
    (user_data / "User").mkdir(parents=True)
    settings = {**USER_SETTINGS, "synthLsp.interpreter": _server_python(tmp_path), **(user_settings or {})}
    (user_data / "User" / "settings.json").write_text(json.dumps(settings, indent=2))
    cs_env = {**env, **{f"XDG_{k}_HOME": str(tmp_path / f"xdg-{k.lower()}") for k in ("CONFIG", "DATA", "CACHE")}}
    for name in [n for n in cs_env if n.endswith("_API_KEY")]:
        del cs_env[name]
    dirs = ["--user-data-dir", str(user_data), "--extensions-dir", str(extensions)]
    _run([tools["CODE_SERVER"], *dirs, "--install-extension", str(vsix)], 300, env=cs_env, what="code-server --install-extension")
    port = _free_port()
    url = f"http://127.0.0.1:{port}"
    cs_log = artifacts / "code-server.log"
    code_server = driver = None
    report_path = tmp_path / "report.json"
    try:
        with cs_log.open("w") as log_file:
            code_server = subprocess.Popen(
                [tools["CODE_SERVER"], "--bind-addr", f"127.0.0.1:{port}", "--auth", "none", "--disable-telemetry",
                 "--disable-update-check", "--disable-workspace-trust", "--disable-getting-started-override", *dirs, str(ws)],
                env=cs_env, stdout=log_file, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL, start_new_session=True,
            )
        _wait_healthy(url, code_server, cs_log)
        config = {
            "url": url, "workspace": str(ws), "userDataDir": str(user_data), "artifactsDir": str(artifacts),
            "reportPath": str(report_path), "browserProfile": str(tmp_path / "browser-profile"),
            "chromium": tools["CHROMIUM"], "codeServerPid": code_server.pid, **extra,
        }
        config_path = tmp_path / "driver.json"
        config_path.write_text(json.dumps(config))
        with (artifacts / "driver.log").open("w") as driver_log:
            driver = subprocess.Popen(
                [tools["NODE"], str(CLIENT / "scripts" / driver_script), str(config_path)],
                cwd=CLIENT, env=env, stdout=driver_log, stderr=subprocess.STDOUT, start_new_session=True,
            )
            try:
                driver.wait(timeout=DRIVER_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                pytest.fail(f"the Playwright driver took longer than {DRIVER_TIMEOUT_S}s; see {artifacts / 'driver.log'}")
        assert report_path.exists(), f"the driver wrote no report (exit {driver.returncode}):\n{(artifacts / 'driver.log').read_text()[-3000:]}"
        report = json.loads(report_path.read_text())
        shutil.copy(report_path, artifacts / "report.json")
        return report
    finally:
        _stop(driver)
        _stop(code_server)


@pytest.mark.skipif(os.environ.get("SYNTH_LSP_SKIP_VSCODE_E2E") == "1", reason="SYNTH_LSP_SKIP_VSCODE_E2E=1")
def test_quick_fix_applied_in_code_server(tmp_path: Path) -> None:
    """Issue 14 §4 in a real VS Code: on the mismatch, Ctrl+. offers "Fix with the offline model" (no
    model is configured), the fix arrives as an edit VS Code previews, applying it makes every pair pass."""
    ws = _workspace(tmp_path)
    extra = {"scenario": "quickFix", "quickFixTitle": "Fix with the offline model", "scriptName": f"{TASK}.synth.py"}
    report = _drive(tmp_path, ws, "e2e-driver.mjs", extra, name="quick-fix")  # no key: the offline model writes the fix

    assert "train 0/5" in _ok(report, "open-script")["status"]
    fixed = _ok(report, "quick-fix-applied")
    assert fixed["action"].startswith("Fix with the offline model"), fixed
    assert "offline model" in fixed["text"] and "grid[r % n][c % n]" not in fixed["text"], fixed["text"]
    assert "train 5/5 (1.00)" in _ok(report, "quick-fix-passes")["status"]
    assert (ws / f"{TASK}.synth.population.json").exists()  # the fix joined the population
    assert report["ok"], [s for s in report["steps"] if not s["ok"]]


# Inline values: a script whose output is held by a name, so the hover on it draws a grid
VALUES_SCRIPT = (
    "# Inline values in the editor.\n"
    "def transform(grid):\n"
    "    n = len(grid)\n"
    "    tiled = [[grid[r % n][c % n] for c in range(n * n)] for r in range(n * n)]\n"
    "    return tiled\n"
    "\n"
    "\n"
    'result = {"output_grid": transform(inputs["input_grid"])}\n'
)


@pytest.mark.skipif(os.environ.get("SYNTH_LSP_SKIP_VSCODE_E2E") == "1", reason="SYNTH_LSP_SKIP_VSCODE_E2E=1")
def test_inline_values_in_code_server(tmp_path: Path) -> None:
    """Inlay hints visible in the editor, a hover with a value grid, the lens row switching the pair."""
    ws = _workspace(tmp_path)
    (ws / f"{TASK}.synth.py").write_text(VALUES_SCRIPT)
    task = load_task_for_script(ws / f"{TASK}.synth.py")
    assert evaluate(task, VALUES_SCRIPT, sandbox=get_sandbox()).train_passed == 0  # train 1 is the pair shown
    n = len(task.train[0].inputs["input_grid"])
    extra = {"scenario": "values", "scriptName": f"{TASK}.synth.py", "expectHint": f"n = {n}", "hoverLine": "return tiled", "hoverWord": "tiled"}
    report = _drive(tmp_path, ws, "e2e-driver.mjs", extra, name="values")

    lines = _ok(report, "inlay-hints")["lines"]
    grid = task.train[0].inputs["input_grid"]
    # the values of train pair 1, each at the end of its line
    assert any(line.rstrip().endswith(f"n = {n}") for line in lines if "len(grid)" in line), lines
    assert any(f"{n * n}x{n * n} grid" in line for line in lines if "return tiled" in line), lines
    assert any("◀ output set here" in line for line in lines if "tiled = [[" in line), lines
    titles = _ok(report, "values-lens")["titles"]
    assert "values on: [train 1]" in titles and "test 1" in titles, titles
    hover = _ok(report, "value-hover")["text"]
    # the grid drawn: the digits of each row the script made (a tiling of the input)
    tiled_row0 = " ".join(str(grid[0][c % n]) for c in range(n * n))
    assert "tiled on train pair 1" in hover and f"{n * n}x{n * n} grid" in hover and tiled_row0 in hover, hover
    switched = _ok(report, "switch-pair")
    other = task.train[1].inputs["input_grid"]
    assert "[2]" in switched["titles"] and "train pair 2" in switched["text"], switched
    assert " ".join(str(other[0][c % n]) for c in range(n * n)) in switched["text"], switched
    assert report["ok"], [s for s in report["steps"] if not s["ok"]]


@pytest.mark.skipif(os.environ.get("SYNTH_LSP_SKIP_VSCODE_E2E") == "1", reason="SYNTH_LSP_SKIP_VSCODE_E2E=1")
def test_quiet_problems_and_the_examples_file_in_code_server(tmp_path: Path) -> None:
    """Issue 14 §2, §3, §5 in VS Code: a failing script is one problem per failing pair and file in
    the Problems count (not one per cell); the extension writes `__builtins__.pyi`; the one-line
    examples file reaches the server: its layout action, its unsaved text, a hover on its mark."""
    ws = _workspace(tmp_path)
    task = load_task_for_script(ws / f"{TASK}.synth.py")
    evaluation = evaluate(task, MISMATCH_SCRIPT, sandbox=get_sandbox())
    failing = sum(1 for v in evaluation.train if not v.passed)
    cells = sum(len(v.diff.cells) for v in evaluation.train if v.diff is not None)
    assert failing == 5 and cells > 5 * 10  # the premise: many cells differ on every pair
    assert "\n" not in (ws / f"{TASK}.json").read_text().strip()  # published as one line

    report = _drive(tmp_path, ws, "e2e-diagnostics.mjs", {"scriptName": f"{TASK}.synth.py", "examplesName": f"{TASK}.json", "failingPairs": failing})

    stub = _ok(report, "builtins-stub")
    assert "inputs: dict[str, _JsonValue]" in stub["text"]
    counts = _ok(report, "problems-count")
    # one per failing pair in the script and one in the examples file: 10, not one per cell
    # (and not 20: pulled and pushed diagnostics are not both shown)
    assert counts["total"] == 2 * failing, counts
    layout = _ok(report, "examples-layout-action")
    assert "Lay out the examples" in layout["action"] and layout["dirty"] == 1, layout
    moved = _ok(report, "unsaved-examples-reach-server")
    assert moved["line"] > 1 and moved["dirty"] == 1 and f"{TASK}.json" in moved["tab"].replace("\n", ""), moved
    hover = _ok(report, "examples-hover")
    assert f"{TASK}.json" in hover["tab"].replace("\n", ""), hover
    assert "train pair" in hover["text"] and "❌" in hover["text"] and "expected" in hover["text"], hover
    assert _ok(report, "problems-after")["total"] == 2 * failing
    assert report["ok"], [s for s in report["steps"] if not s["ok"]]
