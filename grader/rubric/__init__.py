"""Rubric stage: parse ``rubrics/*.yaml`` once into typed, frozen objects.

``load_rubric(path) -> Rubric`` is the entry point; ``public_view(rubric)`` is what the student
self-check may see. The format is described in ``docs/rubric-format.md``.

Public names are imported on first use (PEP 562), so ``import grader.rubric`` costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader._lazy import lazy_names

if TYPE_CHECKING:
    from grader.rubric._answers import Unreadable, choice_key, read_choice, read_number
    from grader.rubric._base import Visibility
    from grader.rubric._criteria import (
        ARTIFACTS,
        CRITERIA,
        ArtifactCriterion,
        ChoiceCriterion,
        Criterion,
        DeferredCriterion,
        MetricCriterion,
        NumberCriterion,
        NumberFeedback,
    )
    from grader.rubric._evidence import (
        EVIDENCE_RULES,
        EvidenceCriterion,
        ReportedVsMeasured,
        leaf_criterion_types,
    )
    from grader.rubric._load import load_rubric, parse_rubric
    from grader.rubric._metrics import METRICS, MetricReading, MetricSpec, register_metric
    from grader.rubric._public import public_view
    from grader.rubric._publish import publish_rubric, published_data
    from grader.rubric._rubric import SCHEMA_VERSION, ExpectedValue, Question, Rubric, RubricOrigin
    from grader.rubric._sections import (
        DATA_SOURCES,
        DataSource,
        DataSpec,
        FastaData,
        LatePenalty,
        Profile,
        Profiles,
        SyntheticData,
        TableData,
    )

__all__ = [
    "ARTIFACTS",
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
    "FastaData",
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
    "SyntheticData",
    "TableData",
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

_WHERE: dict[str, str] = {
    "ARTIFACTS": "grader.rubric._criteria",
    "ArtifactCriterion": "grader.rubric._criteria",
    "CRITERIA": "grader.rubric._criteria",
    "ChoiceCriterion": "grader.rubric._criteria",
    "Criterion": "grader.rubric._criteria",
    "DATA_SOURCES": "grader.rubric._sections",
    "DataSource": "grader.rubric._sections",
    "DataSpec": "grader.rubric._sections",
    "DeferredCriterion": "grader.rubric._criteria",
    "EVIDENCE_RULES": "grader.rubric._evidence",
    "EvidenceCriterion": "grader.rubric._evidence",
    "ExpectedValue": "grader.rubric._rubric",
    "FastaData": "grader.rubric._sections",
    "LatePenalty": "grader.rubric._sections",
    "METRICS": "grader.rubric._metrics",
    "MetricCriterion": "grader.rubric._criteria",
    "MetricReading": "grader.rubric._metrics",
    "MetricSpec": "grader.rubric._metrics",
    "NumberCriterion": "grader.rubric._criteria",
    "NumberFeedback": "grader.rubric._criteria",
    "Profile": "grader.rubric._sections",
    "Profiles": "grader.rubric._sections",
    "Question": "grader.rubric._rubric",
    "ReportedVsMeasured": "grader.rubric._evidence",
    "Rubric": "grader.rubric._rubric",
    "RubricOrigin": "grader.rubric._rubric",
    "SCHEMA_VERSION": "grader.rubric._rubric",
    "SyntheticData": "grader.rubric._sections",
    "TableData": "grader.rubric._sections",
    "Unreadable": "grader.rubric._answers",
    "Visibility": "grader.rubric._base",
    "choice_key": "grader.rubric._answers",
    "leaf_criterion_types": "grader.rubric._evidence",
    "load_rubric": "grader.rubric._load",
    "parse_rubric": "grader.rubric._load",
    "public_view": "grader.rubric._public",
    "publish_rubric": "grader.rubric._publish",
    "published_data": "grader.rubric._publish",
    "read_choice": "grader.rubric._answers",
    "read_number": "grader.rubric._answers",
    "register_metric": "grader.rubric._metrics",
}


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
