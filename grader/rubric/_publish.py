"""The student rubric: what the self-check needs of a rubric, as YAML, with nothing secret in it.

``grader rubric publish rubrics/week11.yaml -o week11.check.yaml`` writes it; ``grader assign --rubric``
embeds it in the template (``metadata.grader.check_rubric``). It is :func:`~._public.public_view` written
out: public criteria, every question's contract (answer ids, option lists and accepted spellings, whether
a number is expected), profiles, limits and the training data's description. Hidden criteria keep only
their id, points and the answer they read; ``expected`` keys, tolerances, thresholds, targeted ``feedback``
(of every criterion) and ``data.hidden`` (source, paths, seed) are left out.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from grader.errors import RubricError
from grader.rubric._load import parse_rubric
from grader.rubric._public import public_view
from grader.rubric._rubric import Rubric

__all__ = ["publish_rubric", "published_data"]

_HEADER = (
    "# Student rubric for the self-check (grader check), written by `grader rubric publish` from {source}.\n"
    "# Hidden checks are listed by id and points only: they are made when your notebook is graded.\n"
)


def _without_none(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _without_none(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_without_none(v) for v in value]
    return value


def _strip_feedback(data: dict[str, Any]) -> dict[str, Any]:
    for question in data.get("questions", []):
        for criterion in question.get("criteria", []):
            criterion.pop("feedback", None)
    return data


def published_data(rubric: Rubric) -> dict[str, Any]:
    """The student rubric as plain data (what :func:`publish_rubric` writes)."""
    view = public_view(rubric)
    data: dict[str, Any] = view.model_dump(mode="json", exclude={"origin"}, serialize_as_any=True)
    data["data"].pop("hidden", None)
    return _strip_feedback(_without_none(data))


def _dump(rubric: Rubric) -> dict[str, Any]:
    return rubric.model_dump(mode="json", exclude={"origin"}, serialize_as_any=True)


def publish_rubric(rubric: Rubric) -> str:
    """The student rubric of ``rubric`` as YAML text; it parses back to ``public_view(rubric)``.

    Raises:
        RubricError: the written text would not load as the same public view (a bug, never a student's).
    """
    import yaml

    source = Path(rubric.origin.path).name if rubric.origin else "a rubric"
    text = _HEADER.format(source=source) + yaml.safe_dump(
        published_data(rubric), sort_keys=False, allow_unicode=True, width=110
    )
    back = parse_rubric(text, source=f"student rubric of {source}")
    view = public_view(rubric)
    want = view.model_copy(update={"data": view.data.model_copy(update={"hidden": None})})
    if _strip_feedback(_dump(back)) != _strip_feedback(_dump(want)):
        raise RubricError(f"{source}: the student rubric does not load back as the rubric's public view")
    return text
