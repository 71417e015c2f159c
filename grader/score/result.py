"""The result of scoring one submission: points, statuses and a reason for every lost point.

Rendering lives elsewhere (``grader.render``); this model carries no presentation.
"""

from __future__ import annotations

from enum import StrEnum

from grader._model import Frozen
from grader.execute.record import ExecStatus, ExecutionRecord

__all__ = [
    "Finding",
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
    """How a question ended: full marks, some, none, or why it could not be judged."""

    PASSED = "passed"
    PARTIAL = "partial"
    FAILED = "failed"
    MISSING = "missing"
    INVALID = "invalid"
    NOT_RUN = "not_run"


class SubmissionStatus(StrEnum):
    """How the submission as a whole ended (from its execution)."""

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


class Finding(Frozen):
    """One criterion's verdict on one question."""

    criterion: str
    kind: str
    passed: bool
    points: float
    max_points: float
    message: str
    visibility: Visibility = Visibility.PUBLIC


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


class SubmissionResult(Frozen):
    """Everything scoring decided for one submission."""

    student_id: str
    source: str
    status: SubmissionStatus
    reason: str
    total: float
    max_points: float
    extra_points: float = 0.0
    extra_max: float = 0.0
    late_penalty: float = 0.0
    rubric_id: str = ""
    questions: tuple[QuestionResult, ...] = ()
    execution: ExecutionRecord

    def question(self, question_id: str) -> QuestionResult:
        """The result for ``question_id``; ``KeyError`` names the ids that exist."""
        for q in self.questions:
            if q.id == question_id:
                return q
        raise KeyError(f"no question {question_id!r}; have {[q.id for q in self.questions]}")
