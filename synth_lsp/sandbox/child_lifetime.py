"""Every child process dies with its parent, whatever killed the parent (exit, a signal, SIGKILL).

Linux's parent-death signal (`prctl(PR_SET_PDEATHSIG)`) does this in the kernel, but it must be
set by the child itself and it fires when the *thread* that forked the child ends, not only the
process. So:

- a Python child of ours (the evolution worker) calls `die_with_parent` first thing, and the
  driver forks it from the event loop's thread, which lives as long as the process;
- a `monty` worker is started by pydantic-monty, not by us: the pool is given a wrapper that sets
  the signal and then execs the real binary (util-linux `setpriv`, so the pid stays the worker's),
  and every checkout (hence every spawn) happens on the sandbox's own long-lived threads;
- at exit the server also kills every child it still has (`kill_children`), for a system without
  `setpriv`.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
import os
import shlex
import shutil
import signal
import stat
import sys
import tempfile
from pathlib import Path

from synth_lsp.core.atomic_file import write_atomically

log = logging.getLogger(__name__)

PR_SET_PDEATHSIG = 1
PARENT_PID_ENV = "SYNTH_LSP_PARENT_PID"  # set by a driver, so a child can tell it was orphaned at birth


def die_with_parent(parent_pid: int | None = None) -> bool:
    """Ask the kernel to SIGKILL this process when its parent dies; exit at once if the parent is
    already gone (died between the fork and this call). False where the kernel cannot do it."""
    if parent_pid is None:
        parent_pid = _env_parent()
    armed = False
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            armed = libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0
        except (OSError, AttributeError):
            armed = False
    if parent_pid is not None and os.getppid() != parent_pid:
        os._exit(1)  # orphaned before the signal was armed: nobody is left to serve
    return armed


def _env_parent() -> int | None:
    try:
        return int(os.environ[PARENT_PID_ENV])
    except (KeyError, ValueError):
        return None


def child_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """The environment for a child that calls `die_with_parent`: it names this process."""
    return {**(os.environ if env is None else env), PARENT_PID_ENV: str(os.getpid())}


def child_pids() -> list[int]:
    """The live children of this process (Linux: /proc; elsewhere an empty list)."""
    pids: list[int] = []
    try:
        tasks = os.listdir("/proc/self/task")
    except OSError:
        return pids
    for task in tasks:
        try:
            with open(f"/proc/self/task/{task}/children") as handle:
                pids.extend(int(pid) for pid in handle.read().split())
        except (OSError, ValueError):
            continue
    return pids


def kill_children() -> None:
    for pid in child_pids():
        try:
            os.kill(pid, signal.SIGKILL)
        except OSError:
            pass


def guarded_binary(binary: str) -> str:
    """A path that runs `binary` with the parent-death signal set (the same pid, via exec), or
    `binary` itself where that cannot be arranged."""
    setpriv = shutil.which("setpriv")
    if setpriv is None or not sys.platform.startswith("linux"):
        return binary
    script = f"#!/bin/sh\nexec {shlex.quote(setpriv)} --pdeathsig KILL -- {shlex.quote(binary)} \"$@\"\n"
    try:
        folder = _private_dir()
        path = folder / f"monty-guard-{hashlib.sha256(script.encode()).hexdigest()[:16]}"
        if not path.is_file() or path.read_text() != script:
            _write_executable(path, script)
        return str(path)
    except OSError as exc:
        log.warning("cannot arrange for sandbox workers to die with this process: %s", exc)
        return binary


def _private_dir() -> Path:
    """A folder only this user can write to (the wrapper is executed: nobody else may swap it), on
    a file system that allows executing files."""
    bases = [os.environ.get("XDG_RUNTIME_DIR"), tempfile.gettempdir(), os.path.expanduser("~/.cache")]
    problems = []
    for base in filter(None, bases):
        folder = Path(base) / f"synth-lsp-{os.getuid()}"
        try:
            folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            info = os.lstat(folder)
            if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.getuid() or info.st_mode & 0o022:
                raise OSError(f"{folder} is not a private folder of this user")
            if os.statvfs(folder).f_flag & getattr(os, "ST_NOEXEC", 0):
                raise OSError(f"{folder} is on a file system mounted noexec")
            return folder
        except OSError as exc:
            problems.append(str(exc))
    raise OSError("; ".join(problems) or "no folder for the wrapper")


def _write_executable(path: Path, text: str) -> None:
    write_atomically(path, text, mode=0o700)  # never a half-written wrapper, even with two servers starting
