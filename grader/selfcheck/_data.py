"""What the self-check can use where it runs: a TA's install has the instructor's ``reference`` package
(and so the rubric's data, through the pack's ``prepare_data``); a student's install has neither, checks
with the pack's ``self_check_data`` (the data the student trains on) and defers the rules that need
``reference`` to grading time.
"""

from __future__ import annotations

import importlib.util

from grader.rubric import DeferredCriterion, EvidenceCriterion, Rubric, Visibility

__all__ = ["has_reference", "without_reference_rules"]

def has_reference() -> bool:
    """True in a TA's install (the instructor's ``reference`` package is importable)."""
    return importlib.util.find_spec("reference") is not None


def without_reference_rules(rubric: Rubric) -> Rubric:
    """``rubric`` with the criteria that need ``reference`` (the pack's ``needs_reference``: kinds, or rules
    of ``kind: evidence``) deferred to grading time."""
    needs = rubric.pack().needs_reference
    questions = []
    for q in rubric.questions:
        criteria = tuple(
            DeferredCriterion(
                id=c.id, points=c.points, group=c.group, original=c.kind, visibility=Visibility.HIDDEN
            )
            if c.kind in needs or (isinstance(c, EvidenceCriterion) and c.rule in needs) else c
            for c in q.criteria
        )
        questions.append(q.model_copy(update={"criteria": criteria}))
    return rubric.model_copy(update={"questions": tuple(questions)})
