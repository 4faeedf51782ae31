"""A raw LSP client over the server's real stdio pipes, for tests that must own the process: close
its stdin, signal it, kill it, send bodies that are not LSP, and count its child processes."""

from __future__ import annotations

import json
import os
import select
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
SERVER_COMMAND = [sys.executable, "-m", "synth_lsp", "serve", "--stdio"]


def frame(message: Any) -> bytes:
    body = message if isinstance(message, bytes) else json.dumps(message).encode()
    return b"Content-Length: %d\r\n\r\n" % len(body) + body


class WireClient:
    def __init__(self, env: dict[str, str] | None = None, cwd: Path = REPO):
        environment = {**os.environ, "PYTHONPATH": str(REPO) + os.pathsep + os.environ.get("PYTHONPATH", ""), **(env or {})}
        self.process = subprocess.Popen(
            SERVER_COMMAND, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, cwd=cwd, env=environment
        )
        self._buffer = b""
        self.received: list[dict[str, Any]] = []
        self._next_id = 1000

    @property
    def pid(self) -> int:
        return self.process.pid

    # -- sending -------------------------------------------------------------------------------
    def send_raw(self, body: bytes) -> None:
        self.process.stdin.write(frame(body))
        self.process.stdin.flush()

    def send(self, message: dict[str, Any]) -> None:
        self.send_raw(json.dumps(message).encode())

    def notify(self, method: str, params: Any = None) -> None:
        message: dict[str, Any] = {"jsonrpc": "2.0", "method": method}
        if params is not None:
            message["params"] = params
        self.send(message)

    def request(self, method: str, params: Any = None, msg_id: Any = None, omit_params: bool = False) -> Any:
        if msg_id is None:
            self._next_id += 1
            msg_id = self._next_id
        message: dict[str, Any] = {"jsonrpc": "2.0", "id": msg_id, "method": method}
        if not omit_params:
            message["params"] = params
        self.send(message)
        return msg_id

    def call(self, method: str, params: Any = None, timeout: float = 30.0) -> dict[str, Any]:
        return self.response(self.request(method, params), timeout)

    def initialize(self, settings: dict[str, Any] | None = None, features: dict[str, bool] | None = None, root: Path | None = None) -> dict[str, Any]:
        options = {"settings": settings or {}, "clientFeatures": features or {}}
        params = {"processId": os.getpid(), "capabilities": {}, "initializationOptions": options, "rootUri": root.as_uri() if root else None}
        answer = self.call("initialize", params)
        self.notify("initialized", {})
        return answer

    def open(self, path: Path, text: str | None = None, version: int = 1) -> str:
        uri = path.resolve().as_uri()
        text = path.read_text() if text is None else text
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "python", "version": version, "text": text}})
        return uri

    # -- receiving -----------------------------------------------------------------------------
    def pump(self, timeout: float = 0.05) -> None:
        """Read whatever the server wrote within `timeout`, answering its requests with null."""
        ready, _, _ = select.select([self.process.stdout], [], [], timeout)
        if ready:
            chunk = os.read(self.process.stdout.fileno(), 1 << 20)
            self._buffer += chunk
        while b"\r\n\r\n" in self._buffer:
            head, rest = self._buffer.split(b"\r\n\r\n", 1)
            length = int([line for line in head.split(b"\r\n") if line.lower().startswith(b"content-length")][0].split(b":")[1])
            if len(rest) < length:
                break
            message = json.loads(rest[:length])
            self._buffer = rest[length:]
            self.received.append(message)
            if "method" in message and "id" in message:  # a request of the server's: say yes with null
                self.send({"jsonrpc": "2.0", "id": message["id"], "result": None})

    def response(self, msg_id: Any, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for message in self.received:
                if message.get("id") == msg_id and "method" not in message:
                    return message
            self.pump()
        raise AssertionError(f"no response to request {msg_id!r} within {timeout} s")

    def wait_until(self, predicate, timeout: float, what: str) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self.pump()
            if predicate():
                return
        raise AssertionError(f"{what}: not within {timeout} s")

    def notifications(self, method: str) -> list[dict[str, Any]]:
        self.pump(0)
        return [m for m in self.received if m.get("method") == method and "id" not in m]

    def stderr_text(self) -> str:
        """The server's log (only once it has exited)."""
        return self.process.stderr.read().decode("utf-8", "replace")

    def close(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
        self.process.wait(10)
        for stream in (self.process.stdin, self.process.stdout, self.process.stderr):
            try:
                stream.close()
            except OSError:
                pass


# -- processes -------------------------------------------------------------------------------
def _stat(pid: int) -> tuple[str, int] | None:
    """(state, start time) of a process, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[19])


def children_of(pid: int) -> list[int]:
    pids: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return pids
    for task in tasks:
        try:
            pids.extend(int(p) for p in Path(f"/proc/{pid}/task/{task}/children").read_text().split())
        except OSError:
            continue
    return pids


def descendants(pid: int) -> dict[int, tuple[str, int]]:
    """Every live descendant of `pid`: pid -> (command line, start time)."""
    found: dict[int, tuple[str, int]] = {}
    todo = children_of(pid)
    while todo:
        child = todo.pop()
        info = _stat(child)
        if info is None or info[0] == "Z" or child in found:
            continue
        try:
            command = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode().strip()
        except OSError:
            continue
        found[child] = (command, info[1])
        todo.extend(children_of(child))
    return found


def alive(processes: dict[int, tuple[str, int]]) -> dict[int, str]:
    """Those of `processes` (from `descendants`) still running (not the same pid reused, not a zombie)."""
    out = {}
    for pid, (command, started) in processes.items():
        info = _stat(pid)
        if info is not None and info[0] != "Z" and info[1] == started:
            out[pid] = command
    return out


def wait_gone(processes: dict[int, tuple[str, int]], timeout: float) -> dict[int, str]:
    """Wait until none of `processes` runs; those still running after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        left = alive(processes)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.05)
