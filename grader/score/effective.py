"""Effective grades: the automatic result with what people decided applied (pure, no I/O).

``effective_result(graded, adjustments)`` is the one place where a TA's overrides, late days and review
mark meet the scored result; every report, export and the review app render what it returns
(``grader.publish.load_class`` reads both from the gradebook).

- An override replaces a question's points (clipped to the question's maximum, with a note when a
  changed rubric lowered it); the question's status follows the points and ``override`` says who, why,
  and what the automatic score gives (now, and when the override was set).
- An override of a question the rubric no longer has is ignored, with a note.
- A TA's late days replace the scored ones; the penalty is the result's late policy applied to the
  regular points after overrides (extra credit is never reduced).
- A review mark counts only for the submission file it was set on.
"""

from __future__ import annotations

import math

from grader.records.adjust import Adjustments, LateDaysOverride, Lateness, Override, OverrideNote
from grader.records.graded import GradedSubmission
from grader.records.result import QuestionResult, QuestionStatus, SubmissionResult

__all__ = ["effective_result"]

_DIGITS = 6
_ON_TIME = "scored every question"


def _status(points: float, max_points: float) -> QuestionStatus:
    if max_points > 0 and points >= max_points - 1e-9:
        return QuestionStatus.PASSED
    return QuestionStatus.PARTIAL if points > 0 else QuestionStatus.FAILED


def _overridden(question: QuestionResult, override: Override, sha256: str) -> QuestionResult:
    points = min(max(override.points, 0.0), question.max_points)
    clipped = f" (the TA gave {override.points:g}; the question is now worth {question.max_points:g})" \
        if points != override.points else ""
    note = OverrideNote(
        points=points, auto_points=question.points, auto_points_at_set=override.auto_points_at_set,
        grader=override.grader, reason=override.reason, at=override.created_at,
        stale=bool(sha256) and override.submission_sha256 != sha256,
    )
    return question.model_copy(update={
        "points": points,
        "status": _status(points, question.max_points),
        "reason": f"set by {override.grader}: {override.reason}{clipped}",
        "override": note,
    })


def _lateness(scored: Lateness | None, override: LateDaysOverride | None) -> Lateness | None:
    if override is None:
        return scored
    base = scored or Lateness()
    return base.model_copy(update={
        "late_days": override.late_days,
        "source": f"set by {override.grader}: {override.reason}",
        "marked_late_without_time": False,
    })


def _late_text(lateness: Lateness | None, penalty: float) -> str:
    return lateness.note(penalty) if lateness is not None else ""


def _reason(result: SubmissionResult, lateness: Lateness | None, penalty: float) -> str:
    """The result's reason with its late sentence replaced by the one for ``lateness``."""
    old, new = _late_text(result.lateness, result.late_penalty), _late_text(lateness, penalty)
    base = result.reason.replace(old, "") if old else result.reason
    parts = [p.strip() for p in base.split("; ") if p.strip() and p.strip() != _ON_TIME]
    return "; ".join([*parts, new] if new else parts) or _ON_TIME


def _rescored(result: SubmissionResult, questions: tuple[QuestionResult, ...], lateness: Lateness | None
              ) -> SubmissionResult:
    regular = round(math.fsum(q.points for q in questions if not q.extra_credit), _DIGITS)
    penalty = round(regular * lateness.fraction, _DIGITS) if lateness is not None else 0.0
    return result.model_copy(update={
        "questions": questions,
        "total": round(regular - penalty, _DIGITS),
        "extra_points": round(math.fsum(q.points for q in questions if q.extra_credit), _DIGITS),
        "late_penalty": penalty,
        "lateness": lateness,
        "reason": _reason(result, lateness, penalty),
    })


def _orphans(result: SubmissionResult, adjustments: Adjustments) -> tuple[str, ...]:
    ids = {q.id for q in result.questions}
    return tuple(
        f"override of question {o.question_id} by {o.grader} ({o.points:g} points: {o.reason}) ignored: "
        f"the rubric has no question {o.question_id} now"
        for o in adjustments.overrides if o.question_id not in ids
    )


def effective_result(graded: GradedSubmission, adjustments: Adjustments) -> GradedSubmission:
    """``graded`` with ``adjustments`` applied: what users see. Unchanged when there are none."""
    if adjustments == Adjustments():
        return graded
    result = graded.result
    questions = []
    for q in result.questions:
        override = adjustments.override_for(q.id)
        questions.append(q if override is None else _overridden(q, override, graded.submission_sha256))
    lateness = _lateness(result.lateness, adjustments.late_days)
    changed = adjustments.overrides or adjustments.late_days is not None
    effective = _rescored(result, tuple(questions), lateness) if changed else result
    mark = adjustments.reviewed
    reviewed = mark if mark is not None and mark.submission_sha256 in ("", graded.submission_sha256) else None
    return graded.model_copy(update={
        "result": effective,
        "reviewed": reviewed,
        "notes": graded.notes + _orphans(result, adjustments),
    })
