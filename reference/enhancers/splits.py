"""Seeded stratified k-fold splits, shared by the CNN and the k-mer baseline."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
from sklearn.model_selection import StratifiedKFold

__all__ = ["Fold", "stratified_folds"]

IndexArray = npt.NDArray[np.int64]


@dataclass(frozen=True, eq=False)
class Fold:
    """One split: ``train`` and ``val`` index arrays (sorted, disjoint, int64)."""

    index: int
    train: IndexArray
    val: IndexArray


def stratified_folds(labels: npt.ArrayLike, k: int = 5, seed: int = 0) -> tuple[Fold, ...]:
    """Stratified k-fold split with shuffling, deterministic by ``seed``.

    Args:
        labels: 0/1 labels, shape (N,).
        k: number of folds (>= 2). Default 5.
        seed: shuffling seed. Default 0.

    Returns:
        ``k`` folds whose ``val`` parts partition ``range(N)``; class shares match within one sequence.

    Raises:
        ValueError: ``k < 2`` or a class has fewer than ``k`` members.
    """
    y = np.asarray(labels).ravel()
    if not isinstance(k, int) or k < 2:
        raise ValueError(f"stratified_folds: k must be an integer >= 2, got {k!r}")
    classes, counts = np.unique(y, return_counts=True)
    if classes.size < 2 or int(counts.min()) < k:
        raise ValueError(
            f"stratified_folds: k={k} needs two classes with >= {k} members each, "
            f"got counts {dict(zip(classes.tolist(), counts.tolist(), strict=True))}"
        )
    splitter = StratifiedKFold(n_splits=k, shuffle=True, random_state=seed)
    return tuple(
        Fold(i, np.sort(train).astype(np.int64), np.sort(val).astype(np.int64))
        for i, (train, val) in enumerate(splitter.split(np.zeros(y.size), y))
    )
