"""An in-process OpenAI-compatible HTTP server for tests: scripted replies, planned failures, a request log.

Point litellm at it with ``model="openai/anything", api_base=server.api_base, api_key="dummy"``.
It speaks ``POST /v1/chat/completions`` and ``POST /v1/embeddings`` (stdlib only, no network), and
Ollama's ``POST /api/chat`` and ``/api/embed`` (``model="ollama_chat/anything", api_base=server.root``).

    with FakeOpenAI() as server:
        server.reply("```python\\nresult = {}\\n```")      # next chat reply
        server.fail(429, retry_after=0.1)                 # ...or a failure first
        server.responder = lambda request: Reply("...")   # ...or compute replies from the request
        ...
        server.chat_requests()   # what litellm really sent

A planned item (reply or failure) is consumed by the next chat request; with nothing planned, the
`responder` answers (default: a reply with no code). Embeddings are deterministic vectors of hashed
character trigrams, so similar texts get similar vectors.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
import time
from collections import deque
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Callable

EMBEDDING_DIMENSIONS = 64


@dataclass(frozen=True)
class Reply:
    """A chat completion the server returns."""

    content: str
    finish_reason: str = "stop"
    prompt_tokens: int | None = None  # None: estimated from the request's size
    completion_tokens: int | None = None  # None: estimated from the content's size
    delay_s: float = 0.0  # wait before answering (for timeout tests)


@dataclass(frozen=True)
class Failure:
    """An HTTP error the server returns instead of a reply."""

    status: int
    retry_after: float | None = None  # seconds, sent as the Retry-After header
    message: str = ""
    delay_s: float = 0.0
    echo_key: bool = False  # append the request's bearer token to the message (as careless APIs do)


@dataclass(frozen=True)
class LoggedRequest:
    path: str
    body: dict[str, Any]
    at: float  # time.monotonic() when it arrived
    answered_with: str  # "reply", "failure 429", ...

    @property
    def messages(self) -> list[dict[str, Any]]:
        return list(self.body.get("messages", []))

    @property
    def prompt_text(self) -> str:
        """Every message's text, joined: what a test asserts a prompt contains (or does not)."""
        parts = []
        for message in self.messages:
            content = message.get("content")
            if isinstance(content, list):  # content parts
                parts.extend(str(p.get("text", "")) for p in content if isinstance(p, dict))
            else:
                parts.append(str(content or ""))
        return "\n".join(parts)


Responder = Callable[[dict[str, Any]], "Reply | Failure"]


def default_responder(body: dict[str, Any]) -> Reply:
    return Reply("I have no idea how to solve this.")


def estimate_tokens(text: str) -> int:
    return max(1, len(text) // 4)


def embed_text(text: str, dimensions: int = EMBEDDING_DIMENSIONS) -> list[float]:
    """A deterministic unit vector of hashed character trigrams."""
    vector = [0.0] * dimensions
    for i in range(max(1, len(text) - 2)):
        digest = hashlib.blake2b(text[i : i + 3].encode(), digest_size=4).digest()
        vector[int.from_bytes(digest, "little") % dimensions] += 1.0
    norm = math.sqrt(sum(v * v for v in vector)) or 1.0
    return [v / norm for v in vector]


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256  # the default backlog of 5 stalls concurrent calls

    def handle_error(self, request, client_address) -> None:
        import sys

        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return  # a client that gave up (timeouts, cancelled calls): expected in these tests
        super().handle_error(request, client_address)


class FakeOpenAI:
    """A threaded stdlib HTTP server on 127.0.0.1 (a free port); start with `with` or `start()`."""

    def __init__(self, responder: Responder | None = None):
        self.responder: Responder = responder or default_responder
        self._plan: deque[Reply | Failure] = deque()
        self._log: list[LoggedRequest] = []
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._usage = {"chat_calls": 0, "prompt_tokens": 0, "completion_tokens": 0, "embedding_calls": 0, "embedding_tokens": 0}

    # -- scripting ----------------------------------------------------------------------------
    def reply(self, content: str, **kwargs: Any) -> "FakeOpenAI":
        with self._lock:
            self._plan.append(Reply(content, **kwargs))
        return self

    def fail(self, status: int, retry_after: float | None = None, message: str = "", delay_s: float = 0.0, echo_key: bool = False) -> "FakeOpenAI":
        with self._lock:
            self._plan.append(Failure(status, retry_after, message, delay_s, echo_key))
        return self

    def plan(self, *items: Reply | Failure) -> "FakeOpenAI":
        with self._lock:
            self._plan.extend(items)
        return self

    @property
    def pending(self) -> int:
        with self._lock:
            return len(self._plan)

    # -- the log ------------------------------------------------------------------------------
    @property
    def requests(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    def chat_requests(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path.endswith("/chat/completions") or r.path == "/api/chat"]

    def embedding_requests(self) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path.endswith("/embeddings") or r.path == "/api/embed"]

    def clear_log(self) -> None:
        with self._lock:
            self._log.clear()
            for key in self._usage:
                self._usage[key] = 0

    @property
    def usage(self) -> dict[str, int]:
        """What the server answered and billed in its replies' `usage`: chat calls answered with a
        reply, their prompt and completion tokens, embedding calls and their tokens."""
        with self._lock:
            return dict(self._usage)

    def _bill(self, **amounts: int) -> None:
        with self._lock:
            for key, value in amounts.items():
                self._usage[key] += value

    # -- lifecycle ----------------------------------------------------------------------------
    @property
    def port(self) -> int:
        assert self._server is not None, "the server is not started"
        return self._server.server_address[1]

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def api_base(self) -> str:
        return self.root + "/v1"

    def start(self) -> "FakeOpenAI":
        handler = type("Handler", (_Handler,), {"fake": self})
        server = _Server(("127.0.0.1", 0), handler)
        self._server = server
        self._thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> "FakeOpenAI":
        return self.start()

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- answering (called from the handler's thread) -----------------------------------------
    def _next_chat_answer(self, body: dict[str, Any]) -> Reply | Failure:
        with self._lock:
            planned = self._plan.popleft() if self._plan else None
        return planned if planned is not None else self.responder(body)

    def _record(self, path: str, body: dict[str, Any], answered_with: str) -> None:
        with self._lock:
            self._log.append(LoggedRequest(path, body, time.monotonic(), answered_with))


class _Handler(BaseHTTPRequestHandler):
    fake: FakeOpenAI
    disable_nagle_algorithm = True  # otherwise ~40 ms per call
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:  # keep test output clean
        pass

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        raw = self.rfile.read(length) if length else b""
        try:
            body = json.loads(raw or b"{}")
        except json.JSONDecodeError:
            self._send(400, {"error": {"message": "invalid JSON body", "type": "invalid_request_error"}})
            return
        if self.path.endswith("/chat/completions"):
            self._chat(body)
        elif self.path.endswith("/embeddings"):
            self._embeddings(body)
        elif self.path == "/api/chat":
            self._chat(body, ollama=True)
        elif self.path == "/api/embed":
            self._embeddings(body, ollama=True)
        elif self.path == "/api/show":  # litellm asks Ollama about the model first
            self.fake._record(self.path, body, "reply")
            self._send(200, {"modelfile": "", "parameters": "", "template": "", "details": {}, "model_info": {}})
        else:
            self.fake._record(self.path, body, "failure 404")
            self._send(404, {"error": {"message": f"no route {self.path}", "type": "not_found"}})

    def _chat(self, body: dict[str, Any], ollama: bool = False) -> None:
        answer = self.fake._next_chat_answer(body)
        if isinstance(answer, Failure):
            self.fake._record(self.path, body, f"failure {answer.status}")
            if answer.delay_s:
                time.sleep(answer.delay_s)
            headers = {"Retry-After": f"{answer.retry_after:g}"} if answer.retry_after is not None else {}
            message = answer.message or f"planned failure {answer.status}"
            if answer.echo_key:
                message += f" (key: {self.headers.get('Authorization', '').removeprefix('Bearer ')})"
            self._send(answer.status, {"error": {"message": message, "type": "fake_error", "code": answer.status}}, headers)
            return
        self.fake._record(self.path, body, "reply")
        if answer.delay_s:
            time.sleep(answer.delay_s)
        prompt_text = json.dumps(body.get("messages", []))
        prompt_tokens = answer.prompt_tokens if answer.prompt_tokens is not None else estimate_tokens(prompt_text)
        completion_tokens = answer.completion_tokens if answer.completion_tokens is not None else estimate_tokens(answer.content)
        self.fake._bill(chat_calls=1, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens)
        if ollama:
            self._send(
                200,
                {
                    "model": body.get("model", "fake"),
                    "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
                    "message": {"role": "assistant", "content": answer.content},
                    "done": True,
                    "done_reason": answer.finish_reason,
                    "prompt_eval_count": prompt_tokens,
                    "eval_count": completion_tokens,
                },
            )
            return
        self._send(
            200,
            {
                "id": "chatcmpl-fake",
                "object": "chat.completion",
                "created": int(time.time()),
                "model": body.get("model", "fake"),
                "choices": [
                    {
                        "index": 0,
                        "message": {"role": "assistant", "content": answer.content},
                        "finish_reason": answer.finish_reason,
                    }
                ],
                "usage": {
                    "prompt_tokens": prompt_tokens,
                    "completion_tokens": completion_tokens,
                    "total_tokens": prompt_tokens + completion_tokens,
                },
            },
        )

    def _embeddings(self, body: dict[str, Any], ollama: bool = False) -> None:
        self.fake._record(self.path, body, "reply")
        texts = body.get("input", [])
        if isinstance(texts, str):
            texts = [texts]
        self.fake._bill(embedding_calls=1, embedding_tokens=sum(estimate_tokens(str(t)) for t in texts))
        if ollama:
            vectors = [embed_text(str(t)) for t in texts]
            self._send(200, {"model": body.get("model", "fake"), "embeddings": vectors, "prompt_eval_count": sum(estimate_tokens(str(t)) for t in texts)})
            return
        data = [{"object": "embedding", "index": i, "embedding": embed_text(str(t))} for i, t in enumerate(texts)]
        tokens = sum(estimate_tokens(str(t)) for t in texts)
        self._send(200, {"object": "list", "data": data, "model": body.get("model", "fake"), "usage": {"prompt_tokens": tokens, "total_tokens": tokens}})

    def _send(self, status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for key, value in (headers or {}).items():
                self.send_header(key, value)
            self.end_headers()
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (a timeout test): nothing to do
