"""late_penalty, data paths and the public surface of grader.rubric."""

from __future__ import annotations

from pathlib import Path

import pytest

import grader.rubric
from assignments.week11.sources import FastaData, TableData
from grader.rubric import LatePenalty

from ._build import TRUTH, question, rubric

EXPORTS = [
    "CRITERIA",
    "DATA_SOURCES",
    "EVIDENCE_RULES",
    "METRICS",
    "SCHEMA_VERSION",
    "ArtifactCriterion",
    "ChoiceCriterion",
    "Criterion",
    "DataSource",
    "DataSpec",
    "DeferredCriterion",
    "EvidenceCriterion",
    "ExpectedValue",
    "LatePenalty",
    "MetricCriterion",
    "MetricReading",
    "MetricSpec",
    "NumberCriterion",
    "NumberFeedback",
    "Profile",
    "Profiles",
    "Question",
    "ReportedVsMeasured",
    "Rubric",
    "RubricOrigin",
    "Unreadable",
    "Visibility",
    "choice_key",
    "leaf_criterion_types",
    "load_rubric",
    "parse_rubric",
    "public_view",
    "publish_rubric",
    "published_data",
    "read_choice",
    "read_number",
    "register_metric",
]


def _isort_key(name: str) -> tuple[int, str]:
    return (0 if name.isupper() else 1 if name[0].isupper() else 2, name)


def test_public_surface_is_pinned_and_sorted() -> None:
    assert grader.rubric.__all__ == EXPORTS
    assert sorted(EXPORTS, key=_isort_key) == EXPORTS
    for name in EXPORTS:
        assert getattr(grader.rubric, name) is not None
    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        _ = grader.rubric.nope


@pytest.mark.parametrize(
    ("policy", "late_days", "fraction"),
    [
        (LatePenalty(), 3.0, 0.0),
        (LatePenalty(per_day=0.1), 0.0, 0.0),
        (LatePenalty(per_day=0.1), -2.0, 0.0),
        (LatePenalty(per_day=0.1), 0.01, 0.1),
        (LatePenalty(per_day=0.1), 1.0, 0.1),
        (LatePenalty(per_day=0.1), 1.0001, 0.2),
        (LatePenalty(per_day=0.1, whole_days=False), 1.5, 0.15),
        (LatePenalty(per_day=0.1, grace_hours=1), 1 / 24, 0.0),
        (LatePenalty(per_day=0.1, grace_hours=1), 2 / 24, 0.1),
        (LatePenalty(per_day=0.25, max_fraction=0.5), 10.0, 0.5),
    ],
)
def test_late_fraction(policy: LatePenalty, late_days: float, fraction: float) -> None:
    assert policy.fraction(late_days) == pytest.approx(fraction)


def test_data_paths_resolve_against_the_rubric_folder(tmp_path: Path) -> None:
    data = {
        "train": {"kind": "fasta", "positive": "data/liver.fa", "negative": "/abs/other.fa"},
        "hidden": {"kind": "table", "path": "hidden.tsv", "label_column": "y"},
    }
    r = rubric(
        question("3.1", {"id": "k", "kind": "choice", "options": TRUTH, "expected": "correct"}),
        data=data,
        base_dir=tmp_path,
    )
    assert isinstance(r.data.train, FastaData) and isinstance(r.data.hidden, TableData)
    assert r.data.train.positive == tmp_path / "data" / "liver.fa"
    assert r.data.train.negative == Path("/abs/other.fa")
    assert (r.data.hidden.path, r.data.hidden.label_column) == (tmp_path / "hidden.tsv", "y")
