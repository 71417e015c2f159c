"""Moodle's assignment grading worksheet (CSV upload in Assignment -> "Upload grading worksheet").

Columns: ``Identifier, Full name, Email address, Status, Grade, Maximum grade, Feedback comments``.
Moodle matches rows on ``Identifier``: its own worksheet uses ``Participant <n>``; pass
``RosterEntry.lms_id`` for that, otherwise rows are keyed by the grader's student id. Feedback
comments are HTML (Moodle stores them as such), built from the student-facing view, so hidden
criteria never appear; all student-derived text is escaped.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from markupsafe import escape

from grader.export._common import RosterEntry, final_grade, write_csv
from grader.records.graded import GradedSubmission
from grader.render import StudentFeedback, format_points, student_feedback

__all__ = ["MOODLE_COLUMNS", "moodle_feedback", "write_moodle_csv"]

MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade", "Feedback comments")


def moodle_feedback(fb: StudentFeedback) -> str:
    """HTML feedback: the headline, then one item per question that lost points."""
    items = "".join(
        f"<li>{escape(q.id)} {escape(q.title)}: {format_points(q.points)}/{format_points(q.max_points)}"
        f"{' — ' + str(escape(q.reason)) if q.reason else ''}</li>"
        for q in fb.lost
    )
    return f"<p>{escape(fb.headline)}</p>" + (f"<ul>{items}</ul>" if items else "")


def _row(g: GradedSubmission, entry: RosterEntry) -> list[str]:
    """One worksheet row."""
    fb = student_feedback(g.result)
    return [entry.lms_id or g.result.student_id, entry.name, entry.email, fb.status_label,
            f"{final_grade(g.result):.2f}", f"{g.result.max_points:.2f}", moodle_feedback(fb)]


def write_moodle_csv(
    graded: Sequence[GradedSubmission], path: Path, *, roster: Mapping[str, RosterEntry] | None = None
) -> Path:
    """Write the grading worksheet for ``graded`` (sorted by student id) to ``path``."""
    roster = roster or {}
    rows = [list(MOODLE_COLUMNS)]
    rows += [_row(g, roster.get(g.result.student_id, RosterEntry()))
             for g in sorted(graded, key=lambda g: g.result.student_id)]
    return write_csv(path, rows)
