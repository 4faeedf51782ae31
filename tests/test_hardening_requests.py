"""Issue 16, requests: every request gets an answer at once (a result, or InvalidParams /
InvalidRequest / ServerNotInitialized), and what cannot be read is logged in one line, never as a
traceback. Over the server's real stdio."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hardening_wire import WireClient
from server_client import EXAMPLES

INVALID_REQUEST, METHOD_NOT_FOUND, INVALID_PARAMS, NOT_INITIALIZED = -32600, -32601, -32602, -32002
ANSWER_WITHIN_S = 10.0  # "at once": no request waits on a run; bounded for a shared machine
IDENTITY = 'result = {"output_grid": inputs["input_grid"]}\n'


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    shutil.copy(EXAMPLES / "007bbfb7.json", tmp_path / "007bbfb7.json")
    (tmp_path / "007bbfb7.synth.py").write_text(IDENTITY)
    return tmp_path


@pytest.fixture
def server():
    client = WireClient()
    yield client
    client.close()


def error_code(answer: dict) -> int | None:
    return answer["error"]["code"] if "error" in answer else None


def no_tracebacks(client: WireClient) -> None:
    client.process.wait(10)
    log = client.stderr_text()
    assert "Traceback" not in log, log


def position(line: int, character: int) -> dict:
    return {"line": line, "character": character}


def test_a_request_before_initialize_is_refused_with_server_not_initialized(server: WireClient, workspace: Path):
    uri = (workspace / "007bbfb7.synth.py").as_uri()
    answer = server.response(server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position(0, 0)}), ANSWER_WITHIN_S)
    assert error_code(answer) == NOT_INITIALIZED
    server.initialize(root=workspace)
    assert error_code(server.call("initialize", {"capabilities": {}})) == INVALID_REQUEST  # only once
    server.notify("exit")
    assert server.process.wait(10) == 1
    no_tracebacks(server)


MALFORMED_HOVER = [None, [], "a string", 5, {"textDocument": 5}, {"textDocument": {}, "position": position(0, 0)}, {}]


def test_malformed_params_are_answered_with_invalid_params(server: WireClient, workspace: Path):
    server.initialize(root=workspace)
    uri = server.open(workspace / "007bbfb7.synth.py")
    ids = [server.request("textDocument/hover", params) for params in MALFORMED_HOVER]
    ids.append(server.request("textDocument/hover", omit_params=True))
    ids.append(server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": "everything", "context": {"diagnostics": []}}))
    ids.append(server.request("textDocument/codeLens", {"textDocument": None}))
    ids.append(server.request("workspace/executeCommand", {"command": "synthLsp.rerun", "arguments": [1, 2, 3]}))
    ids.append(server.request("workspace/executeCommand", {"command": "synthLsp.evolve.start", "arguments": "not a list"}))
    for msg_id in ids:
        assert error_code(server.response(msg_id, ANSWER_WITHIN_S)) == INVALID_PARAMS, msg_id
    # a uri that is a number: the converter takes it as text; an answer either way
    answer = server.call("textDocument/hover", {"textDocument": {"uri": 5}, "position": position(0, 0)}, ANSWER_WITHIN_S)
    assert "result" in answer or error_code(answer) == INVALID_PARAMS
    # and the server is still fine
    assert "result" in server.call("textDocument/codeLens", {"textDocument": {"uri": uri}})
    server.response(server.request("shutdown", omit_params=True))
    server.notify("exit")
    no_tracebacks(server)


@pytest.mark.parametrize("line,character", [(-1, 0), (0, -5), (2**31, 0), (0, 2**31), (2**40, 2**40)])
def test_positions_out_of_range_are_invalid_params(server: WireClient, workspace: Path, line: int, character: int):
    server.initialize(root=workspace)
    uri = server.open(workspace / "007bbfb7.synth.py")
    hover = server.request("textDocument/hover", {"textDocument": {"uri": uri}, "position": position(line, character)})
    rng = {"start": position(line, character), "end": position(line, character)}
    action = server.request("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": rng, "context": {"diagnostics": []}})
    for msg_id in (hover, action):
        assert error_code(server.response(msg_id, ANSWER_WITHIN_S)) == INVALID_PARAMS
    server.notify("exit")
    no_tracebacks(server)


def test_positions_past_the_end_of_the_text_get_a_result(server: WireClient, workspace: Path):
    server.initialize(root=workspace)
    uri = server.open(workspace / "007bbfb7.synth.py")
    examples = server.open(workspace / "007bbfb7.json")
    far = position(2**31 - 1, 2**31 - 1)
    for document in (uri, examples, "file:///not/open.synth.py", "untitled:Untitled-1"):
        answer = server.call("textDocument/hover", {"textDocument": {"uri": document}, "position": far}, ANSWER_WITHIN_S)
        assert "result" in answer, answer
        rng = {"start": position(0, 0), "end": far}
        answer = server.call("textDocument/codeAction", {"textDocument": {"uri": document}, "range": rng, "context": {"diagnostics": []}}, ANSWER_WITHIN_S)
        assert "result" in answer, answer
    server.notify("exit")
    no_tracebacks(server)


def test_after_shutdown_every_request_is_invalid_request_and_exit_is_0(server: WireClient, workspace: Path):
    server.initialize(root=workspace)
    uri = server.open(workspace / "007bbfb7.synth.py")
    assert "result" in server.response(server.request("shutdown", omit_params=True), ANSWER_WITHIN_S)
    assert error_code(server.response(server.request("shutdown", omit_params=True), ANSWER_WITHIN_S)) == INVALID_REQUEST
    answer = server.call("textDocument/hover", {"textDocument": {"uri": uri}, "position": position(0, 0)}, ANSWER_WITHIN_S)
    assert error_code(answer) == INVALID_REQUEST
    assert error_code(server.call("textDocument/hover", None, ANSWER_WITHIN_S)) == INVALID_REQUEST
    server.notify("exit")
    assert server.process.wait(10) == 0
    no_tracebacks(server)


def test_bodies_that_are_not_json_rpc_are_logged_in_one_line(server: WireClient, workspace: Path):
    server.initialize(root=workspace)
    bodies = [b"not json", b"[1, 2]", b"42", b'"text"', b"null", b'{"no": "jsonrpc"}', b"\xff\xfe", b"[" * 100_000]
    for body in bodies:
        server.send_raw(body)
    server.send_raw(b'{"jsonrpc": "1.0", "id": "old", "method": "x"}')  # a request, of another version
    assert error_code(server.response("old", ANSWER_WITHIN_S)) == INVALID_REQUEST
    assert error_code(server.call("no/suchMethod", {}, ANSWER_WITHIN_S)) == METHOD_NOT_FOUND
    assert "result" in server.call("textDocument/codeLens", {"textDocument": {"uri": "file:///x.synth.py"}}, ANSWER_WITHIN_S)
    server.notify("exit")
    server.process.wait(10)
    log = server.stderr_text()
    assert "Traceback" not in log, log
    ignored = [line for line in log.splitlines() if "ignoring a message" in line]
    assert len(ignored) == len(bodies) + 1, log  # and the JSON-RPC 1.0 request


def test_over_tcp_too_every_request_is_answered_and_the_server_ends_with_its_client(tmp_path: Path):
    import os
    import socket
    import subprocess
    import sys
    import time

    from hardening_wire import REPO, frame

    with socket.socket() as probe:  # a free port
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    server = subprocess.Popen([sys.executable, "-m", "synth_lsp", "serve", "--tcp", "--port", str(port)], env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                connection = socket.create_connection(("127.0.0.1", port), timeout=5)
                break
            except OSError:
                assert time.monotonic() < deadline, "the server never listened"
                time.sleep(0.1)
        with connection:
            connection.sendall(frame({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {"capabilities": {}}}))
            connection.sendall(frame(b"not json"))
            connection.sendall(frame({"jsonrpc": "2.0", "id": 2, "method": "textDocument/hover", "params": None}))
            received = b""
            while b'"id": 2' not in received and b'"id":2' not in received:
                chunk = connection.recv(65536)
                assert chunk, "the server closed the connection"
                received += chunk
            assert b"-32602" in received
        assert server.wait(10) == 1  # the client went away without shutdown
        log = server.stderr.read().decode()
        assert "Traceback" not in log and "ignoring a message that is not JSON" in log, log
    finally:
        server.kill()
        server.wait(10)


def test_code_actions_on_odd_files_answer_at_once(server: WireClient, workspace: Path):
    """An examples file nested too deeply to lay out, a huge one, and a population file that is a
    FIFO (reading it would block the event loop): each code action and lens is answered."""
    import os

    server.initialize(root=workspace)
    script = server.open(workspace / "007bbfb7.synth.py")
    os.mkfifo(workspace / "007bbfb7.synth.population.json")
    deep = workspace / "deep.json"
    deep.write_text('{"train": ' + "[" * 900 + "]" * 900 + "}")
    huge = workspace / "huge.json"
    huge.write_text('{"train": [], "pad": "' + "x" * 3_000_000 + '"}')
    whole = {"start": position(0, 0), "end": position(0, 0)}
    for path in (deep, huge):
        uri = server.open(path)
        answer = server.call("textDocument/codeAction", {"textDocument": {"uri": uri}, "range": whole, "context": {"diagnostics": []}}, ANSWER_WITHIN_S)
        assert "result" in answer, answer
    for method, params in (
        ("textDocument/codeAction", {"textDocument": {"uri": script}, "range": whole, "context": {"diagnostics": []}}),
        ("textDocument/codeLens", {"textDocument": {"uri": script}}),
        ("workspace/executeCommand", {"command": "synthLsp.population", "arguments": [script]}),
    ):
        assert "result" in server.call(method, params, ANSWER_WITHIN_S), method
    server.notify("exit")
    no_tracebacks(server)


def test_evolving_a_script_whose_file_is_a_fifo_is_answered(server: WireClient, workspace: Path):
    """Starting evolution compares the editor's text with the file: that read must not block the
    event loop when the file is a FIFO."""
    import os

    fifo = workspace / "f.synth.py"
    os.mkfifo(fifo)
    server.initialize(root=workspace)
    uri = server.open(fifo, text="# synth: examples = 007bbfb7.json\n" + IDENTITY)
    answer = server.call("workspace/executeCommand", {"command": "synthLsp.evolve.start", "arguments": [uri]}, ANSWER_WITHIN_S)
    assert "result" in answer, answer
    assert "result" in server.call("textDocument/codeLens", {"textDocument": {"uri": uri}}, ANSWER_WITHIN_S)
    server.notify("exit")
    no_tracebacks(server)
