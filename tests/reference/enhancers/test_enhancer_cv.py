"""Training and cross-validation: Lightning smoke run, determinism, AUCs against scikit-learn."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.metrics import average_precision_score, roc_auc_score

from reference.enhancers.cv import (
    TrainConfig,
    cross_validate,
    kernel_size_sweep,
    resolve_device,
    roc_pr_auc,
    train_model,
)
from reference.enhancers.data import read_fasta_pair
from reference.enhancers.encoding import EncodedSet, encode
from reference.enhancers.kmer import kmer_cross_validate
from reference.enhancers.model import CNNConfig
from reference.enhancers.splits import stratified_folds
from reference.enhancers.synthetic import make_synthetic

SMALL = CNNConfig(kernel_sizes=(9,), filters=16)
FAST = TrainConfig(epochs=2, batch_size=64, device="cpu")


@pytest.fixture(scope="module")
def synthetic() -> EncodedSet:
    return encode(make_synthetic(150, seed=0).data)


def test_two_batch_smoke_run(synthetic: EncodedSet) -> None:
    threads = torch.get_num_threads()
    model = train_model(
        synthetic.x,
        synthetic.y,
        np.arange(0, 300, 2),
        np.arange(1, 300, 2),
        config=SMALL,
        train=FAST,
        limit_train_batches=2,
    )
    assert not model.training
    assert {"train_loss", "val_auroc", "val_pr_auc"} <= set(model.trainer.callback_metrics)
    assert torch.get_num_threads() == threads


def test_same_seed_same_result(synthetic: EncodedSet) -> None:
    def run(seed: int) -> np.ndarray:
        train = TrainConfig(epochs=1, seed=seed, device="cpu")
        return cross_validate(synthetic, 2, config=SMALL, train=train).oof

    a, b, c = run(0), run(0), run(1)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_fold_metrics_equal_sklearn(synthetic: EncodedSet) -> None:
    result = cross_validate(synthetic, 3, config=SMALL, train=FAST)
    assert len(result.folds) == 3 and not np.isnan(result.oof).any()
    for fold in result.folds:
        y = synthetic.y[fold.val_idx]
        assert fold.roc_auc == pytest.approx(roc_auc_score(y, fold.probabilities), abs=1e-6)
        assert fold.pr_auc == pytest.approx(average_precision_score(y, fold.probabilities), abs=1e-6)
    assert result.mean_roc_auc == pytest.approx(np.mean(result.roc_auc))
    assert result.device == "cpu" and len(result.models) == 3


def test_roc_pr_auc_against_sklearn() -> None:
    rng = np.random.default_rng(0)
    y, p = rng.integers(0, 2, 500), rng.random(500)
    p[:50] = 0.5  # ties
    roc, pr = roc_pr_auc(y, p)
    assert roc == pytest.approx(roc_auc_score(y, p), abs=1e-6)
    assert pr == pytest.approx(average_precision_score(y, p), abs=1e-6)


def test_kernel_sweep_rows(synthetic: EncodedSet) -> None:
    rows = kernel_size_sweep(
        synthetic,
        [(5,), (9, 13)],
        k=2,
        config=CNNConfig(filters=4),
        train=TrainConfig(epochs=1, device="cpu"),
    )
    assert [r.kernel_sizes for r in rows] == [(5,), (9, 13)]
    assert all(len(r.roc_auc) == 2 for r in rows)


def test_cuda_request_without_cuda_is_an_error() -> None:
    if torch.cuda.is_available():
        pytest.skip("CUDA is present")
    with pytest.raises(RuntimeError, match="device='cuda' requested"):
        resolve_device("cuda")


@pytest.mark.slow
def test_learns_the_synthetic_task() -> None:
    data = make_synthetic(2000, seed=0).data
    result = cross_validate(data, 5, train=TrainConfig(epochs=4, device="cpu"))
    assert 0.85 < result.mean_roc_auc < 0.97


@pytest.mark.slow
def test_beats_5mer_baseline_on_real_data(shared_data: Path) -> None:
    full = read_fasta_pair(shared_data / "train/liver.fa", shared_data / "train/other.fa")
    rng = np.random.default_rng(0)
    pick = np.concatenate([rng.choice(np.flatnonzero(full.labels == c), 2000, replace=False) for c in (1, 0)])
    data = full.subset(np.sort(pick))
    folds = stratified_folds(data.labels, 5, 0)
    cnn = cross_validate(data, folds=folds, train=TrainConfig(device="cpu"))
    kmer = kmer_cross_validate(data.sequences, data.labels, folds, c=0.01)
    assert cnn.mean_roc_auc >= kmer.mean_roc_auc
    assert cnn.mean_roc_auc > 0.75
