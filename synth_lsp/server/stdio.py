"""Serving LSP over stdio with stdin read by the event loop itself.

pygls' own stdio reader hands every header line and every body to a thread (`run_in_executor`),
three or four thread hops per message: about a millisecond of each save's latency on a busy
machine. Here stdin is a pipe connected to the loop (`connect_read_pipe`), so a message is read
where it is handled. Anything that is not a pipe (a file, a terminal) is served by pygls' reader.
"""

from __future__ import annotations

import asyncio
import logging
import os
import stat
import sys
import threading
from typing import BinaryIO

log = logging.getLogger(__name__)

MAX_MESSAGE_BYTES = 256 * 1024 * 1024  # a line longer than this ends the session (StreamReader's limit)


class PipeReader:
    """The reader interface pygls' message loop wants (`readline`, `readexactly`), on a pipe."""

    def __init__(self, stdin: BinaryIO):
        self._stdin = stdin
        self._reader: asyncio.StreamReader | None = None

    async def _stream(self) -> asyncio.StreamReader:
        if self._reader is None:
            reader = asyncio.StreamReader(limit=MAX_MESSAGE_BYTES)
            loop = asyncio.get_running_loop()
            await loop.connect_read_pipe(lambda: asyncio.StreamReaderProtocol(reader), self._stdin)
            self._reader = reader
        return self._reader

    async def readline(self) -> bytes:
        return await (await self._stream()).readline()

    async def readexactly(self, n: int) -> bytes:
        try:
            return await (await self._stream()).readexactly(n)
        except asyncio.IncompleteReadError as exc:  # the client went away mid-message
            return exc.partial


def is_pipe(stream: BinaryIO) -> bool:
    try:
        mode = os.fstat(stream.fileno()).st_mode
    except (OSError, ValueError, AttributeError):
        return False
    return stat.S_ISFIFO(mode) or stat.S_ISSOCK(mode)


def serve_stdio(server, stdin: BinaryIO, stdout: BinaryIO) -> None:
    """Serve until the client sends `exit` or closes stdin."""
    if not is_pipe(stdin):
        server.start_io(stdin, stdout)
        return
    from pygls.io_ import StdoutWriter, run_async

    server._stop_event = threading.Event()  # what pygls' shutdown and exit set
    server.protocol.set_writer(StdoutWriter(stdout))
    try:
        asyncio.run(
            run_async(
                stop_event=server._stop_event,
                reader=PipeReader(stdin),
                protocol=server.protocol,
                logger=logging.getLogger("pygls"),
                error_handler=server.report_server_error,
            )
        )
    except BrokenPipeError:
        log.error("the client closed the connection")
    except (KeyboardInterrupt, SystemExit):
        pass
    finally:
        server.shutdown()
    sys.stderr.flush()
