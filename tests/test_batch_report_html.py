"""report.html in the real Chromium: the page a person opens (no network, no script) shows the
totals, the chart, one row and one section per task, and each test pair's grids in the ARC colours.
A screenshot is kept in test-artifacts/batch_report.png."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARC = ROOT / "examples" / "arc"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


class Dom(HTMLParser):
    """The rendered DOM's elements, by tag, with their attributes."""

    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict[str, str]]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {k: v or "" for k, v in attrs}))

    def having(self, tag: str, **attrs: str) -> list[dict[str, str]]:
        return [a for t, a in self.elements if t == tag and all(a.get(k.replace("_", "-")) == v for k, v in attrs.items())]


def chromium(*args: str, tmp: Path) -> subprocess.CompletedProcess:
    profile = tmp / "profile"
    return subprocess.run(
        [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (Debian: apt-get install chromium)")
def test_the_report_page_renders_every_task_and_its_grids_in_chromium(tmp_path):
    tasks = tmp_path / "tasks"
    tasks.mkdir()
    for name in ("007bbfb7", "25ff71a9"):
        shutil.copy(ARC / f"{name}.json", tasks)
    (tasks / "broken.json").write_text(json.dumps({"train": [{"input": [[1]]}], "test": []}))
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "synth_lsp", "evolve", str(tasks), "--out", str(out), "--offline-time", "3"],
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert (out / "report.html").exists(), done.stderr
    data = json.loads((out / "report.json").read_text())
    page = (out / "report.html").read_text()
    assert "http://" not in page and "https://" not in page and "<script" not in page  # self-contained

    rendered = chromium("--dump-dom", (out / "report.html").as_uri(), tmp=tmp_path)
    assert rendered.returncode == 0 and "</html>" in rendered.stdout, rendered.stderr[-2000:]
    dom = Dom()
    dom.feed(rendered.stdout)
    assert len(dom.having("tr", **{"class": "task-row"})) == len(data["tasks"]) == 3
    assert len(dom.having("section", **{"class": "task"})) == 3
    pairs = sum(len(t["tests"]) for t in data["tasks"])
    assert pairs == 3  # 007bbfb7 has one test pair, 25ff71a9 two, the broken task none
    for kind in ("input", "expected", "predicted"):
        assert len(dom.having("svg", **{"class": "grid", "data_kind": kind})) == pairs
    # each predicted grid has the expected grid's shape, drawn cell by cell in the ARC palette
    expected = dom.having("svg", **{"class": "grid", "data_kind": "expected"})
    predicted = dom.having("svg", **{"class": "grid", "data_kind": "predicted"})
    assert [(e["data-rows"], e["data-cols"]) for e in expected] == [(p["data-rows"], p["data-cols"]) for p in predicted]
    cells = sum(len(g) * len(g[0]) for t in data["tasks"] for pair in t["tests"] for g in (pair["input"], pair["expected"], pair["predicted"]))
    fills = [a.get("fill") for t, a in dom.elements if t == "rect"]
    assert len(fills) == cells and set(fills) <= {"#000000", "#0074D9", "#FF4136", "#2ECC40", "#FFDC00", "#AAAAAA", "#F012BE", "#FF851B", "#7FDBFF", "#870C25"}
    # the chart counts the tasks that fit their train pairs and that are right on test
    series = {a["data-series"]: int(a["data-count"]) for a in dom.having("polyline", **{"class": "series"})}
    assert series == {"fits-train": data["totals"]["fits_train"], "test-right": data["totals"]["test_right"]} == {"fits-train": 2, "test-right": 2}
    assert re.search(r"3 tasks: <b>2</b> fit the train pairs", rendered.stdout)
    assert "broken" in rendered.stdout and "could not run" in rendered.stdout

    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "batch_report.png"
    shot.unlink(missing_ok=True)
    taken = chromium(f"--screenshot={shot}", "--window-size=1000,1600", (out / "report.html").as_uri(), tmp=tmp_path)
    assert taken.returncode == 0 and shot.exists() and shot.stat().st_size > 10_000, taken.stderr[-2000:]
