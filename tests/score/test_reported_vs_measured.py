"""2.5's reported-vs-measured rule: like for like (the CV mean against the fold models' own hidden-set
ROC-AUCs, not the ensemble's), and a failure worded by the spread of the folds, so that two chance-level
numbers or noisy folds never read as a misreported value."""

from __future__ import annotations

import statistics
from pathlib import Path

import pytest

from assignments.week11.records import CVReport
from grader.records.collected import Item
from grader.records.evidence import HiddenEvaluation
from grader.records.result import QuestionResult, QuestionStatus
from grader.rubric import Rubric, load_rubric
from grader.score import score_submission

from ._records import ran, week11_correct

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"
NOT_REPRODUCED = "the reported value is not reproduced on held-out data"


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(WEEK11)


def _hidden(ensemble: float, per_model: tuple[float, ...]) -> Item[HiddenEvaluation]:
    return Item.ok(
        HiddenEvaluation(n=2000, n_positive=1000, roc_auc=ensemble, pr_auc=0.7, per_model_roc_auc=per_model)
    )


def _2_5(
    week11: Rubric, folds: tuple[float, ...], ensemble: float, per_model: tuple[float, ...]
) -> QuestionResult:
    evidence = week11_correct(
        cv=CVReport(roc_auc=folds, pr_auc=(0.7,) * len(folds)), hidden_item=_hidden(ensemble, per_model)
    )
    return score_submission(week11, evidence, ran(), student_id="s", source="s").question("2.5")


def _finding(q: QuestionResult) -> str:
    (finding,) = [f for f in q.findings if f.criterion == "reported_matches_measured"]
    return finding.message


def test_cv_mean_is_compared_with_the_models_not_the_ensemble(week11: Rubric) -> None:
    """Averaging five fold models beats each of them (here by 0.12); the CV mean estimates one model."""
    folds, per_model = (0.80, 0.79, 0.81, 0.80, 0.80), (0.82, 0.81, 0.80, 0.82, 0.81)
    q = _2_5(week11, folds, ensemble=0.93, per_model=per_model)
    assert (q.points, q.status) == (5, QuestionStatus.PASSED), q.reason
    gap = abs(statistics.mean(folds) - statistics.mean(per_model))
    assert (
        f"measured hidden_model_roc_auc = 0.812 (5 models, sd 0.0084): they differ by {gap:.6g} <= 0.1"
        in _finding(q)
    )


def test_two_chance_level_numbers_do_not_read_as_misreporting(week11: Rubric) -> None:
    folds = (0.45, 0.70, 0.55, 0.72, 0.68)  # a model that learnt nothing, on small noisy folds: mean 0.62
    q = _2_5(week11, folds, ensemble=0.51, per_model=(0.50, 0.51, 0.49, 0.52, 0.50))
    message = _finding(q)
    assert "differ by 0.116 > 0.1" in message
    assert "both are near chance level (0.5)" in message and "no sign of a misreported value" in message
    assert NOT_REPRODUCED not in message and q.points == 0


def test_a_gap_within_the_folds_spread_is_noise(week11: Rubric) -> None:
    folds = (0.95, 0.70, 0.92, 0.66, 0.90)  # mean 0.826, sd 0.135
    q = _2_5(week11, folds, ensemble=0.78, per_model=(0.71, 0.69, 0.70, 0.70, 0.70))
    message = _finding(q)
    assert "reported cv_roc_auc = 0.826 (5 folds, sd 0.1352)" in message
    assert "within twice the folds' spread (sd 0.1352)" in message and "not shown to be wrong" in message
    assert NOT_REPRODUCED not in message


def test_a_gap_far_beyond_the_folds_spread_is_not_reproduced(week11: Rubric) -> None:
    folds = (0.95, 0.96, 0.95, 0.94, 0.96)  # a leaky CV: tight folds, far above held-out data
    q = _2_5(week11, folds, ensemble=0.70, per_model=(0.68, 0.67, 0.69, 0.68, 0.68))
    message = _finding(q)
    assert f"{NOT_REPRODUCED} (32.5 x the folds' spread, sd 0.0084)" in message, message
    assert q.points == 0 and q.status is QuestionStatus.FAILED
