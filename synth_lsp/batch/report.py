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
    def test_words(self) -> str:
        """'right', 'wrong' or 'unknown' (no published output, or not run yet)."""
        if not self.test_total or self.state not in ("done", "skipped", "stopped"):
            return "unknown"
        return "right" if self.test_passed == self.test_total else "wrong"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data.update(train=self.train_words, test=self.test_words, fits_train=self.fits_train)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> TaskRow:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        known["tests"] = [TestPair(**t) for t in data.get("tests", [])]
        return cls(**known)


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
