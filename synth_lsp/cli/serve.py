"""`synth-lsp serve`: the language server, on stdio (the default) or TCP. The server package does
the work; this module only hands the parsed options over, importing it when the command runs."""

from __future__ import annotations

import argparse


def main(args: argparse.Namespace) -> int:
    from synth_lsp.server.main import main as serve

    return serve(args)
