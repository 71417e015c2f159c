"""Canvas gradebook import CSV (Grades -> Import).

Canvas's importer (``lib/gradebook_importer.rb``) reads a header ``Student, ID, [SIS User ID,] SIS Login
ID, Section`` and then one column per assignment; a column headed ``"<title> (<assignment id>)"`` fills
that existing assignment, any other name creates a new one. A row whose first cell is ``Points
Possible`` is not a student. Students are matched on ``ID`` (Canvas's user id).

With a roster (the gradebook export, :func:`grader.discover.lms_files.read_roster`),
:func:`write_canvas_gradebook` writes ``canvas_gradebook.csv``: the student columns as the export had
them, the chosen assignment's own column (:func:`choose_canvas_column`) on its ``Points Possible``
scale, and with ``extra_credit: separate`` a column ``"<title> extra credit"`` (a new Canvas
assignment). A roster student the grader has no result for gets an empty cell.

Without a roster, :func:`write_canvas_csv` writes ``canvas.csv`` keyed by the grader's student id (in
``SIS User ID``): for reading; Canvas matches rows on ``ID``, which only the roster gives.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.discover.lms_files import CANVAS_STUDENT_COLUMNS, LmsColumn, Roster
from grader.errors import LmsFileError
from grader.export._common import RosterEntry, number, write_csv
from grader.export._scale import ExtraCredit, LmsGrade, lms_grade
from grader.records.graded import GradedSubmission
from grader.store.files import write_atomic

__all__ = [
    "CANVAS_COLUMNS",
    "POINTS_POSSIBLE_LABEL",
    "canvas_grades",
    "choose_canvas_column",
    "write_canvas_csv",
    "write_canvas_gradebook",
]

CANVAS_COLUMNS = CANVAS_STUDENT_COLUMNS
POINTS_POSSIBLE_LABEL = "    Points Possible"
_ID_SUFFIX = re.compile(r"\s*\((\d+)\)$")


def _title(header: str) -> str:
    return _ID_SUFFIX.sub("", header).strip()


def _names(column: LmsColumn, key: str) -> bool:
    """Whether ``key`` is ``column``'s header, its title or its Canvas assignment id."""
    found = _ID_SUFFIX.search(column.header)
    return key in (column.header, _title(column.header)) or (found is not None and found.group(1) == key)


def _row(g: GradedSubmission, entry: RosterEntry, extra_credit: ExtraCredit) -> list[str]:
    """One generic row."""
    sid = g.result.student_id
    lms = lms_grade(g.result, lms_max=None, extra_credit=extra_credit)
    return [entry.name or g.student_name or sid, entry.lms_id, sid, entry.sis_login_id, entry.section,
            number(lms.grade)]


def write_canvas_csv(
    graded: Sequence[GradedSubmission],
    path: Path,
    *,
    assignment: str,
    roster: Mapping[str, RosterEntry] | None = None,
    extra_credit: ExtraCredit = "separate",
) -> Path:
    """Write the generic Canvas table for one ``assignment`` column to ``path``."""
    roster = roster or {}
    possible = max((lms_grade(g.result, lms_max=None, extra_credit=extra_credit).maximum for g in graded),
                   default=0.0)
    rows = [[*CANVAS_COLUMNS, assignment], [POINTS_POSSIBLE_LABEL, "", "", "", "", number(possible)]]
    rows += [_row(g, roster.get(g.result.student_id, RosterEntry()), extra_credit)
             for g in sorted(graded, key=lambda g: g.result.student_id)]
    return write_csv(path, rows)


def choose_canvas_column(roster: Roster, *, wanted: str | None, rubric_title: str = "") -> LmsColumn:
    """The assignment column to fill: ``wanted`` (its header, its title or its Canvas id), else the one
    column whose title is the rubric's title, else the only assignment column.

    Raises ``LmsFileError`` listing the roster's assignment columns when none or several fit.
    """
    columns = roster.columns
    listing = f"the assignment columns of {roster.path} are {[c.header for c in columns]}"
    if wanted is not None:
        key = wanted.strip()
        hits = [c for c in columns if _names(c, key)]
        if len(hits) != 1:
            raise LmsFileError(f"--lms-assignment {wanted!r} names {len(hits)} columns; {listing}")
        return hits[0]
    hits = [c for c in columns if rubric_title and _title(c.header).lower() == rubric_title.strip().lower()]
    if len(hits) == 1:
        return hits[0]
    if len(columns) == 1:
        return columns[0]
    raise LmsFileError(
        f"{roster.path}: pick the Canvas assignment to fill with --lms-assignment "
        f"(none is titled {rubric_title!r}); {listing}"
    )


def canvas_grades(
    graded: Sequence[GradedSubmission], roster: Roster, column: LmsColumn, *, extra_credit: ExtraCredit
) -> dict[str, LmsGrade]:
    """Each roster student's grade for ``column`` (students without a result are left out)."""
    by_id = {g.result.student_id: g for g in graded}
    return {s.student_id: lms_grade(by_id[s.student_id].result, lms_max=column.points_possible,
                                    extra_credit=extra_credit)
            for s in roster.students if s.student_id in by_id}


def write_canvas_gradebook(
    graded: Sequence[GradedSubmission],
    roster: Roster,
    path: Path,
    *,
    column: LmsColumn,
    extra_credit: ExtraCredit = "separate",
) -> Path:
    """Write Canvas's import file for ``column``: every roster student, in the roster's order."""
    grades = canvas_grades(graded, roster, column, extra_credit=extra_credit)
    extra_max = max((g.result.extra_max for g in graded), default=0.0)
    extra = extra_credit == "separate" and extra_max > 0
    maximum = column.points_possible if column.points_possible is not None else max(
        (g.maximum for g in grades.values()), default=0.0)
    rows = [[*CANVAS_COLUMNS, column.header, *([f"{_title(column.header)} extra credit"] if extra else [])],
            [POINTS_POSSIBLE_LABEL, "", "", "", "", number(maximum), *([number(extra_max)] if extra else [])]]
    for s in roster.students:
        lms = grades.get(s.student_id)
        cells = ["" if lms is None else number(lms.grade)]
        if extra:
            cells.append("" if lms is None or lms.extra is None else number(lms.extra))
        rows.append([s.name, s.lms_id, s.sis_user_id, s.sis_login_id, s.section, *cells])
    write_atomic(path, _csv(rows, roster).encode("utf-8"))
    return path


def _csv(rows: list[list[str]], roster: Roster) -> str:
    """``rows`` as CSV text with the roster's delimiter, line ends and byte-order mark."""
    import csv
    import io

    buffer = io.StringIO()
    csv.writer(buffer, delimiter=roster.csv.delimiter, lineterminator=roster.csv.newline).writerows(rows)
    return ("\ufeff" if roster.csv.bom else "") + buffer.getvalue()
