"""The student self-check never reveals a hidden expected value, tolerance, threshold or feedback text."""

from __future__ import annotations

from pathlib import Path

import pytest

from assignments.week11.records import CVReport
from grader.records.result import FindingStatus, QuestionStatus
from grader.rubric import Rubric, load_rubric
from grader.score import self_check

from ._records import GRADIENTS, hidden, hit, ran, week11_correct

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"
WRONG = {"1.2": "ReLU", "3.1": "Correct", "3.2": "correct", "3.3": "2", "3.4": "84"}
SECRETS = [
    "the key",
    "batch_norm",
    "incorrect",
    "42",
    "tolerance",
    "0.75",
    "w21",
    "uphill",
    "subtracts",
    "HNF4",
    "0.7",
    "matches the",
    "expected",
    "hidden_roc_auc",
    "0.1 ",
]


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(WEEK11)


def test_no_hidden_value_in_any_message(week11: Rubric) -> None:
    ev = week11_correct(
        answer_values=WRONG,
        cv=CVReport(roc_auc=(0.6,) * 5, pr_auc=(0.5,) * 5),
        hidden_item=hidden(0.55),
        motifs=(hit(1, "HNF4A", 0.9),),
    )
    result = self_check(week11, ev, ran(), student_id="s", source="s")
    messages = [result.reason, *(q.reason for q in result.questions)]
    messages += [f.message for q in result.questions for f in q.findings]
    text = "\n".join(messages)
    for secret in SECRETS:
        assert secret not in text, secret
    assert result.self_check and result.total == 0.0 and result.late_penalty == 0.0


def test_hidden_criteria_are_checked_at_grading_time(week11: Rubric) -> None:
    result = self_check(week11, week11_correct(), ran(), student_id="s", source="s")
    q = result.question("3.4")
    assert (q.status, q.points, q.max_points) == (QuestionStatus.NOT_RUN, 0.0, 2.0)
    assert q.findings[0].status is FindingStatus.DEFERRED
    assert q.reason == "decided at grading time; key: answer 42 read as 42; checked at grading time"
    motif = result.question("2.6").findings[0]
    assert (motif.status, motif.message) == (FindingStatus.DEFERRED, "checked at grading time")


def test_public_criteria_still_help_the_student(week11: Rubric) -> None:
    ev = week11_correct(answer_values={"3.1": "maybe"}, cv=CVReport(roc_auc=(0.8,) * 3, pr_auc=(0.7,) * 3))
    result = self_check(week11, ev, ran(), student_id="s", source="s")
    assert result.question("3.1").status is QuestionStatus.INVALID
    assert "could not match 'maybe' to an option" in result.question("3.1").reason
    assert result.question("3.3").status is QuestionStatus.MISSING
    q25 = result.question("2.5")
    assert q25.status is QuestionStatus.FAILED and "at least 5 folds are needed" in q25.reason
    support = result.question("1.2").findings[1]
    assert support.status is FindingStatus.MISSING and "no choice to check" in support.message
    assert result.question("2.4").status is QuestionStatus.PASSED


def test_supported_choice_shows_without_the_key(week11: Rubric) -> None:
    result = self_check(week11, week11_correct(gradients=GRADIENTS), ran(), student_id="s", source="s")
    key, support = result.question("1.2").findings
    assert key.status is FindingStatus.DEFERRED and support.passed
    assert support.message.endswith("(its points depend on the checks made at grading time)")
