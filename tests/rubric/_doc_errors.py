"""Mutations of rubrics/week11.yaml whose error messages docs/rubric-format.md shows verbatim."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

Mutation = Callable[[dict[str, Any]], object]


def _q(data: dict[str, Any], qid: str) -> dict[str, Any]:
    question: dict[str, Any] = next(q for q in data["questions"] if q["id"] == qid)
    return question


DOC_ERRORS: list[tuple[str, Mutation]] = [
    ("unknown key", lambda d: _q(d, "2.5")["criteria"][0].update(treshold=0.75)),
    ("unknown metric", lambda d: _q(d, "2.5")["criteria"][0].update(metric="hiden_roc_auc")),
    ("unknown kind", lambda d: _q(d, "3.3")["criteria"][0].update(kind="numbr")),
    ("bad value", lambda d: _q(d, "3.1").update(points="2")),
    ("id as number", lambda d: _q(d, "3.1").update(id=3.1)),
    ("missing key", lambda d: _q(d, "3.1").pop("title")),
    ("key not an option", lambda d: _q(d, "3.1")["criteria"][0].update(expected="incorect")),
    ("points do not add up", lambda d: d.update(max_points=16)),
    ("threshold out of bounds", lambda d: _q(d, "2.5")["criteria"][0].update(threshold=75)),
    ("newer schema", lambda d: d.update(schema_version=2)),
    ("no schema", lambda d: d.pop("schema_version")),
]
