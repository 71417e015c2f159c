"""Rubric stage: parse ``rubrics/*.yaml`` once into typed, frozen objects.

``load_rubric(path) -> Rubric`` is the entry point; ``public_view(rubric)`` is what the student
self-check may see. The format is described in ``docs/rubric-format.md``.
"""

from __future__ import annotations

from grader.rubric._answers import Unreadable, choice_key, read_choice, read_number
from grader.rubric._base import Visibility
from grader.rubric._criteria import (
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
    LatePenalty,
    Profile,
    Profiles,
)

__all__ = [
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
