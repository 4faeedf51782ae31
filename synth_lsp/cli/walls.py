"""`synth-lsp walls`: what the installed Monty sandbox really allows (probed, not hard-coded)."""

from __future__ import annotations

import argparse
import json

from synth_lsp.sandbox.runner import get_sandbox


def main(args: argparse.Namespace) -> int:
    walls = get_sandbox().walls()
    if args.json:
        print(json.dumps(walls.to_dict(), indent=2))
    else:
        print(walls.describe())
    return 0
