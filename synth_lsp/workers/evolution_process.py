"""Driving evolution workers from an asyncio program (the language server), one process per script.

Knows nothing of LSP: it starts the worker (`python -m synth_lsp.workers.evolution_worker`), turns its events (`protocol.py`) into
`EvolutionStatus` updates for a callback, stops it politely (then by force), and tells a crash
(the process died without finishing) and a failure (the worker said why it cannot go on) from a
normal end.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import sys
from collections import deque
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any, Callable, Literal

from synth_lsp.sandbox.child_lifetime import child_env
from synth_lsp.workers.protocol import STOP_LINE, WORKER_MODULE, ErrorEvent, FinishedEvent, Job, ProgressEvent, ProtocolError, decode_event

log = logging.getLogger(__name__)

# crashed: the worker died (a restart resumes from the stored population);
# failed: the worker reported why it cannot go on (settings, examples, the model's key): fix that first.
# queued: waiting for a free worker slot (the server runs at most maxEvolutionWorkers at once).
State = Literal["idle", "queued", "running", "stopped", "finished", "crashed", "failed"]
STOP_GRACE_S = 3.0  # a generation in flight may finish and save within this, then it is killed


@dataclass(frozen=True)
class EvolutionStatus:
    script: Path
    state: State = "idle"
    generation: int = 0
    generations: int = 0
    best_id: str = ""
    best_reward: float = 0.0
    best_train_passed: int = 0
    train_total: int = 0
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0  # this run
    message: str = ""
    run_generation: int = 0  # generations this run has made so far, of `run_generations`
    run_generations: int = 0
    total_cost_usd: float = 0.0  # over every run of the population

    def payload(self) -> dict[str, Any]:
        """camelCase fields of `synthLsp/evolutionStatus` (docs/protocol.md), without the uri."""
        return {
            "state": self.state,
            "generation": self.generation,
            "generations": self.generations,
            "bestId": self.best_id,
            "bestReward": self.best_reward,
            "bestTrainPassed": self.best_train_passed,
            "trainTotal": self.train_total,
            "calls": self.calls,
            "tokens": self.tokens,
            "costUsd": self.cost_usd,
            "message": self.message,
            "runGeneration": self.run_generation,
            "runGenerations": self.run_generations,
            "totalCostUsd": self.total_cost_usd,
        }


# the status fields a progress event carries (all but the script and the driver's own state)
_PROGRESS_FIELDS = tuple(f.name for f in fields(EvolutionStatus) if f.name in {g.name for g in fields(ProgressEvent)} and f.name != "state")

OnStatus = Callable[[EvolutionStatus], None]


@dataclass
class EvolutionWorker:
    script: Path
    settings: dict[str, Any]
    on_status: OnStatus
    env: dict[str, str] | None = None
    python: str = sys.executable
    text: str | None = None  # the editor's text to start from, when it differs from the file
    status: EvolutionStatus = field(init=False)
    _process: asyncio.subprocess.Process | None = field(default=None, init=False)
    _reader: asyncio.Task | None = field(default=None, init=False)
    _stderr_tail: deque = field(default_factory=lambda: deque(maxlen=20), init=False)
    _stopping: bool = field(default=False, init=False)
    _ended: bool = field(default=False, init=False)

    def __post_init__(self) -> None:
        self.status = EvolutionStatus(self.script)

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.returncode is None

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    async def start(self) -> None:
        self._process = await asyncio.create_subprocess_exec(
            self.python,
            "-m",
            WORKER_MODULE,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            env=child_env(self.env),  # it dies with this process (`die_with_parent`)
            limit=16 * 1024 * 1024,
        )
        self._process.stdin.write(Job(self.script, self.settings, self.text).encode())
        await self._process.stdin.drain()
        self._update(state="running", message="starting")
        self._reader = asyncio.ensure_future(self._read())

    async def stop(self, grace_s: float = STOP_GRACE_S) -> None:
        """Ask the worker to stop after the generation in flight; kill it if it does not."""
        process = self._process
        if process is None or process.returncode is not None:
            return
        self._stopping = True
        with contextlib.suppress(Exception):
            process.stdin.write(STOP_LINE)
            await process.stdin.drain()
            process.stdin.close()
        try:
            await asyncio.wait_for(process.wait(), grace_s)
        except asyncio.TimeoutError:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
            await process.wait()
        if self._reader is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self._reader, 2.0)

    def kill(self) -> None:
        """At once, e.g. when the server shuts down."""
        self._stopping = True
        if self._process is not None and self._process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                self._process.kill()

    async def wait(self) -> EvolutionStatus:
        if self._reader is not None:
            await self._reader
        return self.status

    # -- reading the worker --------------------------------------------------------------------
    async def _read(self) -> None:
        process = self._process
        stderr_task = asyncio.ensure_future(self._read_stderr())
        try:
            while True:
                line = await process.stdout.readline()
                if not line:
                    break
                self._handle(line)
            await process.wait()
            with contextlib.suppress(Exception):
                await asyncio.wait_for(stderr_task, 2.0)
        finally:
            self._on_exit(process.returncode)

    async def _read_stderr(self) -> None:
        while True:
            line = await self._process.stderr.readline()
            if not line:
                return
            text = line.decode(errors="replace").rstrip()
            self._stderr_tail.append(text)
            log.debug("worker %s: %s", self.script.name, text)

    def _handle(self, line: bytes) -> None:
        try:
            event = decode_event(line)
        except ProtocolError:
            log.warning("evolution worker wrote a non-protocol line: %r", line[:200])
            return
        if isinstance(event, ProgressEvent):
            # every progress field the status shares with the event; the state only while running
            shared = {name: getattr(event, name) for name in _PROGRESS_FIELDS}
            self._update(**shared, state="running" if event.state == "running" else self.status.state)
        elif isinstance(event, FinishedEvent):
            self._ended = True
            state: State = "stopped" if self._stopping else "finished"
            self._update(state=state, message=event.stop_reason)
        elif isinstance(event, ErrorEvent):
            self._ended = True
            self._update(state="failed", message=str(event.message))

    def _on_exit(self, returncode: int | None) -> None:
        if self._ended:
            return  # it said how it ended
        self._ended = True
        if self._stopping:
            self._update(state="stopped", message="stopped")
            return
        tail = " | ".join(line for line in list(self._stderr_tail)[-3:] if line)
        reason = f"the evolution worker died (exit code {returncode})" + (f": {tail}" if tail else "")
        self._update(state="crashed", message=reason)

    def _update(self, **changes: Any) -> None:
        self.status = replace(self.status, **changes)
        try:
            self.on_status(self.status)
        except Exception:  # a listener's bug must not kill the reader
            log.exception("evolution status listener failed")
