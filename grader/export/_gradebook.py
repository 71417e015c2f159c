"""The instructors' gradebook: one row per student, one column per question, plus points possible.

``gradebook.csv``: ``student_id, status, <question ids...>, total, extra, late_penalty``. A question
a submission has no result for is an empty cell. ``points_possible.csv`` (a separate file, never a
fake student row): ``column, title, points_possible, extra_credit`` for each question column and for
``total`` and ``extra``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from grader.export._common import number, question_columns, write_csv
from grader.records.graded import GradedSubmission

__all__ = ["GRADEBOOK_FIXED", "write_gradebook_csv"]

GRADEBOOK_FIXED = ("student_id", "status")
_TAIL = ("total", "extra", "late_penalty")


def _row(g: GradedSubmission, ids: Sequence[str]) -> list[str]:
    """One student's cells."""
    points = {q.id: number(q.points) for q in g.result.questions}
    r = g.result
    return [r.student_id, r.status.value, *(points.get(i, "") for i in ids),
            number(r.total), number(r.extra_points), number(r.late_penalty)]


def _possible_rows(graded: Sequence[GradedSubmission]) -> list[list[str]]:
    """``points_possible.csv`` rows: one per question column, then ``total`` and ``extra``."""
    columns = question_columns(graded)
    max_points = max((g.result.max_points for g in graded), default=0.0)
    extra_max = max((g.result.extra_max for g in graded), default=0.0)
    rows = [["column", "title", "points_possible", "extra_credit"]]
    rows += [[c.id, c.title, number(c.max_points), str(c.extra_credit).lower()] for c in columns]
    rows += [["total", "Total (regular points)", number(max_points), "false"],
             ["extra", "Extra credit", number(extra_max), "true"]]
    return rows


def write_gradebook_csv(
    graded: Sequence[GradedSubmission], path: Path, *, points_possible: Path | None = None
) -> tuple[Path, Path]:
    """Write the gradebook to ``path`` and points possible beside it (default ``points_possible.csv``).

    Rows are sorted by student id. Returns both paths.
    """
    ids = [c.id for c in question_columns(graded)]
    rows = [[*GRADEBOOK_FIXED, *ids, *_TAIL]]
    rows += [_row(g, ids) for g in sorted(graded, key=lambda g: g.result.student_id)]
    possible = points_possible or path.with_name("points_possible.csv")
    return write_csv(path, rows), write_csv(possible, _possible_rows(graded))
