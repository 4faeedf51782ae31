"""pygls' protocol, made to answer every request (LSP requires it) and to log what it cannot read
in one line.

pygls structures a message inside `json.loads` (as its object hook); when the params do not fit
the method's type the exception carries no request id, so nothing is answered and a traceback is
logged. Here a message that cannot be structured becomes an `Unreadable` value instead, and
`handle_message` answers it:

- a request whose params do not fit: `InvalidParams`, at once;
- any request before `initialize`: `ServerNotInitialized` (-32002);
- a second `initialize`, or any request after `shutdown` (a second `shutdown` too): `InvalidRequest`;
- `exit`: the server's `Lifetime` ends the process (0 after `shutdown`, else 1), as does a client
  that stops reading (a write fails with a broken pipe);
- a body that is not a JSON-RPC message, a notification that does not fit, or one that comes
  before `initialize` or after `shutdown`: logged in one line and dropped.

A handler that raises `ValueError` (an argument it cannot use) is answered with `InvalidParams`,
and a JSON-RPC error it raises is passed on, each logged in one line; anything else is a bug of
ours, answered with `InternalError` and logged with its traceback.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
from dataclasses import dataclass
from typing import Any

from lsprotocol import types
from pygls.exceptions import JsonRpcException, JsonRpcInvalidParams
from pygls.protocol import LanguageServerProtocol
from pygls.protocol.json_rpc import (
    JsonRPCNotification,
    JsonRPCRequestMessage,
    JsonRPCResponseMessage,
    RPCRequest,
)

log = logging.getLogger(__name__)

PREVIEW_CHARS = 120


@dataclass(frozen=True)
class Unreadable:
    """A JSON-RPC object whose fields do not fit its method's types."""

    data: dict[str, Any]
    reason: str


def preview(value: Any) -> str:
    text = value.decode("utf-8", "replace") if isinstance(value, (bytes, bytearray)) else repr(value)
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "..."


def _reason(exc: BaseException) -> str:
    """The first line of what went wrong, with the innermost cause (cattrs nests them)."""
    while exc.__cause__ is not None:
        exc = exc.__cause__
    parts = getattr(exc, "exceptions", None)
    if parts:
        return _reason(parts[0])
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"[:200]


class SynthProtocol(LanguageServerProtocol):
    def __init__(self, server, converter):
        super().__init__(server, converter)
        self.initialize_seen = False

    # -- reading ---------------------------------------------------------------------------
    def receive(self, body: bytes) -> None:
        """Handle one message body read by the transport."""
        try:
            data = json.loads(body)
        except (ValueError, RecursionError) as exc:
            log.warning("ignoring a message that is not JSON (%s): %s", _reason(exc), preview(body))
            return
        if not isinstance(data, dict):
            log.warning("ignoring a message that is not a JSON-RPC object: %s", preview(body))
            return
        self.handle_message(self.structure_message(data))

    def structure_message(self, data: dict[str, Any]):
        if "jsonrpc" not in data:
            return data  # an inner object (pygls' loops call this for every object of a body)
        try:
            return self._structure(data)
        except Exception as exc:
            return Unreadable(data, _reason(exc))

    def _structure(self, data: dict[str, Any]) -> Any:
        # what pygls' structure_message does, without its traceback in the log
        if "id" in data:
            if "error" in data:
                return self._converter.structure(data, types.ResponseErrorMessage)
            if "method" in data:
                kind = self.get_message_type(data["method"])
                return self._converter.structure(data, kind) if kind else self._generic(data, JsonRPCRequestMessage)
            return self._converter.structure(data, self._result_types.pop(data["id"], None) or JsonRPCResponseMessage)
        kind = self.get_message_type(data.get("method", ""))
        return self._converter.structure(data, kind) if kind else self._generic(data, JsonRPCNotification)

    def _generic(self, data: dict[str, Any], kind: type) -> Any:
        """A method lsprotocol does not know (a custom one): its params are optional."""
        return self._converter.structure({"params": None, **data}, kind)

    # -- dispatching -----------------------------------------------------------------------
    def handle_message(self, message: Any) -> None:
        if isinstance(message, Unreadable):
            self._handle_unreadable(message)
            return
        if getattr(message, "jsonrpc", None) != self.VERSION:
            log.warning("ignoring a message that is not JSON-RPC %s: %s", self.VERSION, preview(message))
            if isinstance(message, RPCRequest):
                self.send_error(message.id, types.ErrorCodes.InvalidRequest, f"not a JSON-RPC {self.VERSION} request")
            return
        method = getattr(message, "method", None)
        if method == types.EXIT:
            self._server.lifetime.exit(0 if self._shutdown else 1)
            return
        if isinstance(message, RPCRequest):
            refusal = self._refusal(method)
            if refusal is not None:
                self.send_error(message.id, *refusal)
                return
            if method == types.INITIALIZE:
                self.initialize_seen = True
        elif method is not None and (not self.initialize_seen or self._shutdown):
            log.info("dropping the notification %s: %s", method, "before initialize" if not self.initialize_seen else "after shutdown")
            return
        super().handle_message(message)

    def _refusal(self, method: str) -> tuple[int, str] | None:
        """Why a request may not be handled now (an error code and message), or None."""
        if method == types.INITIALIZE:
            return (types.ErrorCodes.InvalidRequest, "initialize was already received") if self.initialize_seen else None
        if not self.initialize_seen:
            return types.ErrorCodes.ServerNotInitialized, f"{method}: the server is not initialized yet"
        if self._shutdown:
            return types.ErrorCodes.InvalidRequest, f"{method}: the server is shutting down (only `exit` is accepted)"
        return None

    def _handle_unreadable(self, message: Unreadable) -> None:
        data = message.data
        method = data.get("method")
        if "id" in data and isinstance(method, str):
            msg_id = data["id"] if isinstance(data["id"], (str, int)) and not isinstance(data["id"], bool) else None
            log.warning("invalid params for %s (id %r): %s", method, msg_id, message.reason)
            if data.get("jsonrpc") != self.VERSION:
                refusal: tuple[int, str] | None = (types.ErrorCodes.InvalidRequest, f"not a JSON-RPC {self.VERSION} request")
            else:
                refusal = self._refusal(method) if msg_id is not None else None
            code, text = refusal or (types.ErrorCodes.InvalidParams, f"invalid params for {method}: {message.reason}")
            self.send_error(msg_id, code, text)
        elif "id" in data and "method" not in data:  # the client's answer to our request: fail it, never leave it pending
            log.warning("an answer to request %r does not fit its type: %s", data.get("id"), message.reason)
            future = self._request_futures.pop(data["id"], None) if isinstance(data["id"], (str, int)) else None
            if future is not None and not future.done():
                future.set_exception(JsonRpcInvalidParams(f"the client's answer does not fit: {message.reason}"))
        else:
            log.warning("ignoring a message that does not fit its method (%s): %s", message.reason, preview(data))

    def _send_data(self, data: Any) -> None:
        # pygls' own, without its traceback for a broken pipe
        if not data or self.writer is None:
            return
        try:
            body = json.dumps(data, default=self._serialize_message)
        except (TypeError, ValueError) as exc:  # a bug of ours: say which message
            log.error("cannot send %s: %s", preview(data), exc)
            return
        if self._include_headers:
            body = f"Content-Length: {len(body.encode(self.CHARSET))}\r\nContent-Type: {self.CONTENT_TYPE}; charset={self.CHARSET}\r\n\r\n" + body
        try:
            written = self.writer.write(body.encode(self.CHARSET))
            if inspect.isawaitable(written):
                asyncio.ensure_future(written)
        except (BrokenPipeError, ConnectionError):  # the client stopped reading: nobody hears us, so leave
            log.error("the client closed the connection")
            self._server.lifetime.exit()

    def send_error(self, msg_id: Any, code: int, message: str) -> None:
        self._send_data({"jsonrpc": self.VERSION, "id": msg_id, "error": {"code": int(code), "message": message}})

    # -- answering ---------------------------------------------------------------------------
    def _send_handler_result(self, future, *, msg_id):
        if future.cancelled() or future.exception() is None:
            return super()._send_handler_result(future, msg_id=msg_id)
        exc = future.exception()
        if isinstance(exc, JsonRpcException):
            self._request_futures.pop(msg_id, None)
            log.warning("request %r: %s", msg_id, exc)
            self._send_response(msg_id, error=exc.to_response_error())
        elif isinstance(exc, ValueError):
            self._request_futures.pop(msg_id, None)
            log.warning("request %r: %s", msg_id, exc)
            self.send_error(msg_id, types.ErrorCodes.InvalidParams, str(exc))
        else:
            super()._send_handler_result(future, msg_id=msg_id)
