"""The `synth-lsp` command line: the parser and the dispatch to one module per subcommand.

Each subcommand lives in its own module and is imported only when used, so `synth-lsp serve`
starts fast and `synth-lsp check` never imports litellm.
"""

from __future__ import annotations

import argparse
import sys
from typing import Callable, Sequence

from synth_lsp.core.runs import MAX_MEMORY_MB, MAX_TIME_S, range_problem


def number_in(low: float, high: float) -> Callable[[str], float]:
    """An argparse type: a number > low and <= high (argparse names the option in its error)."""

    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
        problem = range_problem(value, low, high)
        if problem:
            raise argparse.ArgumentTypeError(f"{problem}, got {text}")
        return value

    return parse


def _add_check(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("check", help="run a .synth.py script on its examples and report what went wrong")
    p.add_argument("file", help="the NAME.synth.py script")
    p.add_argument("--examples", help="the examples file (default: from the header or beside the script)")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument("--color", choices=("auto", "always", "never"), default="auto", help="ARC colours in grids")
    p.add_argument("--time-limit", type=number_in(0, MAX_TIME_S), help=f"seconds per pair, at most {MAX_TIME_S:g} (default 2, or the header's)")
    p.add_argument("--memory-mb", type=number_in(0, MAX_MEMORY_MB), help=f"sandbox memory per pair, at most {MAX_MEMORY_MB:g} (default 256, or the header's)")
    p.set_defaults(entry="synth_lsp.cli.check:main")


def _add_new(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("new", help="scaffold NAME.synth.py (the identity seed) beside an ARC task file")
    p.add_argument("task", help="the ARC task file NAME.json")
    p.add_argument("--force", action="store_true", help="overwrite an existing script")
    p.set_defaults(entry="synth_lsp.cli.new:main")


def _add_walls(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("walls", help="show what the installed Monty sandbox allows (probed)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(entry="synth_lsp.cli.walls:main")


def _add_serve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the language server (stdio by default)")
    p.add_argument("--stdio", action="store_true", help="talk LSP over stdin/stdout (the default)")
    p.add_argument("--tcp", action="store_true", help="listen on TCP instead")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=2087)
    p.add_argument("--log-level", default="WARNING")
    p.set_defaults(entry="synth_lsp.cli.serve:main")


def _add_evolve(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("evolve", help="evolve a better script with OMEGA")
    p.set_defaults(entry="synth_lsp.cli.batch:evolve_main")  # one script: cli/evolve.py; many: a batch
    # evolve's options are owned by its modules (kept light: they import nothing heavy at load)
    from synth_lsp.cli.batch import add_batch_arguments
    from synth_lsp.cli.evolve import add_arguments

    add_arguments(p)
    add_batch_arguments(p)


def build_parser(extra: Sequence[Callable[[argparse._SubParsersAction], None]] = ()) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="synth-lsp", description="Program synthesis in the editor, on the Monty sandbox.")
    from synth_lsp import __version__

    parser.add_argument("--version", action="version", version=f"synth-lsp {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for add in (_add_check, _add_new, _add_walls, _add_serve, _add_evolve, *extra):
        add(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "entry", None):
        parser.print_help()
        return 2
    module_name, _, func = args.entry.partition(":")
    import importlib

    module = importlib.import_module(module_name)
    try:
        status = int(getattr(module, func)(args) or 0)
        sys.stdout.flush()  # here, not at exit, where a closed pipe would be a complaint on stderr
        return status
    except BrokenPipeError:  # `synth-lsp ... | head`: the reader has all it wanted
        closed_pipe()
        return 141  # as a shell reports a command ended by SIGPIPE


def closed_pipe() -> None:
    """The reader went away: nothing more can be said; leave quietly, without Python's own
    complaint when it flushes stdout at exit."""
    import os

    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    raise SystemExit(main())
