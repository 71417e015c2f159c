"""diff_results: who changes, by how much, per question, when the rubric changes."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.records.result import QuestionStatus, SubmissionResult
from grader.rubric import load_rubric, parse_rubric
from grader.score import diff_results, score_submission, summarize_diff

from ._records import CORRECT_ANSWERS, ran, week11_correct

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"


def _results(text: str) -> list[SubmissionResult]:
    rubric = parse_rubric(text, source="week11.yaml")
    students = {
        "ada": week11_correct(),
        "bob": week11_correct(answer_values={**CORRECT_ANSWERS, "3.3": "0.01"}),
        "cyd": week11_correct(answer_values={**CORRECT_ANSWERS, "3.4": "84"}),
    }
    return [
        score_submission(rubric, ev, ran(), student_id=sid, source=f"{sid}.ipynb")
        for sid, ev in students.items()
    ]


def test_a_loosened_tolerance_changes_one_student() -> None:
    text = WEEK11.read_text(encoding="utf-8")
    old = _results(text)
    new = _results(text.replace("expected: 0\n        abs_tol: 1.0e-6", "expected: 0\n        abs_tol: 0.05"))
    (change,) = diff_results(old, new)
    assert (change.student_id, change.change, change.old_total, change.new_total, change.delta) == (
        "bob",
        "changed",
        13.0,
        15.0,
        2.0,
    )
    (q,) = change.questions
    assert (q.id, q.old_points, q.new_points, q.old_status, q.new_status) == (
        "3.3",
        0.0,
        2.0,
        QuestionStatus.FAILED,
        QuestionStatus.PASSED,
    )
    assert change.old_rubric_id != change.new_rubric_id
    summary = summarize_diff([change])
    assert (summary.changed, summary.up, summary.down, summary.question_deltas) == (1, 1, 0, {"3.3": 2.0})


def test_unchanged_results_give_no_changes() -> None:
    results = _results(WEEK11.read_text(encoding="utf-8"))
    assert diff_results(results, results) == []


def test_added_and_removed_students() -> None:
    results = _results(WEEK11.read_text(encoding="utf-8"))
    changes = diff_results(results[:2], results[1:])
    assert [(c.student_id, c.change, c.delta) for c in changes] == [
        ("ada", "removed", -15.0),
        ("cyd", "added", 13.0),
    ]
    assert summarize_diff(changes).added == 1 and summarize_diff(changes).removed == 1


def test_duplicate_students_are_refused() -> None:
    rubric = load_rubric(WEEK11)
    result = score_submission(rubric, week11_correct(), ran(), student_id="ada", source="a")
    with pytest.raises(ValueError, match="student 'ada' appears twice in the new results"):
        diff_results([], [result, result])
