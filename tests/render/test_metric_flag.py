"""The class summary's reported-vs-measured flag: the CV mean against the same fold models on the hidden
set, worded by the spread of the folds, so two chance-level numbers never read as misreporting."""

from __future__ import annotations

from assignments.week11.records import CVReport
from grader.records.collected import Item
from grader.records.evidence import HiddenEvaluation
from grader.records.graded import GradedSubmission
from grader.render._summary import FlagRow, build_class_summary
from tests.render.samples import full_marks


def _with(folds: tuple[float, ...], ensemble: float, per_model: tuple[float, ...]) -> GradedSubmission:
    g = full_marks("s_flag")
    hidden = HiddenEvaluation(
        n=400, n_positive=160, roc_auc=ensemble, pr_auc=0.5, per_model_roc_auc=per_model
    )
    collected = type(g.evidence.collected).model_validate(
        {**g.evidence.collected.model_dump(), "cv": Item.ok(CVReport(roc_auc=folds))}
    )
    evidence = type(g.evidence).model_validate(
        {**g.evidence.model_dump(), "collected": collected, "hidden": Item.ok(hidden)}
    )
    return g.model_copy(update={"evidence": evidence})


WEEK11_GAP = ("cv_roc_auc", "hidden_model_roc_auc")
"""What rubrics/week11.yaml's reported_vs_measured criterion compares (the run records it for the summary)."""


def _metric_flags(g: GradedSubmission) -> list[FlagRow]:
    summary = build_class_summary(
        [g], similarity=None, course="c", assignment="a", report_href=None, metric_gap=0.1, gap_metrics=WEEK11_GAP
    )
    return [f for f in summary.flags if "CV ROC-AUC" in f.detail]


def test_chance_level_numbers_are_not_flagged_as_misreported() -> None:
    (flag,) = _metric_flags(_with((0.45, 0.70, 0.55, 0.72, 0.68), 0.51, (0.50, 0.51, 0.49, 0.52, 0.50)))
    assert flag.kind == "Models at chance level"
    assert "0.620 ± 0.116 reported over 5 fold(s), 0.504 ± 0.011" in flag.detail
    assert "not misreporting" in flag.detail


def test_the_ensemble_is_not_what_the_cv_mean_estimates() -> None:
    """Five fold models at 0.81 whose average scores 0.93: the CV mean of 0.80 agrees with them."""
    assert _metric_flags(_with((0.80, 0.79, 0.81, 0.80, 0.80), 0.93, (0.82, 0.81, 0.80, 0.82, 0.81))) == []


def test_a_gap_beyond_the_folds_spread_is_flagged() -> None:
    (flag,) = _metric_flags(_with((0.95, 0.96, 0.95, 0.94, 0.96), 0.70, (0.68, 0.67, 0.69, 0.68, 0.68)))
    assert (
        flag.kind == "Reported metric far from measured"
        and "the reported value is not reproduced" in flag.detail
    )


def test_noisy_folds_are_flagged_as_noise() -> None:
    (flag,) = _metric_flags(_with((0.95, 0.70, 0.92, 0.66, 0.90), 0.78, (0.71, 0.69, 0.70, 0.70, 0.70)))
    assert flag.kind == "Noisy cross-validation" and "noise, not misreporting" in flag.detail


def test_no_gap_flag_without_the_rubrics_metrics() -> None:
    far = _with((0.95, 0.96, 0.94, 0.95, 0.95), 0.55, (0.55, 0.56, 0.54, 0.55, 0.55))
    assert _metric_flags(far)  # far apart: flagged when the rubric names what to compare
    summary = build_class_summary([far], similarity=None, course="c", assignment="a", report_href=None,
                                  metric_gap=0.1)
    assert summary.flags == ()
