"""rubrics/week11.yaml against realistic submissions: 15 + 5, the two findings of 1.2, feedback for 84."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from score._records import CORRECT_ANSWERS, GRADIENTS, hidden, ran, week11_correct

from assignments.week11.records import CVReport
from grader.records.result import FindingStatus, QuestionStatus, Visibility
from grader.rubric import Rubric, load_rubric, parse_rubric
from grader.score import score_submission

WEEK11 = Path(__file__).resolve().parents[3] / "rubrics" / "week11.yaml"


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(WEEK11)


def test_full_marks(week11: Rubric) -> None:
    result = score_submission(week11, week11_correct(), ran(), student_id="s", source="s")
    assert (result.total, result.max_points, result.extra_points, result.extra_max) == (15, 15, 5, 5)


def test_1_2_reports_key_and_support_separately(week11: Rubric) -> None:
    gradients = {**GRADIENTS, "ELU": [1.0, 0.99, 1.0, 0.98, 1.0], "Batch Norm": [0.1, 0.3, 0.5, 0.8, 1.0]}
    result = score_submission(week11, week11_correct(gradients=gradients), ran(), student_id="s", source="s")
    q = result.question("1.2")
    key, support = q.findings
    assert (key.criterion, key.passed, key.visibility) == ("matches_key", True, Visibility.HIDDEN)
    assert (support.criterion, support.passed, support.kind) == (
        "supported_by_data",
        False,
        "evidence:gradient_uniformity",
    )
    assert (q.points, q.status) == (0.0, QuestionStatus.FAILED)


def test_1_2_elu_supported_but_not_the_key(week11: Rubric) -> None:
    gradients = {**GRADIENTS, "ELU": [1.0, 0.99, 1.0, 0.98, 1.0]}
    answers = {**CORRECT_ANSWERS, "1.2": "ELU"}
    q = score_submission(
        week11, week11_correct(answer_values=answers, gradients=gradients), ran(), student_id="s", source="s"
    ).question("1.2")
    assert [f.passed for f in q.findings] == [False, True] and q.points == 0.0
    assert "the key is 'batch_norm'" in q.findings[0].message


@pytest.mark.parametrize(
    "names",
    [
        ("Sigmoid", "ResNet", "BatchNorm1d", "Rectified Linear Unit", "Exponential Linear Unit"),
        ("baseline", "residual connection", "Batch Normalisation", "relu activation", "elu activation"),
    ],
)
def test_1_2_gradients_keys_take_the_answers_spellings(week11: Rubric, names: tuple[str, ...]) -> None:
    gradients = dict(zip(names, GRADIENTS.values(), strict=True))
    q = score_submission(
        week11, week11_correct(gradients=gradients), ran(), student_id="s", source="s"
    ).question("1.2")
    assert q.points == 2, q.reason
    assert "ignored" not in q.findings[1].message


def test_1_2_only_the_chosen_profile_earns_nothing(week11: Rubric) -> None:
    gradients = {"batch_norm": [0.01, 0.05, 0.1, 0.5, 1.0]}
    q = score_submission(
        week11, week11_correct(gradients=gradients), ran(), student_id="s", source="s"
    ).question("1.2")
    assert (q.points, q.findings[1].status) == (0.0, FindingStatus.INVALID)
    assert "invalid: GRADIENTS: no profile for ['baseline', 'skip', 'relu', 'elu']" in q.findings[1].message


def test_3_4_84_gets_its_own_feedback(week11: Rubric) -> None:
    answers = {**CORRECT_ANSWERS, "3.4": "dL/dw11 = 84"}
    q = score_submission(
        week11, week11_correct(answer_values=answers), ran(), student_id="s", source="s"
    ).question("3.4")
    assert q.points == 0 and "84 is dL/dw21: w11 multiplies x1 = 1, not x2 = 2" in q.reason


def test_3_4_alternatives_an_instructor_accepts(week11: Rubric) -> None:
    data = yaml.safe_load(WEEK11.read_text(encoding="utf-8"))
    key = next(q for q in data["questions"] if q["id"] == "3.4")["criteria"][0]
    key["expected"] = [42, 84]
    lenient = parse_rubric(yaml.safe_dump(data, sort_keys=False), source="week11-84.yaml")
    for answer, points in (("84", 2), ("42", 2), ("21", 0)):
        answers = {**CORRECT_ANSWERS, "3.4": answer}
        q = score_submission(
            lenient, week11_correct(answer_values=answers), ran(), student_id="s", source="s"
        ).question("3.4")
        assert q.points == points, q.reason
    assert "expected one of 42, 84 (tolerance 1e-06). 21 misses the factor 2" in q.reason


def test_2_5_fails_closed_on_each_part(week11: Rubric) -> None:
    low = score_submission(week11, week11_correct(hidden_item=hidden(0.7)), ran(), student_id="s", source="s")
    assert (
        low.question("2.5").points == 0
        and "hidden_roc_auc = 0.7; needs >= 0.75" in low.question("2.5").reason
    )
    no_pr = week11_correct(cv=CVReport(roc_auc=(0.8,) * 5))
    q = score_submission(week11, no_pr, ran(), student_id="s", source="s").question("2.5")
    assert q.points == 0 and "reported_pr_auc: missing: cv_pr_auc: CV_RESULTS has no 'pr_auc'" in q.reason
    inflated = week11_correct(cv=CVReport(roc_auc=(0.99,) * 5, pr_auc=(0.99,) * 5))
    q = score_submission(week11, inflated, ran(), student_id="s", source="s").question("2.5")
    assert q.points == 0 and [f.status for f in q.findings][-1] is FindingStatus.FAILED


def test_2_6_is_extra_credit(week11: Rubric) -> None:
    result = score_submission(week11, week11_correct(motifs=()), ran(), student_id="s", source="s")
    assert (result.total, result.extra_points) == (15, 0)
    assert result.question("2.6").extra_credit
