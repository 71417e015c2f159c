"""The student-facing view of a result: where hidden criteria are reduced to their point outcome.

Every student-facing output (the HTML report, Gradescope ``results.json``, Moodle feedback comments) is
built from :func:`student_feedback`, so hidden criteria are withheld in one place:

- a hidden finding keeps its points and whether it passed; its criterion name and message are replaced
  by ``Hidden check n`` and :data:`HIDDEN_CHECK_MESSAGE`;
- a hidden question shows only its points and a neutral reason;
- a question with hidden findings gets its reason rebuilt from its public findings (the scorer's own
  reason may quote the key), and any reason that contains a hidden message or criterion name verbatim
  is replaced by :data:`WITHHELD_REASON`.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.records.result import (
    Finding,
    FindingStatus,
    QuestionResult,
    QuestionStatus,
    SubmissionResult,
    SubmissionStatus,
    Visibility,
)
from grader.render._format import format_points

__all__ = [
    "DEFERRED_MESSAGE",
    "HIDDEN_CHECK_MESSAGE",
    "STATUS_LABELS",
    "SUBMISSION_LABELS",
    "WITHHELD_REASON",
    "FindingFeedback",
    "QuestionFeedback",
    "StudentFeedback",
    "student_feedback",
]

HIDDEN_CHECK_MESSAGE = "hidden criterion; details withheld"
DEFERRED_MESSAGE = "hidden criterion; checked when the submission is graded"
WITHHELD_REASON = "Details of this check are withheld (hidden criteria)."
STATUS_LABELS: dict[QuestionStatus, str] = {
    QuestionStatus.PASSED: "Full marks",
    QuestionStatus.PARTIAL: "Partial credit",
    QuestionStatus.FAILED: "No points",
    QuestionStatus.MISSING: "Missing",
    QuestionStatus.INVALID: "Invalid",
    QuestionStatus.NOT_RUN: "Not run",
}
SUBMISSION_LABELS: dict[SubmissionStatus, str] = {
    SubmissionStatus.GRADED: "Graded",
    SubmissionStatus.CELL_ERROR: "Graded, a cell raised an error",
    SubmissionStatus.TIMEOUT: "Timed out",
    SubmissionStatus.DEAD_KERNEL: "Kernel died",
    SubmissionStatus.LIMIT: "Resource limit reached",
    SubmissionStatus.INVALID: "Not a runnable notebook",
    SubmissionStatus.SANDBOX_ERROR: "Sandbox could not start",
}
_JUDGED = {QuestionStatus.PASSED, QuestionStatus.PARTIAL, QuestionStatus.FAILED}
_MARKS = {FindingStatus.PASSED: "✓", FindingStatus.FAILED: "✗", FindingStatus.DEFERRED: "…"}
_MIN_SECRET_LEN = 6


@dataclass(frozen=True, slots=True)
class FindingFeedback:
    """One criterion as a student may see it."""

    label: str
    passed: bool
    points: float
    max_points: float
    message: str
    hidden: bool
    status: FindingStatus = FindingStatus.PASSED

    @property
    def mark(self) -> str:
        """``✓`` passed, ``✗`` failed, ``…`` deferred to grading, ``–`` not judged."""
        return _MARKS.get(self.status, "–")

    @property
    def deferred(self) -> bool:
        """Whether the check waits for grading (student self-check only)."""
        return self.status is FindingStatus.DEFERRED


@dataclass(frozen=True, slots=True)
class QuestionFeedback:
    """One question as a student may see it: points, status and why points were lost."""

    id: str
    title: str
    points: float
    max_points: float
    status: QuestionStatus
    reason: str
    extra_credit: bool
    hidden: bool
    findings: tuple[FindingFeedback, ...]
    override: str = ""
    """Set when a TA set the points: who, when, why and what the automatic score gave."""

    @property
    def lost(self) -> float:
        """Points not awarded (never negative)."""
        return max(self.max_points - self.points, 0.0)

    @property
    def status_label(self) -> str:
        """The status in words, e.g. ``"Partial credit"``; ``"Checked at grading"`` for deferred ones."""
        if self.status is QuestionStatus.NOT_RUN and any(f.deferred for f in self.findings):
            return "Checked at grading"
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True)
class StudentFeedback:
    """A whole submission as its student may see it: totals, status and every question."""

    student_id: str
    status: SubmissionStatus
    reason: str
    total: float
    max_points: float
    extra_points: float
    extra_max: float
    late_penalty: float
    questions: tuple[QuestionFeedback, ...]
    self_check: bool = False

    @property
    def status_label(self) -> str:
        """The submission status in words, e.g. ``"Timed out"``."""
        return SUBMISSION_LABELS[self.status]

    @property
    def headline(self) -> str:
        """``"13/15 points (+5/5 extra). Graded."`` plus the reason when there is one."""
        extra = f" (+{format_points(self.extra_points)}/{format_points(self.extra_max)} extra)" if self.extra_max else ""
        penalty = f", late penalty −{format_points(self.late_penalty)}" if self.late_penalty else ""
        reason = f": {self.reason}" if self.reason else ""
        return f"{format_points(self.total)}/{format_points(self.max_points)} points{extra}{penalty}. {self.status_label}{reason}."

    @property
    def lost(self) -> tuple[QuestionFeedback, ...]:
        """The questions that did not earn full points."""
        return tuple(q for q in self.questions if q.lost > 0)


def _secrets(result: SubmissionResult) -> tuple[str, ...]:
    """Hidden messages and criterion names of ``result`` (long enough to match without false alarms)."""
    found: list[str] = []
    for q in result.questions:
        for f in q.findings:
            if f.visibility is Visibility.HIDDEN or q.visibility is Visibility.HIDDEN:
                found.extend(s for s in (f.message, f.criterion) if len(s) >= _MIN_SECRET_LEN)
    return tuple(found)


def _scrub(text: str, secrets: tuple[str, ...]) -> str:
    """``text``, or :data:`WITHHELD_REASON` when it quotes any hidden string."""
    return WITHHELD_REASON if any(s in text for s in secrets) else text


def _finding(f: Finding, hidden: bool, number: int) -> FindingFeedback:
    """A finding as shown; hidden ones keep only their point outcome."""
    if hidden:
        message = DEFERRED_MESSAGE if f.status is FindingStatus.DEFERRED else HIDDEN_CHECK_MESSAGE
        return FindingFeedback(f"Hidden check {number}", f.passed, f.points, f.max_points, message, True, f.status)
    return FindingFeedback(f.criterion, f.passed, f.points, f.max_points, f.message, False, f.status)


def _findings(q: QuestionResult) -> tuple[FindingFeedback, ...]:
    """All findings of ``q`` in order, hidden ones numbered ``Hidden check 1, 2, ...``."""
    out: list[FindingFeedback] = []
    hidden_count = 0
    for f in q.findings:
        hidden = f.visibility is Visibility.HIDDEN or q.visibility is Visibility.HIDDEN
        hidden_count += hidden
        out.append(_finding(f, hidden, hidden_count))
    return tuple(out)


def _rebuilt_reason(q: QuestionResult, findings: tuple[FindingFeedback, ...]) -> str:
    """A reason made only of public findings plus the points the hidden checks did not award."""
    parts = [f.message for f in findings if not f.hidden and not f.passed and not f.deferred]
    hidden_lost = sum(f.max_points - f.points for f in findings if f.hidden and not f.deferred)
    deferred = sum(f.max_points for f in findings if f.deferred)
    if hidden_lost > 0:
        parts.append(f"hidden checks: {format_points(hidden_lost)} point(s) not awarded")
    if deferred > 0:
        parts.append(f"{format_points(deferred)} point(s) are checked when the submission is graded")
    if not parts and q.points < q.max_points:
        parts.append(f"{format_points(q.max_points - q.points)} point(s) not awarded")
    return "; ".join(parts)


def _reason(q: QuestionResult, findings: tuple[FindingFeedback, ...], secrets: tuple[str, ...]) -> str:
    """The student-safe reason for ``q``."""
    has_hidden = any(f.hidden for f in findings) or q.visibility is Visibility.HIDDEN
    if has_hidden and (q.status in _JUDGED or any(f.deferred for f in findings)):
        return _rebuilt_reason(q, findings)
    return _scrub(q.reason, secrets)


def _override_text(q: QuestionResult) -> str:
    """The TA's decision on ``q`` in one sentence (empty when the points are automatic)."""
    o = q.override
    if o is None:
        return ""
    day = o.at[:10]
    return (f"Points set by {o.grader}{' on ' + day if day else ''}: {o.reason} "
            f"(automatic score: {format_points(o.auto_points)} / {format_points(q.max_points)})")


def _questions(result: SubmissionResult, secrets: tuple[str, ...]) -> tuple[QuestionFeedback, ...]:
    """Every question of ``result`` as the student may see it, in the result's order."""
    out = []
    for q in result.questions:
        findings = _findings(q)
        out.append(
            QuestionFeedback(
                id=q.id,
                title=q.title,
                points=q.points,
                max_points=q.max_points,
                status=q.status,
                reason=_override_text(q) or _reason(q, findings, secrets),
                extra_credit=q.extra_credit,
                hidden=q.visibility is Visibility.HIDDEN,
                findings=findings,
                override=_override_text(q),
            )
        )
    return tuple(out)


def student_feedback(result: SubmissionResult) -> StudentFeedback:
    """``result`` as its student may see it; every student-facing output is built from this.

    Hidden findings keep their points and pass/fail outcome only; see the module docstring.
    """
    secrets = _secrets(result)
    return StudentFeedback(
        student_id=result.student_id,
        status=result.status,
        reason=_scrub(result.reason, secrets),
        total=result.total,
        max_points=result.max_points,
        extra_points=result.extra_points,
        extra_max=result.extra_max,
        late_penalty=result.late_penalty,
        questions=_questions(result, secrets),
        self_check=result.self_check,
    )
