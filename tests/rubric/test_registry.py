"""Registrations are validated when they are made (import time), not when they are called."""

from __future__ import annotations

from typing import Literal

import pytest

from grader.records.collected import ItemStatus
from grader.records.evidence import Evidence
from grader.rubric import (
    CRITERIA,
    EVIDENCE_RULES,
    METRICS,
    Criterion,
    MetricReading,
    MetricSpec,
    register_metric,
)
from grader.rubric._criteria import ArtifactCriterion
from grader.rubric._registry import Registry


def _read(evidence: Evidence) -> MetricReading:
    return MetricReading(ItemStatus.MISSING)


def _no_argument() -> MetricReading:
    return MetricReading(ItemStatus.MISSING)


def test_duplicate_kind_raises() -> None:
    with pytest.raises(
        TypeError, match=r"kind 'choice' is already registered by grader\.rubric\._criteria\.Choice"
    ):

        @CRITERIA.register("choice")
        class Again(Criterion):
            kind: Literal["choice"] = "choice"


def test_kind_field_must_be_its_literal() -> None:
    registry: Registry[Criterion] = Registry(Criterion, "kind")
    with pytest.raises(TypeError, match=r"declare `kind: Literal\['other'\] = 'other'`"):

        @registry.register("other")
        class Wrong(Criterion):
            kind: Literal["something"] = "something"


def test_kind_name_and_base_are_checked() -> None:
    registry: Registry[Criterion] = Registry(ArtifactCriterion, "kind")
    with pytest.raises(TypeError, match=r"must match"):
        registry.register("Bad-Name")(ArtifactCriterion)
    with pytest.raises(TypeError, match=r"must subclass ArtifactCriterion"):
        registry.register("plain")(Criterion)


def test_registries_are_read_only() -> None:
    with pytest.raises(TypeError):
        CRITERIA.classes["x"] = Criterion  # type: ignore[index]
    assert "reported_vs_measured" in EVIDENCE_RULES.classes and EVIDENCE_RULES.owner("reported_vs_measured") == ""


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        (
            MetricSpec("cv_roc_auc", "roc_auc", False, True, (0, 1), True, "again", _read),
            "already registered",
        ),
        (
            MetricSpec("x", "q", False, True, (1, 0), False, "bad bounds", _read),
            "bounds must satisfy low < high",
        ),
        (MetricSpec("Bad Name", "q", False, True, (0, 1), False, "bad", _read), "must match"),
        (
            MetricSpec("y", "q", False, True, (0, 1), False, "bad read", _no_argument),  # type: ignore[arg-type]
            "read must be a function",
        ),
    ],
)
def test_metric_registrations_are_validated(spec: MetricSpec, message: str) -> None:
    with pytest.raises(TypeError, match=message):
        register_metric(spec)
    assert spec.name not in METRICS or METRICS[spec.name].description != spec.description


def test_metric_direction_lives_on_the_spec() -> None:
    lower = MetricSpec("loss", "loss", False, False, (0, None), False, "a loss", _read)
    assert lower.meets(0.1, 0.2) and not lower.meets(0.3, 0.2) and lower.comparison == "<="
    assert METRICS["hidden_roc_auc"].meets(0.75, 0.75) and not METRICS["hidden_roc_auc"].meets(0.7499, 0.75)
    assert lower.bounds_text() == "[0, inf]" and not lower.in_bounds(-1.0) and lower.in_bounds(1e9)
