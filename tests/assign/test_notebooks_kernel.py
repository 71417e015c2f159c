"""Run the generated notebooks in a real kernel (quick profile, tiny planted-motif FASTA fixture).

What the grader's epilogue would collect is checked through a summary cell appended to the notebook.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import nbformat
import pytest

from ._notebooks import SOLUTION, SUBMISSIONS_DIR, TEMPLATE, Run, run_quick

pytestmark = pytest.mark.kernel

METHODS = ["baseline", "skip", "batch_norm", "relu", "elu"]
KEY = {"1.2": "Batch Norm", "3.1": "Incorrect", "3.2": "Incorrect", "3.3": 0, "3.4": 42}


@pytest.fixture(scope="module")
def solution(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_quick(nbformat.read(SOLUTION, as_version=4), tmp_path_factory.mktemp("solution"))


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return run_quick(nbformat.read(TEMPLATE, as_version=4), tmp_path_factory.mktemp("template"))


def _summary(run: Run) -> dict[str, Any]:
    assert run.summary is not None, "the summary cell printed nothing"
    return run.summary


def _decades(values: list[float]) -> float:
    return math.log10(max(values) / min(values)) if min(values) > 0 else math.inf


def test_solution_runs_cleanly(solution: Run) -> None:
    assert solution.errors() == []
    assert solution.stderr() == "", "the solution's output should be tidy (no warnings on stderr)"


def test_solution_answers(solution: Run) -> None:
    assert _summary(solution)["ANSWERS"] == KEY


def test_solution_gradients_support_batch_norm(solution: Run) -> None:
    """The design's evidence rule: BN never drops to zero and is within 0.3 decades of the flattest."""
    gradients = _summary(solution)["GRADIENTS"]
    zeros = _summary(solution)["GRADIENT_ZERO_FRACTIONS"]
    assert list(gradients) == METHODS and list(zeros) == METHODS
    for method in METHODS:
        assert len(gradients[method]) == len(zeros[method]) == 20
        assert all(isinstance(g, float) and g >= 0 for g in gradients[method])
        assert all(0 <= z <= 1 for z in zeros[method])
    never_zero = [
        m for m in METHODS if min(gradients[m]) > 1e-6 * max(gradients[m]) and max(zeros[m]) <= 0.01
    ]
    assert "batch_norm" in never_zero and "relu" not in never_zero
    assert _decades(gradients["batch_norm"]) <= min(_decades(gradients[m]) for m in never_zero) + 0.3
    assert _decades(gradients["baseline"]) > 10


def test_solution_cross_validation(solution: Run) -> None:
    summary = _summary(solution)
    cv, sweep = summary["CV_RESULTS"], summary["KERNEL_SWEEP"]
    assert set(cv) == {"roc_auc", "pr_auc"}
    assert len(cv["roc_auc"]) == len(cv["pr_auc"]) == 5
    assert all(0 <= v <= 1 for v in cv["roc_auc"] + cv["pr_auc"])
    assert sum(cv["roc_auc"]) / 5 > 0.8
    assert set(sweep) == {"5", "9", "15"} and all(0 <= v <= 1 for v in sweep.values())
    assert math.isclose(max(sweep.values()), sum(cv["roc_auc"]) / 5)


def test_solution_fold_models_and_kernels(solution: Run) -> None:
    summary = _summary(solution)
    assert summary["FOLD_MODELS"] == [{"module": True, "out_shape": [3], "device": "cpu"}] * 5
    filters, channels, width = summary["FIRST_LAYER_KERNELS"]
    assert (filters, channels) == (64, 4) and width in {5, 9, 15}


def test_solution_draws_both_figures(solution: Run) -> None:
    figures = [
        c.id for c in solution.nb.cells for o in c.get("outputs", []) if "image/png" in o.get("data", {})
    ]
    assert figures == ["a1-plot", "a2-motifs"]


def test_template_answers_nothing_and_fails_only_in_stubs(template: Run) -> None:
    assert {ename for _, ename in template.errors()} == {"NotImplementedError"}
    summary = _summary(template)
    assert summary["ANSWERS"] == dict.fromkeys(KEY)
    for name in ("GRADIENTS", "CV_RESULTS", "KERNEL_SWEEP", "FOLD_MODELS", "FIRST_LAYER_KERNELS"):
        assert name not in summary, name


@pytest.mark.gpu
def test_solution_runs_on_cuda(tmp_path: Path) -> None:
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("no CUDA device")
    run = run_quick(nbformat.read(SOLUTION, as_version=4), tmp_path, DEVICE="cuda")
    assert run.errors() == []
    assert sum(_summary(run)["CV_RESULTS"]["roc_auc"]) / 5 > 0.8


# ---------------------------------------------------------------- samples whose outcome is quick to check
def _sample(name: str) -> nbformat.NotebookNode:
    return nbformat.read(SUBMISSIONS_DIR / name, as_version=4)


@pytest.mark.slow
def test_sample_exception_midway_still_answers_assignment_3(tmp_path: Path) -> None:
    run = run_quick(_sample("Frederick Sanger_10009_assignsubmission_file_/week11.ipynb"), tmp_path)
    assert [name for _, name in run.errors()] == ["TypeError", "NameError", "NameError"]
    summary = _summary(run)
    assert summary["ANSWERS"] == KEY and "GRADIENTS" in summary
    assert "CV_RESULTS" not in summary and "FOLD_MODELS" not in summary


@pytest.mark.slow
def test_sample_untrained_tiny_kernel_scores_below_threshold(tmp_path: Path) -> None:
    run = run_quick(_sample("mcclintockbarbara_20006_900065_week11.ipynb"), tmp_path)
    assert run.errors() == []
    assert sum(_summary(run)["CV_RESULTS"]["roc_auc"]) / 5 < 0.75
