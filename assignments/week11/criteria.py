"""Week 11's criterion kinds, evidence rules and metrics, registered with owner ``week11``.

Only a rubric for this pack (``assignment: week11``, or none while that is the default) may use them:
``kind: motif_match``, ``rule: gradient_uniformity``, ``rule: kernel_sweep_run`` and the metrics
``cv_roc_auc``, ``cv_pr_auc``, ``sweep_best_roc_auc``. Their checks are in ``assignments.week11.checks``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, ClassVar, Final, Literal, Self

from pydantic import Field, Strict, model_validator

from assignments.week11.items import CV, FIRST_LAYER_KERNELS, GRADIENTS, KERNEL_SWEEP
from grader.records.collected import ItemStatus
from grader.records.evidence import Evidence
from grader.rubric import (
    CRITERIA,
    EVIDENCE_RULES,
    ChoiceCriterion,
    Criterion,
    DeferredCriterion,
    EvidenceCriterion,
    MetricReading,
    MetricSpec,
    register_metric,
)
from grader.rubric._base import Flag, Fraction, NonNegative, Number, Positive, Text, bad_value, unknown_value

__all__ = ["GRADIENT_METHODS", "OWNER", "GradientUniformity", "KernelSweepRun", "MotifMatchCriterion"]

OWNER = "week11"
GRADIENT_METHODS: Final[tuple[str, ...]] = ("skip", "batch_norm", "relu", "elu")
"""Option names the gradient rule understands (``reference.gradients.evidence.COUNTERMEASURES``)."""


@CRITERIA.register("motif_match", owner=OWNER)
class MotifMatchCriterion(Criterion):
    """At least ``min_kernels`` first-layer kernels match a motif of one of ``families`` (name prefixes,
    e.g. ``HNF4`` matches ``HNF4A`` and ``Hnf4g``) with a score of at least ``min_score``.
    """

    hidden_reads: ClassVar[frozenset[str]] = frozenset({FIRST_LAYER_KERNELS.name})
    kind: Literal["motif_match"] = "motif_match"
    families: tuple[Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9]+$")], ...] = Field(min_length=1)
    min_score: Number
    min_kernels: Positive = 1

    def family_of(self, name: str) -> str | None:
        """The family a motif name (``"HNF4A"``, ``"FOXA1::FOXA2"``) belongs to, if any."""
        for part in name.upper().split("::"):
            for family in self.families:
                if part.startswith(family.upper()):
                    return family
        return None

    def reads_items(self) -> frozenset[str]:
        return self.hidden_reads


@EVIDENCE_RULES.register("gradient_uniformity", owner=OWNER)
class GradientUniformity(EvidenceCriterion):
    """The method chosen in choice criterion ``choice`` (same question) is supported by GRADIENTS.

    The evidence is invalid unless GRADIENTS holds the sigmoid baseline and every option of
    :data:`GRADIENT_METHODS` (keys spelt as the choice's options accept), all with the same number of
    layers, at least ``min_layers``, and valid values. Supported: the choice does not drop to zero (a
    layer below ``relative_floor`` x max, or more than ``max_zero_fraction`` exact zeros; for ReLU
    without zero fractions this cannot be told, so it is not supported) and its U = log10(max/min) is
    within ``slack_decades`` of the flattest option that does not (or may not) drop to zero.
    ``output_layer_recorded``: each GRADIENTS list ends with the output layer (the Week 11 contract
    records hidden layers only: ``false``); ``include_output_layer``: that last value enters U
    (otherwise it is left out).
    """

    rule: Literal["gradient_uniformity"] = "gradient_uniformity"
    choice: Text
    relative_floor: Fraction = 1e-6
    max_zero_fraction: Fraction = 0.01
    slack_decades: NonNegative = 0.3
    output_layer_recorded: Flag = False
    include_output_layer: Flag = False
    min_layers: Annotated[int, Strict(), Field(ge=2)] = 2

    @model_validator(mode="after")
    def _output_layer_known(self) -> Self:
        if self.include_output_layer and not self.output_layer_recorded:
            raise bad_value(
                "include_output_layer: true needs output_layer_recorded: true (the lists must end with the "
                "output layer to include it; the Week 11 contract records hidden layers only)",
                at=("include_output_layer",),
            )
        return self

    @property
    def drop_last(self) -> bool:
        """Whether the last recorded value (the output layer) is left out."""
        return self.output_layer_recorded and not self.include_output_layer

    def reads_items(self) -> frozenset[str]:
        return frozenset({GRADIENTS.name})

    def check_in_question(self, question: Any, index: int) -> None:
        """``choice`` names a choice criterion of the same question whose options the rule knows."""
        choices = {
            c.id: c for c in question.criteria if isinstance(c, ChoiceCriterion | DeferredCriterion) and c.options
        }
        at = ("criteria", index, "choice")
        if not choices:
            raise bad_value(
                f"{self.choice!r} names no choice criterion: this question has none; add a "
                "`kind: choice` criterion and give its id here",
                at=at,
            )
        if self.choice not in choices:
            raise unknown_value(self.choice, choices, at=at)
        strange = sorted(set(choices[self.choice].options) - set(GRADIENT_METHODS))
        if strange:
            raise bad_value(
                f"choice {self.choice!r} has options {strange} the gradient rule does not know; "
                f"expected options among {list(GRADIENT_METHODS)}",
                at=at,
            )


@EVIDENCE_RULES.register("kernel_sweep_run", owner=OWNER)
class KernelSweepRun(EvidenceCriterion):
    """KERNEL_SWEEP holds results for at least ``min_sizes`` kernel sizes."""

    rule: Literal["kernel_sweep_run"] = "kernel_sweep_run"
    min_sizes: Positive = 2

    def reads_items(self) -> frozenset[str]:
        return frozenset({KERNEL_SWEEP.name})


def _cv(attribute: str) -> Callable[[Evidence], MetricReading]:
    def read(evidence: Evidence) -> MetricReading:
        item = CV.read(evidence.collected)
        if item.value is None or not item.is_ok:
            return MetricReading.unavailable(item, "CV_RESULTS")
        values: tuple[float, ...] = getattr(item.value, attribute)
        if not values:
            return MetricReading(ItemStatus.MISSING, reason=f"CV_RESULTS has no {attribute!r}")
        return MetricReading.mean_of(values)

    return read


def _sweep_best(evidence: Evidence) -> MetricReading:
    item = KERNEL_SWEEP.read(evidence.collected)
    if item.value is None or not item.is_ok or not item.value:
        return MetricReading.unavailable(item, "KERNEL_SWEEP")
    return MetricReading.of(max(item.value.values()), len(item.value))


def _reported_auc(name: str, description: str, read: Callable[[Evidence], MetricReading], *, item: str,
                  per_fold: bool = True, chance: float | None = 0.5) -> MetricSpec:
    """A metric the notebook reports: an area under a curve (0 to 1), higher is better."""
    quantity = "pr_auc" if name.endswith("pr_auc") else "roc_auc"
    return MetricSpec(
        name=name, quantity=quantity, measured=False, higher_is_better=True, bounds=(0.0, 1.0),
        per_fold=per_fold, description=description, read=read, chance=chance, reads=(item,),
    )


for _spec in (
    _reported_auc("cv_roc_auc", "mean cross-validated ROC-AUC the notebook reported (CV_RESULTS)", _cv("roc_auc"),
                  item=CV.name),
    _reported_auc("cv_pr_auc", "mean cross-validated PR-AUC the notebook reported (CV_RESULTS)", _cv("pr_auc"),
                  item=CV.name, chance=None),
    _reported_auc("sweep_best_roc_auc", "best ROC-AUC over the kernel sizes the notebook tried (KERNEL_SWEEP)",
                  _sweep_best, item=KERNEL_SWEEP.name, per_fold=False),
):
    register_metric(_spec, owner=OWNER)
