"""Build small rubrics from dicts for tests: ``rubric(question(...))`` -> parsed ``Rubric``."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import yaml

from grader.rubric import Rubric, parse_rubric

BASE: dict[str, Any] = {
    "schema_version": 1,
    "id": "t",
    "assignment": "week11",
    "title": "Test rubric",
    "max_points": 0,
    "profiles": {"quick": {"max_epochs": 1}, "full": {"max_epochs": 2}},
    "data": {"train": {"kind": "synthetic", "seed": 0}},
    "questions": [],
}


def question(qid: str, *criteria: dict[str, Any], points: float = 2, **extra: Any) -> dict[str, Any]:
    return {"id": qid, "title": f"Question {qid}", "points": points, **extra, "criteria": list(criteria)}


def rubric_data(*questions: dict[str, Any], **top: Any) -> dict[str, Any]:
    data = copy.deepcopy(BASE)
    data["questions"] = copy.deepcopy(list(questions))
    data["max_points"] = sum(q["points"] for q in questions if not q.get("extra_credit"))
    data["extra_max_points"] = sum(q["points"] for q in questions if q.get("extra_credit"))
    data.update(top)
    return data


def dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False)


def rubric(*questions: dict[str, Any], base_dir: Path | None = None, **top: Any) -> Rubric:
    return parse_rubric(dump(rubric_data(*questions, **top)), source="test.yaml", base_dir=base_dir)


TRUTH = {"correct": ["true", "yes"], "incorrect": ["false", "no", "wrong"]}
METHODS = {
    "skip": ["skip connections", "skip connection"],
    "batch_norm": ["batch norm", "batch normalization", "bn"],
    "relu": ["relu activation"],
    "elu": ["elu activation"],
}
