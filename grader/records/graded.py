"""What is stored per graded submission: the result, the evidence behind it and integrity notes.

One ``GradedSubmission`` is written as ``OUT/results/<student_id>.json``. Reports, exports, rescoring and
the gradebook read these files; none of them re-executes a notebook.
"""

from __future__ import annotations

from grader._model import Frozen
from grader.records.adjust import ReviewMark
from grader.records.evidence import Evidence
from grader.records.result import SubmissionResult

__all__ = ["GradedSubmission", "IntegrityReport"]


class IntegrityReport(Frozen):
    """Observations worth a human look. They never change points by themselves.

    ``saved_output_notes``: where the outputs saved in the submitted file differ from what re-execution
    produced (e.g. an edited metric). ``locked_cells_changed``: ids of provided cells the student edited.
    """

    saved_outputs_reproduced: bool | None = None
    saved_output_notes: tuple[str, ...] = ()
    locked_cells_changed: tuple[str, ...] = ()
    student_code_sha256: str = ""


class GradedSubmission(Frozen):
    """Everything the grader keeps about one graded submission.

    ``cache_key``: the batch's resume key (``grader.batch.keys``); a re-run reuses this file when the key
    it computes is the same, and an empty key (a harness failure) is never reused. ``notes``: what
    discovery noticed (duplicates not graded, a late mark, a converted nbformat 3 file).
    Stored results carry the automatic score; :func:`grader.score.effective_result` applies the
    gradebook's adjustments (overrides, late days, review mark) for everything users receive.
    """

    result: SubmissionResult
    evidence: Evidence = Evidence()
    integrity: IntegrityReport = IntegrityReport()
    submission_sha256: str = ""
    executed_notebook: str | None = None
    grader_version: str = ""
    graded_at: str = ""
    cache_key: str = ""
    notes: tuple[str, ...] = ()
    student_name: str = ""
    """The student's name as the LMS gave it (Moodle folder, Canvas or Moodle roster); may be empty."""
    reviewed: ReviewMark | None = None
    """Set on effective results only: a TA marked this submission reviewed."""
