"""What is stored per graded submission: the result, the run, the evidence behind it and integrity notes.

One ``GradedSubmission`` is written as ``OUT/results/<student_id>.json``. Reports, exports, rescoring and
the gradebook read these files; none of them re-executes a notebook.

Stored before the run moved beside the result (``result.execution``, and the executed notebook's path
also at the top as ``executed_notebook``), a submission is lifted on load: the run to ``execution``, the
path into it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import model_validator

from grader._model import Frozen
from grader.records.adjust import ReviewMark
from grader.records.evidence import Evidence
from grader.records.execution import ExecutionRecord
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


def _with_path(execution: Any, path: Any) -> Any:
    """``execution`` (a stored mapping or a record) with the executed notebook at ``path`` (when given)."""
    if not path:
        return execution
    if isinstance(execution, ExecutionRecord):
        return execution.model_copy(update={"executed_notebook": path})
    if isinstance(execution, Mapping):
        return {**execution, "executed_notebook": path}
    return execution


def _lift_execution(data: Any) -> Any:
    """``data`` (a stored ``GradedSubmission``) with ``result.execution`` moved to ``execution``.

    A stored top-level ``executed_notebook`` goes into the run's record (it won over the run's own path
    when both were stored, and was the same path whenever the grader wrote both). A run given at the top
    wins over one inside the result; anything else is left for validation to judge.
    """
    if not isinstance(data, Mapping):
        return data
    out = dict(data)
    result = out.get("result")
    if isinstance(result, Mapping) and "execution" in result:
        out["result"] = {k: v for k, v in result.items() if k != "execution"}
        out.setdefault("execution", result["execution"])
    path = out.pop("executed_notebook", None)
    if "execution" in out:
        out["execution"] = _with_path(out["execution"], path)
    return out


class GradedSubmission(Frozen):
    """Everything the grader keeps about one graded submission, side by side.

    ``result``: what scoring decided. ``execution``: the run it was decided from (status, failing cells,
    device, limits, and where the executed notebook is: ``execution.executed_notebook``, relative to
    ``OUT/executed/``). ``evidence``: what was collected and measured.
    ``cache_key``: the batch's resume key (``grader.batch.keys``); a re-run reuses this file when the key
    it computes is the same, and an empty key (a harness failure) is never reused. ``notes``: what
    discovery noticed (duplicates not graded, a late mark, a converted nbformat 3 file).
    Stored results carry the automatic score; :func:`grader.score.effective_result` applies the
    gradebook's adjustments (overrides, late days, review mark) for everything users receive.
    """

    result: SubmissionResult
    execution: ExecutionRecord
    evidence: Evidence = Evidence()
    integrity: IntegrityReport = IntegrityReport()
    submission_sha256: str = ""
    grader_version: str = ""
    graded_at: str = ""
    cache_key: str = ""
    notes: tuple[str, ...] = ()
    student_name: str = ""
    """The student's name as the LMS gave it (Moodle folder, Canvas or Moodle roster); may be empty."""
    reviewed: ReviewMark | None = None
    """Set on effective results only: a TA marked this submission reviewed."""

    @model_validator(mode="before")
    @classmethod
    def _lift(cls, data: Any) -> Any:
        return _lift_execution(data)
