"""The batch report: one row per task, totals, and the JSON and CSV files (`report.html` is
`html_report`). Words follow what was measured: "fits the train pairs", and "test: right" only for
test pairs whose published output the best script's prediction equals."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from synth_lsp.core.atomic_file import write_atomically

FORMAT = "synth-lsp-batch-report/1"
CSV_COLUMNS = (
    "task",
    "state",
    "train",
    "train_passed",
    "train_total",
    "best_reward",
    "test",
    "test_passed",
    "test_total",
    "stop_reason",
    "seconds",
    "calls",
    "tokens",
    "cost_usd",
    "best_origin",
    "best_model",
    "generation",
    "script",
    "error",
    "confidence",  # last: readers of the columns before it by position still read them
)


@dataclass
class TestPair:
    input: Any
    expected: Any  # None when the output is not published
    predicted: Any  # None when the run failed
    right: bool | None  # None when there is nothing to compare with
    error: str = ""


@dataclass
class TaskRow:
    task: str
    script: str
    state: str = "waiting"  # waiting, running, done, skipped, stopped, error
    train_passed: int = 0
    train_total: int = 0
    best_reward: float = 0.0
    test_passed: int = 0
    test_total: int = 0  # test pairs with a published output
    stop_reason: str = ""
    seconds: float = 0.0
    calls: int = 0
    tokens: int = 0
    cost_usd: float = 0.0
    best_origin: str = ""
    best_model: str = ""
    best_id: str = ""
    best_script: str = ""
    best_note: str = ""  # what the best script does, as its source described it
    best_confidence: float | None = None  # the offline model's confidence in its fit (0-1); None for other sources
    best_cross_validated: bool | None = None  # whether that fit survived leave-one-out; None without a confidence
    generation: int = 0
    finished_at: float | None = None  # seconds since the batch started, when the task ended
    error: str = ""
    tests: list[TestPair] = field(default_factory=list)

    @property
    def fits_train(self) -> bool:
        return self.train_total > 0 and self.train_passed == self.train_total

    @property
    def train_words(self) -> str:
        if not self.train_total:
            return "-"
        if self.fits_train:
            return f"fits the train pairs ({self.train_passed}/{self.train_total})"
        return f"fits {self.train_passed}/{self.train_total} train pairs"

    @property
    def confidence_words(self) -> str:
        """How far to trust the best's fit, as the offline model says: "confidence 0.88", or
        "not cross-validated, confidence 0.40" (it may only memorise the pairs); "" without one."""
        if self.best_confidence is None:
            return ""
        words = f"confidence {self.best_confidence:.2f}"
        return words if self.best_cross_validated is not False else f"not cross-validated, {words}"

    @property
    def fit_words(self) -> str:
        """The train verdict with the confidence beside a fit: "fits the train pairs (5/5), confidence 0.88"."""
        if self.fits_train and self.confidence_words:
            return f"{self.train_words}, {self.confidence_words}"
        return self.train_words

    @property
    def test_words(self) -> str:
        """'right', 'wrong' or 'unknown' (no published output, or not run yet)."""
        if not self.test_total or self.state not in ("done", "skipped", "stopped"):
            return "unknown"
        return "right" if self.test_passed == self.test_total else "wrong"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(train=self.train_words, test=self.test_words, fits_train=self.fits_train, confidence=self.confidence_words, fit=self.fit_words)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskRow:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["tests"] = [TestPair(**t) for t in data.get("tests", [])]
        return cls(**known)


def cross_validated(note: str) -> bool | None:
    """Whether the offline model's note on its program says the fit survived cross-validation."""
    if "not cross-validated" in note:
        return False
    return True if "cross-validated" in note else None


@dataclass
class Totals:
    tasks: int
    fits_train: int
    test_right: int
    test_known: int
    errors: int
    calls: int
    tokens: int
    cost_usd: float
    seconds: float  # wall time of the batch

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def totals(rows: list[TaskRow], seconds: float) -> Totals:
    return Totals(
        tasks=len(rows),
        fits_train=sum(r.fits_train for r in rows),
        test_right=sum(r.test_words == "right" for r in rows),
        test_known=sum(r.test_words in ("right", "wrong") for r in rows),
        errors=sum(r.state == "error" for r in rows),
        calls=sum(r.calls for r in rows),
        tokens=sum(r.tokens for r in rows),
        cost_usd=round(sum(r.cost_usd for r in rows), 6),
        seconds=round(seconds, 3),
    )


def report_data(rows: list[TaskRow], seconds: float, settings: dict[str, Any]) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "settings": settings,
        "totals": totals(rows, seconds).to_dict(),
        "tasks": [r.to_dict() for r in rows],
    }


def csv_text(rows: list[TaskRow]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        data = row.to_dict()
        writer.writerow([data.get(c) if c != "script" else row.script for c in CSV_COLUMNS])
    return buffer.getvalue()


def write_reports(out: Path, rows: list[TaskRow], seconds: float, settings: dict[str, Any]) -> list[Path]:
    """report.json, report.csv and report.html in `out`, each written atomically."""
    from synth_lsp.batch.html_report import html_page

    data = report_data(rows, seconds, settings)
    paths = [out / "report.json", out / "report.csv", out / "report.html"]
    write_atomically(paths[0], json.dumps(data, indent=1) + "\n")
    write_atomically(paths[1], csv_text(rows))
    write_atomically(paths[2], html_page(data))
    return paths
