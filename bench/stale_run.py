"""How long a fixed script waits behind its superseded, looping version.

A user's script loops; they fix it. The looping run is stale the moment the fix arrives, and the
server tells the sandbox to stop it (`run_many(should_stop=...)`). Measured: from that moment until
the fix's result is back, with the sandbox stopping the stale run inside the workers (ours) and with
the old behaviour (pairs not yet started are skipped, running pairs spin out their time limit),
interleaved in one run, medians.

    python bench/stale_run.py                  # 5 looping pairs, 3 s limit, 2 workers
    python bench/stale_run.py --repeats 9 --time-limit 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from synth_lsp.sandbox.watchdog import Watchdog  # noqa: E402
from synth_lsp.core.runs import RunLimits  # noqa: E402
from synth_lsp.sandbox.runner import Sandbox  # noqa: E402

LOOP = "while True:\n    pass\n"
FIX = "result = {'v': 1}\n"
STALE_AFTER_S = 0.2  # the fix arrives while the loop runs


def wait_for_fix(sandbox: Sandbox, pairs: int, limits: RunLimits) -> float:
    stale = threading.Event()
    threading.Timer(STALE_AFTER_S, stale.set).start()
    started = time.perf_counter()
    sandbox.run_many(LOOP, [{}] * pairs, limits, should_stop=stale.is_set)
    fixed = sandbox.run(FIX, {})
    assert fixed.result == {"v": 1}, fixed.error
    return time.perf_counter() - started - STALE_AFTER_S


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--pairs", type=int, default=5)
    parser.add_argument("--time-limit", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    limits = RunLimits(time_s=args.time_limit)
    watch = Watchdog.watch
    ours, old = [], []
    with Sandbox(processes=args.workers) as sandbox:
        sandbox.run(FIX, {})  # start the pool
        for _ in range(args.repeats):
            ours.append(wait_for_fix(sandbox, args.pairs, limits))
            Watchdog.watch = lambda self, pid, should_stop: None  # the old behaviour
            try:
                old.append(wait_for_fix(sandbox, args.pairs, limits))
            finally:
                Watchdog.watch = watch
    a, b = statistics.median(ours), statistics.median(old)
    print(f"fix waits behind a stale loop ({args.pairs} pairs, {args.time_limit:g} s limit, {args.workers} workers, median of {args.repeats}):")
    print(f"  stopped inside the sandbox (ours): {a * 1000:.0f} ms")
    print(f"  left to its time limit (before):   {b * 1000:.0f} ms")
    print(f"  ratio: {b / a:.0f}x")


if __name__ == "__main__":
    main()
