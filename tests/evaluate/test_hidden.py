"""Hidden-set evaluation against an independent rank-based AUC and scikit-learn's AP."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score

from grader.collect.record import HiddenPredictions, Item, ItemStatus
from grader.evaluate.hidden import evaluate_hidden


def _mann_whitney_auc(y: np.ndarray, s: np.ndarray) -> float:
    pos, neg = s[y == 1], s[y == 0]
    wins = (pos[:, None] > neg[None, :]).sum() + 0.5 * (pos[:, None] == neg[None, :]).sum()
    return float(wins / (len(pos) * len(neg)))


def _case(seed: int, n: int = 200) -> tuple[dict[str, int], HiddenPredictions, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    scores = [y * 0.6 + rng.normal(0, 0.5, n) for _ in range(3)]  # logits, 3 models
    ids = [f"h{i:06d}" for i in range(n)]
    labels = dict(zip(ids, y.tolist(), strict=True))
    probs = np.mean([1 / (1 + np.exp(-s)) for s in scores], axis=0)
    return labels, HiddenPredictions(ids=tuple(ids), scores=tuple(tuple(s) for s in scores)), y, probs


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_matches_independent_reference(seed: int) -> None:
    labels, predictions, y, probs = _case(seed)
    result = evaluate_hidden(Item.ok(predictions), labels)
    assert result.value is not None
    assert result.value.roc_auc == pytest.approx(_mann_whitney_auc(y, probs), abs=1e-12)
    assert result.value.pr_auc == pytest.approx(average_precision_score(y, probs), abs=1e-12)
    assert result.value.n == len(y) and result.value.n_positive == int(y.sum())
    assert len(result.value.per_model_roc_auc) == 3
    assert result.value.roc_curve[0] == (0.0, 0.0) and result.value.roc_curve[-1] == (1.0, 1.0)


def test_order_of_ids_does_not_matter() -> None:
    labels, predictions, _, _ = _case(5)
    order = np.random.default_rng(0).permutation(len(predictions.ids))
    shuffled = HiddenPredictions(
        ids=tuple(predictions.ids[i] for i in order),
        scores=tuple(tuple(s[i] for i in order) for s in predictions.scores),
    )
    a = evaluate_hidden(Item.ok(predictions), labels).value
    b = evaluate_hidden(Item.ok(shuffled), labels).value
    assert a is not None and b is not None and a.roc_auc == pytest.approx(b.roc_auc)


def test_fail_closed_on_mismatched_ids_and_passes_reasons_through() -> None:
    labels, predictions, _, _ = _case(1)
    labels = dict(list(labels.items())[:-1])
    assert evaluate_hidden(Item.ok(predictions), labels).status is ItemStatus.INVALID
    missing = evaluate_hidden(Item.missing("FOLD_MODELS was not set by the notebook"), labels)
    assert missing.status is ItemStatus.MISSING and "FOLD_MODELS" in missing.reason
