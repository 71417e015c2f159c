"""docs/rubric-format.md stays true to the code: the example, every key and the error messages shown."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from grader.errors import RubricError
from grader.packs import available_packs, load_pack
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
from grader.rubric._metrics import metric_owner

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


PACKS = [load_pack(name) for name in available_packs()]  # every pack's kinds registered before collection


def _doc_of(owner: str) -> tuple[str, str]:
    """Where a name registered by ``owner`` is documented: the rubric format, or the pack's README (a pack
    other than Week 11 documents its own data kinds there)."""
    readme = ROOT / "assignments" / owner / "README.md"
    if owner and owner != "week11" and readme.is_file():
        return f"assignments/{owner}/README.md", readme.read_text(encoding="utf-8")
    return "docs/rubric-format.md", DOC


def _owner(model: type) -> str:
    for registry in (CRITERIA, EVIDENCE_RULES, DATA_SOURCES):
        for value, cls in registry.classes.items():
            if cls is model:
                return registry.owner(value)
    return ""


def _models() -> list[type]:
    classes: list[type] = [Rubric, Question, LatePenalty, Profile, NumberFeedback]
    return classes + list(leaf_criterion_types()) + list(DATA_SOURCES.classes.values())


@pytest.mark.parametrize("model", _models(), ids=lambda m: m.__name__)
def test_every_key_is_documented(model: type[Rubric]) -> None:
    where, doc = _doc_of(_owner(model))
    missing = [key for key in allowed_keys(model) if f"`{key}`" not in doc]
    assert not missing, f"{model.__name__}: keys not in {where}: {missing}"


def test_every_kind_rule_and_metric_is_documented() -> None:
    registered = [(n, r.owner(n)) for r in (CRITERIA, EVIDENCE_RULES, DATA_SOURCES) for n in r.classes]
    registered += [(n, metric_owner(n)) for n in METRICS]
    assert [
        (n, _doc_of(owner)[0]) for n, owner in registered
        if not any(form in _doc_of(owner)[1] for form in (f"`{n}`", f"kind: {n}", f"rule: {n}"))
    ] == []
