"""``grader rubric publish``: the student rubric holds what the self-check needs and nothing secret."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import yaml
from typer.testing import CliRunner

from grader.cli import app
from grader.rubric import (
    ChoiceCriterion,
    NumberCriterion,
    Visibility,
    load_rubric,
    parse_rubric,
    public_view,
    publish_rubric,
)

WEEK11 = Path(__file__).parents[2] / "rubrics" / "week11.yaml"
_SECRET_KEYS = {"expected", "feedback", "abs_tol", "rel_tol", "threshold", "tolerance", "hidden"}


def _keys(value: Any) -> set[str]:
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in _keys(v)}
    if isinstance(value, list):
        return {k for v in value for k in _keys(v)}
    return set()


def _published(tmp_path: Path) -> str:
    out = tmp_path / "week11.check.yaml"
    result = CliRunner().invoke(app, ["rubric", "publish", str(WEEK11), "-o", str(out)])
    assert result.exit_code == 0, result.output
    return out.read_text(encoding="utf-8")


def test_no_key_feedback_or_hidden_data_of_the_full_rubric_is_published(tmp_path: Path) -> None:
    text = _published(tmp_path)
    full = load_rubric(WEEK11)
    data = yaml.safe_load(text)
    hidden_ids = {(q.id, c.id) for q in full.questions for c in q.criteria
                  if Visibility.HIDDEN in (q.visibility, c.visibility)}
    for q in data["questions"]:
        for c in q["criteria"]:
            if (q["id"], c["id"]) in hidden_ids:
                assert c["kind"] == "deferred", c
                assert not _SECRET_KEYS & set(c), c
    assert "hidden" not in data["data"]
    assert "feedback" not in _keys(data) and "expected" not in _keys(data)
    for q in full.questions:
        for c in q.criteria:
            messages = list(c.feedback.values()) if isinstance(c, ChoiceCriterion) else (
                [f.message for f in c.feedback] if isinstance(c, NumberCriterion) else [])
            for message in messages:
                assert message not in text
    hidden = full.data.hidden
    assert hidden is not None and getattr(hidden, "seed", None) == 1
    assert not re.search(r"^\s*seed: 1$", text, re.M)
    assert full.answer_key()  # the full rubric has keys: none of them is under `expected` above


def test_the_student_rubric_loads_as_the_public_view(tmp_path: Path) -> None:
    back = parse_rubric(_published(tmp_path))
    view = public_view(load_rubric(WEEK11))
    assert [q.id for q in back.questions] == [q.id for q in view.questions]
    assert {(q.id, c.id): c.reads_answer() for q in back.questions for c in q.criteria} == {
        (q.id, c.id): c.reads_answer() for q in view.questions for c in q.criteria
    }
    assert back.profiles == view.profiles and back.data.train == view.data.train
    assert public_view(back) == back.model_copy(update={"origin": back.origin})


def test_the_week11_template_embeds_exactly_the_published_rubric() -> None:
    import nbformat

    template = nbformat.read(WEEK11.parents[1] / "assignments" / "week11" / "template.ipynb", as_version=4)
    assert template.metadata.grader.check_rubric == publish_rubric(load_rubric(WEEK11))


def test_a_template_from_before_rubrics_named_their_pack_still_checks_as_week11(tmp_path: Path) -> None:
    import nbformat

    from grader.selfcheck import find_rubric

    template = nbformat.read(WEEK11.parents[1] / "assignments" / "week11" / "template.ipynb", as_version=4)
    embedded = template.metadata.grader.check_rubric
    template.metadata.grader.check_rubric = re.sub(r"^assignment: week11\n", "", embedded, flags=re.MULTILINE)
    assert not re.search(r"^assignment:", template.metadata.grader.check_rubric, flags=re.MULTILINE)  # as handed out before
    rubric = find_rubric(tmp_path / "week11.ipynb", template, None)
    assert rubric.assignment == "week11" and rubric.pack().name == "week11"
