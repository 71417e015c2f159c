"""Small GradedSubmission builders for store tests (no pipeline, no kernel)."""

from __future__ import annotations

from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission
from grader.records.result import QuestionResult, QuestionStatus, SubmissionResult, SubmissionStatus

QUESTIONS = (("1.2", 2.0, False), ("2.5", 5.0, False), ("3.1", 3.0, True))


def graded(student: str, points: dict[str, float] | None = None, *, sha: str = "sha-a", key: str = "k") -> GradedSubmission:
    """A result for ``student`` with ``points`` per question (default: full marks), regular max 7, extra 3."""
    points = points or {qid: top for qid, top, _ in QUESTIONS}
    questions = tuple(
        QuestionResult(
            id=qid, title=f"Question {qid}", points=points.get(qid, 0.0), max_points=top,
            status=QuestionStatus.PASSED if points.get(qid, 0.0) == top else QuestionStatus.FAILED,
            reason="", extra_credit=extra,
        )
        for qid, top, extra in QUESTIONS
    )
    regular = sum(q.points for q in questions if not q.extra_credit)
    extra = sum(q.points for q in questions if q.extra_credit)
    result = SubmissionResult(
        student_id=student, source=f"subs/{student}.ipynb", status=SubmissionStatus.GRADED, reason="",
        total=regular, max_points=7.0, extra_points=extra, extra_max=3.0, questions=questions,
    )
    return GradedSubmission(result=result, execution=ExecutionRecord(status=ExecStatus.OK), submission_sha256=sha,
                            grader_version="test", cache_key=key)
