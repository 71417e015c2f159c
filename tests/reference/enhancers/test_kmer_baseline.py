"""Canonical k-mer counting against a naive count, and the baseline's AUC against scikit-learn."""

from __future__ import annotations

from collections import Counter

import numpy as np
from sklearn.metrics import roc_auc_score

from reference.enhancers.kmer import canonical_kmer_counts, kmer_cross_validate
from reference.enhancers.splits import stratified_folds
from reference.enhancers.synthetic import make_synthetic

_RC = str.maketrans("ACGT", "TGCA")


def _naive(seq: str, k: int) -> Counter[str]:
    kmers = [seq[i : i + k] for i in range(len(seq) - k + 1) if "N" not in seq[i : i + k]]
    return Counter(min(s, s.translate(_RC)[::-1]) for s in kmers)


def test_counts_match_a_naive_count() -> None:
    seqs = ["ACGTTGCANNACGT", "GGGCCCAT"]
    freqs = canonical_kmer_counts(seqs, k=3)
    assert freqs.shape == (2, 32)
    for row, seq in zip(freqs, seqs, strict=True):
        naive = _naive(seq, 3)
        total = sum(naive.values())
        assert sorted(np.round(row[row > 0] * total).astype(int).tolist()) == sorted(naive.values())


def test_reverse_complement_gives_the_same_features() -> None:
    seq = "ACGTTGCAAGGCTTAC"
    a, b = canonical_kmer_counts([seq, seq.translate(_RC)[::-1]], k=5)
    np.testing.assert_allclose(a, b)


def test_fold_aucs_equal_sklearn() -> None:
    data = make_synthetic(60, seed=2).data
    folds = stratified_folds(data.labels, 3, 0)
    result = kmer_cross_validate(data.sequences, data.labels, folds, k=3)
    for fold, auc in zip(folds, result.roc_auc, strict=True):
        assert auc == roc_auc_score(data.labels[fold.val], result.oof[fold.val])
    assert not np.isnan(result.oof).any()
