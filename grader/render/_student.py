"""The student report's view model: everything the template shows, already redacted and laid out.

:func:`build_student_report` turns a :class:`GradedSubmission` into a :class:`StudentReport`. The
template receives only that object, never the stored record, so hidden criteria (withheld by
:func:`grader.render._feedback.student_feedback`), answer keys and hidden data cannot reach the page.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from grader.packs import ReportPanel
from grader.records.collected import Item, Scalar
from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission
from grader.records.result import SubmissionStatus
from grader.render._feedback import QuestionFeedback, StudentFeedback, student_feedback
from grader.render._format import strip_ansi

__all__ = [
    "EXEC_LABELS",
    "ExecutionSection",
    "Fact",
    "FailureView",
    "PanelView",
    "QuestionView",
    "ScoreView",
    "StudentReport",
    "build_student_report",
]

EXEC_LABELS: dict[ExecStatus, str] = {
    ExecStatus.OK: "Completed",
    ExecStatus.CELL_ERROR: "Completed, a cell raised an error",
    ExecStatus.TIMEOUT: "Timed out",
    ExecStatus.DEAD_KERNEL: "Kernel died",
    ExecStatus.LIMIT: "Resource limit reached",
    ExecStatus.INVALID: "Not a runnable notebook",
    ExecStatus.SANDBOX_ERROR: "Sandbox could not start",
}
_LIMIT_STATUSES = {ExecStatus.TIMEOUT, ExecStatus.LIMIT, ExecStatus.DEAD_KERNEL}


@dataclass(frozen=True, slots=True)
class ScoreView:
    """The headline: points, extra credit, penalty and the run's status."""

    total: float
    max_points: float
    extra_points: float
    extra_max: float
    late_penalty: float
    percent: float
    status: str
    reason: str
    graded: bool


@dataclass(frozen=True, slots=True)
class QuestionView:
    """A question row: the student-safe feedback plus the answer the grader read."""

    feedback: QuestionFeedback
    answer: str | None


@dataclass(frozen=True, slots=True)
class Fact:
    """A labelled value; ``tone`` is ``""``, ``"ok"``, ``"warn"`` or ``"bad"``."""

    label: str
    value: str
    tone: str = ""


@dataclass(frozen=True, slots=True)
class FailureView:
    """The failing cell: its code, its output and the traceback, ANSI codes removed."""

    cell_index: int
    ename: str
    evalue: str
    source: str
    output: str
    traceback: str


@dataclass(frozen=True, slots=True)
class ExecutionSection:
    """What the sandbox recorded about the run."""

    label: str
    tone: str
    reason: str
    facts: tuple[Fact, ...]
    limits: tuple[tuple[str, str], ...]
    failure: FailureView | None


@dataclass(frozen=True, slots=True)
class PanelView:
    """A pack's report panel for one student: its template shows ``view`` (``ReportPanel.build``'s)."""

    id: str
    title: str
    template: str
    view: Any


@dataclass(frozen=True, slots=True)
class StudentReport:
    """Everything the student report template shows."""

    course: str
    assignment: str
    self_check: bool
    student_id: str
    graded_at: str
    rubric_id: str
    grader_version: str
    submission_sha256: str
    score: ScoreView
    questions: tuple[QuestionView, ...]
    lost: tuple[QuestionView, ...]
    panels: tuple[PanelView, ...]
    execution: ExecutionSection
    notes: tuple[str, ...]


# --------------------------------------------------------------------------- score and questions


def _score(fb: StudentFeedback) -> ScoreView:
    """The headline numbers."""
    percent = 100.0 * fb.total / fb.max_points if fb.max_points else 0.0
    return ScoreView(fb.total, fb.max_points, fb.extra_points, fb.extra_max, fb.late_penalty, round(percent, 1),
                     fb.status_label, fb.reason, fb.status is SubmissionStatus.GRADED)


def _answer_text(item: Item[Scalar] | None) -> str | None:
    """The answer as read (``None`` when the question takes no answer)."""
    if item is None:
        return None
    if item.status.value == "ok":
        return str(item.value)
    return f"{item.status.value}: {item.reason}" if item.reason else item.status.value


def _questions(graded: GradedSubmission, fb: StudentFeedback) -> tuple[QuestionView, ...]:
    """One view per question, with the collected answer where there is one."""
    answers = graded.evidence.collected.answers
    return tuple(QuestionView(q, _answer_text(answers.get(q.id))) for q in fb.questions)


# --------------------------------------------------------------------------- execution


def _failure(execution: ExecutionRecord) -> FailureView | None:
    """The failing cell without ANSI codes."""
    f = execution.failure
    if f is None:
        return None
    return FailureView(f.cell_index, f.ename, strip_ansi(f.evalue), f.source_preview, strip_ansi(f.output_tail),
                       strip_ansi(f.traceback_tail))


def _execution_facts(execution: ExecutionRecord) -> tuple[Fact, ...]:
    """The sandbox's record as labelled facts."""
    facts = [
        Fact("Device", execution.device),
        Fact("Run time", f"{execution.duration_s:.1f} s"),
        Fact("Sandboxed", "yes" if execution.sandboxed else "no", "ok" if execution.sandboxed else "warn"),
        Fact("Cells executed", str(execution.cells_executed)),
    ]
    if execution.cell_errors:
        facts.append(Fact("Cells that raised", ", ".join(str(i) for i in execution.cell_errors), "warn"))
    if execution.status in _LIMIT_STATUSES:
        facts.append(Fact("Limit reached", execution.reason or EXEC_LABELS[execution.status], "bad"))
    if execution.kernel_exit_code is not None:
        facts.append(Fact("Kernel exit code", str(execution.kernel_exit_code), "bad"))
    if execution.output_truncated:
        facts.append(Fact("Output", "truncated by the output limit", "warn"))
    facts.append(_epilogue_fact(execution))
    if execution.files_not_copied:
        facts.append(Fact("Files not copied back", f"{execution.files_not_copied} (links, special files or over the disk cap)",
                          "warn"))
    return tuple(facts)


def _epilogue_fact(execution: ExecutionRecord) -> Fact:
    """Whether the grader's collection cells ran, and the error they met (no traceback shown)."""
    failure = execution.epilogue_failure
    if failure is not None:
        return Fact("Grader's collection step", f"raised {failure.ename}: {strip_ansi(failure.evalue)}", "bad")
    return Fact("Grader's collection step", "ran" if execution.epilogue_ran else "did not run",
                "ok" if execution.epilogue_ran else "warn")


def _execution_section(execution: ExecutionRecord) -> ExecutionSection:
    """The run's status, facts, configured limits and the failing cell."""
    tone = {ExecStatus.OK: "ok", ExecStatus.CELL_ERROR: "warn"}.get(execution.status, "bad")
    return ExecutionSection(EXEC_LABELS[execution.status], tone, execution.reason, _execution_facts(execution),
                            tuple(sorted(execution.limits.items())), _failure(execution))


def build_student_report(
    graded: GradedSubmission,
    *,
    panels: tuple[ReportPanel, ...],
    prepared: Mapping[str, Any],
    course: str,
    assignment: str,
) -> StudentReport:
    """The complete, student-safe view of ``graded`` for ``templates/student_report.html.j2``.

    ``panels``: the assignment pack's report panels, each built with its ``prepared`` data (by panel id).
    """
    feedback = student_feedback(graded.result)
    questions = _questions(graded, feedback)
    r = graded.result
    return StudentReport(
        course=course,
        assignment=assignment,
        self_check=feedback.self_check,
        student_id=r.student_id,
        graded_at=graded.graded_at,
        rubric_id=r.rubric_id,
        grader_version=graded.grader_version,
        submission_sha256=graded.submission_sha256,
        score=_score(feedback),
        questions=questions,
        lost=tuple(q for q in questions if q.feedback.lost > 0),
        panels=tuple(PanelView(p.id, p.title, p.template, p.build(graded, prepared.get(p.id))) for p in panels),
        execution=_execution_section(graded.execution),
        notes=graded.notes,
    )

