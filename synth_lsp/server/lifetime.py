"""How the server ends: on `exit`, at the end of its input, on SIGTERM, SIGINT or SIGHUP, it stops
its runs and workers and leaves at once.

Leaving at once means `os._exit`: a normal interpreter exit joins every thread of every executor,
and a sandbox run in flight (a loop with a long time limit) would keep the process alive until it
ends. Nothing is lost by not waiting: the server never writes the user's files, and the files it
does write (populations) are replaced atomically. Children die with the process anyway
(`sandbox.child_lifetime`); the explicit kill here covers systems where that is not arranged.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from typing import Callable

from synth_lsp.sandbox.child_lifetime import kill_children

log = logging.getLogger(__name__)

EXIT_SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP")


class Lifetime:
    def __init__(self) -> None:
        self.shutdown_requested = False  # `shutdown` was answered: exit with 0 (LSP), else 1
        self._teardown: list[Callable[[], None]] = []
        self._lock = threading.Lock()

    def on_exit(self, stop: Callable[[], None]) -> None:
        """Something to stop before the process leaves (quickly: it must not wait on runs)."""
        self._teardown.append(stop)

    def exit_code(self) -> int:
        return 0 if self.shutdown_requested else 1

    def stop_all(self) -> None:
        for stop in self._teardown:
            try:
                stop()
            except Exception as exc:  # leaving anyway: say what could not be stopped
                log.warning("while exiting: %s", exc)

    def exit(self, code: int | None = None) -> None:
        """Stop everything and leave the process now."""
        if not self._lock.acquire(blocking=False):
            return  # already leaving (a signal during the teardown)
        self.stop_all()
        kill_children()
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except Exception:
                pass
        os._exit(self.exit_code() if code is None else code)

    def install_signal_handlers(self) -> None:
        """Signals end the server the same way `exit` does (only from the main thread)."""
        if threading.current_thread() is not threading.main_thread():
            return
        for name in EXIT_SIGNALS:
            number = getattr(signal, name, None)
            if number is not None:
                signal.signal(number, lambda signum, frame: self.exit())
