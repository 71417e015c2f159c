"""Rescoring from stored evidence equals scoring afresh, and a changed rubric shows who moves."""

from __future__ import annotations

from pathlib import Path

from grader.rescore import diff_folder, rescore_folder
from grader.rubric import load_rubric
from grader.score import score_submission
from grader.store.files import read_results, write_result
from tests.render.samples import class_of

ROOT = Path(__file__).resolve().parents[1]
WEEK11 = ROOT / "rubrics" / "week11.yaml"


def _stored(out: Path, n: int = 12) -> None:
    for graded in class_of(n, seed=3):
        write_result(out, graded.model_copy(update={"cache_key": "k"}))


def test_rescore_equals_a_fresh_score_of_the_same_evidence(tmp_path: Path) -> None:
    _stored(tmp_path)
    rescore_folder(tmp_path, WEEK11)
    rubric = load_rubric(WEEK11)
    for graded in read_results(tmp_path):
        old = graded.result
        fresh = score_submission(
            rubric, graded.evidence, graded.execution, student_id=old.student_id, source=old.source
        )
        assert graded.result == fresh
        assert graded.cache_key == "", "a rescored result must not be reused for the old inputs"


def test_changed_key_moves_exactly_the_students_who_answered_it(tmp_path: Path) -> None:
    _stored(tmp_path)
    rescore_folder(tmp_path, WEEK11)
    changed = tmp_path / "week11-84.yaml"
    text = WEEK11.read_text(encoding="utf-8")
    assert "expected: 42" in text
    changed.write_text(text.replace("expected: 42", "expected: 84"), encoding="utf-8")
    before = {g.result.student_id: g for g in read_results(tmp_path)}
    changes = diff_folder(tmp_path, WEEK11, changed)
    assert changes, "the sample class has 3.4 answers; a new key must move someone"
    for change in changes:
        assert {q.id for q in change.questions if q.delta} == {"3.4"}
        answer = before[change.student_id].evidence.collected.answer("3.4").value
        assert str(answer).strip().rstrip(".") in {"42", "84", "42.0", "84.0"}
    assert read_results(tmp_path) == list(before.values()), "diff writes nothing"
