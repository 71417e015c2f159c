"""rubrics/week11.yaml reproduces the exercise sheet: 15 points + 5 extra, keys as data, keys hidden."""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from assignments.week11.criteria import GRADIENT_METHODS, GradientUniformity
from assignments.week11.sources import SyntheticData
from grader.execute.config import ExecutionConfig
from grader.rubric import (
    ChoiceCriterion,
    NumberCriterion,
    Rubric,
    Visibility,
    load_rubric,
)

WEEK11 = Path(__file__).resolve().parents[3] / "rubrics" / "week11.yaml"
SHEET_POINTS = {"1.1": 0, "1.2": 2, "2.4": 0, "2.5": 5, "2.6": 5, "3.1": 2, "3.2": 2, "3.3": 2, "3.4": 2}


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(WEEK11)


def test_totals_match_the_sheet(week11: Rubric) -> None:
    assert (week11.max_points, week11.extra_max_points) == (15, 5)
    assert {q.id: q.points for q in week11.questions} == SHEET_POINTS
    assert [q.id for q in week11.questions if q.extra_credit] == ["2.6"]
    assert sum(q.points for q in week11.questions if not q.extra_credit) == 15


def test_answer_key_is_data(week11: Rubric) -> None:
    assert week11.answer_key() == {
        "1.2": "batch_norm",
        "3.1": "incorrect",
        "3.2": "incorrect",
        "3.3": 0.0,
        "3.4": 42.0,
    }


def test_the_sheet_gives_no_points_for_partial_answers(week11: Rubric) -> None:
    assert all(q.all_or_nothing for q in week11.questions if q.points > 0)


def test_keys_are_hidden(week11: Rubric) -> None:
    for question in week11.questions:
        for criterion in question.criteria:
            if isinstance(criterion, ChoiceCriterion | NumberCriterion):
                assert criterion.visibility is Visibility.HIDDEN, (question.id, criterion.id)


def test_question_1_2_has_two_findings_that_combine_all_or_nothing(week11: Rubric) -> None:
    q = week11.question("1.2")
    key, support = q.criteria
    assert isinstance(key, ChoiceCriterion) and isinstance(support, GradientUniformity)
    assert (key.expected, support.choice, q.all_or_nothing) == (("batch_norm",), key.id, True)
    assert (support.relative_floor, support.max_zero_fraction, support.slack_decades) == (1e-6, 0.01, 0.3)
    assert not support.include_output_layer and not support.drop_last
    assert set(key.options) == set(GRADIENT_METHODS)


def test_3_4_explains_84(week11: Rubric) -> None:
    key = week11.question("3.4").criteria[0]
    assert isinstance(key, NumberCriterion)
    assert any(f.value == 84 and "w21" in f.message for f in key.feedback)


def test_sections(week11: Rubric) -> None:
    assert isinstance(week11.execution, ExecutionConfig)
    assert week11.execution.sandbox == "required"
    quick = week11.profiles.quick
    assert (quick.max_epochs, quick.n_per_class, quick.folds) == (3, 600, 5)
    assert isinstance(week11.data.train, SyntheticData) and week11.data.train.seed == 0
    assert isinstance(week11.data.hidden, SyntheticData) and week11.data.hidden.seed != week11.data.train.seed
    assert week11.due is not None and week11.due.utcoffset() is not None


def test_origin_pins_the_file(week11: Rubric) -> None:
    assert week11.origin is not None and week11.origin.path == str(WEEK11)
    assert week11.rubric_id == f"week11@{week11.origin.sha256[:12]}"


def test_gradient_methods_match_the_reference_rule() -> None:
    evidence = pytest.importorskip("reference.gradients.evidence")
    assert evidence.COUNTERMEASURES == GRADIENT_METHODS


def test_pickles_for_worker_processes(week11: Rubric) -> None:
    copy = pickle.loads(pickle.dumps(week11))
    assert copy == week11 and copy.rubric_id == week11.rubric_id
