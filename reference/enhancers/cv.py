"""Train the CNN and cross-validate it: seeded, stratified, CUDA when present, CPU otherwise.

Fast by construction: sequences are one-hot encoded once into tensors, batches are single index
operations (:mod:`.datamodule`), ``num_workers=0``, and the Lightning trainer runs without progress
bar, logger, checkpointing or model summary; validation runs once, after the last epoch.
``num_threads`` (default 2) sets ``torch.set_num_threads`` for the call and restores it afterwards.
"""

from __future__ import annotations

import logging
import time
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from typing import Literal

import lightning as L
import numpy as np
import numpy.typing as npt
import torch
from torchmetrics.functional.classification import binary_auroc, binary_average_precision

from .data import SequenceSet
from .datamodule import EnhancerDataModule
from .encoding import EncodedSet, LengthPolicy, encode
from .model import CNNConfig, EnhancerCNN
from .splits import Fold, stratified_folds

__all__ = [
    "CVResult",
    "FoldResult",
    "SweepRow",
    "TrainConfig",
    "cross_validate",
    "kernel_size_sweep",
    "resolve_device",
    "roc_pr_auc",
    "train_model",
]

Device = Literal["auto", "cpu", "cuda"]
_BENIGN_WARNINGS = (
    r"The '.*dataloader' does not have many workers",
    r"The number of training batches .* is smaller than the logging interval",
    r".*GPU available but not used.*",
    r".*LeafSpec.*is deprecated.*",
    r".*isinstance\(treespec, LeafSpec\).*",
)


@dataclass(frozen=True)
class TrainConfig:
    """How to train.

    Attributes:
        epochs: passes over the training part. Default 12.
        batch_size: sequences per batch. Default 128.
        seed: seeds weights, shuffling and dropout (fold ``i`` uses ``seed + i``). Default 0.
        device: "auto" (CUDA if available), "cpu" or "cuda". Default "auto".
        num_threads: CPU threads during the call (restored afterwards); None leaves them. Default 2.
        rc_augment: random reverse-complement flips of training batches. Default False (the
            default model already pools over both strands).
    """

    epochs: int = 12
    batch_size: int = 128
    seed: int = 0
    device: Device = "auto"
    num_threads: int | None = 2
    rc_augment: bool = False


@dataclass(frozen=True, eq=False)
class FoldResult:
    """One fold: metrics on its validation part, its predictions and its trained model (eval mode)."""

    index: int
    roc_auc: float
    pr_auc: float
    val_idx: npt.NDArray[np.int64]
    probabilities: npt.NDArray[np.float64]
    model: EnhancerCNN
    seconds: float


@dataclass(frozen=True, eq=False)
class CVResult:
    """Cross-validation of the CNN.

    Attributes:
        folds: one :class:`FoldResult` per fold.
        oof: out-of-fold P(liver) for every sequence, shape (N,).
        labels: the labels, shape (N,).
        config, train: the settings used. device: where it ran. seconds: wall time.
    """

    folds: tuple[FoldResult, ...]
    oof: npt.NDArray[np.float64]
    labels: npt.NDArray[np.int64]
    config: CNNConfig
    train: TrainConfig
    device: str
    seconds: float

    @property
    def roc_auc(self) -> tuple[float, ...]:
        """Per-fold ROC-AUC."""
        return tuple(f.roc_auc for f in self.folds)

    @property
    def pr_auc(self) -> tuple[float, ...]:
        """Per-fold PR-AUC (average precision)."""
        return tuple(f.pr_auc for f in self.folds)

    @property
    def mean_roc_auc(self) -> float:
        """Mean ROC-AUC over folds."""
        return float(np.mean(self.roc_auc))

    @property
    def mean_pr_auc(self) -> float:
        """Mean PR-AUC over folds."""
        return float(np.mean(self.pr_auc))

    @property
    def models(self) -> tuple[EnhancerCNN, ...]:
        """The trained fold models."""
        return tuple(f.model for f in self.folds)


@dataclass(frozen=True)
class SweepRow:
    """Kernel-size sweep result for one setting of ``kernel_sizes``."""

    kernel_sizes: tuple[int, ...]
    roc_auc: tuple[float, ...]
    pr_auc: tuple[float, ...]
    mean_roc_auc: float
    mean_pr_auc: float
    seconds: float


def resolve_device(device: str) -> torch.device:
    """ "auto" -> CUDA if available else CPU; "cpu"; "cuda" (raises if CUDA is absent)."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device == "cuda" and not torch.cuda.is_available():
        raise RuntimeError("resolve_device: device='cuda' requested but torch.cuda.is_available() is False")
    if device not in ("cpu", "cuda"):
        raise ValueError(f"resolve_device: expected 'auto', 'cpu' or 'cuda', got {device!r}")
    return torch.device(device)


def roc_pr_auc(labels: npt.ArrayLike, scores: npt.ArrayLike) -> tuple[float, float]:
    """(ROC-AUC, PR-AUC) of ``scores`` (N,) against 0/1 ``labels`` (N,), via torchmetrics."""
    y = torch.as_tensor(np.asarray(labels), dtype=torch.long)
    p = torch.as_tensor(np.asarray(scores), dtype=torch.float64)
    return float(binary_auroc(p, y)), float(binary_average_precision(p, y))


@contextmanager
def _quiet_threads(num_threads: int | None) -> Iterator[None]:
    """Set torch threads, hush Lightning's info logs and its benign warnings; restore all on exit."""
    old_threads = torch.get_num_threads()
    loggers = [logging.getLogger(n) for n in ("lightning.pytorch", "lightning.fabric", "pytorch_lightning")]
    levels = [lg.level for lg in loggers]
    with warnings.catch_warnings():
        for message in _BENIGN_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        try:
            if num_threads:
                torch.set_num_threads(num_threads)
            for lg in loggers:
                lg.setLevel(logging.WARNING)
            yield
        finally:
            torch.set_num_threads(old_threads)
            for lg, level in zip(loggers, levels, strict=True):
                lg.setLevel(level)


def _trainer(
    train: TrainConfig, device: torch.device, limit_train_batches: int | float | None, validate: bool
) -> L.Trainer:
    return L.Trainer(
        max_epochs=train.epochs,
        accelerator="gpu" if device.type == "cuda" else "cpu",
        devices=1,
        logger=False,
        enable_checkpointing=False,
        enable_progress_bar=False,
        enable_model_summary=False,
        num_sanity_val_steps=0,
        check_val_every_n_epoch=train.epochs,
        limit_train_batches=limit_train_batches,
        limit_val_batches=None if validate else 0,
        log_every_n_steps=1,
    )


def train_model(
    x: torch.Tensor | npt.NDArray[np.float32],
    y: torch.Tensor | npt.NDArray[np.integer],
    train_idx: Sequence[int] | npt.NDArray[np.integer],
    val_idx: Sequence[int] | npt.NDArray[np.integer] | None = None,
    *,
    config: CNNConfig | None = None,
    train: TrainConfig | None = None,
    limit_train_batches: int | float | None = None,
) -> EnhancerCNN:
    """Train one :class:`EnhancerCNN` on ``x[train_idx]`` with a Lightning trainer.

    Args:
        x: one-hot sequences (N, 4, L). y: 0/1 labels (N,).
        train_idx: training indices. val_idx: validation indices, evaluated once after training
            (metrics in ``model.trainer.callback_metrics``); optional.
        config: model settings, default :class:`CNNConfig()`. train: default :class:`TrainConfig()`.
        limit_train_batches: passed to the trainer (e.g. 2 for a smoke run).

    Returns:
        The trained model in eval mode, on the training device. The global RNG state is unchanged.
    """
    config, train = config or CNNConfig(), train or TrainConfig()
    device = resolve_device(train.device)
    forked = [device.index or 0] if device.type == "cuda" else []
    with _quiet_threads(train.num_threads), torch.random.fork_rng(devices=forked):
        torch.manual_seed(train.seed)
        model = EnhancerCNN(config)
        data = EnhancerDataModule(
            x,
            y,
            train_idx,
            val_idx,
            batch_size=train.batch_size,
            rc_augment=train.rc_augment,
            seed=train.seed,
            device=device,
        )
        _trainer(train, device, limit_train_batches, val_idx is not None).fit(model, datamodule=data)
    return model.eval()


def _encoded(data: SequenceSet | EncodedSet, length: LengthPolicy) -> EncodedSet:
    return data if isinstance(data, EncodedSet) else encode(data, length)


def _fold(
    x: torch.Tensor, y: npt.NDArray[np.int64], fold: Fold, config: CNNConfig, train: TrainConfig
) -> FoldResult:
    start = time.perf_counter()
    fold_train = replace(train, seed=train.seed + fold.index)
    model = train_model(x, y, fold.train, config=config, train=fold_train)
    with _quiet_threads(train.num_threads):
        probabilities = model.predict_proba(x[fold.val])
    roc, pr = roc_pr_auc(y[fold.val], probabilities)
    return FoldResult(fold.index, roc, pr, fold.val, probabilities, model, time.perf_counter() - start)


def cross_validate(
    data: SequenceSet | EncodedSet,
    k: int = 5,
    *,
    config: CNNConfig | None = None,
    train: TrainConfig | None = None,
    folds: Sequence[Fold] | None = None,
    length: LengthPolicy = "max",
) -> CVResult:
    """Stratified k-fold cross-validation of :class:`EnhancerCNN`.

    Args:
        data: sequences (encoded here with ``length``) or an already encoded set.
        k: number of folds. Default 5. Ignored when ``folds`` is given.
        config: model settings, default :class:`CNNConfig()`. train: default :class:`TrainConfig()`.
        folds: explicit folds (e.g. shared with a baseline); default ``stratified_folds(y, k, train.seed)``.
        length: length policy when ``data`` is not encoded yet. Default "max".

    Returns:
        A :class:`CVResult` with per-fold ROC-AUC and PR-AUC, out-of-fold probabilities and models.

    Example:
        >>> result = cross_validate(read_fasta_pair("liver.fa", "other.fa"), k=5)  # doctest: +SKIP
        >>> result.mean_roc_auc  # doctest: +SKIP
        0.94
    """
    config, train = config or CNNConfig(), train or TrainConfig()
    start = time.perf_counter()
    encoded = _encoded(data, length)
    folds = tuple(folds) if folds is not None else stratified_folds(encoded.y, k, train.seed)
    x = torch.from_numpy(encoded.x)
    results = tuple(_fold(x, encoded.y, fold, config, train) for fold in folds)
    oof = np.full(encoded.y.shape[0], np.nan)
    for result in results:
        oof[result.val_idx] = result.probabilities
    device = str(resolve_device(train.device))
    return CVResult(results, oof, encoded.y, config, train, device, time.perf_counter() - start)


def kernel_size_sweep(
    data: SequenceSet | EncodedSet,
    kernel_sizes: Sequence[tuple[int, ...]] = ((5,), (9,), (15,), (21,), (9, 15, 21)),
    k: int = 5,
    *,
    config: CNNConfig | None = None,
    train: TrainConfig | None = None,
) -> tuple[SweepRow, ...]:
    """Cross-validate one model per entry of ``kernel_sizes`` on the same folds.

    Args:
        data: sequences or an encoded set. kernel_sizes: first-layer settings to compare.
        k: folds. config: base settings (its ``kernel_sizes`` is replaced). train: training settings.
    """
    config, train = config or CNNConfig(), train or TrainConfig()
    encoded = _encoded(data, "max")
    folds = stratified_folds(encoded.y, k, train.seed)
    rows = []
    for sizes in kernel_sizes:
        result = cross_validate(
            encoded, config=replace(config, kernel_sizes=tuple(sizes)), train=train, folds=folds
        )
        rows.append(
            SweepRow(
                tuple(sizes),
                result.roc_auc,
                result.pr_auc,
                result.mean_roc_auc,
                result.mean_pr_auc,
                result.seconds,
            )
        )
    return tuple(rows)
