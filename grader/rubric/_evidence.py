"""``kind: evidence`` criteria: is an answer supported by the notebook's own results?

Each rule is registered in :data:`EVIDENCE_RULES` under its ``rule:`` value:

- ``gradient_uniformity``: the 1.2 choice is supported by the student's GRADIENTS
  (``shared/design/vanishing-gradients.md``; computed by ``reference.gradients.evidence``);
- ``reported_vs_measured``: a reported metric agrees with the grader's measurement within ``tolerance``;
- ``kernel_sweep_run``: at least ``min_sizes`` kernel sizes were tried.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar, Final, Literal, Self

from pydantic import Field, Strict, ValidationInfo, field_validator, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler

from grader.rubric._base import Flag, Fraction, NonNegative, Positive, Text, bad_value, unknown_value
from grader.rubric._criteria import CRITERIA, Criterion
from grader.rubric._metrics import METRICS, MetricSpec
from grader.rubric._registry import Registry

__all__ = [
    "EVIDENCE_RULES",
    "GRADIENT_METHODS",
    "EvidenceCriterion",
    "GradientUniformity",
    "KernelSweepRun",
    "ReportedVsMeasured",
    "leaf_criterion_types",
]

GRADIENT_METHODS: Final[tuple[str, ...]] = ("skip", "batch_norm", "relu", "elu")
"""Option names the gradient rule understands (``reference.gradients.evidence.COUNTERMEASURES``)."""


@CRITERIA.register("evidence")
class EvidenceCriterion(Criterion):
    """Base of the evidence rules; ``rule:`` picks one."""

    dispatching: ClassVar[bool] = True
    kind: Literal["evidence"] = "evidence"
    rule: str

    @model_validator(mode="wrap")
    @classmethod
    def _dispatch_rule(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        result: Self = EVIDENCE_RULES.dispatch(cls, data, handler, info.context)
        return result


EVIDENCE_RULES: Registry[EvidenceCriterion] = Registry(EvidenceCriterion, "rule")
"""Evidence rule classes by ``rule``."""


@EVIDENCE_RULES.register("gradient_uniformity")
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


@EVIDENCE_RULES.register("reported_vs_measured")
class ReportedVsMeasured(EvidenceCriterion):
    """``|reported - measured| <= tolerance``: the notebook's figure agrees with the grader's measurement.

    ``reported`` must be a metric the notebook reports and ``measured`` one the grader measures, of the
    same quantity (e.g. ``cv_roc_auc``, the mean over folds, and ``hidden_model_roc_auc``, the mean over
    the same fold models on hidden data; the ensemble's ``hidden_roc_auc`` is higher than either).
    """

    rule: Literal["reported_vs_measured"] = "reported_vs_measured"
    reported: Text = "cv_roc_auc"
    measured: Text = "hidden_model_roc_auc"
    tolerance: NonNegative

    @field_validator("reported", "measured")
    @classmethod
    def _known_metric(cls, name: str, info: ValidationInfo) -> str:
        wanted = info.field_name == "measured"
        names = [n for n, spec in METRICS.items() if spec.measured is wanted]
        if name not in names:
            raise unknown_value(name, names)
        return name

    @model_validator(mode="after")
    def _same_quantity(self) -> Self:
        reported, measured = METRICS[self.reported], METRICS[self.measured]
        if reported.quantity != measured.quantity:
            raise bad_value(
                f"{self.reported!r} measures {reported.quantity} but {self.measured!r} measures "
                f"{measured.quantity}; pair metrics of the same quantity",
                at=("measured",),
            )
        return self

    @property
    def specs(self) -> tuple[MetricSpec, MetricSpec]:
        """The reported and the measured metric's specs."""
        return METRICS[self.reported], METRICS[self.measured]


@EVIDENCE_RULES.register("kernel_sweep_run")
class KernelSweepRun(EvidenceCriterion):
    """KERNEL_SWEEP holds results for at least ``min_sizes`` kernel sizes."""

    rule: Literal["kernel_sweep_run"] = "kernel_sweep_run"
    min_sizes: Positive = 2


def leaf_criterion_types() -> tuple[type[Criterion], ...]:
    """Every concrete criterion class: each registered kind, with ``evidence`` replaced by its rules."""
    kinds = tuple(cls for cls in CRITERIA.classes.values() if cls is not EvidenceCriterion)
    return (*kinds, *EVIDENCE_RULES.classes.values())
