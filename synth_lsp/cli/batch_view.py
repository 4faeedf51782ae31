"""The batch's live view on stderr: a progress bar and a table of tasks (state, best train reward,
the offline model's confidence in a fit, test when known, calls, cost) with `rich` on a terminal;
one plain line per finished task otherwise."""

from __future__ import annotations

from typing import TextIO

from synth_lsp.batch.report import TaskRow

ENDED = ("done", "skipped", "stopped", "error")
TABLE_ROWS = 16  # running tasks first, then the latest to end


def row_line(row: TaskRow, done: int, total: int) -> str:
    head = f"[{done}/{total}] {row.task}: {row.state}"
    if row.state == "error":
        return f"{head}: {row.error}"
    spend = f"{row.calls} calls, ${row.cost_usd:.4f}, {row.seconds:.1f} s"
    test = f"test: {row.test_words}" if row.test_words != "unknown" else "test: unknown"
    return f"{head}: {row.fit_words}; {test}; {row.stop_reason}; {spend}"


class PlainView:
    def __init__(self, total: int, stream: TextIO):
        self.total, self.stream, self.ended = total, stream, set()

    def __enter__(self) -> PlainView:
        return self

    def __exit__(self, *exc) -> None:
        pass

    def update(self, row: TaskRow) -> None:
        if row.state not in ENDED or row.task in self.ended:
            return
        self.ended.add(row.task)
        try:
            print(row_line(row, len(self.ended), self.total), file=self.stream, flush=True)
        except (BrokenPipeError, ValueError):
            pass


class RichView:
    def __init__(self, names: list[str], stream: TextIO):
        from rich.console import Console
        from rich.live import Live
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self.rows: dict[str, TaskRow] = {n: TaskRow(task=n, script="") for n in names}
        self.order: list[str] = []  # tasks in the order they ended
        self.progress = Progress(TextColumn("batch"), BarColumn(), MofNCompleteColumn(), TextColumn("{task.description}"), TimeElapsedColumn())
        self.bar = self.progress.add_task("", total=len(names))
        self.live = Live(self._render(), console=Console(file=stream), refresh_per_second=4, transient=False)

    def __enter__(self) -> RichView:
        self.live.__enter__()
        return self

    def __exit__(self, *exc) -> None:
        self.live.update(self._render())
        self.live.__exit__(*exc)

    def update(self, row: TaskRow) -> None:
        self.rows[row.task] = row
        if row.state in ENDED and row.task not in self.order:
            self.order.append(row.task)
            fits = sum(self.rows[n].fits_train for n in self.order)
            self.progress.update(self.bar, completed=len(self.order), description=f"{fits} fit the train pairs")
        self.live.update(self._render())

    def _render(self):
        from rich.console import Group
        from rich.table import Table

        table = Table(expand=False)
        for column in ("task", "state", "best train reward", "confidence", "test", "calls", "cost"):
            table.add_column(column)
        running = [n for n, r in self.rows.items() if r.state == "running"]
        latest = list(reversed(self.order))
        for name in (running + latest)[:TABLE_ROWS]:
            r = self.rows[name]
            reward = f"{r.best_reward:.2f} ({r.train_passed}/{r.train_total})" if r.train_total else "-"
            state = r.state if r.state != "error" else f"error: {r.error[:40]}"
            confidence = r.confidence_words if r.fits_train and r.confidence_words else "-"
            table.add_row(r.task, state, reward, confidence, r.test_words, str(r.calls), f"${r.cost_usd:.4f}")
        return Group(self.progress, table)


def make_view(jobs, stream: TextIO):
    names = [j.name for j in jobs]
    try:
        tty = stream.isatty()
    except (ValueError, AttributeError):
        tty = False
    return RichView(names, stream) if tty else PlainView(len(names), stream)
