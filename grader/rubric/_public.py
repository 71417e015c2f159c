"""What the student self-check may see of a rubric: hidden criteria deferred, hidden data dropped."""

from __future__ import annotations

from grader.rubric._base import Visibility
from grader.rubric._criteria import ChoiceCriterion, Criterion, DeferredCriterion, NumberCriterion
from grader.rubric._rubric import Question, Rubric

__all__ = ["public_view"]


def public_view(rubric: Rubric) -> Rubric:
    """``rubric`` without anything hidden, for the student self-check.

    Each hidden criterion (or every criterion of a hidden question) becomes a
    :class:`~._criteria.DeferredCriterion`: it keeps its id, points and the answer it reads (and a
    choice's options, which the sheet shows anyway), and drops expected values, tolerances, thresholds
    and feedback. ``data.hidden`` is dropped. Applying it twice gives the same rubric.
    """
    questions = tuple(_public_question(q) for q in rubric.questions)
    data = rubric.data.model_copy(update={"hidden": None})
    return rubric.model_copy(update={"questions": questions, "data": data})


def _public_question(question: Question) -> Question:
    hide_all = question.visibility is Visibility.HIDDEN
    criteria = tuple(
        _deferred(c) if hide_all or c.visibility is Visibility.HIDDEN else c for c in question.criteria
    )
    return question.model_copy(update={"criteria": criteria})


def _deferred(criterion: Criterion) -> Criterion:
    if isinstance(criterion, DeferredCriterion):
        return criterion
    return DeferredCriterion(
        id=criterion.id,
        points=criterion.points,
        visibility=Visibility.HIDDEN,
        group=criterion.group,
        original=criterion.kind,
        answer=criterion.reads_answer(),
        options=criterion.options if isinstance(criterion, ChoiceCriterion) else {},
        numeric=isinstance(criterion, NumberCriterion),
    )
