"""docs/rubric-format.md stays true to the code: the example, every key and the error messages shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from grader.errors import RubricError
from grader.rubric import (
    CRITERIA,
    DATA_SOURCES,
    EVIDENCE_RULES,
    METRICS,
    LatePenalty,
    NumberFeedback,
    Profile,
    Question,
    Rubric,
    leaf_criterion_types,
    parse_rubric,
)
from grader.rubric._base import allowed_keys

from ._doc_errors import DOC_ERRORS, Mutation

ROOT = Path(__file__).resolve().parents[2]
DOC = (ROOT / "docs" / "rubric-format.md").read_text(encoding="utf-8")
WEEK11 = (ROOT / "rubrics" / "week11.yaml").read_text(encoding="utf-8")


def test_complete_example_is_the_week11_rubric() -> None:
    blocks = re.findall(r"```yaml\n(.*?)```", DOC, flags=re.S)
    assert WEEK11 in blocks


@pytest.mark.parametrize("mutate", [m for _, m in DOC_ERRORS], ids=[n for n, _ in DOC_ERRORS])
def test_error_messages_shown_are_the_real_ones(mutate: Mutation) -> None:
    data = yaml.safe_load(WEEK11)
    mutate(data)
    with pytest.raises(RubricError) as caught:
        parse_rubric(yaml.safe_dump(data, sort_keys=False), source="rubrics/week11.yaml")
    assert f"{type(caught.value).__name__}: {caught.value}" in DOC


def _models() -> list[type]:
    classes: list[type] = [Rubric, Question, LatePenalty, Profile, NumberFeedback]
    return classes + list(leaf_criterion_types()) + list(DATA_SOURCES.classes.values())


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_key_is_documented(model: type[Rubric]) -> None:
    missing = [key for key in allowed_keys(model) if f"`{key}`" not in DOC]
    assert not missing, f"{model.__name__}: keys not in docs/rubric-format.md: {missing}"


def test_every_kind_rule_and_metric_is_documented() -> None:
    names = [*CRITERIA.classes, *EVIDENCE_RULES.classes, *METRICS, *DATA_SOURCES.classes]
    assert [
        n for n in names if f"`{n}`" not in DOC and f"kind: {n}" not in DOC and f"rule: {n}" not in DOC
    ] == []
