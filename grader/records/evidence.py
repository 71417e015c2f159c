"""What the evaluate stage adds: measurements the grader made itself, outside the sandbox.

The measurements are kept by name as plain JSON (``Evidence.measurements``: ``hidden``, and what the
assignment pack's evaluators add); a typed reader (``grader.packs.Measure``) re-types one on each read.
Evidence stored with the measurements as top-level keys is lifted into ``measurements`` on load.
"""

from __future__ import annotations

from typing import Any

from pydantic import Field, JsonValue, model_validator

from grader._model import Frozen
from grader.records.collected import CollectedRecord, Item, lift_items, typed_item

__all__ = ["HIDDEN", "Evidence", "HiddenEvaluation"]

HIDDEN = "hidden"
"""The name of the hidden-set evaluation in ``Evidence.measurements`` (every assignment has one)."""


class HiddenEvaluation(Frozen):
    """The student's models scored by the grader on hidden held-out data whose labels only the grader holds.

    ``n`` examples, ``n_positive`` of them positive. ``roc_auc`` and ``pr_auc`` are for the mean score over
    the models (``per_model_roc_auc``: each model's own, when there is more than one); curves are down-sampled
    ``(x, y)`` points (ROC: FPR, TPR; PR: recall, precision) for the report.
    """

    n: int
    n_positive: int
    roc_auc: float
    pr_auc: float
    per_model_roc_auc: tuple[float, ...] = ()
    roc_curve: tuple[tuple[float, float], ...] = ()
    pr_curve: tuple[tuple[float, float], ...] = ()


class Evidence(Frozen):
    """What scoring sees: the collected record plus the grader's own measurements.

    This is what is cached per submission, so a changed rubric re-scores without re-execution.
    """

    collected: CollectedRecord = CollectedRecord()
    measurements: dict[str, Item[JsonValue]] = Field(default_factory=dict)

    @model_validator(mode="before")
    @classmethod
    def _lift(cls, data: Any) -> Any:
        return lift_items(data, cls.model_fields, "measurements")

    @property
    def hidden(self) -> Item[HiddenEvaluation]:
        """The hidden-set evaluation, re-typed (``missing: not evaluated`` when there is none)."""
        return typed_item(self.measurement(HIDDEN), HiddenEvaluation)

    def measurement(self, name: str) -> Item[JsonValue]:
        """The measurement called ``name`` as plain JSON, or ``missing: not evaluated``."""
        return self.measurements.get(name, Item.missing("not evaluated"))
