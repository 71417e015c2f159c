"""The metrics a rubric may name, with their metadata on the spec (never in if-branches).

A :class:`MetricSpec` says what a metric measures (``quantity``), who measured it (the grader on hidden
data, or the notebook's own report), which direction is better, its bounds, whether it is a per-fold
average, and how to read it from :class:`~grader.records.evidence.Evidence`. Registrations are checked
when made (:func:`register_metric`); a threshold check reads ``higher_is_better`` from the spec.
"""

from __future__ import annotations

import inspect
import math
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from grader.records.collected import Item, ItemStatus
from grader.records.evidence import Evidence

__all__ = ["METRICS", "MetricReading", "MetricSpec", "metric_owner", "register_metric"]

_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True, slots=True)
class MetricReading:
    """A metric's value in one submission (``value`` is ``None`` unless ``status`` is ``ok``).

    ``count`` is how many values were averaged (folds or models); 1 for a single value. ``values`` are
    the averaged values themselves when the metric is a mean (their spread says how noisy it is).
    """

    status: ItemStatus
    value: float | None = None
    count: int = 0
    reason: str = ""
    values: tuple[float, ...] = ()

    @classmethod
    def of(cls, value: float, count: int = 1) -> MetricReading:
        return cls(ItemStatus.OK, value, count)

    @classmethod
    def mean_of(cls, values: tuple[float, ...]) -> MetricReading:
        """The mean of ``values`` (at least one), keeping them."""
        return cls(ItemStatus.OK, sum(values) / len(values), len(values), values=values)

    @classmethod
    def unavailable(cls, item: Item[Any], what: str) -> MetricReading:
        """The reading for an item that is not ``ok``: its status and ``what: reason``."""
        return cls(item.status, reason=f"{what}: {item.reason or item.status.value}")


@dataclass(frozen=True)
class MetricSpec:
    """Metadata of one metric and how to read it.

    Attributes:
        name: the name a rubric uses, e.g. ``"hidden_roc_auc"``.
        quantity: what is measured (``"roc_auc"``); reported and measured values are paired by it.
        measured: ``True`` if the grader measured it on hidden data, ``False`` if the notebook reported it.
        higher_is_better: direction of a threshold: ``value >= threshold`` if ``True``, else ``<=``.
        bounds: ``(low, high)``, ``None`` for unbounded; values outside are invalid.
        per_fold: ``True`` if the value is a mean over folds (``count`` says how many).
        description: one line for reports and docs.
        read: ``Evidence -> MetricReading``.
        chance: the value a model that guesses gets (0.5 for ROC-AUC), ``None`` if it depends on the data.
        reads: the collected items ``read`` looks at (the self-check names the ones missing).
    """

    name: str
    quantity: str
    measured: bool
    higher_is_better: bool
    bounds: tuple[float | None, float | None]
    per_fold: bool
    description: str
    read: Callable[[Evidence], MetricReading] = field(repr=False, compare=False)
    chance: float | None = None
    reads: tuple[str, ...] = ()

    def meets(self, value: float, threshold: float) -> bool:
        """Whether ``value`` reaches ``threshold`` in this metric's better direction."""
        return value >= threshold if self.higher_is_better else value <= threshold

    @property
    def comparison(self) -> str:
        """``">="`` or ``"<="``: how :meth:`meets` compares."""
        return ">=" if self.higher_is_better else "<="

    def in_bounds(self, value: float) -> bool:
        """Whether ``value`` is finite and inside :attr:`bounds`."""
        low, high = self.bounds
        return math.isfinite(value) and (low is None or value >= low) and (high is None or value <= high)

    def bounds_text(self) -> str:
        """The bounds as ``[low, high]`` with ``-inf``/``inf`` for open ends."""
        low, high = self.bounds
        return f"[{'-inf' if low is None else f'{low:g}'}, {'inf' if high is None else f'{high:g}'}]"


_METRICS: dict[str, MetricSpec] = {}
METRICS: Mapping[str, MetricSpec] = MappingProxyType(_METRICS)
"""Registered metrics by name (read-only)."""
_OWNERS: dict[str, str] = {}
HIDDEN_ITEM = "hidden_predictions"
"""The collected item the hidden-set evaluation reads (``Evidence.hidden``)."""


def _verify(spec: MetricSpec) -> None:
    where = f"register_metric({spec.name!r})"
    if not (_NAME.match(spec.name) and _NAME.match(spec.quantity)):
        raise TypeError(f"{where}: name and quantity must match {_NAME.pattern}, got {spec.quantity!r}")
    if spec.name in _METRICS:
        raise TypeError(f"{where}: a metric {spec.name!r} is already registered")
    low, high = spec.bounds
    if low is not None and high is not None and not low < high:
        raise TypeError(f"{where}: bounds must satisfy low < high, got {spec.bounds}")
    if not callable(spec.read) or len(inspect.signature(spec.read).parameters) != 1:
        raise TypeError(f"{where}: read must be a function (evidence: Evidence) -> MetricReading")


def register_metric(spec: MetricSpec, *, owner: str = "") -> MetricSpec:
    """Add ``spec`` to :data:`METRICS`; raises ``TypeError`` for a duplicate or malformed spec.

    ``owner``: the assignment pack that registers it (``""``: the grader's own); only a rubric for that
    pack may name it.
    """
    _verify(spec)
    _METRICS[spec.name] = spec
    if owner:
        _OWNERS[spec.name] = owner
    return spec


def metric_owner(name: str) -> str:
    """The pack that registered metric ``name`` (``""``: the grader's own)."""
    return _OWNERS.get(name, "")


def _hidden(attribute: str) -> Callable[[Evidence], MetricReading]:
    def read(evidence: Evidence) -> MetricReading:
        item = evidence.hidden
        if item.value is None or not item.is_ok:
            return MetricReading.unavailable(item, "hidden-set evaluation")
        count = len(item.value.per_model_roc_auc) or 1
        return MetricReading.of(float(getattr(item.value, attribute)), count)

    return read


def _hidden_per_model(evidence: Evidence) -> MetricReading:
    item = evidence.hidden
    if item.value is None or not item.is_ok:
        return MetricReading.unavailable(item, "hidden-set evaluation")
    if not item.value.per_model_roc_auc:
        return MetricReading(
            ItemStatus.MISSING, reason="the hidden-set evaluation holds no per-model ROC-AUC"
        )
    return MetricReading.mean_of(item.value.per_model_roc_auc)


_AUC = (0.0, 1.0)
for _spec in (
    MetricSpec(
        name="hidden_roc_auc",
        quantity="roc_auc",
        measured=True,
        higher_is_better=True,
        bounds=_AUC,
        per_fold=False,
        description="ROC-AUC of the fold models' mean rank, measured by the grader on the hidden held-out set",
        chance=0.5,
        read=_hidden("roc_auc"),
        reads=(HIDDEN_ITEM,),
    ),
    MetricSpec(
        name="hidden_model_roc_auc",
        quantity="roc_auc",
        measured=True,
        higher_is_better=True,
        bounds=_AUC,
        per_fold=True,
        description="mean ROC-AUC of the fold models, each scored alone, on the hidden held-out set",
        chance=0.5,
        read=_hidden_per_model,
        reads=(HIDDEN_ITEM,),
    ),
    MetricSpec(
        name="hidden_pr_auc",
        quantity="pr_auc",
        measured=True,
        higher_is_better=True,
        bounds=_AUC,
        per_fold=False,
        description="PR-AUC the grader measured on the hidden held-out set",
        read=_hidden("pr_auc"),
        reads=(HIDDEN_ITEM,),
    ),
):
    register_metric(_spec)
