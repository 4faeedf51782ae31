"""`synth-lsp serve`: start the language server on stdio (default) or TCP.

stdout is the protocol channel, so logging goes to stderr only, and pygls' own per-message INFO
logging is kept at WARNING.
"""

from __future__ import annotations

import argparse
import logging
import sys


def configure_logging(level: str = "WARNING") -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, str(level).upper(), logging.WARNING))
    logging.getLogger("pygls").setLevel(logging.WARNING)


def main(args: argparse.Namespace | None = None) -> int:
    if args is None:  # `python -m synth_lsp.server.main [--stdio] [--tcp --port N]`
        from synth_lsp.cli.main import build_parser

        args = build_parser().parse_args(["serve", *sys.argv[1:]])
    configure_logging(getattr(args, "log_level", "WARNING"))
    from synth_lsp.server.server import server

    if getattr(args, "tcp", False):
        server.start_tcp(args.host, args.port)
    else:
        from synth_lsp.server.stdio import serve_stdio

        serve_stdio(server, sys.stdin.buffer, protocol_stdout())
    return 0


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
