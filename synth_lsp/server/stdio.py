"""Serving LSP over stdio (or TCP): the message loop, with stdin read by the event loop itself.

pygls' own stdio reader hands every header line and every body to a thread (`run_in_executor`),
three or four thread hops per message: about a millisecond of each save's latency on a busy
machine. Here stdin is a pipe connected to the loop (`connect_read_pipe`), so a message is read
where it is handled; anything that is not a pipe (a file, a terminal) is read on one thread.

The loop hands each body to the protocol (`SynthProtocol.receive`, which answers every request),
and when the input ends, or the client can no longer be written to, the server's `Lifetime` ends
the process: an editor that went away leaves nothing running behind it.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
from concurrent.futures import ThreadPoolExecutor
from typing import BinaryIO, Protocol

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # a longer body is skipped, not read into memory
MAX_HEADER_LINE = 64 * 1024
SKIP_CHUNK = 1024 * 1024


class Reader(Protocol):
    async def readline(self) -> bytes: ...

    async def readexactly(self, n: int) -> bytes: ...


class PipeReader:
    """The reader the message loop wants (`readline`, `readexactly`), on a pipe."""

    def __init__(self, stdin: BinaryIO):
        self._stdin = stdin
        self._reader: asyncio.StreamReader | None = None

    async def _stream(self) -> asyncio.StreamReader:
        if self._reader is None:
            reader = asyncio.StreamReader(limit=MAX_HEADER_LINE)
            loop = asyncio.get_running_loop()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), self._stdin)
            self._reader = reader
        return self._reader

    async def readline(self) -> bytes:
        stream = await self._stream()
        try:
            return await stream.readline()
        except ValueError:  # a header line longer than the limit: not LSP; drop what was read
            log.warning("dropping a header line longer than %d bytes", MAX_HEADER_LINE)
            return b"\r\n"

    async def readexactly(self, n: int) -> bytes:
        try:
            return await (await self._stream()).readexactly(n)
        except asyncio.IncompleteReadError as exc:  # the client went away mid-message
            return exc.partial


class ThreadReader:
    """The same, for a stdin that is not a pipe: blocking reads on one thread."""

    def __init__(self, stdin: BinaryIO):
        self._stdin = stdin
        self._thread = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stdin")

    async def readline(self) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._stdin.readline, MAX_HEADER_LINE)

    async def readexactly(self, n: int) -> bytes:
        return await asyncio.get_running_loop().run_in_executor(self._thread, self._stdin.read, n)


def is_pipe(stream: BinaryIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


async def read_content_length(reader: Reader) -> int | None:
    """Read one message's headers; its Content-Length (-1 when it has none), None at the end of input."""
    length = -1
    while True:
        line = await reader.readline()
        if not line:
            return None
        text = line.strip()
        if not text:
            return length
        name, _, value = text.partition(b":")
        if name.strip().lower() == b"content-length":
            try:
                length = int(value.strip())
            except ValueError:
                log.warning("ignoring a malformed header: %r", text[:80])


async def read_messages(reader: Reader, protocol) -> None:
    """Hand every message body to `protocol.receive` until the input ends."""
    while True:
        length = await read_content_length(reader)
        if length is None:
            return
        if length < 0:
            log.warning("ignoring a message without a Content-Length header")
            continue
        if length > MAX_MESSAGE_BYTES:
            log.warning("skipping a message of %d bytes (the limit is %d)", length, MAX_MESSAGE_BYTES)
            if not await _skip(reader, length):
                return
            continue
        body = await reader.readexactly(length)
        if len(body) < length:
            return  # the client went away mid-message
        try:
            protocol.receive(body)
        except BrokenPipeError:
            raise
        except Exception:  # a bug of ours: keep serving the next message
            log.exception("could not handle a message")


async def _skip(reader: Reader, length: int) -> bool:
    while length > 0:
        chunk = await reader.readexactly(min(length, SKIP_CHUNK))
        if not chunk:
            return False
        length -= len(chunk)
    return True


def serve_tcp(server, host: str, port: int) -> None:
    """Serve one client on TCP with the same message loop; the process ends with its connection."""

    async def connection(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        server.protocol.set_writer(writer)
        try:
            await read_messages(reader, server.protocol)
        except (BrokenPipeError, ConnectionError):
            log.error("the client closed the connection")
        server.lifetime.exit()

    async def listen() -> None:
        listener = await asyncio.start_server(connection, host, port, limit=MAX_HEADER_LINE)
        async with listener:
            await listener.serve_forever()

    server.lifetime.install_signal_handlers()
    try:
        asyncio.run(listen())
    except (KeyboardInterrupt, SystemExit):
        pass
    server.lifetime.exit()


def serve_stdio(server, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve until the client sends `exit` or closes stdin; then the process ends (it does not return)."""
    from pygls.io_ import StdoutWriter

    server.lifetime.install_signal_handlers()
    server.protocol.set_writer(StdoutWriter(stdout))
    reader: Reader = PipeReader(stdin) if is_pipe(stdin) else ThreadReader(stdin)
    try:
        asyncio.run(read_messages(reader, server.protocol))
    except BrokenPipeError:
        log.error("the client closed the connection")
    except (KeyboardInterrupt, SystemExit):
        pass
    server.lifetime.exit()
