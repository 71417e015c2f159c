"""Exports of graded results: the gradebook, Gradescope, Moodle and Canvas.

Each writer takes stored :class:`~grader.records.graded.GradedSubmission` objects and writes a file;
none changes a point. Student-facing exports (Gradescope ``results.json``, Moodle feedback comments)
are built from :func:`grader.render.student_feedback`, so hidden criteria never appear in them.
"""

from __future__ import annotations

from grader.export._canvas import write_canvas_csv
from grader.export._common import RosterEntry, final_grade
from grader.export._gradebook import write_gradebook_csv
from grader.export._gradescope import gradescope_results, write_gradescope
from grader.export._moodle import write_moodle_csv
from grader.export._write import write_exports

__all__ = [
    "RosterEntry",
    "final_grade",
    "gradescope_results",
    "write_canvas_csv",
    "write_exports",
    "write_gradebook_csv",
    "write_gradescope",
    "write_moodle_csv",
]
