"""effective_result: the scored result with the TAs' decisions applied (pure; no gradebook here)."""

from __future__ import annotations

from grader.records.adjust import Adjustments, LateDaysOverride, Lateness, LatePolicy, Override, ReviewMark
from grader.score import effective_result
from tests.store.builders import graded


def override(question: str, points: float, *, sha: str = "sha-a") -> Override:
    return Override(student_id="alice", question_id=question, points=points, grader="ann", reason="why",
                    created_at="2026-12-05T10:00:00+00:00", submission_sha256=sha, auto_points_at_set=0.0)


def test_no_decisions_leave_the_result_untouched() -> None:
    g = graded("alice", {"1.2": 1.0})
    assert effective_result(g, Adjustments()) is g


def test_an_override_above_a_lowered_maximum_is_clipped_and_says_so() -> None:
    g = graded("alice", {"1.2": 0.0, "2.5": 5.0})
    out = effective_result(g, Adjustments(overrides=(override("1.2", 3.0),)))
    q = out.result.question("1.2")
    assert (q.points, q.status.value, out.result.total) == (2.0, "passed", 7.0)
    assert "the TA gave 3; the question is now worth 2" in q.reason


def test_an_override_of_a_question_the_rubric_lost_is_ignored_with_a_note() -> None:
    g = graded("alice", {"1.2": 0.0, "2.5": 5.0})
    out = effective_result(g, Adjustments(overrides=(override("9.9", 1.0),)))
    assert out.result.total == 5.0
    assert any("override of question 9.9 by ann" in note and "no question 9.9" in note for note in out.notes)


def test_late_days_set_by_a_ta_replace_the_scored_ones_and_the_reason() -> None:
    base = graded("alice", {"1.2": 2.0, "2.5": 5.0, "3.1": 3.0})
    lateness = Lateness(late_days=0.0, policy=LatePolicy(per_day=0.25, max_fraction=0.5))
    g = base.model_copy(update={"result": base.result.model_copy(update={"lateness": lateness,
                                                                       "reason": "scored every question"})})
    late = LateDaysOverride(student_id="alice", late_days=3.0, grader="ann", reason="mailed on day 3",
                            created_at="t")
    out = effective_result(g, Adjustments(late_days=late))
    # an independent reference: 3 days x 25 % capped at 50 % of 7 regular points; extra credit untouched
    assert (out.result.late_penalty, out.result.total, out.result.extra_points) == (3.5, 3.5, 3.0)
    assert out.result.reason == (
        "submitted 3 days late: 25% per started day, at most 50% -> -50% = -3.5 points; set by ann: mailed on day 3"
    )


def test_a_review_mark_of_another_file_does_not_count() -> None:
    g = graded("alice", sha="new")
    mark = ReviewMark(student_id="alice", grader="ann", created_at="t", submission_sha256="old")
    assert effective_result(g, Adjustments(reviewed=mark)).reviewed is None
    assert effective_result(g, Adjustments(reviewed=mark.model_copy(update={"submission_sha256": "new"}))).reviewed
