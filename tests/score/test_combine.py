"""How criteria combine into points: weights, groups, all-or-nothing, extra credit, late penalty."""

from __future__ import annotations

from typing import Any

from grader.records.result import FindingStatus, QuestionStatus
from grader.score import score_submission

from ._build import TRUTH, question, rubric
from ._records import evidence, ran


def key(cid: str, answer: str, **kw: Any) -> dict[str, Any]:
    return {"id": cid, "kind": "choice", "answer": answer, "options": TRUTH, "expected": "correct", **kw}


def test_equal_split_and_partial_credit() -> None:
    r = rubric(question("q", key("a", "a"), key("b", "b"), key("c", "c"), points=3))
    (q,) = score_submission(
        r, evidence({"a": "correct", "b": "wrong"}), ran(), student_id="s", source="s"
    ).questions
    assert (q.points, q.status) == (1.0, QuestionStatus.PARTIAL)
    assert [(f.points, f.max_points, f.status) for f in q.findings] == [
        (1.0, 1.0, FindingStatus.PASSED),
        (0.0, 1.0, FindingStatus.FAILED),
        (0.0, 1.0, FindingStatus.MISSING),
    ]


def test_zero_partial_credit_is_zero_never_full_marks() -> None:
    r = rubric(question("q", key("a", "a", points=1), key("b", "b", points=1)))
    (q,) = score_submission(r, evidence({"a": "no", "b": "no"}), ran(), student_id="s", source="s").questions
    assert (q.points, q.status) == (0.0, QuestionStatus.FAILED)


def test_all_or_nothing_names_the_failed_criterion_on_the_passing_one() -> None:
    r = rubric(question("q", key("a", "a"), key("b", "b"), all_or_nothing=True))
    (q,) = score_submission(r, evidence({"a": "yes", "b": "no"}), ran(), student_id="s", source="s").questions
    assert (q.points, q.status) == (0.0, QuestionStatus.FAILED)
    assert q.reason.startswith("no points for a partially correct answer (all or nothing); b: 'no' read as")
    assert q.findings[0].passed and q.findings[0].points == 0.0
    assert q.findings[0].message.endswith("(no points: all or nothing, and b did not pass)")


def test_groups_are_all_or_nothing_among_themselves() -> None:
    r = rubric(
        question(
            "q",
            key("a", "a", group="g", points=1),
            key("b", "b", group="g", points=1),
            key("c", "c", points=2),
            points=4,
        )
    )
    (q,) = score_submission(
        r, evidence({"a": "yes", "b": "no", "c": "yes"}), ran(), student_id="s", source="s"
    ).questions
    assert (q.points, q.status) == (2.0, QuestionStatus.PARTIAL)
    assert [f.points for f in q.findings] == [0.0, 0.0, 2.0]


def test_zero_point_question_and_extra_credit() -> None:
    r = rubric(
        question("0", key("a", "a"), points=0),
        question("x", key("b", "b"), points=5, extra_credit=True),
        question("q", key("c", "c"), points=2),
    )
    result = score_submission(
        r, evidence({"a": "yes", "b": "yes", "c": "no"}), ran(), student_id="s", source="s"
    )
    assert [(q.points, q.status) for q in result.questions] == [
        (0.0, QuestionStatus.PASSED),
        (5.0, QuestionStatus.PASSED),
        (0.0, QuestionStatus.FAILED),
    ]
    assert (result.total, result.max_points, result.extra_points, result.extra_max) == (0.0, 2.0, 5.0, 5.0)


def test_late_penalty_reduces_regular_points_only() -> None:
    r = rubric(
        question("q", key("a", "a"), points=10),
        question("x", key("b", "b"), points=5, extra_credit=True),
        late_penalty={"per_day": 0.1, "max_fraction": 0.3, "grace_hours": 1},
    )
    ev = evidence({"a": "yes", "b": "yes"})
    on_time = score_submission(r, ev, ran(), student_id="s", source="s", late_days=0.04)
    late = score_submission(r, ev, ran(), student_id="s", source="s", late_days=1.5)
    very_late = score_submission(r, ev, ran(), student_id="s", source="s", late_days=9)
    assert (on_time.total, on_time.late_penalty) == (10.0, 0.0)
    assert (late.total, late.late_penalty, late.extra_points) == (8.0, 2.0, 5.0)
    assert late.reason == (
        "submitted 1.5 days late: 10% per started day, at most 30%, 1 h grace -> -20% = -2 points; "
        "late days given to the API"
    )
    assert late.lateness is not None and late.lateness.policy.per_day == 0.1
    assert (very_late.total, very_late.late_penalty) == (7.0, 3.0)


def test_rubric_id_is_recorded() -> None:
    r = rubric(question("q", key("a", "a")))
    result = score_submission(r, evidence({}), ran(), student_id="s", source="s.ipynb")
    assert result.rubric_id == r.rubric_id and r.rubric_id.startswith("t@")
    assert (result.student_id, result.source) == ("s", "s.ipynb")
