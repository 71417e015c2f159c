"""Render one student report or the class summary to an HTML string (no file I/O)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from grader.integrity.similarity import SimilarityReport
from grader.packs import DEFAULT_ASSIGNMENT, AssignmentPack, load_pack
from grader.records.graded import GradedSubmission
from grader.render._environment import render_template
from grader.render._glyphs import GLYPHS
from grader.render._student import build_student_report
from grader.render._summary import build_class_summary

__all__ = ["PreparedPanels", "prepare_panels", "render_class_summary", "render_student_report"]

PreparedPanels = tuple[dict[str, Any], tuple[str, ...]]
"""The panels' class-wide data by panel id, and the notes on where it came from."""


def prepare_panels(
    pack: AssignmentPack, graded: Sequence[GradedSubmission], *, cache_dir: Path | None, compute: bool = True
) -> PreparedPanels:
    """Each of ``pack``'s panels' ``prepare`` for the class ``graded`` (once per render of a class)."""
    data: dict[str, Any] = {}
    notes = []
    for panel in pack.panels:
        data[panel.id], note = panel.prepare(graded, cache_dir, compute)
        if note:
            notes.append(note)
    return data, tuple(notes)


def render_student_report(
    graded: GradedSubmission,
    *,
    pack: AssignmentPack | None = None,
    prepared: Mapping[str, Any] | None = None,
    course: str = "",
    assignment: str = "",
) -> str:
    """One self-contained HTML page of feedback for the student of ``graded``.

    Student-facing: hidden findings show only their points (see :func:`grader.render.student_feedback`).
    ``pack`` (default: ``grader.packs.DEFAULT_ASSIGNMENT``'s) adds its report panels, each drawn with
    its ``prepared`` data (:func:`prepare_panels`; a panel without data leaves out what needs it).
    """
    pack = pack or load_pack(DEFAULT_ASSIGNMENT)
    view = build_student_report(graded, panels=pack.panels, prepared=prepared or {}, course=course, assignment=assignment)
    dirs = (pack.templates,) if pack.templates is not None else ()
    return render_template("student_report.html.j2", dirs, r=view, glyphs=GLYPHS)


def render_class_summary(
    graded: Sequence[GradedSubmission],
    *,
    similarity: SimilarityReport | None = None,
    course: str = "",
    assignment: str = "",
    report_href: str | None = "students/{stem}.html",
    metric_gap: float = 0.1,
    auc_threshold: float | None = None,
    gap_metrics: tuple[str, str] | None = None,
) -> str:
    """The instructors' HTML summary of a class.

    ``similarity`` comes from :func:`grader.integrity.find_similar_code`; ``report_href`` is the link
    from the summary to each student report (``{stem}`` is the report's file stem), ``None`` for no
    links; a reported metric more than ``metric_gap`` from the measured one is flagged (``gap_metrics``:
    the rubric's ``reported_vs_measured`` metrics, e.g. a CV ROC-AUC against the hidden-set value; ``None``: no
    such flag).
    ``course``/``assignment`` name the class (the rubric's ``report`` section); ``auc_threshold`` (the
    rubric's hidden ROC-AUC threshold) is marked on the AUC histogram.
    """
    view = build_class_summary(graded, similarity=similarity, course=course, assignment=assignment,
                               report_href=report_href, metric_gap=metric_gap, auc_threshold=auc_threshold,
                               gap_metrics=gap_metrics)
    return render_template("class_summary.html.j2", s=view)
