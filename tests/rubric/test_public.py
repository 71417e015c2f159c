"""public_view keeps nothing of the key: expected values, tolerances, thresholds, feedback, hidden data."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.rubric import ChoiceCriterion, DeferredCriterion, Rubric, Visibility, load_rubric, public_view

from ._build import TRUTH, question, rubric

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(WEEK11)


def test_hidden_criteria_become_deferred(week11: Rubric) -> None:
    view = public_view(week11)
    for original, public in zip(week11.questions, view.questions, strict=True):
        for before, after in zip(original.criteria, public.criteria, strict=True):
            if before.visibility is Visibility.HIDDEN:
                assert isinstance(after, DeferredCriterion)
                assert (after.id, after.points, after.original) == (before.id, before.points, before.kind)
            else:
                assert after == before


def test_nothing_secret_survives_in_the_dump(week11: Rubric) -> None:
    text = public_view(week11).model_dump_json()
    for secret in (
        "expected",
        "abs_tol",
        "hidden_roc_auc",
        "tolerance",
        "w21",
        "min_score",
        "HNF4",
        "feedback",
    ):
        assert secret not in text, secret
    assert public_view(week11).data.hidden is None


def test_idempotent(week11: Rubric) -> None:
    once = public_view(week11)
    assert public_view(once) == once


def test_hidden_question_hides_every_criterion() -> None:
    r = rubric(
        question(
            "3.1",
            {"id": "key", "kind": "choice", "options": TRUTH, "expected": "incorrect"},
            visibility="hidden",
        )
    )
    (criterion,) = public_view(r).questions[0].criteria
    assert isinstance(criterion, DeferredCriterion) and criterion.answer == "3.1"
    assert isinstance(r.questions[0].criteria[0], ChoiceCriterion)
