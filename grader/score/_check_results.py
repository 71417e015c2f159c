"""Checks of what the notebook produced and the grader measured: metrics, artifacts, reported vs measured.

An assignment pack registers the checks of its own kinds the same way (``@check``; Week 11:
``assignments/week11/checks.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.records.collected import Item
from grader.rubric import (
    ArtifactCriterion,
    MetricCriterion,
    MetricSpec,
    ReportedVsMeasured,
)
from grader.score._checks import check
from grader.score._outcome import Context, Outcome, fmt
from grader.score.agreement import Estimate, Gap, Verdict, compare

__all__: list[str] = []


@dataclass(frozen=True, slots=True)
class _Read:
    """A metric's value, how many values it averages (folds or models) and those values, if kept."""

    value: float
    count: int
    values: tuple[float, ...]


def _reading(spec: MetricSpec, ctx: Context) -> _Read | Outcome:
    """The metric's value, or the outcome for a missing, invalid or out-of-bounds one."""
    reading = spec.read(ctx.evidence)
    if reading.value is None:
        return Outcome.unavailable(reading.status, f"{spec.name}: {reading.reason}")
    if not spec.in_bounds(reading.value):
        return Outcome.invalid(f"{spec.name} = {fmt(reading.value)} is outside {spec.bounds_text()}")
    return _Read(reading.value, reading.count, reading.values)


@check(MetricCriterion)
def _check_metric(criterion: MetricCriterion, ctx: Context) -> Outcome:
    spec = criterion.spec
    reading = _reading(spec, ctx)
    if isinstance(reading, Outcome):
        return reading
    value, count = reading.value, reading.count
    folds = f" (mean of {count} folds)" if spec.per_fold else ""
    stated = f"{spec.name} = {fmt(value)}{folds}"
    if criterion.min_count is not None and count < criterion.min_count:
        return Outcome.fail(f"{stated}; at least {criterion.min_count} folds are needed")
    if criterion.threshold is None:
        return Outcome.ok(f"{stated} reported")
    needs = f"{spec.comparison} {fmt(criterion.threshold)}"
    if spec.meets(value, criterion.threshold):
        return Outcome.ok(f"{stated} {needs}")
    return Outcome.fail(f"{stated}; needs {needs}")


def _section_matches(section: str | None, wanted: str) -> bool:
    """``"Assignment 1 · Vanishing gradients"`` matches ``"Assignment 1"``; ``"Assignment 10"`` does not."""
    if section is None:
        return False
    have, want = " ".join(section.split()).casefold(), " ".join(wanted.split()).casefold()
    return have == want or (have.startswith(want) and not have[len(want)].isalnum())


def _check_figures(criterion: ArtifactCriterion, ctx: Context) -> Outcome:
    figures = ctx.evidence.collected.figures
    where = f" in section {criterion.section!r}" if criterion.section else ""
    found = [
        f for f in figures if criterion.section is None or _section_matches(f.section, criterion.section)
    ]
    if len(found) >= criterion.min_count:
        return Outcome.ok(f"{len(found)} figure(s){where}")
    elsewhere = sorted({f.section or "(no section)" for f in figures})
    seen = f"; figures were found in {elsewhere}" if elsewhere else "; the run produced no figure"
    return Outcome.missing(f"{len(found)} figure(s){where}, at least {criterion.min_count} needed{seen}")


@check(ArtifactCriterion)
def _check_artifact(criterion: ArtifactCriterion, ctx: Context) -> Outcome:
    if criterion.artifact == "figure":
        return _check_figures(criterion, ctx)
    item: Item[Any] = ctx.evidence.collected.item(criterion.artifact)
    return Outcome.ok(f"{criterion.label} recorded") if item.is_ok else Outcome.from_item(item, criterion.label)


def _described(name: str, reading: _Read, unit: str) -> str:
    """``cv_roc_auc = 0.81 (5 folds, sd 0.012)``."""
    sd = Estimate(reading.value, reading.values).sd
    spread = f", sd {fmt(round(sd, 4))}" if sd is not None else ""
    behind = f" ({reading.count} {unit}{'s' if reading.count != 1 else ''}{spread})" if reading.values else ""
    return f"{name} = {fmt(reading.value)}{behind}"


def _why_apart(gap: Gap, chance: float | None) -> str:
    """Why two values are further apart than the tolerance, in the words of :class:`Verdict`."""
    noise = fmt(round(gap.noise or 0.0, 4))
    if gap.verdict is Verdict.CHANCE:
        return (
            f"both are near chance level ({fmt(chance or 0.0)}): the models did not learn to separate the "
            "classes, and two chance-level values differ by noise; this is no sign of a misreported value"
        )
    if gap.verdict is Verdict.NOISE:
        return (
            f"the gap is within twice the folds' spread (sd {noise}): the folds disagree too much to confirm "
            "the reported value, which is not shown to be wrong"
        )
    times = f" ({fmt(round(gap.size / gap.noise, 1))} x the folds' spread, sd {noise})" if gap.noise else ""
    return f"the reported value is not reproduced on held-out data{times}"


@check(ReportedVsMeasured)
def _check_reported_vs_measured(criterion: ReportedVsMeasured, ctx: Context) -> Outcome:
    reported_spec, measured_spec = criterion.specs
    reported, measured = _reading(reported_spec, ctx), _reading(measured_spec, ctx)
    if isinstance(reported, Outcome):
        return reported
    if isinstance(measured, Outcome):
        return measured
    chance = reported_spec.chance
    gap = compare(
        Estimate(reported.value, reported.values),
        Estimate(measured.value, measured.values),
        criterion.tolerance,
        chance,
    )
    stated = (
        f"reported {_described(criterion.reported, reported, 'fold')}, measured "
        f"{_described(criterion.measured, measured, 'model')}: they differ by {fmt(gap.size)}"
    )
    if gap.verdict is Verdict.AGREE:
        return Outcome.ok(f"{stated} <= {fmt(criterion.tolerance)}")
    return Outcome.fail(f"{stated} > {fmt(criterion.tolerance)}; {_why_apart(gap, chance)}")
