"""Compare two sets of results (e.g. before and after a rubric change): who changes, by how much, where."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

from grader._model import Frozen
from grader.records.result import QuestionResult, QuestionStatus, SubmissionResult

__all__ = ["DiffSummary", "GradeChange", "QuestionChange", "diff_results", "summarize_diff"]

_EPS = 1e-9


class QuestionChange(Frozen):
    """One question whose points or status differ; ``None`` where the question does not exist."""

    id: str
    old_points: float | None
    new_points: float | None
    delta: float
    old_status: QuestionStatus | None
    new_status: QuestionStatus | None


class GradeChange(Frozen):
    """One student whose result differs: totals (after late penalty), extra points and questions."""

    student_id: str
    change: Literal["changed", "added", "removed"]
    old_total: float | None
    new_total: float | None
    delta: float
    old_extra: float | None
    new_extra: float | None
    extra_delta: float
    old_rubric_id: str | None
    new_rubric_id: str | None
    questions: tuple[QuestionChange, ...] = ()


class DiffSummary(Frozen):
    """Counts over a diff: how many students went up, down, appeared or vanished; net change per question."""

    changed: int
    up: int
    down: int
    added: int
    removed: int
    total_delta: float
    question_deltas: dict[str, float]


def _by_student(results: Sequence[SubmissionResult], side: str) -> dict[str, SubmissionResult]:
    out: dict[str, SubmissionResult] = {}
    for result in results:
        if result.student_id in out:
            raise ValueError(
                f"diff_results: student {result.student_id!r} appears twice in the {side} results"
            )
        out[result.student_id] = result
    return out


def _question_changes(
    old: SubmissionResult | None, new: SubmissionResult | None
) -> tuple[QuestionChange, ...]:
    before: dict[str, QuestionResult] = {q.id: q for q in old.questions} if old else {}
    after: dict[str, QuestionResult] = {q.id: q for q in new.questions} if new else {}
    changes = []
    for qid in [*before, *(q for q in after if q not in before)]:
        a, b = before.get(qid), after.get(qid)
        delta = (b.points if b else 0.0) - (a.points if a else 0.0)
        if a and b and abs(delta) <= _EPS and a.status is b.status:
            continue
        changes.append(
            QuestionChange(
                id=qid,
                old_points=a.points if a else None,
                new_points=b.points if b else None,
                delta=round(delta, 6),
                old_status=a.status if a else None,
                new_status=b.status if b else None,
            )
        )
    return tuple(changes)


def _change(
    student_id: str, old: SubmissionResult | None, new: SubmissionResult | None
) -> GradeChange | None:
    questions = _question_changes(old, new)
    delta = (new.total if new else 0.0) - (old.total if old else 0.0)
    extra = (new.extra_points if new else 0.0) - (old.extra_points if old else 0.0)
    kind: Literal["changed", "added", "removed"] = (
        "added" if old is None else "removed" if new is None else "changed"
    )
    if kind == "changed" and not questions and abs(delta) <= _EPS and abs(extra) <= _EPS:
        return None
    return GradeChange(
        student_id=student_id,
        change=kind,
        old_total=old.total if old else None,
        new_total=new.total if new else None,
        delta=round(delta, 6),
        old_extra=old.extra_points if old else None,
        new_extra=new.extra_points if new else None,
        extra_delta=round(extra, 6),
        old_rubric_id=old.rubric_id if old else None,
        new_rubric_id=new.rubric_id if new else None,
        questions=questions,
    )


def diff_results(old: Sequence[SubmissionResult], new: Sequence[SubmissionResult]) -> list[GradeChange]:
    """The students whose result differs between ``old`` and ``new``, sorted by student id.

    A student only in ``new`` is ``added``, only in ``old`` ``removed``. Unchanged students are left out.

    Raises:
        ValueError: a student id appears twice on one side.
    """
    before, after = _by_student(old, "old"), _by_student(new, "new")
    changes = (_change(sid, before.get(sid), after.get(sid)) for sid in sorted(before.keys() | after.keys()))
    return [c for c in changes if c is not None]


def summarize_diff(changes: Sequence[GradeChange]) -> DiffSummary:
    """Counts and net point change per question over ``changes``."""
    per_question: dict[str, float] = {}
    for change in changes:
        for q in change.questions:
            per_question[q.id] = per_question.get(q.id, 0.0) + q.delta
    return DiffSummary(
        changed=sum(c.change == "changed" for c in changes),
        up=sum(c.delta > _EPS for c in changes),
        down=sum(c.delta < -_EPS for c in changes),
        added=sum(c.change == "added" for c in changes),
        removed=sum(c.change == "removed" for c in changes),
        total_delta=round(math.fsum(c.delta for c in changes), 6),
        question_deltas={k: round(v, 6) for k, v in sorted(per_question.items())},
    )
