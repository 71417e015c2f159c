"""The gradebook CSV and points_possible.csv, parsed back."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.export import write_gradebook_csv
from grader.records.graded import GradedSubmission


def _read(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.DictReader(fh))


def test_one_row_per_student_one_column_per_question(tmp_path: Path, graded: list[GradedSubmission]) -> None:
    book, possible = write_gradebook_csv(graded, tmp_path / "gradebook.csv")
    rows = _read(book)
    assert list(rows[0]) == ["student_id", "status", "1.2", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4",
                             "total", "extra", "late_penalty"]
    assert [r["student_id"] for r in rows] == sorted(g.result.student_id for g in graded)
    by_id = {r["student_id"]: r for r in rows}
    for g in graded:
        row = by_id[g.result.student_id]
        assert float(row["total"]) == g.result.total and float(row["extra"]) == g.result.extra_points
        assert row["status"] == g.result.status.value
        for q in g.result.questions:
            assert float(row[q.id]) == q.points
    assert by_id["s_wrong"]["3.1"] == "0" and by_id["s_full"]["2.5"] == "5"
    assert possible == tmp_path / "points_possible.csv"


def test_points_possible_is_a_separate_table_not_a_student_row(tmp_path: Path, graded: list[GradedSubmission]) -> None:
    book, possible = write_gradebook_csv(graded, tmp_path / "gradebook.csv")
    assert not any("possible" in r["student_id"].lower() for r in _read(book))
    rows = {r["column"]: r for r in _read(possible)}
    assert list(rows) == ["1.2", "2.5", "2.6", "3.1", "3.2", "3.3", "3.4", "total", "extra"]
    assert rows["2.5"]["points_possible"] == "5" and rows["2.6"]["extra_credit"] == "true"
    assert rows["total"]["points_possible"] == "15" and rows["extra"]["points_possible"] == "5"
    regular = sum(float(r["points_possible"]) for c, r in rows.items() if c not in {"total", "extra"}
                  and r["extra_credit"] == "false")
    assert regular == 15


def test_a_question_without_a_result_is_an_empty_cell(tmp_path: Path, graded: list[GradedSubmission]) -> None:
    bare = graded[0].model_copy(update={"result": graded[0].result.model_copy(
        update={"student_id": "s_invalid", "questions": ()})})
    (book, _) = write_gradebook_csv([*graded, bare], tmp_path / "g.csv")
    row = next(r for r in _read(book) if r["student_id"] == "s_invalid")
    assert row["1.2"] == "" and row["total"] != ""
