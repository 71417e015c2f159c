"""Render one student report or the class summary to an HTML string (no file I/O)."""

from __future__ import annotations

from collections.abc import Sequence

from grader.integrity.similarity import SimilarityReport
from grader.records.graded import GradedSubmission
from grader.render._environment import render_template
from grader.render._glyphs import GLYPHS
from grader.render._reference import ReferenceData
from grader.render._student import build_student_report
from grader.render._summary import build_class_summary

__all__ = ["render_class_summary", "render_student_report"]


def render_student_report(
    graded: GradedSubmission,
    *,
    reference: ReferenceData | None = None,
    course: str = "",
    assignment: str = "",
) -> str:
    """One self-contained HTML page of feedback for the student of ``graded``.

    Student-facing: hidden findings show only their points (see :func:`grader.render.student_feedback`).
    ``reference`` supplies the reference gradient profiles and JASPAR logos drawn beside the student's
    data (:func:`grader.render.load_reference`); without it those panels are left out.
    """
    view = build_student_report(graded, reference=reference or ReferenceData(), course=course, assignment=assignment)
    return render_template("student_report.html.j2", r=view, glyphs=GLYPHS)


def render_class_summary(
    graded: Sequence[GradedSubmission],
    *,
    similarity: SimilarityReport | None = None,
    course: str = "",
    assignment: str = "",
    report_href: str | None = "students/{stem}.html",
    metric_gap: float = 0.1,
    auc_threshold: float | None = None,
) -> str:
    """The instructors' HTML summary of a class.

    ``similarity`` comes from :func:`grader.integrity.find_similar_code`; ``report_href`` is the link
    from the summary to each student report (``{stem}`` is the report's file stem), ``None`` for no
    links; a reported CV ROC-AUC more than ``metric_gap`` from the hidden-set value is flagged.
    ``course``/``assignment`` name the class (the rubric's ``report`` section); ``auc_threshold`` (the
    rubric's hidden ROC-AUC threshold) is marked on the AUC histogram.
    """
    view = build_class_summary(graded, similarity=similarity, course=course, assignment=assignment,
                               report_href=report_href, metric_gap=metric_gap, auc_threshold=auc_threshold)
    return render_template("class_summary.html.j2", s=view)
