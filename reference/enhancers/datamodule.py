"""A ``LightningDataModule`` over pre-encoded tensors, loading whole batches by index.

Each batch is one tensor indexing operation (no per-item ``__getitem__`` and no collate), with
``num_workers=0``; the tensors can live on the GPU so batches need no host-to-device copy.
Optional reverse-complement augmentation flips a random half of each training batch.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence

import lightning as L
import numpy as np
import numpy.typing as npt
import torch
from torch.utils.data import DataLoader, Dataset, Sampler

__all__ = ["BatchIndexSampler", "EnhancerDataModule", "TensorBatches"]

IndexLike = Sequence[int] | npt.NDArray[np.integer]


class BatchIndexSampler(Sampler[torch.Tensor]):
    """Yields index tensors of up to ``batch_size`` items from ``indices``, shuffled each epoch if asked.

    The shuffle order comes from a generator seeded with ``seed``, so epochs differ but runs repeat.
    """

    def __init__(self, indices: IndexLike, batch_size: int, *, shuffle: bool, seed: int = 0) -> None:
        self.indices = torch.as_tensor(np.asarray(indices, dtype=np.int64))
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return (len(self.indices) + self.batch_size - 1) // self.batch_size

    def __iter__(self) -> Iterator[torch.Tensor]:
        order = (
            self.indices[torch.randperm(len(self.indices), generator=self.generator)]
            if self.shuffle
            else self.indices
        )
        for start in range(0, len(order), self.batch_size):
            yield order[start : start + self.batch_size]


class TensorBatches(Dataset[tuple[torch.Tensor, torch.Tensor]]):
    """``dataset[index_tensor] -> (x[index], y[index])``; optionally reverse-complements a random half.

    Args:
        x: one-hot sequences (N, 4, L), float32. y: labels (N,).
        rc_augment: flip a random half of each batch to its reverse complement. Default False.
        seed: seed of the augmentation's generator. Default 0.
    """

    def __init__(self, x: torch.Tensor, y: torch.Tensor, *, rc_augment: bool = False, seed: int = 0) -> None:
        self.x, self.y, self.rc_augment = x, y, rc_augment
        self.generator = torch.Generator().manual_seed(seed)

    def __len__(self) -> int:
        return int(self.x.shape[0])

    def __getitem__(self, index: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        index = index.to(self.x.device)
        x = self.x[index]
        if self.rc_augment:
            flip = (torch.rand(x.shape[0], generator=self.generator) < 0.5).to(x.device)
            x = torch.where(flip[:, None, None], x.flip((1, 2)), x)
        return x, self.y[index]


class EnhancerDataModule(L.LightningDataModule):
    """Train/validation loaders over one encoded data set and a pair of index arrays.

    Args:
        x: one-hot sequences, shape (N, 4, L). y: 0/1 labels, shape (N,).
        train_idx: indices of the training part. val_idx: of the validation part (optional).
        batch_size: items per batch. Default 128.
        rc_augment: random reverse-complement flips in training batches. Default False.
        seed: shuffle/augmentation seed. Default 0.
        device: keep the tensors on this device (e.g. "cuda" to skip per-batch copies). Default CPU.
    """

    def __init__(
        self,
        x: torch.Tensor | npt.NDArray[np.float32],
        y: torch.Tensor | npt.NDArray[np.integer],
        train_idx: IndexLike,
        val_idx: IndexLike | None = None,
        *,
        batch_size: int = 128,
        rc_augment: bool = False,
        seed: int = 0,
        device: str | torch.device = "cpu",
    ) -> None:
        super().__init__()
        self.x = torch.as_tensor(x, dtype=torch.float32).to(device)
        self.y = torch.as_tensor(y).float().to(device)
        if self.x.ndim != 3 or self.x.shape[1] != 4 or self.x.shape[0] != self.y.shape[0]:
            raise ValueError(
                f"EnhancerDataModule: expected x (N, 4, L) and y (N,), got {tuple(self.x.shape)}, {tuple(self.y.shape)}"
            )
        self.train_idx, self.val_idx = train_idx, val_idx
        self.batch_size, self.rc_augment, self.seed = batch_size, rc_augment, seed

    def train_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        """Shuffled batches of the training indices."""
        data = TensorBatches(self.x, self.y, rc_augment=self.rc_augment, seed=self.seed)
        sampler = BatchIndexSampler(self.train_idx, self.batch_size, shuffle=True, seed=self.seed)
        return DataLoader(data, sampler=sampler, batch_size=None, num_workers=0)

    def val_dataloader(self) -> DataLoader[tuple[torch.Tensor, torch.Tensor]]:
        """Batches of the validation indices in order (empty if there are none)."""
        data = TensorBatches(self.x, self.y)
        indices = self.val_idx if self.val_idx is not None else np.zeros(0, dtype=np.int64)
        return DataLoader(
            data, sampler=BatchIndexSampler(indices, 4 * self.batch_size, shuffle=False), batch_size=None
        )
