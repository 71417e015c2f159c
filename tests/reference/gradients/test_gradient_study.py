"""The reference study runs in the notebook's setting and reproduces the ground truth: BN flat, ReLU zeros."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import torch
from torch import nn

from reference.gradients.evidence import METHODS, evidence_problem, summarize_all, supported
from reference.gradients.study import StudyConfig, reference_profiles, run_once

SOLUTION = Path(__file__).resolve().parents[3] / "assignments" / "week11" / "solution.ipynb"
A1_CELLS = ("a1-data", "a1-layers", "a1-mlp", "a1-gradients")


@pytest.fixture(scope="module")
def notebook_run() -> dict[str, Any]:
    """The solution notebook's Assignment 1 cells, run with SEED = 0 (torch only, no kernel)."""
    cells = {
        c.get("id"): "".join(c["source"]) for c in json.loads(SOLUTION.read_text(encoding="utf-8"))["cells"]
    }
    namespace: dict[str, Any] = {"torch": torch, "nn": nn, "SEED": 0}
    with torch.random.fork_rng(devices=[]):
        for cell_id in A1_CELLS:
            exec(compile(cells[cell_id], f"{SOLUTION.name}:{cell_id}", "exec"), namespace)
    return namespace


def test_seed_0_is_the_notebooks_own_run(notebook_run: dict[str, Any]) -> None:
    config = StudyConfig()
    wanted = (notebook_run["DEPTH"], notebook_run["WIDTH"], notebook_run["X_GRAD"].shape[1])
    assert (config.depth, config.width, config.in_features) == wanted
    assert (config.n_classes, config.n_samples) == (notebook_run["N_CLASSES"], len(notebook_run["Y_GRAD"]))
    assert tuple(notebook_run["METHODS"]) == METHODS
    for method in METHODS:
        profile = run_once(method, config, seed=0)
        np.testing.assert_allclose(profile.weight_grad, notebook_run["GRADIENTS"][method], rtol=1e-5)
        assert list(profile.zero_fraction) == notebook_run["GRADIENT_ZERO_FRACTIONS"][method], method


def test_default_study_supports_batch_norm_only() -> None:
    study = reference_profiles()
    assert evidence_problem(study.profiles, study.zero_fractions) is None
    verdict = supported("batch_norm", study.profiles, zero_fractions=study.zero_fractions)
    assert verdict.supported
    assert verdict.supported_methods == ("batch_norm",)
    spans = {s.method: s.uniformity for s in summarize_all(study.profiles)}
    assert spans["baseline"] > 10 and spans["batch_norm"] < 0.6
    assert max(study.zero_fractions["relu"]) > 0.5 and max(study.zero_fractions["batch_norm"]) == 0.0


def test_profiles_have_one_value_per_hidden_layer_and_are_cached() -> None:
    study = reference_profiles(StudyConfig(depth=20))
    assert all(len(v) == 20 for v in study.profiles.values())
    assert reference_profiles(StudyConfig(depth=20)) is study


def test_activation_gradients_favour_skip() -> None:
    study = reference_profiles()
    assert supported("skip", study.activation_profiles).supported


@pytest.mark.parametrize(
    ("change", "message"),
    [({"init": "orthogonal"}, "unknown 'orthogonal'"), ({"n_classes": 1}, "n_classes: expected >= 2, got 1")],
)
def test_config_is_validated(change: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        StudyConfig(**change)
