"""A kernel built from a JASPAR matrix is matched back to its factor family; reasons pass through."""

from __future__ import annotations

import numpy as np

from grader.collect.record import Item, ItemStatus
from grader.evaluate.motifs import MATCHED_KERNELS, match_motifs


def _log_odds(probabilities: np.ndarray) -> np.ndarray:
    p = (probabilities + 0.01) / (probabilities + 0.01).sum(axis=0, keepdims=True)
    return np.log(p / 0.25)


def test_planted_hnf4a_kernel_is_recovered_among_noise() -> None:
    from reference.motifs import load_jaspar

    hnf4a = next(m for m in load_jaspar() if m.name == "HNF4A")
    rng = np.random.default_rng(0)
    width = hnf4a.probabilities.shape[1]
    noise = rng.normal(0, 0.05, size=(MATCHED_KERNELS + 4, 4, width))
    noise[7] = _log_odds(np.asarray(hnf4a.probabilities))
    kernels = tuple(tuple(tuple(float(v) for v in row) for row in k) for k in noise)
    result = match_motifs(Item.ok(kernels))
    assert result.is_ok and result.value is not None
    best = [h for h in result.value if h.kernel_index == 7]
    assert best, "the informative kernel must be among those matched"
    assert best[0].name.upper().startswith("HNF4") and best[0].score > 0.9


def test_missing_kernels_pass_their_reason_through() -> None:
    result = match_motifs(Item.missing("FOLD_MODELS was not set by the notebook"))
    assert result.status is ItemStatus.MISSING and "FOLD_MODELS" in result.reason
