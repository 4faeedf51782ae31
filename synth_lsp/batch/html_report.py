"""`report.html`: one self-contained page (no script, no CDN): the totals, a chart of tasks that fit
their train pairs (and are right on their test pairs) against time, and per task its test input,
expected and predicted grids in the ARC colours, and the best script."""

from __future__ import annotations

from html import escape
from typing import Any

from synth_lsp.core.render import PALETTE

CELL = 10  # px per grid cell
MAX_CELLS = 30  # ARC grids are at most 30x30; larger values are drawn clipped
STYLE = """
body{font:14px system-ui,sans-serif;margin:1.5em;color:#222}
table.rows{border-collapse:collapse}table.rows td,table.rows th{border:1px solid #ccc;padding:2px 6px;text-align:left}
section.task{border-top:1px solid #ccc;margin-top:1em;padding-top:.5em}
.grids{display:flex;gap:1.5em;flex-wrap:wrap;align-items:flex-start}
figure{margin:0}figcaption{font-size:12px;color:#555}
pre{background:#f6f6f6;padding:.5em;overflow:auto;max-height:24em}
.right{color:#1a7f37}.wrong{color:#b42318}.unknown{color:#666}
"""


def colour(value: Any) -> str:
    return PALETTE[value][1] if isinstance(value, int) and value in PALETTE else "#ffffff"


def is_grid(value: Any) -> bool:
    return isinstance(value, list) and bool(value) and all(isinstance(row, list) for row in value)


def grid_svg(grid: Any, kind: str) -> str:
    """A grid as an inline SVG, one rect per cell; anything that is not a grid says so."""
    if not is_grid(grid):
        return f'<div class="grid missing" data-kind="{kind}">(no grid)</div>'
    rows = grid[:MAX_CELLS]
    width = max(len(r) for r in rows)
    width = min(width, MAX_CELLS)
    cells = [
        f'<rect x="{c * CELL}" y="{r * CELL}" width="{CELL}" height="{CELL}" fill="{colour(v)}"/>'
        for r, row in enumerate(rows)
        for c, v in enumerate(row[:MAX_CELLS])
    ]
    w, h = max(width, 1) * CELL, len(rows) * CELL
    return (
        f'<svg class="grid" data-kind="{kind}" data-rows="{len(grid)}" data-cols="{max(len(r) for r in grid)}" '
        f'width="{w}" height="{h}" viewBox="0 0 {w} {h}" stroke="#555" stroke-width="0.5">' + "".join(cells) + "</svg>"
    )


def chart_svg(tasks: list[dict[str, Any]], seconds: float) -> str:
    """Cumulative tasks that fit their train pairs, and that are right on test, against time."""
    width, height, pad = 480, 200, 30
    total = max(len(tasks), 1)
    span = max(seconds, max((t.get("finished_at") or 0 for t in tasks), default=0), 1e-6)

    def line(pick, stroke: str, name: str, thickness: float) -> str:
        times = sorted(t["finished_at"] for t in tasks if t.get("finished_at") is not None and pick(t))
        points = [(pad, height - pad)]
        for n, when in enumerate(times, start=1):
            x = pad + (width - 2 * pad) * when / span
            y = height - pad - (height - 2 * pad) * n / total
            points += [(x, points[-1][1]), (x, y)]
        points.append((width - pad, points[-1][1]))
        coords = " ".join(f"{x:.1f},{y:.1f}" for x, y in points)
        return f'<polyline class="series" data-series="{name}" data-count="{len(times)}" fill="none" stroke="{stroke}" stroke-width="{thickness}" points="{coords}"/>'

    axes = (
        f'<line x1="{pad}" y1="{height - pad}" x2="{width - pad}" y2="{height - pad}" stroke="#333"/>'
        f'<line x1="{pad}" y1="{pad}" x2="{pad}" y2="{height - pad}" stroke="#333"/>'
        f'<text x="{width / 2}" y="{height - 8}" text-anchor="middle" font-size="11">seconds since the batch started (0 to {span:.0f})</text>'
        f'<text x="4" y="{pad - 10}" font-size="11">tasks (of {len(tasks)})</text>'
    )
    legend = (
        f'<text x="{width - pad - 180}" y="{pad}" font-size="11" fill="#0074D9">fits the train pairs</text>'
        f'<text x="{width - pad - 180}" y="{pad + 14}" font-size="11" fill="#2ECC40">test: right</text>'
    )
    return (
        f'<svg id="chart" width="{width}" height="{height}" viewBox="0 0 {width} {height}">'
        + axes
        + line(lambda t: t.get("fits_train"), "#0074D9", "fits-train", 5)
        + line(lambda t: t.get("test") == "right", "#2ECC40", "test-right", 2)
        + legend
        + "</svg>"
    )


def totals_html(totals: dict[str, Any]) -> str:
    return (
        '<p id="totals">'
        f"{totals['tasks']} tasks: <b>{totals['fits_train']}</b> fit the train pairs; "
        f"test: right on <b>{totals['test_right']}</b> of the {totals['test_known']} with known test outputs; "
        f"{totals['errors']} could not run. {totals['calls']} model calls, {totals['tokens']} tokens, "
        f"${totals['cost_usd']:.4f}; {totals['seconds']:.1f} s.</p>"
    )


def rows_html(tasks: list[dict[str, Any]]) -> str:
    columns = ("task", "state", "train", "confidence", "test", "stop reason", "s", "calls", "cost", "best from")
    head = "<tr>" + "".join(f"<th>{c}</th>" for c in columns) + "</tr>"
    body = "".join(
        f'<tr class="task-row" data-task="{escape(t["task"])}"><td><a href="#task-{escape(t["task"])}">{escape(t["task"])}</a></td>'
        f'<td>{escape(t["state"])}</td><td>{escape(t["train"])}</td>'
        f'<td class="confidence">{escape(t.get("confidence", "") if t.get("fits_train") else "")}</td><td class="{t["test"]}">{t["test"]}</td>'
        f"<td>{escape(t['error'] or t['stop_reason'])}</td><td>{t['seconds']:.1f}</td><td>{t['calls']}</td>"
        f"<td>${t['cost_usd']:.4f}</td><td>{escape(t['best_model'] or t['best_origin'])}</td></tr>"
        for t in tasks
    )
    return f'<table class="rows">{head}{body}</table>'


def task_html(t: dict[str, Any]) -> str:
    parts = [
        f'<section class="task" id="task-{escape(t["task"])}" data-task="{escape(t["task"])}">',
        f'<h3>{escape(t["task"])}: {escape(t.get("fit") or t["train"])}; test: <span class="{t["test"]}">{t["test"]}</span></h3>',
    ]
    if t["error"]:
        parts.append(f'<p class="error">{escape(t["error"])}</p>')
    for n, pair in enumerate(t["tests"], start=1):
        verdict = {True: "right", False: "wrong", None: "unknown"}[pair["right"]]
        parts.append(f'<div class="grids" data-test="{n}">')
        for kind, caption in (("input", "input"), ("expected", "expected"), ("predicted", f"predicted ({verdict})")):
            parts.append(f"<figure>{grid_svg(pair[kind], kind)}<figcaption>test {n} {caption}</figcaption></figure>")
        parts.append("</div>")
        if pair.get("error"):
            parts.append(f'<p class="error">{escape(pair["error"])}</p>')
    if t.get("best_note"):
        parts.append(f'<p class="note">best: {escape(t["best_note"])}</p>')
    if t["best_script"]:
        parts.append(
            f"<details><summary>best script ({escape(t['best_origin'])}, generation {t['generation']})</summary>"
            f'<pre class="script">{escape(t["best_script"])}</pre></details>'
        )
    parts.append("</section>")
    return "".join(parts)


def html_page(data: dict[str, Any]) -> str:
    tasks = data["tasks"]
    totals = data["totals"]
    return (
        '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>synth-lsp batch report</title>'
        f"<style>{STYLE}</style></head><body><h1>synth-lsp batch report</h1>"
        + totals_html(totals)
        + chart_svg(tasks, totals["seconds"])
        + rows_html(tasks)
        + "".join(task_html(t) for t in tasks)
        + "</body></html>\n"
    )
