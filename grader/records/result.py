"""The result of scoring one submission: points, statuses and a reason for every lost point.

Rendering lives elsewhere (``grader.render``); this model carries no presentation.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any

from pydantic import model_validator

from grader._model import Frozen
from grader.records.adjust import Lateness, OverrideNote
from grader.records.execution import ExecStatus

__all__ = [
    "Finding",
    "FindingStatus",
    "QuestionResult",
    "QuestionStatus",
    "SubmissionResult",
    "SubmissionStatus",
    "Visibility",
]


class Visibility(StrEnum):
    """Who may see a criterion: ``public`` ones appear in the student self-check."""

    PUBLIC = "public"
    HIDDEN = "hidden"

class QuestionStatus(StrEnum):
    """How a question ended: full marks, some, none, or why it could not be judged.

    ``NOT_RUN``: nothing collected counts (the run ended before the grader's collection cells), or, in
    the student self-check, the question is decided by hidden criteria checked at grading time.
    """

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    MISSING = "missing"
    INVALID = "invalid"
    NOT_RUN = "not_run"


class SubmissionStatus(StrEnum):
    """How the submission as a whole ended, as scoring decided it from the run's ``ExecStatus``."""

    GRADED = "graded"
    CELL_ERROR = "cell_error"
    TIMEOUT = "timeout"
    DEAD_KERNEL = "dead_kernel"
    LIMIT = "limit"
    INVALID = "invalid"
    SANDBOX_ERROR = "sandbox_error"

    @classmethod
    def from_exec(cls, status: ExecStatus) -> SubmissionStatus:
        return cls.GRADED if status is ExecStatus.OK else cls(status.value)


class FindingStatus(StrEnum):
    """How one criterion ended.

    ``PASSED``/``FAILED``: judged. ``MISSING``/``INVALID``: what it needs was not collected or was
    malformed. ``NOT_RUN``: nothing collected counts. ``DEFERRED``: a hidden criterion in the student
    self-check, checked at grading time.
    """

    PASSED = "passed"
    FAILED = "failed"
    MISSING = "missing"
    INVALID = "invalid"
    NOT_RUN = "not_run"
    DEFERRED = "deferred"


class Finding(Frozen):
    """One criterion's verdict on one question.

    ``points`` is what it earned (0 when another criterion of its all-or-nothing group failed);
    ``status`` defaults to ``PASSED``/``FAILED`` from ``passed``.
    """

    criterion: str
    kind: str
    passed: bool
    points: float
    max_points: float
    message: str
    visibility: Visibility = Visibility.PUBLIC
    status: FindingStatus = FindingStatus.PASSED

    @model_validator(mode="before")
    @classmethod
    def _status_from_passed(cls, data: Any) -> Any:
        if isinstance(data, dict) and "status" not in data:
            return {**data, "status": FindingStatus.PASSED if data.get("passed") else FindingStatus.FAILED}
        return data


class QuestionResult(Frozen):
    """Points for one question of the sheet, with the reason for any point lost."""

    id: str
    title: str
    points: float
    max_points: float
    status: QuestionStatus
    reason: str
    extra_credit: bool = False
    visibility: Visibility = Visibility.PUBLIC
    findings: tuple[Finding, ...] = ()
    override: OverrideNote | None = None
    """Set on effective results only: a TA's points replaced the automatic ones (``points``)."""


class SubmissionResult(Frozen):
    """Everything scoring decided for one submission.

    The run it was decided from is not part of it: ``GradedSubmission.execution`` keeps that beside it.
    """

    student_id: str
    source: str
    status: SubmissionStatus
    reason: str
    total: float
    max_points: float
    extra_points: float = 0.0
    extra_max: float = 0.0
    late_penalty: float = 0.0
    lateness: Lateness | None = None
    """How late, from where, under which policy; ``None`` for self-checks and results from before it."""
    rubric_id: str = ""
    questions: tuple[QuestionResult, ...] = ()
    self_check: bool = False
    """True when scored with ``public_view(rubric)`` (hidden criteria deferred, no late penalty)."""

    def question(self, question_id: str) -> QuestionResult:
        """The result for ``question_id``; ``KeyError`` names the ids that exist."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"no question {question_id!r}; have {[q.id for q in self.questions]}")
