"""Driving one quick-fix worker from an asyncio program (the language server). Knows nothing of LSP.

`QuickFixWorker.spawn()` starts the process, which warms up and waits; `run(job, on_step)` hands it
the job and returns the fix, or raises `QuickFixFailed` with what went wrong. Cancelling the
coroutine (or `kill()`) kills the process: a model call in flight is abandoned, nothing is applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import deque
from typing import Callable

from synth_lsp.sandbox.child_lifetime import child_env
from synth_lsp.workers.protocol import ErrorEvent, Job, ProtocolError
from synth_lsp.workers.quick_fix_protocol import QUICK_FIX_MODULE, FixedEvent, StepEvent, decode

log = logging.getLogger(__name__)


class QuickFixFailed(RuntimeError):
    """No fix: the worker said why, or died."""


class QuickFixWorker:
    def __init__(self, warm_litellm: bool = False, python: str = sys.executable, env: dict[str, str] | None = None) -> None:
        self.warm_litellm = warm_litellm
        self.python = python
        self.env = env
        self._process: asyncio.subprocess.Process | None = None
        self._stderr_tail: deque[str] = deque(maxlen=20)
        self._used = False

    @property
    def alive(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def spawn(self) -> "QuickFixWorker":
        args = [self.python, "-m", QUICK_FIX_MODULE] + (["--warm-litellm"] if self.warm_litellm else [])
        self._process = await asyncio.create_subprocess_exec(
            *args,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_env(self.env),  # it dies with this process
            limit=16 * 1024 * 1024,
        )
        return self

    async def run(self, job: Job, on_step: Callable[[str], None]) -> FixedEvent:
        """The fix for `job` (one job per worker)."""
        if self._used:
            raise QuickFixFailed("this quick-fix worker already ran a job")
        self._used = True
        if self._process is None:
            await self.spawn()
        process = self._process
        stderr = asyncio.ensure_future(self._read_stderr())
        try:
            process.stdin.write(job.encode())
            await process.stdin.drain()
            while True:
                line = await process.stdout.readline()
                if not line:
                    break
                try:
                    event = decode(line)
                except ProtocolError:
                    log.warning("quick-fix worker wrote a non-protocol line: %r", line[:200])
                    continue
                if isinstance(event, StepEvent):
                    on_step(event.message)
                elif isinstance(event, FixedEvent):
                    return event
                elif isinstance(event, ErrorEvent):
                    raise QuickFixFailed(event.message)
            await process.wait()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stderr, 2.0)
            tail = " | ".join(line for line in list(self._stderr_tail)[-3:] if line)
            raise QuickFixFailed(f"the quick-fix worker died (exit code {process.returncode})" + (f": {tail}" if tail else ""))
        except (BrokenPipeError, ConnectionResetError) as exc:
            raise QuickFixFailed(f"the quick-fix worker is gone: {exc}") from None
        finally:
            self.kill()  # done, failed or cancelled: the process has nothing more to do
            stderr.cancel()

    async def _read_stderr(self) -> None:
        while self._process is not None:
            line = await self._process.stderr.readline()
            if not line:
                return
            text = line.decode(errors="replace").rstrip()
            self._stderr_tail.append(text)
            log.debug("quick-fix worker: %s", text)

    def kill(self) -> None:
        if self.alive:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()
