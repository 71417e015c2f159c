"""Score the student's models on hidden held-out data, with labels that never entered the sandbox.

A model's scores may be logits, probabilities or any other monotone score (higher = class 1): nothing
here guesses which. Each model is scored on its own scores (ROC-AUC depends on their order only), and
the models are combined by averaging their normalised ranks, so one model's scale (logits x 100, or
logits that happen to lie in [0, 1]) neither dominates nor saturates the ensemble.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from grader.packs import Evaluator, ItemSpec
from grader.records.collected import CollectedRecord, HiddenPredictions, Item
from grader.records.evidence import HIDDEN, HiddenEvaluation

__all__ = ["evaluate_hidden", "hidden_evaluator", "normalised_ranks"]

_CURVE_POINTS = 101


def normalised_ranks(scores: Sequence[float]) -> NDArray[np.float64]:
    """Each score's rank among ``scores`` divided by their number, in (0, 1]; ties share their mean rank.

    Invariant under any strictly increasing transform of ``scores``, e.g. a sigmoid or a factor of 100.
    Shape: (N,) -> (N,).

    >>> normalised_ranks([3.0, -1.0, 3.0, 200.0]).tolist()
    [0.625, 0.25, 0.625, 1.0]
    """
    from scipy.stats import rankdata

    x = np.asarray(scores, dtype=np.float64)
    return np.asarray(rankdata(x, method="average"), dtype=np.float64) / len(x)


def _downsample(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[tuple[float, float], ...]:
    if len(x) <= _CURVE_POINTS:
        idx = np.arange(len(x))
    else:
        idx = np.unique(np.linspace(0, len(x) - 1, _CURVE_POINTS).round().astype(int))
    return tuple((round(float(x[i]), 5), round(float(y[i]), 5)) for i in idx)


def _labels(pred: HiddenPredictions, labels: Mapping[str, int]) -> NDArray[np.int64] | str:
    """The labels in the order of ``pred.ids``, or why they cannot be paired with the predictions."""
    if set(pred.ids) != set(labels) or len(pred.ids) != len(labels):
        return "the models' predictions do not cover the hidden sequences one to one"
    y = np.array([labels[i] for i in pred.ids], dtype=np.int64)
    if y.min() == y.max():
        return "the hidden labels hold one class only; the assignment data is misconfigured"
    return y


def _evaluation(y: NDArray[np.int64], scores: Sequence[Sequence[float]]) -> HiddenEvaluation:
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    ensemble = np.mean([normalised_ranks(s) for s in scores], axis=0)
    fpr, tpr, _ = roc_curve(y, ensemble)
    precision, recall, _ = precision_recall_curve(y, ensemble)
    return HiddenEvaluation(
        n=len(y),
        n_positive=int(y.sum()),
        roc_auc=float(roc_auc_score(y, ensemble)),
        pr_auc=float(average_precision_score(y, ensemble)),
        per_model_roc_auc=tuple(float(roc_auc_score(y, np.asarray(s, dtype=np.float64))) for s in scores),
        roc_curve=_downsample(fpr, tpr),
        pr_curve=_downsample(recall[::-1], precision[::-1]),
    )


def evaluate_hidden(
    predictions: Item[HiddenPredictions], labels: Mapping[str, int]
) -> Item[HiddenEvaluation]:
    """ROC-AUC and PR-AUC of the models' mean normalised rank against ``labels`` (id -> 0/1), with curves,
    and each model's own ROC-AUC.

    Missing or invalid predictions pass their reason through; ids that do not match the hidden set
    make the evaluation invalid (fail closed).
    """
    if not predictions.is_ok or predictions.value is None:
        return Item(status=predictions.status, reason=predictions.reason)
    y = _labels(predictions.value, labels)
    if isinstance(y, str):
        return Item.invalid(y)
    return Item.ok(_evaluation(y, predictions.value.scores))


def hidden_evaluator(predictions: ItemSpec[HiddenPredictions], examples: str = "examples") -> Evaluator:
    """The evaluator of the hidden set (``Evidence.hidden``): the pack's ``predictions`` item scored
    against the hidden labels with :func:`evaluate_hidden`; every pack with a hidden set uses it.
    ``examples``: what the hidden set holds, as the review app words it ("hidden sequences")."""

    def summary(value: Any) -> str:
        return f"ROC-AUC {value['roc_auc']:.3f}, PR-AUC {value['pr_auc']:.3f} on {value['n']} hidden {examples}"

    def measure(collected: CollectedRecord, labels: Mapping[str, int]) -> Item[HiddenEvaluation]:
        return evaluate_hidden(predictions.read(collected), labels)

    return Evaluator(HIDDEN, measure, title="hidden-set evaluation", summary=summary)
