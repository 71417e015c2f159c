"""Score the student's models on hidden held-out data, with labels that never entered the sandbox."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from numpy.typing import NDArray

from grader.collect.record import HiddenPredictions, Item
from grader.evaluate.record import HiddenEvaluation

__all__ = ["evaluate_hidden"]

_CURVE_POINTS = 101


def _as_probability(scores: Sequence[float]) -> NDArray[np.float64]:
    """Scores in [0, 1] are kept; anything else is treated as logits (sigmoid)."""
    x = np.asarray(scores, dtype=np.float64)
    if x.min() >= 0.0 and x.max() <= 1.0:
        return x
    return 1.0 / (1.0 + np.exp(-np.clip(x, -50, 50)))


def _downsample(x: NDArray[np.float64], y: NDArray[np.float64]) -> tuple[tuple[float, float], ...]:
    if len(x) <= _CURVE_POINTS:
        idx = np.arange(len(x))
    else:
        idx = np.unique(np.linspace(0, len(x) - 1, _CURVE_POINTS).round().astype(int))
    return tuple((round(float(x[i]), 5), round(float(y[i]), 5)) for i in idx)


def evaluate_hidden(predictions: Item[HiddenPredictions], labels: Mapping[str, int]) -> Item[HiddenEvaluation]:
    """ROC-AUC and PR-AUC of the mean model score against ``labels`` (id -> 0/1), with curves.

    Missing or invalid predictions pass their reason through; ids that do not match the hidden set
    make the evaluation invalid (fail closed).
    """
    if not predictions.is_ok or predictions.value is None:
        return Item(status=predictions.status, reason=predictions.reason)
    from sklearn.metrics import average_precision_score, precision_recall_curve, roc_auc_score, roc_curve

    pred = predictions.value
    if set(pred.ids) != set(labels) or len(pred.ids) != len(labels):
        return Item.invalid("the models' predictions do not cover the hidden sequences one to one")
    y = np.array([labels[i] for i in pred.ids], dtype=np.int64)
    if y.min() == y.max():
        return Item.invalid("the hidden labels hold one class only; the assignment data is misconfigured")
    probs = [_as_probability(s) for s in pred.scores]
    mean = np.mean(probs, axis=0)
    fpr, tpr, _ = roc_curve(y, mean)
    precision, recall, _ = precision_recall_curve(y, mean)
    return Item.ok(
        HiddenEvaluation(
            n=len(y),
            n_positive=int(y.sum()),
            roc_auc=float(roc_auc_score(y, mean)),
            pr_auc=float(average_precision_score(y, mean)),
            per_model_roc_auc=tuple(float(roc_auc_score(y, p)) for p in probs),
            roc_curve=_downsample(fpr, tpr),
            pr_curve=_downsample(recall[::-1], precision[::-1]),
        )
    )
