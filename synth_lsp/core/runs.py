"""What running a script yields, whoever runs it: the limits of a run, its result, and the error
with its place in the user's script. The sandbox produces these; evaluation, reports and
diagnostics read them. `Runner` is what evaluation needs of a sandbox."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Literal, Protocol

ErrorKind = Literal[
    "syntax",  # the script does not parse
    "unsupported",  # valid Python that Monty refuses before running (class inheritance, yield, ...)
    "import",  # imports a module the sandbox does not have
    "runtime",  # an exception escaped the script
    "timeout",  # the time limit was hit
    "memory",  # the memory limit was hit
    "crash",  # the worker died
    "missing_result",  # the script ran but never assigned `result`
    "schema",  # `result` does not have the required shape
]


# What one pair may ask for, wherever the limit comes from (settings, a script's header, options):
# the sandbox's workers are shared, so one script must not hold one for hours.
MAX_TIME_S = 60.0
MAX_MEMORY_MB = 4096.0
MAX_RECURSION_DEPTH = 100_000


def range_problem(value: object, low: float, high: float, *, whole: bool = False, low_inclusive: bool = False) -> str | None:
    """Why `value` is not a number in the range (None when it is); the message names the range."""
    import math

    kind = "a whole number" if whole else "a number"
    lower = f">= {low:g}" if low_inclusive else f"> {low:g}"
    wanted = f"must be {kind} {lower} and <= {high:g}"
    if isinstance(value, bool) or not isinstance(value, (int, float)) or (whole and not isinstance(value, int)):
        return wanted
    if isinstance(value, float) and not math.isfinite(value):
        return wanted
    if value > high or value < low or (value == low and not low_inclusive):
        return wanted
    return None


@dataclass(frozen=True)
class RunLimits:
    time_s: float = 2.0
    memory_mb: float = 256
    recursion_depth: int = 1000
    output_bytes: int = 16_384

    def monty_limits(self) -> dict[str, Any]:
        return {
            "max_feed_duration_secs": float(self.time_s),
            "max_memory": int(self.memory_mb * 1024 * 1024),
            "max_recursion_depth": int(self.recursion_depth),
        }


@dataclass(frozen=True)
class SourceRange:
    """A range in the user's script; lines and columns are 1-based, end exclusive (as Monty gives them)."""

    line: int
    column: int
    end_line: int
    end_column: int


@dataclass(frozen=True)
class Frame:
    function: str | None
    range: SourceRange
    source_line: str = ""


@dataclass(frozen=True)
class RunError:
    kind: ErrorKind
    exc_type: str  # e.g. "IndexError", "TimeoutError"
    message: str
    range: SourceRange | None = None  # the innermost frame in the user's script, when known
    frames: tuple[Frame, ...] = ()  # outermost first

    def headline(self) -> str:
        return f"{self.exc_type}: {self.message}" if self.exc_type else self.message


@dataclass(frozen=True)
class RunResult:
    result: Any  # the normalised `result`, or None when the run failed
    stdout: str = ""
    stderr: str = ""
    duration_s: float = 0.0
    error: RunError | None = None
    output_truncated: bool = False

    @property
    def ok(self) -> bool:
        return self.error is None


class Runner(Protocol):
    """Runs one script on several inputs (the sandbox's pool is one)."""

    def run_many(
        self,
        script: str,
        inputs_list: list[dict[str, Any]],
        limits: RunLimits = ...,
        should_stop: Callable[[], bool] | None = None,
    ) -> list[RunResult]: ...
