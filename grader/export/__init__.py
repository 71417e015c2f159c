"""Exports of graded results: the gradebook, Gradescope, Moodle and Canvas.

Each writer takes :class:`~grader.records.graded.GradedSubmission` objects (the effective results:
score + late penalty + TA overrides) and writes a file; none changes a point. Student-facing exports
(Gradescope ``results.json``, Moodle feedback comments) are built from
:func:`grader.render.student_feedback`, so hidden criteria never appear in them. With an LMS roster
(:func:`grader.discover.lms_files.read_roster`) the Moodle worksheet and the Canvas gradebook are
written in the LMS's own importable shape; ``exports/README.txt`` says which file goes where.
"""

from __future__ import annotations

from grader.export._canvas import choose_canvas_column, write_canvas_csv, write_canvas_gradebook
from grader.export._common import RosterEntry, final_grade
from grader.export._gradebook import write_gradebook_csv
from grader.export._gradescope import gradescope_results, write_gradescope
from grader.export._moodle import write_moodle_csv, write_moodle_worksheet
from grader.export._scale import ExtraCredit, LmsGrade, lms_grade
from grader.export._settings import LmsSettings, load_lms_settings, resolve_lms_settings, save_lms_settings
from grader.export._write import write_exports

__all__ = [
    "ExtraCredit",
    "LmsGrade",
    "LmsSettings",
    "RosterEntry",
    "choose_canvas_column",
    "final_grade",
    "gradescope_results",
    "lms_grade",
    "load_lms_settings",
    "resolve_lms_settings",
    "save_lms_settings",
    "write_canvas_csv",
    "write_canvas_gradebook",
    "write_exports",
    "write_gradebook_csv",
    "write_gradescope",
    "write_moodle_csv",
    "write_moodle_worksheet",
]
