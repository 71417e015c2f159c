"""1.2's evidence rule judges the choice against every option the sheet names (issue 14, item 3).

Each scenario is what a student really hands in: only the chosen profile, a method left out, profiles
of different depths, a flat ReLU without zero fractions, method names spelt like the answer's aliases,
NaN or zero fractions of the wrong length.
"""

from __future__ import annotations

import math
from typing import Any

from score._build import METHODS, question, rubric
from score._records import FLAT, GRADIENTS, evidence, ran

from grader.records.result import Finding, FindingStatus
from grader.score import score_submission

TWO_DECADES = [0.01, 0.05, 0.1, 0.5, 1.0]
ZEROS = {name: [0.0] * 5 for name in GRADIENTS}


def _support(
    answer: str,
    gradients: dict[str, list[float]],
    zero_fractions: dict[str, list[float]] | None = None,
    options: dict[str, list[str]] | None = None,
) -> Finding:
    """The ``supported_by_data`` finding of a 1.2 question with the given options (default METHODS)."""
    spec: dict[str, Any] = question(
        "1.2",
        {"id": "key", "kind": "choice", "options": options or METHODS, "expected": "batch_norm", "points": 1},
        {"id": "data", "kind": "evidence", "rule": "gradient_uniformity", "choice": "key", "points": 1},
    )
    ev = evidence({"1.2": answer}, gradients=gradients, zero_fractions=zero_fractions)
    (q,) = score_submission(rubric(spec), ev, ran(), student_id="s", source="s.ipynb").questions
    return q.findings[1]


def test_only_the_chosen_profile_is_invalid_evidence() -> None:
    finding = _support("Batch Norm", {"batch_norm": TWO_DECADES})
    assert finding.status is FindingStatus.INVALID and finding.points == 0
    assert finding.message == (
        "invalid: GRADIENTS: no profile for ['baseline', 'skip', 'relu', 'elu']: an answer is judged "
        "against the sigmoid baseline and all four options the sheet names"
    )


def test_the_baseline_is_required_too() -> None:
    gradients = {k: v for k, v in GRADIENTS.items() if k != "baseline"}
    finding = _support("BN", gradients, ZEROS)
    assert finding.status is FindingStatus.INVALID
    assert "no profile for ['baseline']" in finding.message


def test_different_layer_counts_are_invalid() -> None:
    gradients = {**GRADIENTS, "ELU": [0.001, 0.01, 0.1, 1.0]}
    finding = _support("BN", gradients, {k: v for k, v in ZEROS.items() if k != "ELU"})
    assert finding.status is FindingStatus.INVALID
    assert "different numbers of layers" in finding.message and "'elu': 4" in finding.message


def test_flat_relu_without_zero_fractions_cannot_be_told() -> None:
    gradients = {**GRADIENTS, "ReLU": FLAT, "Batch Norm": TWO_DECADES}
    finding = _support("ReLU", gradients)
    assert finding.status is FindingStatus.FAILED
    assert "cannot tell whether 'relu' drops to zero: its zero fractions were not given" in finding.message
    assert _support("ReLU", gradients, {"ReLU": [0.0] * 5}).status is FindingStatus.PASSED


def test_an_untold_relu_still_competes_for_the_flattest() -> None:
    gradients = {**GRADIENTS, "ReLU": FLAT, "Batch Norm": TWO_DECADES}
    finding = _support("BN", gradients)
    assert finding.status is FindingStatus.FAILED
    assert "'relu' may drop to zero, but without its zero fractions this cannot be told" in finding.message
    dead = {"ReLU": [0.0, 0.3, 0.5, 0.2, 0.0]}
    assert _support("Batch Norm", {**gradients, "Batch Norm": FLAT}, dead).status is FindingStatus.PASSED


def test_gradients_keys_take_the_answers_aliases() -> None:
    options = {**METHODS, "skip": ["shortcut"]}
    gradients = {**GRADIENTS, "Batch Norm": TWO_DECADES}
    gradients["Shortcut"] = gradients.pop("Skip Connections")
    finding = _support("Shortcut", gradients, options=options)
    assert finding.status is FindingStatus.PASSED, finding.message
    assert finding.message.startswith("'skip' is supported by your GRADIENTS: U(skip)=1.30")


def test_unknown_keys_are_listed_with_the_missing_method() -> None:
    gradients = {**GRADIENTS, "Batch Normalisierung": list(FLAT)}
    del gradients["Batch Norm"]
    finding = _support("BN", gradients)
    assert finding.status is FindingStatus.INVALID
    assert finding.message.endswith("(ignored entries that name no method: ['Batch Normalisierung'])")


def test_nan_in_any_profile_is_invalid_not_unsupported() -> None:
    chosen = _support("BN", {**GRADIENTS, "Batch Norm": [1.0, math.nan, 0.9, 0.8, 0.7]})
    other = _support("BN", {**GRADIENTS, "ELU": [1.0, math.nan, 0.9, 0.8, 0.7]})
    assert (chosen.status, other.status) == (FindingStatus.INVALID, FindingStatus.INVALID)
    assert "'batch_norm': layer 2 has nan; expected a finite value >= 0" in chosen.message
    assert "'elu': layer 2 has nan" in other.message


def test_zero_fractions_of_the_wrong_length_are_invalid() -> None:
    finding = _support("BN", GRADIENTS, {**ZEROS, "Batch Norm": [0.0, 0.0, 0.0]})
    assert finding.status is FindingStatus.INVALID
    assert "'batch_norm': zero fractions have 3 layers, magnitudes 5" in finding.message


def test_complete_evidence_still_supports_the_key() -> None:
    finding = _support("BN", GRADIENTS, ZEROS)
    assert finding.status is FindingStatus.PASSED and finding.points == 1
