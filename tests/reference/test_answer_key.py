"""The answer key is computed by code and matches vanishing-gradients.md."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from grader.rubric import ChoiceCriterion, NumberCriterion, load_rubric, read_choice
from reference.answers import answer_key, rotation_errors, weight_gradient, xnor_lp_status

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"


def test_answers_by_question() -> None:
    assert answer_key().by_question() == {
        "1.2": "batch_norm",
        "3.1": "Incorrect",
        "3.2": "Incorrect",
        "3.3": 0.0,
        "3.4": 42.0,
    }


def test_evidence_numbers() -> None:
    evidence = answer_key().evidence
    assert evidence.xnor_lp_status == 2
    assert evidence.dl_dw == ((42.0, 42.0), (84.0, 84.0))
    assert evidence.rotation_relative_error[0] > 0.1 and evidence.translation_relative_error < 1e-6
    assert evidence.gradient_supported == ("batch_norm",)
    assert evidence.gradient_zero_fraction["relu"] > 0.01


def test_building_blocks() -> None:
    assert xnor_lp_status() == 2
    rotation, translation = rotation_errors(n_kernels=3)
    assert min(rotation) > 0.1 and max(translation) < 1e-6
    assert float(weight_gradient()[0, 0]) == 42.0


def test_cli_prints_one_json_object() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "reference.answers"], capture_output=True, text=True, check=True
    )
    lines = done.stdout.strip().splitlines()
    assert len(lines) == 1
    record = json.loads(lines[0])
    assert record["1.2"] == "batch_norm" and record["3.4"] == 42.0 and "evidence" in record


def test_the_rubrics_keys_are_the_computed_answers() -> None:
    """rubrics/week11.yaml's ``expected`` values are reference.answers' (the first, where several are accepted)."""
    computed = answer_key().by_question()
    keys: dict[str, object] = {}
    for question in load_rubric(WEEK11).questions:
        for criterion in question.criteria:
            if isinstance(criterion, ChoiceCriterion):
                keys[question.id] = criterion.expected == (
                    read_choice(computed[question.id], criterion.table),
                )
            elif isinstance(criterion, NumberCriterion):
                keys[question.id] = criterion.expected[0] == computed[question.id]
    assert keys == dict.fromkeys(computed, True)
