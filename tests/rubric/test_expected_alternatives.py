"""``expected`` may list accepted alternatives for number and choice criteria (issue 14, item 7)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from grader.errors import RubricError
from grader.rubric import ChoiceCriterion, NumberCriterion, parse_rubric

from ._build import TRUTH, dump, question, rubric, rubric_data

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"
FEEDBACK_84 = {"value": 84, "message": "84 is dL/dw21"}


def _number(**criterion: Any) -> NumberCriterion:
    parsed = rubric(question("3.4", {"id": "key", "kind": "number", **criterion})).questions[0].criteria[0]
    assert isinstance(parsed, NumberCriterion)
    return parsed


def _error(criterion: dict[str, Any]) -> str:
    with pytest.raises(RubricError) as caught:
        parse_rubric(dump(rubric_data(question("3.4", {"id": "key", **criterion}))), source="x.yaml")
    return str(caught.value)


def test_one_number_or_a_list() -> None:
    assert _number(expected=42).expected == (42.0,)
    both = _number(expected=[42, 84], abs_tol=1e-6)
    assert both.expected == (42.0, 84.0)
    assert (both.accepts(84.0000001), both.accepts(42.0), both.accepts(63.0)) == (84.0, 42.0, None)


def test_relative_tolerance_is_taken_around_each_alternative() -> None:
    key = _number(expected=[1, 100], rel_tol=0.1)
    assert (key.tolerance_at(1), key.tolerance_at(100)) == (0.1, 10.0)
    assert key.accepts(91) == 100 and key.accepts(1.2) is None


def test_the_answer_key_lists_alternatives() -> None:
    parsed = rubric(question("3.4", {"id": "key", "kind": "number", "expected": [42, 84]}))
    assert parsed.answer_key() == {"3.4": (42.0, 84.0)}


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ([], "questions[0].criteria[0].expected (question '3.4'): expected at least 1 item(s), got 0"),
        ([42, "84"], "questions[0].criteria[0].expected[1] (question '3.4'): expected a number, got '84'"),
        ([42, True], "questions[0].criteria[0].expected[1] (question '3.4'): expected a number, got True"),
        (
            [42, float("nan")],
            "questions[0].criteria[0].expected[1] (question '3.4'): expected a finite number, got nan",
        ),
        (
            "42",
            "questions[0].criteria[0].expected (question '3.4'): expected a number or a list of numbers, "
            "got '42'",
        ),
        (
            {"a": 42},
            "questions[0].criteria[0].expected (question '3.4'): expected a number or a list of numbers, "
            "got {'a': 42}",
        ),
        (
            float("inf"),
            "questions[0].criteria[0].expected (question '3.4'): expected a finite number, got inf",
        ),
    ],
    ids=["empty", "string item", "bool item", "nan item", "string", "mapping", "infinite"],
)
def test_number_expected_errors(expected: object, message: str) -> None:
    assert _error({"kind": "number", "expected": expected}) == f"x.yaml: {message}"


def test_feedback_is_only_for_answers_not_accepted() -> None:
    key = _number(expected=[42, 84], abs_tol=1e-6, feedback=[FEEDBACK_84])
    assert key.accepts(84) == 84 and key.feedback[0].value == 84


@pytest.mark.parametrize(
    ("expected", "message"),
    [
        ([], "expected (question '3.4'): expected at least 1 item(s), got 0"),
        (["incorrect", "incorect"], "expected[1] (question '3.4'): unknown 'incorect'; expected one of"),
    ],
    ids=["empty", "unknown item"],
)
def test_choice_expected_errors(expected: object, message: str) -> None:
    text = _error({"kind": "choice", "options": TRUTH, "expected": expected})
    assert text.startswith(f"x.yaml: questions[0].criteria[0].{message}"), text


def test_choice_list() -> None:
    parsed = rubric(
        question("3.1", {"id": "key", "kind": "choice", "options": TRUTH, "expected": ["correct"]})
    )
    key = parsed.questions[0].criteria[0]
    assert isinstance(key, ChoiceCriterion) and key.expected == ("correct",)


def test_week11_can_accept_84_for_3_4() -> None:
    data = yaml.safe_load(WEEK11.read_text(encoding="utf-8"))
    key = next(q for q in data["questions"] if q["id"] == "3.4")["criteria"][0]
    key["expected"] = [42, 84]
    parsed = parse_rubric(dump(data), source="week11-84.yaml")
    assert parsed.answer_key()["3.4"] == (42.0, 84.0)
