"""Canvas gradebook import CSV.

Canvas's own format (Grades -> Import): the columns ``Student, ID, SIS User ID, SIS Login ID,
Section`` and one column per assignment, headed by its name (``"Week 11 (12345)"`` targets the
existing assignment 12345; a new name creates an assignment). The second row is Canvas's
``"    Points Possible"`` row (four leading spaces, as Canvas's own export writes it): this is a
requirement of Canvas's format, not a student. Canvas matches students on ``ID``, then SIS ids; without
a roster the grader's student id goes into ``SIS User ID``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.export._common import RosterEntry, final_grade, number, write_csv
from grader.records.graded import GradedSubmission

__all__ = ["CANVAS_COLUMNS", "POINTS_POSSIBLE_LABEL", "write_canvas_csv"]

CANVAS_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
POINTS_POSSIBLE_LABEL = "    Points Possible"


def _row(g: GradedSubmission, entry: RosterEntry) -> list[str]:
    """One student's row."""
    sid = g.result.student_id
    return [entry.name or sid, entry.lms_id, sid, entry.sis_login_id, entry.section, number(final_grade(g.result))]


def write_canvas_csv(
    graded: Sequence[GradedSubmission],
    path: Path,
    *,
    assignment: str,
    roster: Mapping[str, RosterEntry] | None = None,
) -> Path:
    """Write the Canvas import file for one ``assignment`` column (points + extra credit) to ``path``."""
    roster = roster or {}
    possible = max((g.result.max_points for g in graded), default=0.0)
    rows = [[*CANVAS_COLUMNS, assignment], [POINTS_POSSIBLE_LABEL, "", "", "", "", number(possible)]]
    rows += [_row(g, roster.get(g.result.student_id, RosterEntry()))
             for g in sorted(graded, key=lambda g: g.result.student_id)]
    return write_csv(path, rows)
