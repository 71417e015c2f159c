"""What a batch shows while it runs: a progress bar with ETA, a line per student, a closing summary.

Nothing is printed without a console (library use). Per-student lines carry no timestamps; durations
appear only on screen, never in stored results.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rich.console import Console
from rich.markup import escape
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from grader.discover.submissions import Skipped
from grader.records.graded import GradedSubmission

__all__ = ["BatchSummary", "Reporter", "student_line"]

_STATUS_STYLE = {"graded": "green", "invalid": "yellow", "sandbox_error": "red", "grader_error": "red"}


@dataclass(frozen=True)
class BatchSummary:
    """Counts for the closing summary. ``failed``: harness failures (worker crashes), retried next run."""

    graded: int
    reused: int
    failed: int
    skipped: int
    seconds: float
    jobs: int
    backend: str


def student_line(graded: GradedSubmission, seconds: float | None = None) -> str:
    """``12345   7/15  graded  (reason)`` for one result (rich markup, escaped)."""
    r = graded.result
    extra = f" +{r.extra_points:g}" if r.extra_max else ""
    took = "" if seconds is None else f" {seconds:6.1f}s"
    why = f"  {escape(r.reason)}" if r.reason else ""
    style = _STATUS_STYLE.get(r.status.value, "yellow")
    return (
        f"{escape(r.student_id):<16} {r.total:>6g}/{r.max_points:g}{extra:<5} "
        f"[{style}]{r.status.value:<13}[/]{took}{why}"
    )


class Reporter:
    """Shows a batch on ``console``; every method is a no-op when ``console`` is ``None``."""

    def __init__(self, console: Console | None) -> None:
        self.console = console
        self._progress: Progress | None = None
        self._bar: TaskID | None = None

    def start(self, total: int, reused: int, jobs: int, backend: str) -> None:
        """Open the bar for ``total`` notebooks to run; say how many results are reused."""
        if self.console is None:
            return
        if reused:
            self.console.print(f"Reusing {reused} results graded earlier with the same inputs (force to regrade).")
        self.console.print(f"Grading {total} submissions with {jobs} slots ({backend}).")
        self._progress = Progress(
            SpinnerColumn(), TextColumn("[progress.description]{task.description}"), BarColumn(),
            MofNCompleteColumn(), TimeElapsedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, transient=False,
        )
        self._progress.start()
        self._bar = self._progress.add_task("grading", total=total)

    def result(self, graded: GradedSubmission, seconds: float | None) -> None:
        """One finished student: a line above the bar, the bar one step on."""
        if self._progress is None or self._bar is None:
            return
        self._progress.console.print(student_line(graded, seconds), highlight=False)
        self._progress.advance(self._bar)

    def stop(self) -> None:
        """Close the bar (also after an error)."""
        if self._progress is not None:
            self._progress.stop()
            self._progress = None

    def finish(self, graded: list[GradedSubmission], skipped: list[Skipped], summary: BatchSummary) -> None:
        """The closing summary: statuses, what was reused or failed, skipped files, throughput."""
        self.stop()
        if self.console is None:
            return
        table = Table("status", "students", title="Batch summary")
        for status, count in sorted(Counter(g.result.status.value for g in graded).items()):
            table.add_row(status, str(count))
        self.console.print(table)
        rate = summary.graded / summary.seconds if summary.seconds > 0 else 0.0
        self.console.print(
            f"{len(graded)} students: {summary.graded} graded now, {summary.reused} reused, "
            f"{summary.failed} harness failures (retried on the next run); {summary.skipped} files skipped. "
            f"{summary.seconds:.1f} s, {rate:.2f} notebooks/s, {summary.jobs} slots ({summary.backend})."
        )
        for item in skipped:
            owner = escape(f" [{item.student_id}]") if item.student_id else ""
            self.console.print(f"[yellow]skipped[/]{owner} {escape(str(item.path))}: {escape(item.reason)}")
