"""Seeded stratified k-fold splits."""

from __future__ import annotations

import numpy as np
import pytest

from reference.enhancers.splits import stratified_folds


def test_partition_and_stratification() -> None:
    y = np.array([1] * 30 + [0] * 20)
    folds = stratified_folds(y, k=5, seed=3)
    val = np.concatenate([f.val for f in folds])
    assert sorted(val.tolist()) == list(range(50))
    for fold in folds:
        assert set(fold.train).isdisjoint(fold.val)
        assert y[fold.val].sum() == 6


def test_same_seed_same_folds() -> None:
    y = np.tile([0, 1], 20)
    a, b, c = stratified_folds(y, 4, 0), stratified_folds(y, 4, 0), stratified_folds(y, 4, 1)
    assert all(np.array_equal(f.val, g.val) for f, g in zip(a, b, strict=True))
    assert not all(np.array_equal(f.val, g.val) for f, g in zip(a, c, strict=True))


def test_too_few_members() -> None:
    with pytest.raises(ValueError, match=r"k=5 needs two classes with >= 5 members"):
        stratified_folds([0, 0, 0, 1, 1, 1], 5)
