"""``grader check``: a student's pre-submission self-check.

Runs the notebook in the quick profile (sandboxed where bubblewrap works, otherwise plainly and saying so),
scores only the rubric's public criteria, and prints what will be graded, what is missing or malformed,
and what to fix. Hidden criteria, keys and data are never shown.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from rich.console import Console
from rich.table import Table

from grader.errors import ConfigError
from grader.pipeline import GradeOptions, grade_notebook
from grader.prepare.assignment import load_assignment_data
from grader.prepare.secret import ClassSecret
from grader.records.graded import GradedSubmission
from grader.rubric import load_rubric
from grader.score import QuestionStatus, SubmissionResult

__all__ = ["DEFAULT_RUBRIC", "self_check"]

DEFAULT_RUBRIC = Path("rubrics/week11.yaml")
_STYLE = {
    QuestionStatus.PASSED: "green",
    QuestionStatus.PARTIAL: "yellow",
    QuestionStatus.FAILED: "red",
    QuestionStatus.MISSING: "red",
    QuestionStatus.INVALID: "red",
    QuestionStatus.NOT_RUN: "dim",
}


def _table(result: SubmissionResult) -> Table:
    table = Table("question", "points", "status", "what to do", title="Self-check (public criteria only)")
    for q in result.questions:
        style = _STYLE.get(q.status, "")
        extra = " extra" if q.extra_credit else ""
        table.add_row(
            f"{q.id} {q.title}", f"{q.points:g}/{q.max_points:g}{extra}", f"[{style}]{q.status.value}[/]", q.reason
        )
    return table


def _header(graded: GradedSubmission, console: Console) -> None:
    ex = graded.result.execution
    where = "in the sandbox" if ex.sandboxed else "[yellow]without a sandbox[/] (bubblewrap is not available here)"
    console.print(f"Ran {graded.result.source} {where} on {ex.device} in {ex.duration_s:.0f} s: {ex.status.value}")
    if ex.failure is not None:
        f = ex.failure
        console.print(f"[red]cell {f.cell_index} raised {f.ename}: {f.evalue}[/]\n{f.source_preview}")
    elif ex.reason:
        console.print(f"[yellow]{ex.reason}[/]")


def self_check(notebook: Path, rubric_path: Path | None, *, console: Console) -> int:
    """Self-check ``notebook``; print the table; return 0 when nothing is missing or broken, else 1."""
    path = rubric_path or DEFAULT_RUBRIC
    if not path.is_file():
        raise ConfigError(f"no rubric at {path}; pass --rubric PATH (your course provides it)")
    rubric = load_rubric(path)
    with tempfile.TemporaryDirectory(prefix="grader-check-") as cache:
        # A throw-away secret: the self-check scores no hidden criterion, and keeps no secret around.
        data = load_assignment_data(rubric, cache_dir=Path(cache), secret=ClassSecret.generate())
        options = GradeOptions(profile="quick", sandbox="auto", self_check=True)
        console.print(f"Running {notebook} (quick profile); this trains your models and takes a while...")
        graded = grade_notebook(notebook, rubric, data, student_id="self-check", options=options)
    _header(graded, console)
    console.print(_table(graded.result))
    broken = {QuestionStatus.MISSING, QuestionStatus.INVALID, QuestionStatus.FAILED}
    problems = [q for q in graded.result.questions if q.status in broken]
    console.print(
        "[green]Nothing missing or malformed among the public checks.[/]"
        if not problems
        else f"[red]{len(problems)} question(s) need attention before you submit.[/]"
    )
    return 1 if problems else 0
