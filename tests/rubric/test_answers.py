"""Students' answers are read the way they really write them; unreadable ones say why."""

from __future__ import annotations

import pytest

from grader.records.collected import Scalar
from grader.rubric import Unreadable, read_choice, read_number
from grader.rubric._criteria import choice_table

from ._build import METHODS, TRUTH

TRUTH_TABLE = choice_table({k: tuple(v) for k, v in TRUTH.items()})
METHOD_TABLE = choice_table({k: tuple(v) for k, v in METHODS.items()})


@pytest.mark.parametrize(
    ("raw", "option"),
    [
        ("Incorrect", "incorrect"),
        ("incorrect ", "incorrect"),
        (False, "incorrect"),
        (True, "correct"),
        ("[x] Incorrect", "incorrect"),
        ("- [ ] Correct\n- [x] Incorrect", "incorrect"),
        ("Correct: [ ] Incorrect: [x]", "incorrect"),
        ("Incorrect: [X]  Correct: [ ]", "incorrect"),
        ("**Incorrect.**", "incorrect"),
        ("`correct`", "correct"),
        ("FALSE", "incorrect"),
        ("no", "incorrect"),
    ],
)
def test_true_false_spellings(raw: Scalar, option: str) -> None:
    assert read_choice(raw, TRUTH_TABLE) == option


@pytest.mark.parametrize(
    ("raw", "option"),
    [
        ("Batch Norm", "batch_norm"),
        ("batchnorm", "batch_norm"),
        ("BN", "batch_norm"),
        ("batch_norm", "batch_norm"),
        ("Batch-Normalization", "batch_norm"),
        ("Skip Connections", "skip"),
        ("ReLU Activation", "relu"),
        ("ELU", "elu"),
    ],
)
def test_method_spellings(raw: Scalar, option: str) -> None:
    assert read_choice(raw, METHOD_TABLE) == option


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        (
            "The statement is incorrect",
            "could not match 'The statement is incorrect' to an option; expected one of "
            "['correct', 'incorrect']",
        ),
        ("[x] Correct [x] Incorrect", "2 boxes are ticked in '[x] Correct [x] Incorrect'; tick exactly one"),
        ("", "the answer '' is empty"),
        (None, "the answer is empty (None)"),
        (3, "could not match 3 to an option"),
    ],
)
def test_unreadable_choices(raw: Scalar, reason: str) -> None:
    result = read_choice(raw, TRUTH_TABLE)
    assert isinstance(result, Unreadable) and result.reason.startswith(reason)


@pytest.mark.parametrize(
    ("raw", "value"),
    [
        ("x_1 = 0", 0.0),
        ("0.0", 0.0),
        ("42.", 42.0),
        ("x1=0", 0.0),
        (" 42 ", 42.0),
        (42.0, 42.0),
        (42, 42.0),
        ("$x_1 = 0$", 0.0),
        ("dL/dw11 = 42", 42.0),
        ("0,5", 0.5),
        ("-1/2", -0.5),
        ("−42", -42.0),
        ("4.2e1", 42.0),
    ],
)
def test_number_spellings(raw: Scalar, value: float) -> None:
    assert read_number(raw) == value


@pytest.mark.parametrize(
    ("raw", "reason"),
    [
        ("forty-two", "could not read 'forty-two' as a number"),
        (True, "expected a number, got True (a yes/no value)"),
        ("nan", "could not read 'nan' as a number"),
        (float("inf"), "expected a finite number, got inf"),
        ("1/0", "could not read '1/0' as a number"),
        (None, "the answer is empty (None)"),
        ("42 or 84", "could not read '42 or 84' as a number"),
    ],
)
def test_unreadable_numbers(raw: Scalar, reason: str) -> None:
    assert read_number(raw) == Unreadable(reason)
