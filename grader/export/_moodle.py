"""Moodle exports: the filled grading worksheet (with a roster) and a generic worksheet-like table.

With a roster (:func:`grader.discover.lms_files.read_roster` of the worksheet Moodle gave you:
Assignment -> View all submissions -> Grading action -> Download grading worksheet),
:func:`write_moodle_worksheet` writes that same file with ``Grade`` and ``Feedback comments`` filled
and every other byte kept (its upload matches rows on ``Identifier`` and refuses a file without
``Last modified (grade)``). Grades are on the worksheet's ``Maximum Grade`` scale, written with the
worksheet's decimal separator; a roster student the grader has no result for gets an empty grade
(Moodle's upload skips it) and the feedback "no submission".

Without a roster, :func:`write_moodle_csv` writes ``moodle.csv`` with the same columns keyed by the
grader's student id: for reading, not for Moodle's upload (it has no "Participant N" identifiers).
Feedback comments are HTML (Moodle stores them as such), built from the student-facing view.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.discover.lms_files import Roster
from grader.export._common import RosterEntry, write_csv
from grader.export._scale import ExtraCredit, LmsGrade, lms_grade
from grader.export._text import NO_SUBMISSION, feedback_html
from grader.records.graded import GradedSubmission
from grader.render import StudentFeedback, format_points, student_feedback
from grader.store.files import write_atomic

__all__ = [
    "MOODLE_COLUMNS",
    "moodle_feedback",
    "moodle_number",
    "moodle_worksheet_grades",
    "write_moodle_csv",
    "write_moodle_worksheet",
]

MOODLE_COLUMNS = ("Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade", "Feedback comments")


def moodle_feedback(fb: StudentFeedback) -> str:
    """HTML feedback of a student-facing view alone: the headline, then one item per question that lost points."""
    from markupsafe import escape

    items = "".join(
        f"<li>{escape(q.id)} {escape(q.title)}: {format_points(q.points)}/{format_points(q.max_points)}"
        f"{' — ' + str(escape(q.reason)) if q.reason else ''}</li>"
        for q in fb.lost
    )
    return f"<p>{escape(fb.headline)}</p>" + (f"<ul>{items}</ul>" if items else "")


def moodle_number(value: float, decimal: str = ".") -> str:
    """A grade as Moodle's worksheet writes it: two decimals, with the worksheet's decimal separator."""
    return f"{value:.2f}".replace(".", decimal)


def _row(g: GradedSubmission, entry: RosterEntry, extra_credit: ExtraCredit) -> list[str]:
    """One generic worksheet row."""
    lms = lms_grade(g.result, lms_max=None, extra_credit=extra_credit)
    return [entry.lms_id or g.result.student_id, entry.name or g.student_name, entry.email,
            student_feedback(g.result).status_label, moodle_number(lms.grade), moodle_number(lms.maximum),
            feedback_html(g, lms, extra_in_text=True)]


def write_moodle_csv(
    graded: Sequence[GradedSubmission],
    path: Path,
    *,
    roster: Mapping[str, RosterEntry] | None = None,
    extra_credit: ExtraCredit = "separate",
) -> Path:
    """Write the generic worksheet for ``graded`` (sorted by student id) to ``path``."""
    roster = roster or {}
    rows = [list(MOODLE_COLUMNS)]
    rows += [_row(g, roster.get(g.result.student_id, RosterEntry()), extra_credit)
             for g in sorted(graded, key=lambda g: g.result.student_id)]
    return write_csv(path, rows)


def moodle_worksheet_grades(
    graded: Sequence[GradedSubmission], roster: Roster, *, extra_credit: ExtraCredit
) -> dict[str, LmsGrade]:
    """Each roster student's grade on the worksheet's scale (students without a result are left out)."""
    by_id = {g.result.student_id: g for g in graded}
    maximum = roster.columns[0].points_possible
    return {s.student_id: lms_grade(by_id[s.student_id].result, lms_max=maximum, extra_credit=extra_credit)
            for s in roster.students if s.student_id in by_id}


def write_moodle_worksheet(
    graded: Sequence[GradedSubmission], roster: Roster, path: Path, *, extra_credit: ExtraCredit = "separate"
) -> Path:
    """Write ``roster``'s worksheet to ``path`` with Grade and Feedback comments filled for every student."""
    by_id = {g.result.student_id: g for g in graded}
    grades = moodle_worksheet_grades(graded, roster, extra_credit=extra_credit)
    grade_column = roster.columns[0].index
    cells: dict[tuple[int, int], str] = {}
    for s in roster.students:
        lms = grades.get(s.student_id)
        cells[(s.row, grade_column)] = "" if lms is None else moodle_number(lms.grade, roster.decimal)
        if roster.feedback is not None:
            text = NO_SUBMISSION if lms is None else feedback_html(by_id[s.student_id], lms, extra_in_text=True)
            cells[(s.row, roster.feedback)] = text
    write_atomic(path, roster.csv.replaced(cells))
    return path
