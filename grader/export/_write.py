"""Write every export of a class into one folder.

The caller passes the *effective* results (score + late penalty + TA overrides): every export only
formats what it receives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.discover.lms_files import Roster
from grader.export._canvas import (
    canvas_grades,
    choose_canvas_column,
    write_canvas_csv,
    write_canvas_gradebook,
)
from grader.export._common import RosterEntry
from grader.export._gradebook import write_gradebook_csv
from grader.export._gradescope import write_gradescope
from grader.export._moodle import moodle_worksheet_grades, write_moodle_csv, write_moodle_worksheet
from grader.export._readme import ReadmeFacts, readme_text
from grader.export._scale import ExtraCredit
from grader.records.graded import GradedSubmission
from grader.store.files import write_atomic

__all__ = ["LMS_FILES", "README", "write_exports"]

README = "README.txt"
LMS_FILES = {"moodle": "moodle_worksheet.csv", "canvas": "canvas_gradebook.csv"}


def _entries(roster: Roster) -> dict[str, RosterEntry]:
    """The roster as the generic exports' ``RosterEntry`` mapping."""
    return {s.student_id: RosterEntry(s.name, s.email, s.lms_id, s.sis_login_id, s.section) for s in roster.students}


def _roster_files(
    graded: Sequence[GradedSubmission], roster: Roster, out_dir: Path, facts: ReadmeFacts, *,
    lms_assignment: str | None, rubric_title: str,
) -> list[Path]:
    if roster.lms == "moodle":
        facts.grades = moodle_worksheet_grades(graded, roster, extra_credit=facts.extra_credit)
        facts.missing_feedback_column = roster.feedback is None
        return [write_moodle_worksheet(graded, roster, out_dir / LMS_FILES["moodle"],
                                       extra_credit=facts.extra_credit)]
    column = choose_canvas_column(roster, wanted=lms_assignment, rubric_title=rubric_title)
    facts.column = column.header
    facts.grades = canvas_grades(graded, roster, column, extra_credit=facts.extra_credit)
    return [write_canvas_gradebook(graded, roster, out_dir / LMS_FILES["canvas"], column=column,
                                   extra_credit=facts.extra_credit)]


def write_exports(
    graded: Sequence[GradedSubmission],
    out_dir: Path,
    *,
    assignment: str,
    roster: Roster | Mapping[str, RosterEntry] | None = None,
    gradebook: Path | None = None,
    extra_credit: ExtraCredit = "separate",
    lms_assignment: str | None = None,
    rubric_title: str = "",
) -> tuple[Path, ...]:
    """Write the exports of ``graded`` (effective results) under ``out_dir``; returns every path.

    Always: ``gradebook.csv`` (or ``gradebook``), ``points_possible.csv`` beside it, ``moodle.csv`` and
    ``canvas.csv`` (generic, keyed by the grader's ids; ``assignment`` heads the Canvas column),
    ``gradescope/<student_id>/results.json`` and ``README.txt``. With a :class:`Roster` (from
    :func:`grader.discover.lms_files.read_roster`) also ``moodle_worksheet.csv`` (a Moodle worksheet) or
    ``canvas_gradebook.csv`` (a Canvas export; the column ``lms_assignment``, else the one titled
    ``rubric_title``, else the only one). ``extra_credit``: the rubric's ``export.extra_credit``.
    Raises ``LmsFileError`` when the Canvas column cannot be chosen.
    """
    entries = _entries(roster) if isinstance(roster, Roster) else roster
    written = [*write_gradebook_csv(graded, gradebook or out_dir / "gradebook.csv"),
               write_moodle_csv(graded, out_dir / "moodle.csv", roster=entries, extra_credit=extra_credit),
               write_canvas_csv(graded, out_dir / "canvas.csv", assignment=assignment, roster=entries,
                                extra_credit=extra_credit)]
    facts = ReadmeFacts(graded, extra_credit, roster if isinstance(roster, Roster) else None)
    for lms, name in LMS_FILES.items():  # an upload file from an earlier roster would carry old grades
        if not (isinstance(roster, Roster) and roster.lms == lms):
            (out_dir / name).unlink(missing_ok=True)
    if isinstance(roster, Roster):
        written += _roster_files(graded, roster, out_dir, facts, lms_assignment=lms_assignment,
                                 rubric_title=rubric_title)
    written += write_gradescope(graded, out_dir / "gradescope")
    written.append(write_atomic(out_dir / README, readme_text(facts), durable=False))
    return tuple(written)
