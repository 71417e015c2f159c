"""Baseline: canonical k-mer counts + logistic regression, on the same folds as the CNN.

Counting is vectorised: bases become codes 0..3, k-mers become base-4 integers via a rolling sum,
k-mers containing N (or padding) are dropped, and each k-mer is merged with its reverse complement
(canonical k-mers: 512 features for k = 5). Features are per-sequence frequencies, standardised
inside each training fold; the classifier is L2 logistic regression.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import average_precision_score, roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from .encoding import fit_lengths
from .splits import Fold

__all__ = ["KmerCVResult", "canonical_kmer_counts", "kmer_cross_validate", "kmer_fit_predict"]

_CODES = np.full(256, -1, dtype=np.int64)
for _i, _base in enumerate("ACGT"):
    _CODES[ord(_base)] = _CODES[ord(_base.lower())] = _i


@dataclass(frozen=True, eq=False)
class KmerCVResult:
    """Per-fold ROC-AUC and PR-AUC and out-of-fold probabilities, shape (N,)."""

    roc_auc: tuple[float, ...]
    pr_auc: tuple[float, ...]
    oof: npt.NDArray[np.float64]

    @property
    def mean_roc_auc(self) -> float:
        """Mean ROC-AUC over folds."""
        return float(np.mean(self.roc_auc))

    @property
    def mean_pr_auc(self) -> float:
        """Mean PR-AUC over folds."""
        return float(np.mean(self.pr_auc))


def _canonical_columns(k: int) -> tuple[npt.NDArray[np.int64], int]:
    codes = np.arange(4**k)
    digits = (codes[:, None] // 4 ** np.arange(k)[None, :]) % 4
    rc = ((3 - digits) * 4 ** np.arange(k)[::-1][None, :]).sum(axis=1)
    canonical = np.minimum(codes, rc)
    _, column = np.unique(canonical, return_inverse=True)
    return column.astype(np.int64), int(column.max()) + 1


def canonical_kmer_counts(sequences: Sequence[str], k: int = 5) -> npt.NDArray[np.float64]:
    """Canonical k-mer frequencies per sequence.

    Args:
        sequences: N strings over ACGTN (lengths may differ; they are padded with N, which is skipped).
        k: k-mer length (1..8). Default 5.

    Returns:
        float64 array (N, n_canonical) of counts divided by the number of valid k-mers per sequence
        (n_canonical = 512 for k = 5).
    """
    if not 1 <= k <= 8:
        raise ValueError(f"canonical_kmer_counts: k must be in 1..8, got {k}")
    fitted, report = fit_lengths(sequences, "max")
    width = report.target_length
    base = _CODES[np.frombuffer("".join(fitted).encode("latin-1"), dtype=np.uint8)].reshape(
        len(fitted), width
    )
    n_windows = width - k + 1
    if n_windows < 1:
        raise ValueError(f"canonical_kmer_counts: sequences of length {width} are shorter than k={k}")
    windows = np.lib.stride_tricks.sliding_window_view(base, k, axis=1)
    valid = (windows >= 0).all(axis=2)
    code = (np.where(windows < 0, 0, windows) * 4 ** np.arange(k)[::-1]).sum(axis=2)
    column, n_columns = _canonical_columns(k)
    rows = np.broadcast_to(np.arange(len(fitted))[:, None], code.shape)
    flat = rows[valid] * n_columns + column[code[valid]]
    counts = np.bincount(flat, minlength=len(fitted) * n_columns).reshape(len(fitted), n_columns)
    return np.asarray(counts / np.maximum(valid.sum(axis=1, keepdims=True), 1), dtype=np.float64)


def kmer_fit_predict(
    train_x: npt.NDArray[np.float64],
    train_y: npt.NDArray[np.int64],
    test_x: npt.NDArray[np.float64],
    c: float = 0.1,
) -> npt.NDArray[np.float64]:
    """Fit standardisation + logistic regression (inverse regularisation ``c``) and predict P(y=1)."""
    model = make_pipeline(StandardScaler(), LogisticRegression(C=c, max_iter=2000))
    model.fit(train_x, train_y)
    return np.asarray(model.predict_proba(test_x)[:, 1], dtype=np.float64)


def kmer_cross_validate(
    sequences: Sequence[str], labels: npt.ArrayLike, folds: Sequence[Fold], *, k: int = 5, c: float = 0.1
) -> KmerCVResult:
    """Cross-validate the k-mer baseline on given folds (use the CNN's folds for a fair comparison).

    Args:
        sequences: N strings; labels: 0/1, shape (N,); folds: e.g. from :func:`~.splits.stratified_folds`.
        k: k-mer length. Default 5. c: inverse L2 strength. Default 0.1.
    """
    y = np.asarray(labels, dtype=np.int64)
    features = canonical_kmer_counts(sequences, k)
    oof = np.full(y.size, np.nan)
    roc, pr = [], []
    for fold in folds:
        oof[fold.val] = kmer_fit_predict(features[fold.train], y[fold.train], features[fold.val], c)
        roc.append(float(roc_auc_score(y[fold.val], oof[fold.val])))
        pr.append(float(average_precision_score(y[fold.val], oof[fold.val])))
    return KmerCVResult(tuple(roc), tuple(pr), oof)
