"""Every first-layer kernel is matched to JASPAR; the rubric's 2.6 threshold is pinned to its calibration.

The calibration tests use ``benchmarks/motif_calibration.py`` (the solution notebook's own CNN and training
cells, the epilogue's own kernel extraction) and the threshold written in ``rubrics/week11.yaml``.
"""

from __future__ import annotations

from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
import pytest

from assignments.week11.motifs import TOP_MATCHES, match_motifs
from grader.records.collected import Item, ItemStatus

ROOT = Path(__file__).resolve().parents[3]
REAL_DATA = ROOT.parent / "shared/data/enhancers/liver_vs_other"
Kernels = tuple[tuple[tuple[float, ...], ...], ...]


def _log_odds(probabilities: np.ndarray) -> np.ndarray:
    p = (probabilities + 0.01) / (probabilities + 0.01).sum(axis=0, keepdims=True)
    return np.asarray(np.log(p / 0.25))


def _as_item(kernels: np.ndarray) -> Item[Kernels]:
    return Item.ok(tuple(tuple(tuple(float(v) for v in row) for row in k) for k in kernels))


def test_a_liver_kernel_is_matched_however_many_sharper_kernels_there_are() -> None:
    """The old grader matched only the 16 most informative kernels; a trained CNN's liver kernels ranked
    29th-33rd and were never looked at. Now 40 sharp non-liver kernels do not hide HNF4A."""
    from reference.motifs import fetch_matrix, information_content, kernels_to_pfms

    hnf4a = _log_odds(np.asarray(fetch_matrix("MA0114.5").probabilities))  # width 13
    rng = np.random.default_rng(0)
    sharp = np.full((40, 4, hnf4a.shape[1]), -3.0)
    sharp[
        np.arange(40)[:, None], rng.integers(0, 4, size=(40, hnf4a.shape[1])), np.arange(hnf4a.shape[1])
    ] = 3.0
    kernels = np.concatenate([sharp, hnf4a[None]])
    pfms = kernels_to_pfms(kernels)
    ic = [float(information_content(p).sum()) for p in pfms]
    assert sum(v > ic[40] for v in ic) >= 16, "the HNF4A kernel must rank below the old cap of 16"
    result = match_motifs(_as_item(kernels))
    assert result.value is not None
    assert {h.kernel_index for h in result.value} == set(range(41))
    assert all(sum(h.kernel_index == k for h in result.value) == TOP_MATCHES for k in range(41))
    best = max((h for h in result.value if h.kernel_index == 40), key=lambda h: h.score)
    assert best.name.upper().startswith("HNF4") and best.score > 0.95


def test_missing_kernels_pass_their_reason_through() -> None:
    result = match_motifs(Item.missing("FOLD_MODELS was not set by the notebook"))
    assert result.status is ItemStatus.MISSING and "FOLD_MODELS" in result.reason


def test_too_many_kernels_are_invalid() -> None:
    result = match_motifs(_as_item(np.zeros((1025, 4, 3))))
    assert result.status is ItemStatus.INVALID and "1025 first-layer kernels; at most 1024" in result.reason


def test_kernels_too_narrow_for_a_motif_are_invalid() -> None:
    """The demo's width-1 CNN (untrained_tiny_kernel) earned 2.6: one column matches almost any motif."""
    from reference.motifs import kernels_to_pfms, load_jaspar, match_jaspar_many

    narrow = np.random.default_rng(0).normal(size=(8, 4, 1))
    spurious = match_jaspar_many(list(kernels_to_pfms(narrow.tolist())), top=1, matrices=load_jaspar())
    assert min(m[0].score for m in spurious) > 0.93  # why width must be checked: every kernel "matches"
    result = match_motifs(_as_item(narrow))
    assert result.status is ItemStatus.INVALID
    assert "kernels are 1 column(s) wide; a DNA motif needs at least 5" in result.reason


# --- calibration pins ---------------------------------------------------------------------------------


def _passes(calibration: ModuleType, model: Any, criterion: Any) -> tuple[bool, tuple[float, ...]]:
    """Whether the rubric's rule passes for ``model``, and the best kernels' scores (for the message)."""
    scores, _, _ = calibration.kernel_scores(calibration.grader_kernels(model), criterion)
    rank = criterion.min_kernels
    return len(scores) >= rank and scores[rank - 1] >= criterion.min_score, scores[: rank + 1]


@pytest.mark.parametrize("model", ["w5", "w9", "w15", "w21", "reference192"])
def test_untrained_kernels_stay_below_the_rubric_threshold(
    calibration: ModuleType, quick_notebook: dict[str, Any], criterion: Any, model: str
) -> None:
    """Fresh initialisations (seeds 0-2) of the notebook's CNN and of the reference CNN never pass 2.6."""
    for seed in range(3):
        passed, best = _passes(
            calibration, calibration.untrained_model(quick_notebook, model, seed), criterion
        )
        assert not passed, f"untrained {model}, seed {seed}: best liver-family kernels {best}"


def test_the_solution_cnn_trained_on_synthetic_data_passes(
    calibration: ModuleType, criterion: Any, synthetic_cnn: tuple[Any, float]
) -> None:
    model, auc = synthetic_cnn
    passed, best = _passes(calibration, model, criterion)
    assert auc > 0.75 and passed, f"fold-0 ROC-AUC {auc:.3f}; best liver-family kernels {best}"


def test_the_solution_cnn_trained_on_real_data_passes(
    calibration: ModuleType, quick_notebook: dict[str, Any], criterion: Any
) -> None:
    """Seed 3, width 9 of the calibration table's quick-profile real-data runs (4 of the 5 width-9 runs
    pass; seed 0's fourth-best kernel scored 0.920): a small training still shows liver motifs."""
    if not (REAL_DATA / "train/liver.fa").is_file():
        pytest.skip(f"real data not available: {REAL_DATA} is absent (needs the ../shared checkout)")
    liver, other = str(REAL_DATA / "train/liver.fa"), str(REAL_DATA / "train/other.fa")
    x, y = quick_notebook["load_dataset"](liver, other, 600, 3)
    model, auc = calibration.train_fold0(quick_notebook, x, y, 3, 9)
    passed, best = _passes(calibration, model, criterion)
    assert auc > 0.75 and passed, f"fold-0 ROC-AUC {auc:.3f}; best liver-family kernels {best}"
