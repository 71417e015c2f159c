"""The student-facing view: hidden criteria keep only their points; reasons never quote them."""

from __future__ import annotations

from grader.records.graded import GradedSubmission
from grader.records.result import (
    Finding,
    FindingStatus,
    QuestionResult,
    QuestionStatus,
    SubmissionResult,
    SubmissionStatus,
    Visibility,
)
from grader.render import student_feedback
from grader.render._feedback import DEFERRED_MESSAGE, HIDDEN_CHECK_MESSAGE, WITHHELD_REASON

SECRET = "expected 'Incorrect' per the key"


def _result(*questions: QuestionResult, reason: str = "", self_check: bool = False) -> SubmissionResult:
    return SubmissionResult(
        student_id="s1", source="s1.ipynb", status=SubmissionStatus.GRADED, reason=reason,
        total=sum(q.points for q in questions), max_points=sum(q.max_points for q in questions),
        questions=questions, self_check=self_check,
    )


def _hidden(passed: bool, message: str = SECRET, status: FindingStatus | None = None) -> Finding:
    data = {"criterion": "key_match_3.1", "kind": "answer_key", "passed": passed, "points": 2.0 if passed else 0.0,
            "max_points": 2.0, "message": message, "visibility": Visibility.HIDDEN}
    if status is not None:
        data["status"] = status
    return Finding.model_validate(data)


def _question(*findings: Finding, reason: str = "", points: float = 0.0, **kw: object) -> QuestionResult:
    data = {"id": "3.1", "title": "XNOR", "points": points, "max_points": 2.0,
            "status": QuestionStatus.FAILED if points < 2 else QuestionStatus.PASSED, "reason": reason,
            "findings": findings} | kw
    return QuestionResult.model_validate(data)


def test_hidden_finding_keeps_points_and_outcome_only() -> None:
    fb = student_feedback(_result(_question(_hidden(False), reason=f"wrong: {SECRET}")))
    (finding,) = fb.questions[0].findings
    assert (finding.label, finding.passed, finding.points, finding.max_points) == ("Hidden check 1", False, 0.0, 2.0)
    assert finding.message == HIDDEN_CHECK_MESSAGE and finding.hidden and finding.mark == "✗"


def test_reason_of_a_question_with_hidden_findings_is_rebuilt_from_public_ones() -> None:
    public = Finding(criterion="answer_given", kind="form", passed=False, points=0.0, max_points=0.0,
                     message="answer read: 'Correct'")
    fb = student_feedback(_result(_question(public, _hidden(False), reason=f"wrong: {SECRET}")))
    reason = fb.questions[0].reason
    assert SECRET not in reason
    assert reason == "answer read: 'Correct'; hidden checks: 2 point(s) not awarded"


def test_reason_quoting_a_hidden_message_is_withheld_even_when_not_judged() -> None:
    q = _question(_hidden(False), reason=f"missing: {SECRET}", status=QuestionStatus.MISSING)
    assert student_feedback(_result(q)).questions[0].reason == WITHHELD_REASON


def test_submission_reason_quoting_a_hidden_criterion_is_withheld() -> None:
    fb = student_feedback(_result(_question(_hidden(True), points=2.0), reason="key_match_3.1 crashed"))
    assert fb.reason == WITHHELD_REASON


def test_hidden_question_hides_every_finding() -> None:
    public_msg = Finding(criterion="format_ok", kind="form", passed=True, points=1.0, max_points=1.0,
                         message="a number was given")
    q = _question(public_msg, reason="x", points=1.0, visibility=Visibility.HIDDEN, status=QuestionStatus.PARTIAL)
    out = student_feedback(_result(q)).questions[0]
    assert out.hidden and all(f.hidden for f in out.findings)
    assert [f.label for f in out.findings] == ["Hidden check 1"]
    assert "a number was given" not in out.reason


def test_deferred_hidden_checks_in_a_self_check_say_when_they_are_checked() -> None:
    deferred = _hidden(False, status=FindingStatus.DEFERRED)
    q = _question(deferred, status=QuestionStatus.NOT_RUN)
    fb = student_feedback(_result(q, self_check=True))
    finding = fb.questions[0].findings[0]
    assert fb.self_check and finding.deferred and finding.mark == "…" and finding.message == DEFERRED_MESSAGE


def test_public_findings_and_reasons_pass_through(scenarios: dict[str, GradedSubmission]) -> None:
    fb = student_feedback(scenarios["cell_error"].result)
    q25 = next(q for q in fb.questions if q.id == "2.5")
    assert q25.reason == "missing: CV_RESULTS was not defined"
    assert fb.status_label == "Graded, a cell raised an error"
    assert fb.headline.startswith("10/15 points (+0/5 extra). Graded, a cell raised an error")
    assert [q.id for q in fb.lost] == ["2.5", "2.6"]
