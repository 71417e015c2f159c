"""Render every report, the class summary and the exports of a graded output folder.

Reads ``OUT/results/*.json`` through :func:`grader.store.files.read_results` (and the executed
notebooks, for code similarity); runs nothing.
Writes::

    OUT/reports/class_summary.html          instructors: distributions, failures, flags
    OUT/reports/students/<student_id>.html  one self-contained page per student
    OUT/reports/students/<student_id>.pdf   only with pdf=True (needs weasyprint)
    OUT/grades.csv                          the gradebook: one row per student, one column per question
    OUT/exports/...                         points possible, Moodle, Canvas, Gradescope (grader.export)
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from grader.errors import RenderError
from grader.records.graded import GradedSubmission
from grader.render._files import write_derived
from grader.render._format import safe_file_stem
from grader.render._pages import (
    DEFAULT_ASSIGNMENT,
    DEFAULT_COURSE,
    render_class_summary,
    render_student_report,
)
from grader.render._pdf import require_pdf, write_pdf
from grader.render._reference import load_reference
from grader.render._similarity import SimilarityReport, find_similar_code
from grader.store.files import executed_path, read_results

if TYPE_CHECKING:
    from grader.export import RosterEntry

__all__ = ["RenderSummary", "render_all"]

REPORTS = "reports"
STUDENTS = "students"
CLASS_SUMMARY = "class_summary.html"
GRADEBOOK = "grades.csv"


@dataclass(frozen=True, slots=True)
class RenderSummary:
    """What :func:`render_all` wrote, and notes on what it could not draw."""

    out_dir: Path
    student_reports: tuple[Path, ...]
    class_summary: Path
    exports: tuple[Path, ...]
    pdfs: tuple[Path, ...]
    similarity: SimilarityReport
    notes: tuple[str, ...]
    seconds: float


def _check_unique_stems(graded: Sequence[GradedSubmission]) -> None:
    """Raise ``RenderError`` when two student ids would share a report file name."""
    seen: dict[str, str] = {}
    for g in graded:
        sid = g.result.student_id
        stem = safe_file_stem(sid)
        if stem in seen and seen[stem] != sid:
            raise RenderError(f"student ids {seen[stem]!r} and {sid!r} both map to report file {stem!r}.html")
        seen[stem] = sid


def _notebooks(out_dir: Path, graded: Sequence[GradedSubmission]) -> dict[str, Path]:
    """Each student's executed notebook: the recorded path (relative to ``out_dir``) or the default."""
    out = {}
    for g in graded:
        sid = g.result.student_id
        recorded = g.executed_notebook or g.result.execution.executed_notebook
        path = Path(recorded) if recorded else executed_path(out_dir, sid)
        out[sid] = path if path.is_absolute() else out_dir / path
    return out


def _motif_ids(graded: Sequence[GradedSubmission]) -> set[str]:
    """Every JASPAR matrix id any submission matched."""
    return {h.matrix_id for g in graded if g.evidence.motifs.is_ok for h in (g.evidence.motifs.value or ())}


def render_all(
    out_dir: Path,
    *,
    template_notebook: Path | None = None,
    pdf: bool = False,
    course: str = DEFAULT_COURSE,
    assignment: str = DEFAULT_ASSIGNMENT,
    roster: Mapping[str, RosterEntry] | None = None,
    lms_assignment: str | None = None,
    similarity_threshold: float = 0.5,
    metric_gap: float = 0.1,
) -> RenderSummary:
    """(Re)render the reports, the class summary and the exports of ``out_dir`` from its stored results.

    Nothing is re-executed. ``template_notebook`` lets code similarity ignore the provided template
    code; ``pdf`` also writes a PDF per student (needs weasyprint; ``RenderError`` before anything is
    written otherwise); ``roster`` maps student ids to :class:`grader.export.RosterEntry` and
    ``lms_assignment`` names the Canvas column (e.g. ``"Week 11 (4242)"``; default ``assignment``).
    A reported CV ROC-AUC more than ``metric_gap`` from the hidden-set value is flagged; code pairs
    are flagged from ``similarity_threshold``.
    """
    from grader.export import write_exports  # the exports build on grader.render; import late

    if pdf:
        require_pdf()
    start = time.perf_counter()
    graded = read_results(out_dir)
    _check_unique_stems(graded)
    reference = load_reference(_motif_ids(graded), cache_dir=out_dir / REPORTS / ".cache")
    students_dir = out_dir / REPORTS / STUDENTS
    reports, pdfs = [], []
    for g in graded:
        html = render_student_report(g, reference=reference, course=course, assignment=assignment)
        path = write_derived(students_dir / f"{safe_file_stem(g.result.student_id)}.html", html)
        reports.append(path)
        if pdf:
            pdfs.append(write_pdf(html, path.with_suffix(".pdf")))
    similarity = find_similar_code(_notebooks(out_dir, graded), template_notebook=template_notebook,
                                   threshold=similarity_threshold)
    summary_html = render_class_summary(graded, similarity=similarity, course=course, assignment=assignment,
                                        report_href=f"{STUDENTS}/{{stem}}.html", metric_gap=metric_gap)
    summary = write_derived(out_dir / REPORTS / CLASS_SUMMARY, summary_html)
    exports = write_exports(graded, out_dir / "exports", assignment=lms_assignment or assignment, roster=roster,
                            gradebook=out_dir / GRADEBOOK)
    return RenderSummary(out_dir, tuple(reports), summary, exports, tuple(pdfs), similarity, reference.notes,
                         round(time.perf_counter() - start, 3))
