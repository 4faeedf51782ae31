"""Issue 16, starvation: the sandbox's threads are shared between the runs in flight pair by pair
(`sandbox.pair_queue`), so a slow script holds at most its share of workers, and a script that
comes later runs between the slow one's pairs instead of after all of them."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from synth_lsp.sandbox.pair_queue import PairQueue

SLOW_S = 0.4


def in_thread(queue: PairQueue, run_pair, size: int, out: dict, key: str) -> threading.Thread:
    def go() -> None:
        out[key] = queue.run(run_pair, size)
        out[key + "_at"] = time.monotonic()

    thread = threading.Thread(target=go)
    thread.start()
    return thread


def test_a_late_quick_run_is_served_between_the_pairs_of_slow_ones():
    with ThreadPoolExecutor(max_workers=2) as executor:
        queue = PairQueue(executor, lambda: 1)
        running: dict[str, int] = {"slow-a": 0, "slow-b": 0}
        most: dict[str, int] = {"slow-a": 0, "slow-b": 0}
        lock = threading.Lock()

        def slow(name: str):
            def run_pair(i: int) -> int:
                with lock:
                    running[name] += 1
                    most[name] = max(most[name], running[name])
                time.sleep(SLOW_S)
                with lock:
                    running[name] -= 1
                return i

            return run_pair

        out: dict = {}
        threads = [in_thread(queue, slow("slow-a"), 6, out, "a"), in_thread(queue, slow("slow-b"), 6, out, "b")]
        time.sleep(0.1)
        started = time.monotonic()
        threads.append(in_thread(queue, lambda i: i * 10, 4, out, "quick"))
        for thread in threads:
            thread.join(30)
        assert out["quick"] == [0, 10, 20, 30] and out["a"] == list(range(6)) and out["b"] == list(range(6))
        # the quick run waited for about one slow pair, not for the slow runs (6 pairs each)
        assert out["quick_at"] - started < 4 * SLOW_S, out["quick_at"] - started
        assert out["quick_at"] < min(out["a_at"], out["b_at"])
        assert most == {"slow-a": 1, "slow-b": 1}  # never more than its share


def test_one_run_alone_uses_its_whole_share_and_keeps_its_order():
    with ThreadPoolExecutor(max_workers=3) as executor:
        queue = PairQueue(executor, lambda: 3)
        peak, now, lock = [0], [0], threading.Lock()

        def run_pair(i: int) -> int:
            with lock:
                now[0] += 1
                peak[0] = max(peak[0], now[0])
            time.sleep(0.05)
            with lock:
                now[0] -= 1
            return -i

        assert queue.run(run_pair, 9) == [-i for i in range(9)]
        assert peak[0] == 3
        assert queue.run(run_pair, 0) == []


def test_pairs_left_when_the_executor_shuts_down_still_run():
    executor = ThreadPoolExecutor(max_workers=1)
    queue = PairQueue(executor, lambda: 1)
    executor.shutdown()
    assert queue.run(lambda i: i + 1, 3) == [1, 2, 3]
