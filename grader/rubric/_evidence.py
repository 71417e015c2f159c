"""``kind: evidence`` criteria: is an answer supported by the notebook's own results?

Each rule is registered in :data:`EVIDENCE_RULES` under its ``rule:`` value. The grader's own:
``reported_vs_measured`` (a reported metric agrees with the grader's measurement within ``tolerance``).
Assignment packs register theirs with an owner (Week 11: ``gradient_uniformity``, ``kernel_sweep_run``
in ``assignments/week11/criteria.py``).
"""

from __future__ import annotations

from typing import Any, ClassVar, Literal, Self

from pydantic import ValidationInfo, field_validator, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler

from grader.rubric._base import NonNegative, Text, bad_value, unknown_value
from grader.rubric._criteria import CRITERIA, Criterion
from grader.rubric._metrics import METRICS, MetricSpec, metric_owner
from grader.rubric._registry import Registry, foreign

__all__ = [
    "EVIDENCE_RULES",
    "EvidenceCriterion",
    "ReportedVsMeasured",
    "leaf_criterion_types",
]

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


@EVIDENCE_RULES.register("reported_vs_measured")
class ReportedVsMeasured(EvidenceCriterion):
    """``|reported - measured| <= tolerance``: the notebook's figure agrees with the grader's measurement.

    ``reported`` must be a metric the notebook reports and ``measured`` one the grader measures, of the
    same quantity (e.g. ``cv_roc_auc``, the mean over folds, and ``hidden_model_roc_auc``, the mean over
    the same fold models on hidden data; the ensemble's ``hidden_roc_auc`` is higher than either).
    """

    rule: Literal["reported_vs_measured"] = "reported_vs_measured"
    reported: Text
    measured: Text
    tolerance: NonNegative

    @field_validator("reported", "measured")
    @classmethod
    def _known_metric(cls, name: str, info: ValidationInfo) -> str:
        wanted = info.field_name == "measured"
        names = [n for n, spec in METRICS.items() if spec.measured is wanted]
        if name not in names:
            raise unknown_value(name, names)
        problem = foreign(f"metric {name!r}", metric_owner(name), info.context)
        if problem:
            raise bad_value(problem)
        return name

    def reads_items(self) -> frozenset[str]:
        reported, measured = self.specs
        return frozenset(reported.reads + measured.reads)

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


def leaf_criterion_types(owner: str | None = None) -> tuple[type[Criterion], ...]:
    """Every concrete criterion class: each registered kind, with ``evidence`` replaced by its rules;
    ``owner``: only those a pack of that name registered (``""``: the grader's own)."""
    kinds = tuple(cls for value, cls in CRITERIA.classes.items()
                  if cls is not EvidenceCriterion and owner in (None, CRITERIA.owner(value)))
    rules = tuple(cls for value, cls in EVIDENCE_RULES.classes.items() if owner in (None, EVIDENCE_RULES.owner(value)))
    return (*kinds, *rules)
