"""Fixtures for the 2.6 tests: the calibration script, the rubric's motif criterion and the solution
notebook's own CNN (its model and training cells, quick profile, one thread)."""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[3]
WEEK11 = ROOT / "rubrics/week11.yaml"


@pytest.fixture(scope="session")
def calibration() -> ModuleType:
    """``benchmarks/motif_calibration.py`` as a module."""
    spec = importlib.util.spec_from_file_location(
        "motif_calibration", ROOT / "benchmarks/motif_calibration.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def criterion(calibration: ModuleType) -> Any:
    """The 2.6 ``motif_match`` criterion of rubrics/week11.yaml."""
    return calibration.liver_criterion(WEEK11)


@pytest.fixture(scope="session")
def quick_notebook(calibration: ModuleType) -> Iterator[dict[str, Any]]:
    """The solution notebook's model and training cells with the rubric's quick profile (1 thread)."""
    import torch

    from grader.rubric import load_rubric

    threads = torch.get_num_threads()
    try:
        yield calibration.notebook_namespace("quick", load_rubric(WEEK11).profiles.quick, 1)
    finally:
        torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def synthetic_cnn(
    calibration: ModuleType, quick_notebook: dict[str, Any], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Any, float]:
    """The solution CNN (width 9) trained as fold 0 of the quick profile on the rubric's synthetic data
    (seed 0, a few seconds), and its held-out ROC-AUC."""
    positive, negative = calibration.synthetic_files(tmp_path_factory.mktemp("synthetic"))
    x, y = quick_notebook["load_dataset"](str(positive), str(negative), 600, 0)
    model, auc = calibration.train_fold0(quick_notebook, x, y, 0, 9)
    return model, float(auc)
