"""What went wrong in a run, told in the user's terms: Monty's exceptions mapped to an error kind,
a message, and the frames that lie in the user's script (Monty's positions, 1-based)."""

from __future__ import annotations

from synth_lsp.core.runs import ErrorKind, Frame, RunError, RunLimits, SourceRange

# Monty names each feed of a session `<python-input-N>`. Feed 0 binds `inputs` (or is restored from
# a cached session that did), so the user's script is always feed 1.
USER_FILE = "<python-input-1>"
MAX_FRAMES = 20  # unbounded recursion yields depth+1 frames: keep the outermost and innermost few

STOPPED = RunError("crash", "", "not run: the run was stopped")
MISSING_RESULT = RunError(
    "missing_result", "", "the script never assigned `result` (it must end with e.g. `result = {...}`)"
)


def crash_error(exc: Exception, limits: RunLimits) -> RunError:
    if getattr(exc, "timed_out", False):
        return RunError(
            "timeout",
            "TimeoutError",
            f"time limit of {limits.time_s:g} s exceeded (the sandbox worker was stopped in a long native operation)",
        )
    return RunError("crash", type(exc).__name__, f"the sandbox worker crashed: {exc}")


def error_from(exc: Exception, limits: RunLimits, frames: tuple[Frame, ...] | None = None) -> RunError:
    """`frames`: the user's frames when the caller found them itself (a wrapped script's, `function_wrap`)."""
    import pydantic_monty as pm

    try:
        headline = exc.display("type-msg")
    except Exception:
        headline = str(exc)
    exc_type, _, message = headline.partition(": ")
    if not message:
        exc_type, message = type(exc).__name__, headline
    frames = frames_of(exc) if frames is None else frames
    innermost = frames[-1].range if frames else None
    if isinstance(exc, pm.MontySyntaxError):
        kind: ErrorKind = "syntax"
    elif exc_type == "NotImplementedError" and frames and frames[-1].function is None:
        kind = "unsupported"  # refused by Monty's parser before anything ran
    elif exc_type == "TimeoutError" and not frames:
        kind = "timeout"
        message = f"time limit of {limits.time_s:g} s exceeded"
    elif exc_type == "MemoryError":
        kind = "memory"
        message = f"memory limit of {limits.memory_mb:g} MB exceeded ({message})"
    elif exc_type == "ModuleNotFoundError":
        kind = "import"
    else:
        kind = "runtime"
    return RunError(kind, exc_type, message, innermost, frames)


def frames_of(exc: Exception) -> tuple[Frame, ...]:
    try:
        raw = exc.traceback()
    except Exception:
        return ()
    frames = [
        Frame(
            function=f.function_name,
            range=SourceRange(f.line, f.column, f.end_line or f.line, f.end_column or f.column),
            source_line=f.source_line or "",
        )
        for f in raw
        if (f.filename or USER_FILE) == USER_FILE and f.line
    ]
    return bounded(frames)


def bounded(frames: list[Frame]) -> tuple[Frame, ...]:
    if len(frames) > MAX_FRAMES:
        frames = frames[: MAX_FRAMES // 2] + frames[-MAX_FRAMES // 2 :]
    return tuple(frames)
