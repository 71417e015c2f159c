"""Hidden-set evaluation against scikit-learn on independently ranked scores.

The models are combined by their mean normalised rank, never by guessed probabilities: any strictly
increasing transform of one model's scores (logits x 100, a sigmoid, logits that happen to lie in [0, 1])
changes nothing.
"""

from __future__ import annotations

import numpy as np
import pytest
from numpy.typing import NDArray
from sklearn.metrics import average_precision_score, roc_auc_score

from grader.evaluate.hidden import evaluate_hidden, normalised_ranks
from grader.records.collected import HiddenPredictions, Item, ItemStatus
from grader.records.evidence import HiddenEvaluation


def _pairwise_ranks(s: NDArray[np.float64]) -> NDArray[np.float64]:
    """1-based ranks with ties averaged, by counting pairs (independent of scipy's rankdata)."""
    below = (s[None, :] < s[:, None]).sum(axis=1)
    equal = (s[None, :] == s[:, None]).sum(axis=1)
    return np.asarray(below + (equal + 1) / 2, dtype=np.float64)


def _reference_ensemble(scores: list[NDArray[np.float64]]) -> NDArray[np.float64]:
    return np.asarray(np.mean([_pairwise_ranks(s) / len(s) for s in scores], axis=0), dtype=np.float64)


def _case(seed: int, n: int = 200) -> tuple[dict[str, int], list[NDArray[np.float64]], NDArray[np.int64]]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 2, n)
    scores = [y * 0.6 + rng.normal(0, 0.5, n) for _ in range(3)]  # logits, 3 models
    labels = dict(zip(_ids(n), y.tolist(), strict=True))
    return labels, scores, y


def _ids(n: int) -> list[str]:
    return [f"h{i:06d}" for i in range(n)]


def _evaluate(labels: dict[str, int], scores: list[NDArray[np.float64]]) -> HiddenEvaluation:
    predictions = HiddenPredictions(
        ids=tuple(_ids(len(labels))), scores=tuple(tuple(map(float, s)) for s in scores)
    )
    result = evaluate_hidden(Item.ok(predictions), labels)
    assert result.value is not None, result.reason
    return result.value


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_auc_matches_sklearn_on_independently_ranked_scores(seed: int) -> None:
    labels, scores, y = _case(seed)
    value = _evaluate(labels, scores)
    ensemble = _reference_ensemble(scores)
    assert value.roc_auc == pytest.approx(roc_auc_score(y, ensemble), abs=1e-12)
    assert value.pr_auc == pytest.approx(average_precision_score(y, ensemble), abs=1e-12)
    assert value.per_model_roc_auc == pytest.approx([roc_auc_score(y, s) for s in scores], abs=1e-12)
    assert value.n == len(y) and value.n_positive == int(y.sum())
    assert value.roc_curve[0] == (0.0, 0.0) and value.roc_curve[-1] == (1.0, 1.0)


def test_huge_logits_keep_their_ranking() -> None:
    """Logits x 100 saturate a sigmoid to exactly 1.0; the ranking, and so every AUC, must survive."""
    labels, scores, y = _case(3, n=400)
    plain, huge = _evaluate(labels, scores), _evaluate(labels, [100 * s for s in scores])
    saturated = np.mean([1 / (1 + np.exp(-np.clip(100 * s, -50, 50))) for s in scores], axis=0)
    assert roc_auc_score(y, saturated) < plain.roc_auc - 0.01  # the scenario really loses ranking
    assert huge.roc_auc == pytest.approx(plain.roc_auc, abs=1e-12)
    assert huge.pr_auc == pytest.approx(plain.pr_auc, abs=1e-12)
    assert huge.per_model_roc_auc == pytest.approx(plain.per_model_roc_auc, abs=1e-12)
    assert huge.roc_auc == pytest.approx(roc_auc_score(y, _reference_ensemble(scores)), abs=1e-12)


def test_a_fold_whose_logits_lie_in_0_1_is_not_read_as_probabilities() -> None:
    """Any monotone transform of one model changes nothing: its scores are never guessed to be probabilities."""
    labels, scores, _ = _case(4)
    squeezed = [(s - s.min()) / (s.max() - s.min()) for s in scores[:1]] + scores[1:]  # fold 0 in [0, 1]
    mixed = [scores[0], 1 / (1 + np.exp(-scores[1])), np.exp(scores[2])]  # logit, probability, odds
    reference = _evaluate(labels, scores)
    for variant in (squeezed, mixed):
        value = _evaluate(labels, variant)
        assert value.roc_auc == pytest.approx(reference.roc_auc, abs=1e-12)
        assert value.pr_auc == pytest.approx(reference.pr_auc, abs=1e-12)
        assert value.per_model_roc_auc == pytest.approx(reference.per_model_roc_auc, abs=1e-12)


def test_ties_share_their_mean_rank() -> None:
    labels = {"h000000": 1, "h000001": 0, "h000002": 1, "h000003": 0}
    constant = np.zeros(4)
    coarse = np.array([1.0, 1.0, 1.0, 0.0])  # a thresholded model: three tied at the top
    value = _evaluate(labels, [constant, coarse])
    y = np.array([1, 0, 1, 0])
    assert value.per_model_roc_auc == pytest.approx((0.5, roc_auc_score(y, coarse)))
    assert value.roc_auc == pytest.approx(roc_auc_score(y, _reference_ensemble([constant, coarse])))
    assert normalised_ranks([3.0, -1.0, 3.0, 200.0]).tolist() == [0.625, 0.25, 0.625, 1.0]


def test_order_of_ids_does_not_matter() -> None:
    labels, scores, _ = _case(5)
    predictions = HiddenPredictions(
        ids=tuple(_ids(len(labels))), scores=tuple(tuple(map(float, s)) for s in scores)
    )
    order = np.random.default_rng(0).permutation(len(predictions.ids))
    shuffled = HiddenPredictions(
        ids=tuple(predictions.ids[i] for i in order),
        scores=tuple(tuple(s[i] for i in order) for s in predictions.scores),
    )
    a = evaluate_hidden(Item.ok(predictions), labels).value
    b = evaluate_hidden(Item.ok(shuffled), labels).value
    assert a is not None and b is not None and a.roc_auc == pytest.approx(b.roc_auc)


def test_fail_closed_on_mismatched_ids_and_passes_reasons_through() -> None:
    labels, scores, _ = _case(1)
    predictions = HiddenPredictions(
        ids=tuple(_ids(len(labels))), scores=tuple(tuple(map(float, s)) for s in scores)
    )
    labels = dict(list(labels.items())[:-1])
    assert evaluate_hidden(Item.ok(predictions), labels).status is ItemStatus.INVALID
    missing = evaluate_hidden(Item.missing("FOLD_MODELS was not set by the notebook"), labels)
    assert missing.status is ItemStatus.MISSING and "FOLD_MODELS" in missing.reason
