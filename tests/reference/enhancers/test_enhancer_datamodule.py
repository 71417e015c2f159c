"""The batch-index data module: one indexing operation per batch, seeded shuffling, RC flips."""

from __future__ import annotations

import numpy as np
import torch

from reference.enhancers.datamodule import EnhancerDataModule
from reference.enhancers.encoding import one_hot

X = one_hot(["ACGTAC"] * 10)
Y = np.arange(10) % 2


def test_batches_cover_the_training_indices_once_per_epoch() -> None:
    module = EnhancerDataModule(X, Y, np.arange(7), np.arange(7, 10), batch_size=3)
    batches = list(module.train_dataloader())
    assert [b[0].shape for b in batches] == [(3, 4, 6), (3, 4, 6), (1, 4, 6)]
    assert sum(len(b[1]) for b in batches) == 7
    val = list(module.val_dataloader())
    assert len(val) == 1 and val[0][1].tolist() == [1.0, 0.0, 1.0]


def test_shuffling_is_seeded() -> None:
    def order(seed: int) -> list[float]:
        ys = torch.arange(10.0)
        module = EnhancerDataModule(X, ys, np.arange(10), batch_size=4, seed=seed)
        return torch.cat([b[1] for b in module.train_dataloader()]).tolist()

    assert order(0) == order(0) != order(1)


def test_rc_augment_flips_about_half() -> None:
    x = one_hot(["AAAAAC"] * 200)
    module = EnhancerDataModule(x, np.zeros(200), np.arange(200), batch_size=200, rc_augment=True)
    ((batch, _),) = list(module.train_dataloader())
    flipped = int((batch[:, 0, 0] == 0).sum())  # AAAAAC starts with A, its reverse complement with G
    assert 60 < flipped < 140
