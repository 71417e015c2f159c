"""Gradescope results.json: parsed back, checked against the autograder spec's fields."""

from __future__ import annotations

import json
from pathlib import Path

from grader.export import final_grade, write_gradescope
from grader.records.graded import GradedSubmission
from grader.render._feedback import HIDDEN_CHECK_MESSAGE

TEST_KEYS = {"score", "max_score", "name", "number", "output", "tags", "visibility"}
VISIBILITIES = {"hidden", "after_due_date", "after_published", "visible"}


def test_one_results_json_per_submission_with_the_spec_fields(tmp_path: Path, graded: list[GradedSubmission]) -> None:
    paths = write_gradescope(graded, tmp_path)
    assert sorted(p.parent.name for p in paths) == sorted(g.result.student_id for g in graded)
    by_id = {g.result.student_id: g for g in graded}
    for path in paths:
        data = json.loads(path.read_text(encoding="utf-8"))
        g = by_id[path.parent.name]
        assert set(data) == {"score", "execution_time", "output", "visibility", "tests"}
        assert data["score"] == final_grade(g.result) and isinstance(data["execution_time"], int)
        assert data["visibility"] in VISIBILITIES
        assert [t["number"] for t in data["tests"]] == [q.id for q in g.result.questions]
        for test, q in zip(data["tests"], g.result.questions, strict=True):
            assert set(test) == TEST_KEYS and test["visibility"] in VISIBILITIES
            assert (test["score"], test["max_score"]) == (q.points, q.max_points)
            assert isinstance(test["output"], str) and test["output"]


def test_hidden_findings_are_summarised(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    (path,) = write_gradescope([scenarios["wrong_answers"]], tmp_path)
    tests = {t["number"]: t for t in json.loads(path.read_text(encoding="utf-8"))["tests"]}
    output = tests["3.1"]["output"]
    assert "hidden checks: 2 point(s) not awarded" in output
    assert f"✗ Hidden check 1 (0/2): {HIDDEN_CHECK_MESSAGE}" in output
    assert "expected" not in output and "criterion_key_match" not in output
    assert tests["2.6"]["tags"] == ["failed", "extra credit"]


def test_top_level_output_names_points_and_status(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    (path,) = write_gradescope([scenarios["timeout"]], tmp_path)
    data = json.loads(path.read_text(encoding="utf-8"))
    assert data["output"] == "2/15 points (+0/5 extra). Timed out: cell 23 exceeded the 600 s cell time limit."
    assert data["execution_time"] == 611
