"""The class summary's view model: distributions, per-question statistics, failures and flags.

This page is for instructors; it may name hidden-set measurements. Flags (a reported metric far from
the measured one, worded by the spread of the folds; saved outputs that re-execution did not reproduce,
edited locked cells, runs outside the sandbox, a failed collection step, intake notes, similar code)
inform a human and never change points. A student who handed in several notebooks is listed with every
file and the part of the rule (``grader.discover.duplicates.RULE``) that picked the graded one.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from grader.discover.duplicates import RULE as DUPLICATE_RULE
from grader.discover.duplicates import is_duplicate_note, read_duplicates
from grader.integrity.similarity import SimilarityReport, SimilarPair
from grader.records.execution import ExecStatus
from grader.records.graded import GradedSubmission
from grader.records.result import QuestionStatus, SubmissionStatus
from grader.render._charts import BarChart, histogram
from grader.render._feedback import SUBMISSION_LABELS
from grader.render._format import format_points, safe_file_stem, strip_ansi
from grader.rubric import METRICS
from grader.score.agreement import Estimate, Verdict, compare

__all__ = [
    "ClassSummary", "DuplicateRow", "FailureRow", "FlagRow", "QuestionStat", "StudentRow", "build_class_summary",
]

_UNJUDGED = {QuestionStatus.MISSING, QuestionStatus.INVALID, QuestionStatus.NOT_RUN}
_QUANTITIES = {"roc_auc": "ROC-AUC", "pr_auc": "PR-AUC"}


@dataclass(frozen=True, slots=True)
class QuestionStat:
    """One question across the class."""

    id: str
    title: str
    max_points: float
    extra_credit: bool
    n: int
    mean_points: float
    pass_rate: float
    n_passed: int
    n_partial: int
    n_failed: int
    n_unjudged: int


@dataclass(frozen=True, slots=True)
class FailureRow:
    """A submission whose run did not complete cleanly."""

    student_id: str
    href: str
    status: str
    tone: str
    reason: str
    failure: str


@dataclass(frozen=True, slots=True)
class FlagRow:
    """One observation worth a human look."""

    student_id: str
    href: str
    kind: str
    detail: str


@dataclass(frozen=True, slots=True)
class DuplicateRow:
    """A student who handed in several notebooks: the one graded, the others, and why that one."""

    student_id: str
    href: str
    graded: str
    not_graded: tuple[str, ...]
    why: str


@dataclass(frozen=True, slots=True)
class StudentRow:
    """One line of the full class list."""

    student_id: str
    href: str
    total: float
    extra: float
    status: str
    tone: str
    hidden_auc: str
    n_flags: int
    name: str = ""


@dataclass(frozen=True, slots=True)
class ClassSummary:
    """Everything the class summary template shows."""

    course: str
    assignment: str
    n: int
    n_graded: int
    n_failed: int
    max_points: float
    mean: str
    median: str
    score_chart: BarChart | None
    auc_chart: BarChart | None
    auc_stats: str
    questions: tuple[QuestionStat, ...]
    failures: tuple[FailureRow, ...]
    flags: tuple[FlagRow, ...]
    duplicates: tuple[DuplicateRow, ...]
    duplicate_rule: str
    pairs: tuple[SimilarPair, ...]
    similarity_note: str
    students: tuple[StudentRow, ...]


def _href(student_id: str, pattern: str | None) -> str:
    """The link to a student's report (``""`` when reports are not linked)."""
    return pattern.format(stem=safe_file_stem(student_id)) if pattern else ""


def _status_label(g: GradedSubmission) -> tuple[str, str]:
    """The submission status in words and its tone."""
    status = g.result.status
    tone = {SubmissionStatus.GRADED: "ok", SubmissionStatus.CELL_ERROR: "warn"}.get(status, "bad")
    return SUBMISSION_LABELS[status], tone


def _question_stats(graded: Sequence[GradedSubmission]) -> tuple[QuestionStat, ...]:
    """Per-question means and pass rates, questions in order of first appearance."""
    by_id: dict[str, list[tuple[float, QuestionStatus]]] = {}
    meta: dict[str, tuple[str, float, bool]] = {}
    for g in graded:
        for q in g.result.questions:
            by_id.setdefault(q.id, []).append((q.points, q.status))
            meta.setdefault(q.id, (q.title, q.max_points, q.extra_credit))
    stats = []
    for qid, rows in by_id.items():
        title, max_points, extra = meta[qid]
        count = {s: sum(1 for _, st in rows if st is s) for s in QuestionStatus}
        stats.append(QuestionStat(
            qid, title, max_points, extra, len(rows), sum(p for p, _ in rows) / len(rows),
            100.0 * count[QuestionStatus.PASSED] / len(rows), count[QuestionStatus.PASSED],
            count[QuestionStatus.PARTIAL], count[QuestionStatus.FAILED], sum(count[s] for s in _UNJUDGED),
        ))
    return tuple(stats)


def _score_chart(graded: Sequence[GradedSubmission]) -> BarChart | None:
    """Histogram of totals in one-point bins from 0 to the maximum."""
    if not graded:
        return None
    top = max(max(g.result.max_points for g in graded), max(g.result.total for g in graded))
    edges = [float(e) for e in range(0, math.floor(top) + 2)]
    return histogram([g.result.total for g in graded], edges, title="Total points (extra credit not included)",
                     x_label="points", tick_every=1 if top <= 20 else 5, label_bins=True)


def _hidden_aucs(graded: Sequence[GradedSubmission]) -> list[float]:
    """The hidden-set ROC-AUC of every submission that has one."""
    items = (g.evidence.hidden for g in graded)
    return [item.value.roc_auc for item in items if item.is_ok and item.value]


def _auc_chart(aucs: Sequence[float], threshold: float | None) -> BarChart | None:
    """Histogram of hidden-set ROC-AUC in 0.025 bins, with the rubric's threshold marked."""
    if not aucs:
        return None
    lo = min(0.5, math.floor(min(aucs) * 40) / 40)
    edges = [round(lo + 0.025 * i, 3) for i in range(round((1.0 - lo) / 0.025) + 1)]
    return histogram(aucs, edges, title="ROC-AUC on the hidden set", x_label="ROC-AUC",
                     markers=[(threshold, f"{threshold:g} (rubric)")] if threshold is not None else [],
                     tick_every=4)


def _failure_text(g: GradedSubmission) -> str:
    """``"cell 17: RuntimeError: ..."`` for the first failing cell, if recorded."""
    f = g.execution.failure
    return f"cell {f.cell_index}: {f.ename}: {strip_ansi(f.evalue)}" if f else ""


def _failures(graded: Sequence[GradedSubmission], pattern: str | None) -> tuple[FailureRow, ...]:
    """Submissions that errored, timed out, died or could not run."""
    return tuple(
        FailureRow(g.result.student_id, _href(g.result.student_id, pattern), *_status_label(g),
                   g.result.reason or g.execution.reason, _failure_text(g))
        for g in graded
        if g.result.status is not SubmissionStatus.GRADED
    )


def _with_spread(e: Estimate) -> str:
    return f"{e.value:.3f} ± {e.sd:.3f}" if e.sd is not None else f"{e.value:.3f}"


_GAP_FLAGS = {
    Verdict.NOT_REPRODUCED: ("Reported metric far from measured", "the reported value is not reproduced"),
    Verdict.NOISE: ("Noisy cross-validation", "within twice the folds' spread: noise, not misreporting"),
    Verdict.CHANCE: ("Models at chance level", "both near chance (0.5): noise, not misreporting"),
}


def _metric_flag(
    g: GradedSubmission, metric_gap: float, href: str, gap_metrics: tuple[str, str] | None
) -> FlagRow | None:
    """The reported metric (e.g. the CV ROC-AUC, a mean over folds) against the measured one (the same
    fold models' mean hidden-set ROC-AUC), flagged when more than ``metric_gap`` apart and worded by the
    spread of the folds; nothing without ``gap_metrics`` or when either is unknown or not available."""
    if gap_metrics is None:
        return None
    reported_spec, measured_spec = METRICS.get(gap_metrics[0]), METRICS.get(gap_metrics[1])
    if reported_spec is None or measured_spec is None:
        return None
    reported_value, measured_value = reported_spec.read(g.evidence), measured_spec.read(g.evidence)
    if reported_value.value is None or measured_value.value is None:
        return None
    reported = Estimate(reported_value.value, reported_value.values)
    measured = Estimate(measured_value.value, measured_value.values)
    gap = compare(reported, measured, metric_gap, chance=reported_spec.chance)
    if gap.verdict is Verdict.AGREE:
        return None
    kind, why = _GAP_FLAGS[gap.verdict]
    quantity = _QUANTITIES.get(reported_spec.quantity, reported_spec.quantity)
    stated = (f"CV {quantity} {_with_spread(reported)} reported over {reported_value.count} fold(s)" if reported_spec.per_fold
              else f"{quantity} {_with_spread(reported)} reported")
    return FlagRow(g.result.student_id, href, kind,
                   f"{stated}, {_with_spread(measured)} for the same models on the hidden set "
                   f"(gap {gap.size:.3f} > {metric_gap:.2f}; {why})")


def _flags_of(
    g: GradedSubmission, metric_gap: float, href: str, gap_metrics: tuple[str, str] | None
) -> list[FlagRow]:
    """The flags one submission raises."""
    sid, out = g.result.student_id, []
    metric = _metric_flag(g, metric_gap, href, gap_metrics)
    if metric is not None:
        out.append(metric)
    integrity = g.integrity
    notes = integrity.saved_output_notes or (
        ("saved outputs differ from re-execution",) if integrity.saved_outputs_reproduced is False else ()
    )
    out += [FlagRow(sid, href, "Saved output not reproduced", note) for note in notes]
    if integrity.locked_cells_changed:
        out.append(FlagRow(sid, href, "Locked cells edited", ", ".join(integrity.locked_cells_changed)))
    execution = g.execution
    if not execution.sandboxed and execution.status is not ExecStatus.SANDBOX_ERROR:
        out.append(FlagRow(sid, href, "Ran outside the sandbox", "the run was not isolated"))
    if execution.epilogue_failure is not None:
        f = execution.epilogue_failure
        out.append(FlagRow(sid, href, "Collection step failed", f"{f.ename}: {strip_ansi(f.evalue)}"))
    out += _intake_flags(g, href)
    return out + _decision_flags(g, href)


def _decision_flags(g: GradedSubmission, href: str) -> list[FlagRow]:
    """Points a TA set by hand, and lateness (with how the penalty was computed)."""
    sid, out = g.result.student_id, []
    for q in g.result.questions:
        if q.override is not None:
            o = q.override
            out.append(FlagRow(sid, href, "Points set by a TA",
                               f"{q.id}: {format_points(o.points)} / {format_points(q.max_points)} by {o.grader}: "
                               f"{o.reason} (automatic {format_points(o.auto_points)})"))
    lateness = g.result.lateness
    note = lateness.note(g.result.late_penalty) if lateness is not None else ""
    if note:
        out.append(FlagRow(sid, href, "Late", note))
    return out


def _intake_flags(g: GradedSubmission, href: str) -> list[FlagRow]:
    """Discovery's notes; several notebooks make one flag (the duplicates section lists them)."""
    sid, duplicates = g.result.student_id, read_duplicates(g.notes)
    if duplicates is None:
        return [FlagRow(sid, href, "Intake note", note) for note in g.notes]
    why = f"; graded the {duplicates.why}" if duplicates.why else ""
    flag = FlagRow(sid, href, "Several notebooks submitted",
                   f"{len(duplicates.not_graded)} not graded{why} (see Duplicate submissions)")
    return [flag, *(FlagRow(sid, href, "Intake note", note) for note in g.notes if not is_duplicate_note(note))]


def _duplicates(graded: Sequence[GradedSubmission], pattern: str | None) -> tuple[DuplicateRow, ...]:
    """Every student with notebooks not graded: both files and the part of the rule that decided."""
    rows = []
    for g in graded:
        found = read_duplicates(g.notes)
        if found is not None:
            sid = g.result.student_id
            rows.append(DuplicateRow(sid, _href(sid, pattern), g.result.source, found.not_graded,
                                     f"the {found.why}" if found.why else "not recorded (an older grader)"))
    return tuple(rows)


def _student_rows(graded: Sequence[GradedSubmission], flags: Sequence[FlagRow], pattern: str | None) -> tuple[StudentRow, ...]:
    """The class list, sorted by student id."""
    counts: dict[str, int] = {}
    for f in flags:
        counts[f.student_id] = counts.get(f.student_id, 0) + 1
    rows = []
    for g in sorted(graded, key=lambda g: g.result.student_id):
        sid, hidden = g.result.student_id, g.evidence.hidden
        label, tone = _status_label(g)
        auc = f"{hidden.value.roc_auc:.3f}" if hidden.is_ok and hidden.value else "–"
        rows.append(StudentRow(sid, _href(sid, pattern), g.result.total, g.result.extra_points, label, tone, auc,
                               counts.get(sid, 0), g.student_name))
    return tuple(rows)


def _center(values: Sequence[float]) -> tuple[str, str]:
    """Mean and median as text (en dashes when empty)."""
    if not values:
        return "–", "–"
    return f"{statistics.fmean(values):.2f}", f"{statistics.median(values):.2f}"


def build_class_summary(
    graded: Sequence[GradedSubmission],
    *,
    similarity: SimilarityReport | None,
    course: str,
    assignment: str,
    report_href: str | None,
    metric_gap: float,
    auc_threshold: float | None = None,
    gap_metrics: tuple[str, str] | None = None,
) -> ClassSummary:
    """The class summary of ``graded``; ``report_href`` is a pattern with ``{stem}`` or ``None``.

    ``gap_metrics``: the (reported, measured) metrics of the rubric's ``reported_vs_measured``
    criterion, compared for the gap flag (``None``: no gap flag).
    """
    ordered = sorted(graded, key=lambda g: g.result.student_id)
    flags = tuple(f for g in ordered for f in _flags_of(g, metric_gap, _href(g.result.student_id, report_href),
                                                         gap_metrics))
    aucs = _hidden_aucs(ordered)
    mean, median = _center([g.result.total for g in ordered])
    auc_mean, auc_median = _center(aucs)
    n_graded = sum(1 for g in ordered if g.result.status is SubmissionStatus.GRADED)
    return ClassSummary(
        course=course, assignment=assignment, n=len(ordered), n_graded=n_graded, n_failed=len(ordered) - n_graded,
        max_points=max((g.result.max_points for g in ordered), default=0.0), mean=mean, median=median,
        score_chart=_score_chart(ordered), auc_chart=_auc_chart(aucs, auc_threshold),
        auc_stats=f"{len(aucs)} submissions evaluated; mean {auc_mean}, median {auc_median}",
        questions=_question_stats(ordered), failures=_failures(ordered, report_href), flags=flags,
        duplicates=_duplicates(ordered, report_href), duplicate_rule=DUPLICATE_RULE,
        pairs=similarity.pairs if similarity else (),
        similarity_note=similarity.note if similarity else "Code similarity was not computed (no executed notebooks given).",
        students=_student_rows(ordered, flags, report_href),
    )
