"""Issue 16, inputs that hung, ate memory or failed silently: each is now a located diagnostic in
the script (the server, over stdio) and a clear message with exit status 2 (the CLI), and no
script can keep the others from running."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import pytest_lsp
from lsprotocol import types
from pytest_lsp import LanguageClient
from server_client import (
    CONFIG,
    EXAMPLES,
    REPO,
    by_code,
    diagnostics_for_version,
    open_doc,
    uri_of,
)

IDENTITY = 'result = {"output_grid": inputs["input_grid"]}\n'
SOLVED_IN_S = 30.0  # generous for a shared machine; a blocked run would never publish at all


@pytest_lsp.fixture(config=CONFIG)
async def client(lsp_client: LanguageClient):
    params = types.InitializeParams(
        capabilities=pytest_lsp.client_capabilities("visual-studio-code"),
        initialization_options={"settings": {"examplesMaxMb": 1}, "clientFeatures": {"runResult": True}},
    )
    await lsp_client.initialize_session(params)
    yield
    await lsp_client.shutdown_session()


def task_copy(root: Path, name: str = "007bbfb7.json") -> Path:
    target = root / name
    target.write_text((EXAMPLES / "007bbfb7.json").read_text())
    return target


def deep_json(root: Path) -> Path:
    path = root / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000)
    return path


def huge_int_json(root: Path) -> Path:
    data = json.loads((EXAMPLES / "007bbfb7.json").read_text())
    text = json.dumps(data).replace("0", "7" * 5000, 1)
    path = root / "huge_int.json"
    path.write_text(text)
    return path


def fifo(root: Path, name: str = "fifo.json") -> Path:
    path = root / name
    os.mkfifo(path)
    return path


def symlink_loop(root: Path, name: str = "loop.json") -> Path:
    path = root / name
    (root / "loop-other.json").symlink_to(path)
    path.symlink_to(root / "loop-other.json")
    return path


def big_file(root: Path) -> Path:
    path = root / "big.json"
    with open(path, "wb") as handle:
        handle.truncate(3 * 1024 * 1024)  # sparse: 3 MB of zeros, over the 1 MB set in the fixture
    return path


BROKEN = {
    "a FIFO": (fifo, "not a regular file (a FIFO)"),
    "/dev/zero": (lambda root: Path("/dev/zero"), "not a regular file (a device)"),
    "a file over the size cap": (big_file, "over the limit of 1 MB"),
    "nesting 100,000 deep": (deep_json, "nested too deeply"),
    "a 5,000-digit integer": (huge_int_json, "more than 4300 digits"),
    "a symlink loop": (symlink_loop, "symlink loop"),
}


@pytest.mark.parametrize("case", list(BROKEN))
async def test_broken_examples_named_by_the_header_are_a_diagnostic_at_the_header(client: LanguageClient, tmp_path: Path, case: str):
    make, expected = BROKEN[case]
    examples = make(tmp_path)
    script = tmp_path / "x.synth.py"
    text = f"# a script\n# synth: examples = {examples}\n" + IDENTITY
    script.write_text(text)
    open_doc(client, uri_of(script), text)
    [diagnostic] = await diagnostics_for_version(client, uri_of(script), 1)
    assert diagnostic.code == "examples" and expected in diagnostic.message, diagnostic.message
    assert diagnostic.range.start.line == 1  # the `examples` header line


@pytest.mark.parametrize("case", ["a FIFO", "a symlink loop"])
async def test_broken_examples_found_by_name_are_a_diagnostic_at_the_top(client: LanguageClient, tmp_path: Path, case: str):
    make, expected = BROKEN[case]
    make(tmp_path, "x.json")  # x.synth.py pairs with x.json by name
    script = tmp_path / "x.synth.py"
    script.write_text(IDENTITY)
    open_doc(client, uri_of(script), IDENTITY)
    [diagnostic] = await diagnostics_for_version(client, uri_of(script), 1)
    assert diagnostic.code == "examples" and expected in diagnostic.message, diagnostic.message
    assert diagnostic.range.start.line == 0


async def test_scripts_on_fifos_do_not_block_the_others(client: LanguageClient, tmp_path: Path):
    task_copy(tmp_path)
    for name in ("one", "two", "three"):
        fifo(tmp_path, f"{name}.json")
        (tmp_path / f"{name}.synth.py").write_text(IDENTITY)
        open_doc(client, uri_of(tmp_path / f"{name}.synth.py"), IDENTITY)
    good = tmp_path / "007bbfb7.synth.py"
    good.write_text(IDENTITY)
    open_doc(client, uri_of(good), IDENTITY)
    diagnostics = await diagnostics_for_version(client, uri_of(good), 1)
    assert by_code(diagnostics, "mismatch")  # it ran


async def test_a_header_default_that_fails_its_schema_is_marked_at_its_line(client: LanguageClient, tmp_path: Path):
    task_copy(tmp_path)
    text = '# synth: time_limit = 1\n# synth: default = {"output_grid": "not a grid"}\n' + IDENTITY
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text(text)
    open_doc(client, uri_of(script), text)
    [diagnostic] = await diagnostics_for_version(client, uri_of(script), 1)
    assert diagnostic.code == "examples" and "`default` does not match the result schema" in diagnostic.message
    assert diagnostic.range.start.line == 1


@pytest.mark.parametrize(
    "line, expected",
    [
        ("# synth: time_limit = 1e400", "`time_limit` must be a number > 0 and <= 60"),
        ("# synth: memory_mb = 1e400", "`memory_mb` must be a number > 0 and <= 4096"),
        ("# synth: recursion_limit = 1000000000000000000000000000000", "`recursion_limit` must be a whole number >= 1 and <= 100000"),
        ("# synth: time_limit = NaN", "`time_limit` must be a number > 0 and <= 60"),
    ],
)
async def test_header_values_out_of_range_are_refused_at_their_line(client: LanguageClient, tmp_path: Path, line: str, expected: str):
    task_copy(tmp_path)
    text = f"# my script\n{line}\n" + IDENTITY
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text(text)
    open_doc(client, uri_of(script), text)
    diagnostics = await diagnostics_for_version(client, uri_of(script), 1)
    [header] = by_code(diagnostics, "header")
    assert expected in header.message and header.range.start.line == 1
    # the run used the default and went fine: mismatches, no sandbox failure
    assert by_code(diagnostics, "mismatch") and not by_code(diagnostics, "crash") and not by_code(diagnostics, "timeout")


async def test_settings_out_of_range_are_refused_naming_the_range(client: LanguageClient, tmp_path: Path):
    client.workspace_did_change_configuration(
        types.DidChangeConfigurationParams(settings={"synthLsp": {"timeLimit": float("inf"), "memoryLimitMb": -1, "examplesMaxMb": 0}})
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and len([m for m in client.messages if "synthLsp." in m.message]) < 3:
        await asyncio.sleep(0.05)
    texts = " | ".join(m.message for m in client.messages)
    assert "synthLsp.timeLimit must be a number > 0 and <= 60" in texts and "keeping 2.0" in texts, texts
    assert "synthLsp.memoryLimitMb must be a number > 0 and <= 4096" in texts, texts
    assert "synthLsp.examplesMaxMb must be a number >= 0.001 and <= 1024" in texts, texts
    task_copy(tmp_path)
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text(IDENTITY)
    open_doc(client, uri_of(script), IDENTITY)
    diagnostics = await diagnostics_for_version(client, uri_of(script), 1)
    assert by_code(diagnostics, "mismatch") and not by_code(diagnostics, "crash")  # the previous limits ran it


async def test_a_script_at_its_time_cap_does_not_starve_another(client: LanguageClient, tmp_path: Path):
    task_copy(tmp_path)
    spin = "# synth: examples = 007bbfb7.json\n# synth: time_limit = 60\nwhile True:\n    pass\n"
    spinner = tmp_path / "spin.synth.py"
    spinner.write_text(spin)
    open_doc(client, uri_of(spinner), spin)
    await asyncio.sleep(1.0)  # its five pairs hold what they may of the sandbox
    good = tmp_path / "007bbfb7.synth.py"
    good.write_text(IDENTITY)
    started = time.monotonic()
    open_doc(client, uri_of(good), IDENTITY)
    diagnostics = await diagnostics_for_version(client, uri_of(good), 1)
    assert by_code(diagnostics, "mismatch")
    assert time.monotonic() - started < SOLVED_IN_S


async def test_two_slow_scripts_do_not_starve_a_third(client: LanguageClient, tmp_path: Path):
    """Two scripts whose every pair loops for 6 s: the third waits for a pair of theirs at most, not
    for their runs (5 pairs each)."""
    task_copy(tmp_path)
    spin = "# synth: examples = 007bbfb7.json\n# synth: time_limit = 6\nwhile True:\n    pass\n"
    for name in ("spin1", "spin2"):
        (tmp_path / f"{name}.synth.py").write_text(spin)
        open_doc(client, uri_of(tmp_path / f"{name}.synth.py"), spin)
    await asyncio.sleep(1.0)
    good = tmp_path / "007bbfb7.synth.py"
    good.write_text(IDENTITY)
    started = time.monotonic()
    open_doc(client, uri_of(good), IDENTITY)
    diagnostics = await diagnostics_for_version(client, uri_of(good), 1)
    assert by_code(diagnostics, "mismatch")
    assert time.monotonic() - started < 20.0  # one 6 s pair, with room for a busy machine; 30 s is a whole run


async def test_cr_only_line_endings_keep_ranges_inside_their_lines(client: LanguageClient, tmp_path: Path):
    task_copy(tmp_path)
    text = "grid = inputs['input_grid']\rrow = grid[0]\rvalue = row[99]\rresult = {'output_grid': grid}\r"
    script = tmp_path / "007bbfb7.synth.py"
    script.write_bytes(text.encode())
    open_doc(client, uri_of(script), text)
    [error] = by_code(await diagnostics_for_version(client, uri_of(script), 1), "runtime")
    lines = text.split("\r")
    assert error.range.start.line == error.range.end.line == 2
    assert error.range.end.character <= len(lines[2]) and lines[2][error.range.start.character :].startswith("row[99]")


# -- the command line -------------------------------------------------------------------------
def synth_lsp(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.run([sys.executable, "-m", "synth_lsp", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize("case", list(BROKEN))
def test_check_and_new_say_what_is_wrong_and_exit_2(tmp_path: Path, case: str):
    make, expected = BROKEN[case]
    examples = make(tmp_path)
    if case == "a file over the size cap":
        with open(examples, "wb") as handle:
            handle.truncate(9 * 1024 * 1024)  # over the default 8 MB
        expected = "over the limit of 8 MB"
    script = tmp_path / "x.synth.py"
    script.write_text(f"# synth: examples = {examples}\n" + IDENTITY)
    for args in (("check", str(script)), ("new", str(examples))):
        done = synth_lsp(*args, cwd=tmp_path)
        assert done.returncode == 2 and expected in done.stderr and "Traceback" not in done.stderr, (args, done.stderr)


def test_check_names_the_header_line_of_a_default_that_fails_its_schema(tmp_path: Path):
    task_copy(tmp_path)
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text('# synth: time_limit = 1\n# synth: default = {"output_grid": 3}\n' + IDENTITY)
    done = synth_lsp("check", str(script), cwd=tmp_path)
    assert done.returncode == 2 and f"{script}:2: the header's `default` does not match" in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize("option, value", [("--time-limit", "-1"), ("--time-limit", "nan"), ("--time-limit", "1e400"), ("--memory-mb", "0"), ("--memory-mb", "99999")])
def test_check_refuses_options_out_of_range_naming_it(tmp_path: Path, option: str, value: str):
    task_copy(tmp_path)
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text(IDENTITY)
    done = synth_lsp("check", str(script), option, value, cwd=tmp_path)
    assert done.returncode == 2 and "must be a number > 0 and <=" in done.stderr


def test_check_json_into_a_closed_pipe_exits_quietly(tmp_path: Path):
    task_copy(tmp_path)
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text(IDENTITY)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = f"{sys.executable} -m synth_lsp check --json {script} | true; echo ${{PIPESTATUS[0]}} >&2"  # `true` reads nothing
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert "Traceback" not in done.stderr and "BrokenPipe" not in done.stderr, done.stderr
    assert done.stderr.strip() == "1"  # check's own status (a pair fails), not a crash


def test_check_refuses_a_script_that_is_not_a_regular_file(tmp_path: Path):
    task_copy(tmp_path)
    os.mkfifo(tmp_path / "007bbfb7.synth.py")
    done = synth_lsp("check", str(tmp_path / "007bbfb7.synth.py"), cwd=tmp_path)
    assert done.returncode == 2 and "not a regular file (a FIFO)" in done.stderr


async def test_an_open_examples_file_over_the_cap_is_refused_too(client: LanguageClient, tmp_path: Path):
    examples = task_copy(tmp_path)
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text(IDENTITY)
    huge = examples.read_text()[:-1] + ', "padding": "' + "x" * (2 * 1024 * 1024) + '"}'  # valid JSON, 2 MB: over 1 MB
    open_doc(client, uri_of(examples), huge, language="json")
    open_doc(client, uri_of(script), IDENTITY)
    [diagnostic] = await diagnostics_for_version(client, uri_of(script), 1)
    assert diagnostic.code == "examples" and "over the limit of 1 MB" in diagnostic.message


@pytest.mark.parametrize("args", [("walls",), ("walls", "--json")])
def test_other_commands_into_a_closed_pipe_exit_quietly(tmp_path: Path, args: tuple[str, ...]):
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    command = f"{sys.executable} -m synth_lsp {' '.join(args)} | true"
    done = subprocess.run(["bash", "-c", command], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
    assert done.stderr == "", done.stderr


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_check_stops_at_once_on_ctrl_c_and_sigterm_with_its_workers(tmp_path: Path, signum):
    from hardening_wire import descendants, wait_gone

    task_copy(tmp_path)
    script = tmp_path / "007bbfb7.synth.py"
    script.write_text("# synth: time_limit = 30\nwhile True:\n    pass\n")
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    check = subprocess.Popen([sys.executable, "-m", "synth_lsp", "check", str(script)], cwd=tmp_path, env=env, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 30
        while not any("monty" in cmd for cmd, _ in descendants(check.pid).values()):
            assert time.monotonic() < deadline, "no sandbox worker started"
            time.sleep(0.1)
        time.sleep(0.5)
        workers = descendants(check.pid)
        check.send_signal(signum)
        assert check.wait(5) == 128 + signum
        assert not wait_gone(workers, 3), "a sandbox worker outlived check"
        assert "Traceback" not in check.stderr.read()
    finally:
        check.kill()
        check.wait(10)
