"""Grade a folder of submissions and write results, executed notebooks and a grades table."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from rich.console import Console

from grader.discover.submissions import Skipped, Submission, discover
from grader.pipeline import GradeOptions, grade_notebook
from grader.prepare.assignment import load_assignment_data
from grader.rubric import Rubric
from grader.store.files import write_result
from grader.store.record import GradedSubmission

__all__ = ["BatchOutcome", "grade_batch"]

EXECUTED_DIR = "executed"


@dataclass
class BatchOutcome:
    """What a batch produced: one result per discovered submission, plus what was skipped."""

    graded: list[GradedSubmission] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def grade_batch(
    submissions: Path,
    rubric: Rubric,
    out_dir: Path,
    *,
    options: GradeOptions = GradeOptions(),
    jobs: int = 1,
    console: Console | None = None,
    on_result: Callable[[Submission, GradedSubmission], None] | None = None,
) -> BatchOutcome:
    """Grade every notebook under ``submissions`` into ``out_dir``; one broken notebook never stops it."""
    found, skipped = discover(submissions)
    data = load_assignment_data(rubric, cache_dir=out_dir / ".cache")
    outcome = BatchOutcome(skipped=skipped)
    for sub in found:
        graded = grade_notebook(
            sub.path, rubric, data, student_id=sub.student_id, options=options,
            executed_dir=out_dir / EXECUTED_DIR,
        )
        write_result(out_dir, graded)
        outcome.graded.append(graded)
        if on_result is not None:
            on_result(sub, graded)
    return outcome
