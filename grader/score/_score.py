"""Score one submission against a rubric: a pure function of (rubric, evidence, execution).

Fail closed: a missing or invalid item earns nothing and says why; if the grader's collection cells did
not run in a live kernel, nothing collected counts. Standard error, warnings and cells that raised never
cost points by themselves. A criterion earns its weight or 0; an all-or-nothing group earns its points
only when every member passes. Every point lost carries a reason.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from grader.records.adjust import Lateness
from grader.records.evidence import Evidence
from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.result import (
    Finding,
    FindingStatus,
    QuestionResult,
    QuestionStatus,
    SubmissionResult,
    SubmissionStatus,
)
from grader.rubric import (
    Criterion,
    DeferredCriterion,
    EvidenceCriterion,
    Question,
    Rubric,
    Visibility,
    leaf_criterion_types,
    public_view,
)
from grader.score import _check_answers, _check_results  # noqa: F401 - registers the checks
from grader.score._checks import run_check, verify_complete
from grader.score._outcome import Context, Outcome

__all__ = ["not_run_reason", "score_question", "score_submission", "self_check"]

verify_complete(leaf_criterion_types(owner=""))  # the grader's own kinds; a pack verifies its own when imported

_RUN_ENDED: dict[ExecStatus, str] = {
    ExecStatus.OK: "the grader's collection cells did not run",
    ExecStatus.CELL_ERROR: "the grader's collection cells did not run after a cell error",
    ExecStatus.TIMEOUT: "the notebook timed out",
    ExecStatus.DEAD_KERNEL: "the kernel died",
    ExecStatus.LIMIT: "a resource limit ended the run",
    ExecStatus.INVALID: "the file is not a runnable notebook",
    ExecStatus.SANDBOX_ERROR: "the grader could not start the sandbox",
}
_DIGITS = 6


def not_run_reason(execution: ExecutionRecord) -> str | None:
    """Why nothing collected counts (``None`` if the collection cells ran in a live kernel)."""
    if execution.epilogue_ran:
        return None
    details = [execution.reason] if execution.reason else []
    if execution.failure is not None:
        failure = execution.failure
        details.append(f"cell {failure.cell_index}: {failure.ename}: {failure.evalue}".rstrip(": "))
    if execution.epilogue_failure is not None:
        failure = execution.epilogue_failure
        details.append(
            f"collection cell {failure.cell_index}: {failure.ename}: {failure.evalue}".rstrip(": ")
        )
    if execution.kernel_exit_code is not None:
        details.append(f"kernel exit code {execution.kernel_exit_code}")
    detail = f" ({'; '.join(details)})" if details else ""
    ended = _RUN_ENDED.get(execution.status, f"the run ended with status {execution.status.value!r}")
    return f"nothing collected counts: {ended}{detail}"


def _kind(criterion: Criterion) -> str:
    """``choice``, ``evidence:gradient_uniformity``; a deferred criterion keeps its original kind."""
    if isinstance(criterion, EvidenceCriterion):
        return f"evidence:{criterion.rule}"
    return criterion.original if isinstance(criterion, DeferredCriterion) else criterion.kind


def _award(question: Question, outcomes: Sequence[tuple[Criterion, Outcome]]) -> dict[str, float]:
    """Points per criterion id: its weight if its whole group passed, else 0."""
    groups: dict[tuple[str, str], list[tuple[Criterion, Outcome]]] = {}
    for criterion, outcome in outcomes:
        key = (
            ("all", "")
            if question.all_or_nothing
            else ("group", criterion.group)
            if criterion.group
            else ("one", criterion.id)
        )
        groups.setdefault(key, []).append((criterion, outcome))
    earned: dict[str, float] = {}
    for members in groups.values():
        complete = all(outcome.passed for _, outcome in members)
        for criterion, _ in members:
            earned[criterion.id] = question.weight(criterion) if complete else 0.0
    return earned


def _blockers(
    question: Question, criterion: Criterion, outcomes: Sequence[tuple[Criterion, Outcome]]
) -> list[str]:
    """Ids of the criteria in ``criterion``'s all-or-nothing group that did not pass (deferred ones last)."""

    def together(other: Criterion) -> bool:
        return question.all_or_nothing or (criterion.group is not None and other.group == criterion.group)

    others = [(c, o) for c, o in outcomes if c.id != criterion.id and together(c) and not o.passed]
    return [c.id for c, o in others if o.status is not FindingStatus.DEFERRED]


def _finding(
    question: Question,
    criterion: Criterion,
    outcome: Outcome,
    points: float,
    outcomes: Sequence[tuple[Criterion, Outcome]],
) -> Finding:
    message = outcome.message
    if outcome.passed and points == 0.0 and question.weight(criterion) > 0.0:
        blockers = _blockers(question, criterion, outcomes)
        message += (
            f" (no points: all or nothing, and {', '.join(blockers)} did not pass)"
            if blockers
            else " (its points depend on the checks made at grading time)"
        )
    hidden = Visibility.HIDDEN in (question.visibility, criterion.visibility)
    return Finding(
        criterion=criterion.id,
        kind=_kind(criterion),
        passed=outcome.passed,
        points=round(points, _DIGITS),
        max_points=round(question.weight(criterion), _DIGITS),
        message=message,
        visibility=Visibility.HIDDEN if hidden else Visibility.PUBLIC,
        status=outcome.status,
    )


def _status(statuses: Sequence[FindingStatus], points: float, max_points: float) -> QuestionStatus:
    open_ = [s for s in statuses if s is not FindingStatus.PASSED]
    certain = [s for s in open_ if s is not FindingStatus.DEFERRED]
    if not open_:
        return QuestionStatus.PASSED
    if 0.0 < points < max_points:
        return QuestionStatus.PARTIAL
    if not certain or all(s is FindingStatus.NOT_RUN for s in certain):
        return QuestionStatus.NOT_RUN
    if FindingStatus.PASSED in statuses or FindingStatus.FAILED in certain:
        return QuestionStatus.FAILED
    return (
        QuestionStatus.MISSING if all(s is FindingStatus.MISSING for s in certain) else QuestionStatus.INVALID
    )


def _reason(findings: Sequence[Finding], status: QuestionStatus) -> str:
    if status is QuestionStatus.PASSED:
        return "; ".join(f.message for f in findings)
    lost = [f for f in findings if f.status is not FindingStatus.PASSED]
    if len({f.message for f in lost}) == 1 and all(f.status is FindingStatus.NOT_RUN for f in lost):
        return lost[0].message
    parts = "; ".join(f"{f.criterion}: {f.message}" for f in lost)
    if all(f.status is FindingStatus.DEFERRED for f in lost):
        return f"decided at grading time; {parts}"
    zeroed = any(f.passed and f.points == 0.0 and f.max_points > 0.0 for f in findings)
    return ("no points for a partially correct answer (all or nothing); " if zeroed else "") + parts


def score_question(question: Question, evidence: Evidence, blocked: str | None = None) -> QuestionResult:
    """Score one question; ``blocked`` (from :func:`not_run_reason`) makes every criterion NOT_RUN."""
    ctx = Context(evidence, question)
    outcomes = [
        (c, Outcome.not_run(blocked) if blocked is not None else run_check(c, ctx)) for c in question.criteria
    ]
    earned = _award(question, outcomes)
    findings = tuple(_finding(question, c, o, earned[c.id], outcomes) for c, o in outcomes)
    points = round(sum(earned.values()), _DIGITS)
    status = _status([o.status for _, o in outcomes], points, question.points)
    return QuestionResult(
        id=question.id,
        title=question.title,
        points=points,
        max_points=question.points,
        status=status,
        reason=_reason(findings, status),
        extra_credit=question.extra_credit,
        visibility=question.visibility,
        findings=findings,
    )


def _total(points: Iterable[float]) -> float:
    return round(math.fsum(points), _DIGITS)


def _submission_reason(
    execution: ExecutionRecord, blocked: str | None, lateness: Lateness | None, penalty: float
) -> str:
    parts = []
    if blocked is not None:
        parts.append(blocked)
    elif execution.status is ExecStatus.CELL_ERROR:
        parts.append(
            f"cells {list(execution.cell_errors)} raised errors; the cells after them still ran and count"
        )
    late = lateness.note(penalty) if lateness is not None else ""
    if late:
        parts.append(late)
    return "; ".join(parts) or "scored every question"


def _score(
    rubric: Rubric,
    evidence: Evidence,
    execution: ExecutionRecord,
    *,
    student_id: str,
    source: str,
    lateness: Lateness | None,
    self_check: bool,
) -> SubmissionResult:
    if lateness is not None and not math.isfinite(lateness.late_days):
        raise ValueError(
            f"score_submission: late_days must be a finite number of days, got {lateness.late_days!r}"
        )
    blocked = not_run_reason(execution)
    questions = tuple(score_question(q, evidence, blocked) for q in rubric.questions)
    regular = _total(q.points for q in questions if not q.extra_credit)
    penalty = round(regular * lateness.fraction, _DIGITS) if lateness is not None else 0.0
    return SubmissionResult(
        student_id=student_id,
        source=source,
        status=SubmissionStatus.from_exec(execution.status),
        reason=_submission_reason(execution, blocked, lateness, penalty),
        total=round(regular - penalty, _DIGITS),
        max_points=rubric.max_points,
        extra_points=_total(q.points for q in questions if q.extra_credit),
        extra_max=rubric.extra_max_points,
        late_penalty=penalty,
        lateness=lateness,
        rubric_id=rubric.rubric_id,
        questions=questions,
        self_check=self_check,
    )


def _lateness(rubric: Rubric, late_days: float, lateness: Lateness | None) -> Lateness:
    """``lateness`` (or one made from ``late_days``) under the rubric's late policy."""
    if lateness is None:
        lateness = Lateness(late_days=late_days, source="late days given to the API" if late_days > 0 else "")
    return lateness.model_copy(update={"policy": rubric.late_penalty.policy()})


def score_submission(
    rubric: Rubric,
    evidence: Evidence,
    execution: ExecutionRecord,
    *,
    student_id: str,
    source: str,
    late_days: float = 0.0,
    lateness: Lateness | None = None,
) -> SubmissionResult:
    """Score one submission; pure and deterministic (no I/O, same input -> same output).

    Args:
        rubric: the parsed rubric (``load_rubric``).
        evidence: what was collected and measured for this submission (cached per submission).
        execution: how the run ended; if ``epilogue_ran`` is False nothing collected counts.
        student_id: who submitted. source: the submitted file, for the result.
        late_days: days past the due date (<= 0: on time); the rubric's ``late_penalty`` applies.
        lateness: how late, from where (wins over ``late_days``); its policy is replaced by the
            rubric's, so a rescore under a changed rubric applies the new rule to the same late days.

    Returns:
        A :class:`SubmissionResult` whose ``total`` is after the late penalty. It holds what scoring
        decided, not ``execution``: the caller keeps the run beside it (``GradedSubmission.execution``).
    """
    return _score(
        rubric,
        evidence,
        execution,
        student_id=student_id,
        source=source,
        lateness=_lateness(rubric, late_days, lateness),
        self_check=False,
    )


def self_check(
    rubric: Rubric, evidence: Evidence, execution: ExecutionRecord, *, student_id: str, source: str
) -> SubmissionResult:
    """Score with ``public_view(rubric)`` for the student self-check.

    Hidden criteria are ``DEFERRED`` ("checked at grading time") and earn nothing; no message contains
    a hidden expected value, tolerance, threshold or feedback text. No late penalty.
    """
    return _score(
        public_view(rubric),
        evidence,
        execution,
        student_id=student_id,
        source=source,
        lateness=None,
        self_check=True,
    )
