"""`synth-lsp serve`: start the language server on stdio (default) or TCP.

stdout is the protocol channel, so logging goes to stderr only, and pygls' own per-message INFO
logging is kept at WARNING.
"""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Sequence

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2087


def configure_logging(level: str = "WARNING") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, str(level).upper(), logging.WARNING))
    logging.getLogger("pygls").setLevel(logging.WARNING)


def serve(tcp: bool = False, host: str = DEFAULT_HOST, port: int = DEFAULT_PORT, log_level: str = "WARNING") -> int:
    """Serve until the client exits (stdio) or forever (TCP)."""
    configure_logging(log_level)
    from synth_lsp.server.app import create_server

    from synth_lsp.server.stdio import serve_stdio, serve_tcp

    server = create_server()
    if tcp:
        serve_tcp(server, host, port)
    else:
        serve_stdio(server, sys.stdin.buffer, protocol_stdout())
    return 0  # not reached: the server's Lifetime ends the process


def main(args: argparse.Namespace | None = None) -> int:
    """The CLI's entry (`args` with .tcp .host .port .log_level), or `python -m` with no args."""
    if args is None:
        args = parse_args(sys.argv[1:])
    return serve(
        tcp=getattr(args, "tcp", False),
        host=getattr(args, "host", DEFAULT_HOST),
        port=getattr(args, "port", DEFAULT_PORT),
        log_level=getattr(args, "log_level", "WARNING"),
    )


def parse_args(argv: Sequence[str]) -> argparse.Namespace:
    """`python -m synth_lsp.server.main [--stdio] [--tcp --host H --port N] [--log-level L]`."""
    parser = argparse.ArgumentParser(prog="python -m synth_lsp.server.main", description="run the language server (stdio by default)")
    # vscode-languageclient appends --stdio to the command: accept it
    parser.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    parser.add_argument("--tcp", action="store_true", help="listen on TCP instead")
    parser.add_argument("--host", default=DEFAULT_HOST)
    parser.add_argument("--port", type=int, default=DEFAULT_PORT)
    parser.add_argument("--log-level", default="WARNING")
    return parser.parse_args(argv)


def protocol_stdout():
    """The protocol keeps its own handle on stdout; file descriptor 1 and sys.stdout then point at
    stderr, so nothing else (a library's print, a sandbox worker process inheriting fd 1) can
    write into the protocol channel."""
    import os

    sys.stdout.flush()
    channel = os.fdopen(os.dup(1), "wb", buffering=0)
    os.dup2(2, 1)
    sys.stdout = sys.stderr
    return channel


if __name__ == "__main__":
    raise SystemExit(main())
