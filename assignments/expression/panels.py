"""The expression pack's report panel: the student's model on the hidden samples (questions 1.1 and 1.2).

``build`` turns one graded submission into the view model ``templates/expression_classifier.html.j2``
shows: the hidden-set ROC curve the grader measured, its numbers, and how many figures the re-run drew.
"""

from __future__ import annotations

from dataclasses import dataclass

from grader.packs import ReportPanel
from grader.records.evidence import HiddenEvaluation
from grader.records.graded import GradedSubmission
from grader.render._charts import PALETTE, Guide, LineChart, Series, line_chart
from grader.render._student import Fact

__all__ = ["CLASSIFIER", "PANELS", "ClassifierView", "classifier_view"]


@dataclass(frozen=True, slots=True)
class ClassifierView:
    """The hidden-set ROC curve (``None`` when not evaluated), facts beside it, and why it is missing."""

    roc: LineChart | None
    facts: tuple[Fact, ...]
    message: str


def _roc(hidden: HiddenEvaluation) -> LineChart:
    curve = hidden.roc_curve
    return line_chart(
        [Series(f"your MODEL (AUC {hidden.roc_auc:.3f})", [p[0] for p in curve], [p[1] for p in curve],
                PALETTE[0], markers=False)],
        title="ROC on the hidden samples", x_label="false positive rate", y_label="true positive rate",
        x_domain=(0.0, 1.0), y_domain=(0.0, 1.0), guides=[Guide(0, 0, 1, 1, "chance")],
    )


def _facts(hidden: HiddenEvaluation | None, figures: int) -> tuple[Fact, ...]:
    facts = [Fact("Figures your notebook drew when re-run", str(figures), "" if figures else "warn")]
    if hidden is not None:
        facts += [
            Fact("ROC-AUC measured on the hidden samples", f"{hidden.roc_auc:.3f}"),
            Fact("PR-AUC measured on the hidden samples", f"{hidden.pr_auc:.3f}"),
            Fact("Hidden samples scored (class 1)", f"{hidden.n} ({hidden.n_positive})"),
        ]
    return tuple(facts)


def classifier_view(graded: GradedSubmission, prepared: object = None) -> ClassifierView:
    """The panel of one submission (``prepared`` is unused: the panel needs no class-wide data)."""
    item = graded.evidence.hidden
    hidden = item.value if item.is_ok else None
    why = item.reason or item.status.value
    message = "" if hidden is not None else f"Not evaluated on the hidden samples: {why}."
    return ClassifierView(_roc(hidden) if hidden is not None else None,
                          _facts(hidden, len(graded.evidence.collected.figures)), message)


CLASSIFIER = ReportPanel("classifier", "Assignment 1 · Your classifier on the hidden samples",
                         "expression_classifier.html.j2", classifier_view)
PANELS = (CLASSIFIER,)
