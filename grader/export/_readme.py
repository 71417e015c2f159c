"""``exports/README.txt``: what each export is for, which LMS import path takes it, and who needs a look.

Lists, by name: roster students with no graded submission ("no submission": empty grade), graded
students the roster does not have (not in the LMS file: enter them by hand), grades capped at the LMS
maximum, late penalties; and how grades were put on the LMS's scale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from grader.discover.lms_files import Roster
from grader.export._common import number
from grader.export._scale import ExtraCredit, LmsGrade
from grader.records.graded import GradedSubmission

__all__ = ["ReadmeFacts", "readme_text"]

_NO_ZIP = (
    "gradescope/<student>/results.json: Gradescope's autograder results format, one per student, for\n"
    "  Gradescope's API or for reading. There is no autograder zip to upload: Gradescope's container\n"
    "  cannot run this grader's sandbox, and the hidden labels would sit beside the student's code there."
)
_GENERIC = (
    "moodle.csv, canvas.csv: the grades keyed by the grader's student ids, for reading. Neither LMS\n"
    "  imports them: Moodle's worksheet upload needs its \"Participant N\" identifiers and the\n"
    "  \"Last modified (grade)\" column, Canvas's import matches on its user ID and needs the\n"
    "  assignment's \"Name (id)\" column. Give the LMS's own file with --roster (grader grade or\n"
    "  grader report) to get importable files:\n"
    "  - Moodle: Assignment -> View all submissions -> Grading action -> Download grading worksheet\n"
    "    (the feedback type \"Offline grading worksheet\" must be on) -> moodle_worksheet.csv\n"
    "  - Canvas: Grades -> Export -> Export Entire Gradebook -> canvas_gradebook.csv"
)
_MOODLE = (
    "moodle_worksheet.csv: the grading worksheet you downloaded, with Grade and Feedback comments\n"
    "  filled; every other column and row as downloaded. Upload it in Moodle: Assignment -> View all\n"
    "  submissions -> Grading action -> Upload grading worksheet. Moodle skips a row whose grade was\n"
    "  changed in Moodle after the download (unless you tick \"Allow updating records that have been\n"
    "  modified more recently in Moodle than in the spreadsheet\"), an empty grade, and a grade above\n"
    "  the maximum (this file has none)."
)
_CANVAS = (
    "canvas_gradebook.csv: Student, ID, SIS User ID, SIS Login ID, Section as in your gradebook export,\n"
    "  and the assignment's own column {column!r}. Import it in Canvas: Grades -> Import; check the\n"
    "  preview before you apply it."
)


@dataclass
class ReadmeFacts:
    """What the README reports about one export run."""

    graded: Sequence[GradedSubmission]
    extra_credit: ExtraCredit
    roster: Roster | None = None
    column: str = ""
    grades: dict[str, LmsGrade] = field(default_factory=dict)
    missing_feedback_column: bool = False


def _names(graded: Sequence[GradedSubmission], roster: Roster | None) -> dict[str, str]:
    """Each graded student's name: the result's, else the roster's."""
    listed = {s.student_id: s.name for s in roster.students} if roster is not None else {}
    return {g.result.student_id: g.student_name or listed.get(g.result.student_id, "") for g in graded}


def _who(sid: str, name: str) -> str:
    return f"{name} ({sid})" if name else sid


def _lists(facts: ReadmeFacts) -> list[str]:
    lines: list[str] = []
    names = _names(facts.graded, facts.roster)
    if facts.roster is not None:
        on_roster = facts.roster.by_id()
        absent = [s for s in facts.roster.students if s.student_id not in names]
        if names and len(absent) == len(facts.roster.students):
            lines.append(f"\nWARNING: none of the {len(names)} graded students is in {facts.roster.path.name}: "
                         "is it the roster of this assignment (and of this LMS)?")
        lines += [f"\nNo submission ({len(absent)}): roster students without a graded submission; their grade is",
                  "left empty (never 0) and their feedback says \"no submission\":"]
        lines += [f"  - {_who(s.student_id, s.name)}, row {s.row}" for s in absent] or ["  (none)"]
        extra = [g for g in facts.graded if g.result.student_id not in on_roster]
        lines += [f"\nNot in the roster ({len(extra)}): graded, but the LMS file has no row for them; enter by hand:"]
        lines += [f"  - {_who(g.result.student_id, g.student_name)}: {number(g.result.total)}/"
                  f"{number(g.result.max_points)} (+{number(g.result.extra_points)} extra)" for g in extra] or ["  (none)"]
    capped = [sid for sid, lms in facts.grades.items() if lms.capped]
    if capped:
        lines += ["\nCapped at the LMS maximum (the grade was above it):"]
        lines += [f"  - {_who(sid, names.get(sid, ''))}" for sid in capped]
    late = [g for g in facts.graded if g.result.lateness is not None and g.result.lateness.note(g.result.late_penalty)]
    lines += [f"\nLate ({len(late)}):"]
    lines += [f"  - {_who(g.result.student_id, names[g.result.student_id])}: "
              f"{g.result.lateness.note(g.result.late_penalty) if g.result.lateness else ''}" for g in late] or ["  (none)"]
    return lines


def _scale(facts: ReadmeFacts) -> list[str]:
    notes = sorted({lms.scale_note for lms in facts.grades.values() if lms.scale_note})
    rule = ("extra credit is added to the grade, on a scale of regular + extra points (rubric export.extra_credit: added)"
            if facts.extra_credit == "added" else
            "the grade is the regular points; extra credit is separate (rubric export.extra_credit: separate):"
            " its own column in Canvas, a line of the feedback in Moodle")
    lines = ["", f"Grades: after late penalty and TA overrides; {rule}."]
    if notes:
        maxima = sorted({number(lms.maximum) for lms in facts.grades.values()})
        lines.append(f"Rescaled from the rubric's points to the LMS maximum ({', '.join(maxima)}), e.g. {notes[0]}.")
    if facts.missing_feedback_column:
        lines.append("The worksheet has no \"Feedback comments\" column (that feedback type is off in the "
                     "assignment): only grades are filled.")
    return lines


def readme_text(facts: ReadmeFacts) -> str:
    """The README for an export folder."""
    n = len(facts.graded)
    lines = [f"Exports of {n} graded submission{'s' if n != 1 else ''}.", "",
             "grades.csv (in the output folder), points_possible.csv: the gradebook, one row per student,",
             "  one column per question."]
    if facts.roster is None:
        lines.append(_GENERIC)
    elif facts.roster.lms == "moodle":
        lines.append(_MOODLE)
    else:
        lines.append(_CANVAS.format(column=facts.column))
    lines.append(_NO_ZIP)
    return "\n".join(lines + _scale(facts) + _lists(facts)) + "\n"
