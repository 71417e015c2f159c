"""The evidence rule of vanishing-gradients.md on plain data, and the module's import purity."""

from __future__ import annotations

import math
import subprocess
import sys

import pytest

from reference.gradients.evidence import (
    EvidenceError,
    EvidenceParams,
    canonical_method,
    evidence_problem,
    sdlog,
    summarize,
    supported,
    uniformity,
)

FLAT = [1.0, 0.9, 1.1, 1.0]
SLOPE = [1e-3, 1e-2, 1e-1, 1.0]
PROFILES = {
    "baseline": [1e-9, 1e-5, 1e-2, 1.0],
    "skip": SLOPE,
    "batch_norm": FLAT,
    "relu": FLAT,
    "elu": [0.5, 0.7, 1.0, 1.0],
}


def test_uniformity_and_sdlog_on_known_values() -> None:
    assert uniformity(SLOPE) == pytest.approx(3.0)
    assert sdlog([1.0, 100.0]) == pytest.approx(1.0)
    assert uniformity([0.0, 1.0]) == math.inf
    assert math.isnan(uniformity([0.0, 0.0]))


def test_flattest_method_is_supported_and_steep_one_is_not() -> None:
    assert supported("batch_norm", PROFILES).supported
    verdict = supported("skip", PROFILES)
    assert not verdict.supported
    assert "U(skip)=3.00 >" in verdict.reason


def test_slack_decides_near_ties() -> None:
    assert supported("elu", PROFILES).supported  # U = 0.30 <= 0.09 + 0.3
    assert not supported("elu", PROFILES, EvidenceParams(slack_decades=0.1)).supported


def test_exact_zero_fraction_makes_relu_unsupported_even_when_flat() -> None:
    zeros = {"relu": [0.0, 0.5, 0.0, 0.0], "batch_norm": [0.0] * 4}
    verdict = supported("relu", PROFILES, zero_fractions=zeros)
    assert not verdict.supported
    assert "50.0% exactly-zero entries" in verdict.reason
    assert verdict.supported_methods[0] == "batch_norm"


def test_relative_floor_counts_tiny_layers_as_zero() -> None:
    summary = summarize("skip", [1e-8, 1.0, 1.0])
    assert summary.status == "drops_to_zero"
    assert summarize("skip", [1e-8, 1.0], params=EvidenceParams(relative_floor=1e-9)).status == "ok"


def test_aliases_are_canonicalised() -> None:
    assert canonical_method("Batch Norm") == canonical_method("BN") == "batch_norm"
    assert canonical_method("skip-connections") == "skip"
    verdict = supported("BatchNorm", {"Skip Connections": SLOPE, "BN": FLAT})
    assert verdict.choice == "batch_norm" and verdict.supported


def test_relu_without_zero_fractions_cannot_be_told() -> None:
    assert summarize("relu", FLAT).status == "cannot_tell"
    assert summarize("relu", FLAT, [0.0] * 4).status == "ok"
    assert summarize("relu", [0.0, 1.0, 1.0, 1.0]).status == "drops_to_zero"  # the magnitudes show it
    assert summarize("elu", FLAT).status == "ok"
    verdict = supported("relu", PROFILES)
    assert not verdict.supported and verdict.reason.startswith("cannot tell whether 'relu' drops to zero")
    assert verdict.supported_methods == ("batch_norm", "elu")  # relu is as flat, but cannot be backed


def test_an_untold_relu_still_sets_the_flattest() -> None:
    verdict = supported("elu", {**PROFILES, "elu": SLOPE})
    assert not verdict.supported and verdict.best_uniformity == pytest.approx(0.0872, abs=1e-4)
    steep_bn = supported("batch_norm", {**PROFILES, "batch_norm": SLOPE})
    assert "'relu' may drop to zero, but without its zero fractions this cannot be told" in steep_bn.reason


def test_evidence_problem_needs_every_method_at_one_depth() -> None:
    assert evidence_problem(PROFILES) is None
    assert evidence_problem({"BN": FLAT}) == (
        "no profile for ['baseline', 'skip', 'relu', 'elu']: an answer is judged against the sigmoid "
        "baseline and all four options the sheet names"
    )
    assert "different numbers of layers" in str(evidence_problem({**PROFILES, "elu": [1.0, 0.5]}))
    assert evidence_problem({**PROFILES, "skip": [1.0, -1.0, 1.0, 1.0]}) == (
        "'skip': layer 2 has -1.0; expected a finite value >= 0"
    )
    wrong = evidence_problem(PROFILES, {"relu": [0.0, 0.0]})
    assert wrong == "'relu': zero fractions have 2 layers, magnitudes 4"


@pytest.mark.parametrize(
    ("name", "method"),
    [
        ("ResNet", "skip"),
        ("residual connection", "skip"),
        ("BatchNorm1d", "batch_norm"),
        ("Sigmoid", "baseline"),
    ],
)
def test_spellings_of_the_week11_rubric(name: str, method: str) -> None:
    assert canonical_method(name) == method


def test_unknown_name_suggests_the_closest() -> None:
    with pytest.raises(EvidenceError, match=r"unknown method 'batchnrom'.*did you mean 'batch_norm'"):
        canonical_method("batchnrom")


def test_duplicate_and_non_option_names_raise() -> None:
    with pytest.raises(EvidenceError, match="two entries for 'batch_norm'"):
        supported("skip", {"BN": FLAT, "batch_norm": FLAT})
    with pytest.raises(EvidenceError, match="not an answer option"):
        supported("baseline", PROFILES)


def test_bad_student_data_is_reported_not_raised() -> None:
    verdict = supported("elu", {"elu": [1.0, float("nan")], "batch_norm": FLAT})
    assert not verdict.supported and "is invalid" in verdict.reason
    assert verdict.summary("elu") is not None and verdict.summary("elu").status == "invalid"  # type: ignore[union-attr]
    missing = supported("relu", {"batch_norm": FLAT})
    assert not missing.supported and "no profile" in missing.reason


@pytest.mark.parametrize(
    "kwargs", [{"relative_floor": -1.0}, {"max_zero_fraction": 2.0}, {"slack_decades": -0.1}]
)
def test_params_are_validated(kwargs: dict[str, float]) -> None:
    with pytest.raises(EvidenceError, match="EvidenceParams"):
        EvidenceParams(**kwargs)


def test_evidence_module_imports_without_torch_or_matplotlib() -> None:
    code = (
        "import sys; import reference.gradients.evidence; import reference.gradients;"
        "bad = [m for m in ('torch', 'matplotlib', 'lightning') if m in sys.modules]; print(bad); sys.exit(bool(bad))"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
