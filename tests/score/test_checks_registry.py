"""Check functions are validated when registered: known kind, one check per kind, exact signature."""

from __future__ import annotations

import pytest

from grader.rubric import (
    ArtifactCriterion,
    ChoiceCriterion,
    Criterion,
    EvidenceCriterion,
    leaf_criterion_types,
)
from grader.score import score_submission
from grader.score._checks import check, verify_complete
from grader.score._outcome import Context, Outcome


def test_every_kind_has_a_check() -> None:
    assert score_submission is not None  # importing the scorer registers every check
    verify_complete()
    assert EvidenceCriterion not in leaf_criterion_types()


def test_a_second_check_for_a_kind_raises() -> None:
    with pytest.raises(
        TypeError, match=r"ChoiceCriterion already has a check, grader\.score\._check_answers\."
    ):

        @check(ChoiceCriterion)
        def again(criterion: ChoiceCriterion, ctx: Context) -> Outcome:
            return Outcome.ok("")


def test_unregistered_classes_are_refused() -> None:
    with pytest.raises(TypeError, match="is not a registered criterion kind"):

        @check(EvidenceCriterion)
        def base(criterion: EvidenceCriterion, ctx: Context) -> Outcome:
            return Outcome.ok("")


def test_wrong_signatures_are_refused() -> None:
    with pytest.raises(
        TypeError, match=r"expected the signature \(criterion: ArtifactCriterion, ctx: Context\)"
    ):

        @check(ArtifactCriterion)
        def loose(criterion: Criterion, ctx: Context) -> Outcome:
            return Outcome.ok("")

    with pytest.raises(TypeError, match="expected the signature"):

        @check(ArtifactCriterion)  # type: ignore[arg-type]
        def extra(criterion: ArtifactCriterion, ctx: Context, strict: bool) -> Outcome:
            return Outcome.ok("")
