"""`synth-lsp evolve FILE`: placeholder until the optimizer lands (issue 4)."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("file", help="the NAME.synth.py script")


def main(args: argparse.Namespace) -> int:
    import sys

    print("synth-lsp evolve: the optimizer is not built yet.", file=sys.stderr)
    return 2
