"""The CV benchmark behind ``benchmarks/cv.py``: reference CNN vs canonical 5-mers + logistic regression.

Both models are scored on the same seeded stratified folds of a class-balanced selection of a
``liver.fa`` / ``other.fa`` folder; optionally both are also trained once on the whole selection
and scored on a held-out folder.
"""

from __future__ import annotations

import os
import platform
import resource
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import torch

from .cv import TrainConfig, cross_validate, resolve_device, roc_pr_auc, train_model
from .data import SequenceSet, read_fasta_pair
from .encoding import encode
from .kmer import canonical_kmer_counts, kmer_cross_validate, kmer_fit_predict
from .model import CNNConfig
from .splits import stratified_folds

__all__ = ["BenchmarkConfig", "run_benchmark", "select_balanced"]

KMER_C = 0.01
"""Inverse L2 strength of the 5-mer baseline (best of 0.01-1 on the 2,000 + 2,000 selection)."""


@dataclass(frozen=True)
class BenchmarkConfig:
    """Settings of one benchmark run.

    Attributes:
        data: folder with liver.fa and other.fa. test_dir: optional held-out folder, same layout.
        n_per_class: sequences drawn per class (ignored with ``full``). Default 2000.
        full: use every sequence. folds: CV folds. Default 5.
        train: training settings (epochs, batch size, seed, device, threads).
    """

    data: Path
    test_dir: Path | None = None
    n_per_class: int = 2000
    full: bool = False
    folds: int = 5
    train: TrainConfig = field(default_factory=TrainConfig)


def select_balanced(data: SequenceSet, n_per_class: int, seed: int) -> SequenceSet:
    """``n_per_class`` random sequences of each class (positives first, file order kept).

    Raises:
        ValueError: a class has fewer than ``n_per_class`` sequences.
    """
    rng = np.random.default_rng(seed)
    picks = []
    for label in (1, 0):
        members = np.flatnonzero(data.labels == label)
        if members.size < n_per_class:
            raise ValueError(
                f"select_balanced: class {label} has {members.size} sequences < n_per_class={n_per_class}"
            )
        picks.append(np.sort(rng.choice(members, n_per_class, replace=False)))
    return data.subset(np.concatenate(picks))


def _pair(folder: Path) -> SequenceSet:
    return read_fasta_pair(folder / "liver.fa", folder / "other.fa")


def _test_scores(data: SequenceSet, test: SequenceSet, train: TrainConfig) -> dict[str, float]:
    encoded = encode(data)
    test_encoded = encode(test, length=int(encoded.x.shape[2]))  # pad/crop, centred, to the training length
    model = train_model(encoded.x, encoded.y, np.arange(len(data)), train=train)
    roc, pr = roc_pr_auc(test_encoded.y, model.predict_proba(test_encoded.x))
    kmer = kmer_fit_predict(
        canonical_kmer_counts(data.sequences), data.labels, canonical_kmer_counts(test.sequences), c=KMER_C
    )
    kmer_roc, kmer_pr = roc_pr_auc(test.labels, kmer)
    return {
        "test_roc_auc": roc,
        "test_pr_auc": pr,
        "test_kmer_roc_auc": kmer_roc,
        "test_kmer_pr_auc": kmer_pr,
    }


def _environment(config: BenchmarkConfig, n_sequences: int) -> dict[str, Any]:
    device = resolve_device(config.train.device)
    name = (
        torch.cuda.get_device_name(device)
        if device.type == "cuda"
        else platform.processor() or platform.machine()
    )
    return {
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "device": str(device),
        "device_name": name,
        "n_sequences": n_sequences,
        "folds": config.folds,
        "epochs": config.train.epochs,
        "batch_size": config.train.batch_size,
        "threads": config.train.num_threads,
        "omp_wait_policy": os.environ.get("OMP_WAIT_POLICY", ""),
        "load_avg_1min": round(os.getloadavg()[0], 2),
        "torch": torch.__version__,
    }


def run_benchmark(config: BenchmarkConfig, log: Any = None) -> dict[str, Any]:
    """Run the benchmark; ``log(str)`` receives progress lines. Returns the JSON-ready record.

    Record: ``cnn_roc_auc``, ``cnn_pr_auc``, ``kmer_roc_auc``, ``kmer_pr_auc`` (fold means), per-fold
    lists, ``wall_s`` (CNN cross-validation wall time), ``cnn_cpu_s`` (its CPU time, all threads),
    ``test_*`` with a test folder, ``total_wall_s``, ``peak_rss_mb``, ``device`` and the settings.
    """
    say = log or (lambda _message: None)
    start = time.perf_counter()
    full = _pair(config.data)
    data = full if config.full else select_balanced(full, config.n_per_class, config.train.seed)
    encoded = encode(data)
    folds = stratified_folds(encoded.y, config.folds, config.train.seed)
    say(f"data: {len(data)} sequences ({data.n_positive} liver), length {encoded.x.shape[2]}")
    cpu_start = time.process_time()
    cnn = cross_validate(encoded, config=CNNConfig(), train=config.train, folds=folds)
    cnn_cpu = time.process_time() - cpu_start
    say(
        f"cnn: ROC-AUC {cnn.mean_roc_auc:.4f} PR-AUC {cnn.mean_pr_auc:.4f} in {cnn.seconds:.1f} s on {cnn.device}"
    )
    kmer = kmer_cross_validate(data.sequences, data.labels, folds, c=KMER_C)
    say(f"5-mer LR: ROC-AUC {kmer.mean_roc_auc:.4f}")
    record: dict[str, Any] = {
        "cnn_roc_auc": round(cnn.mean_roc_auc, 4),
        "cnn_pr_auc": round(cnn.mean_pr_auc, 4),
        "kmer_roc_auc": round(kmer.mean_roc_auc, 4),
        "kmer_pr_auc": round(kmer.mean_pr_auc, 4),
        "cnn_fold_roc_auc": [round(v, 4) for v in cnn.roc_auc],
        "kmer_fold_roc_auc": [round(v, 4) for v in kmer.roc_auc],
        "wall_s": round(cnn.seconds, 1),
        "cnn_cpu_s": round(cnn_cpu, 1),
    }
    if config.test_dir is not None:
        record.update(
            {k: round(v, 4) for k, v in _test_scores(data, _pair(config.test_dir), config.train).items()}
        )
    record["total_wall_s"] = round(time.perf_counter() - start, 1)
    return record | _environment(config, len(data))
