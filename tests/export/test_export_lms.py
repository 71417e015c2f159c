"""Moodle grading worksheet and Canvas import CSV, parsed back."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.export import RosterEntry, final_grade, write_canvas_csv, write_moodle_csv
from grader.records.graded import GradedSubmission


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_moodle_worksheet_columns_and_grades(tmp_path: Path, graded: list[GradedSubmission]) -> None:
    rows = _rows(write_moodle_csv(graded, tmp_path / "moodle.csv"))
    assert rows[0] == ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade",
                       "Feedback comments"]
    body = {r[0]: r for r in rows[1:]}
    assert sorted(body) == sorted(g.result.student_id for g in graded)
    for g in graded:
        row = body[g.result.student_id]
        assert float(row[4]) == final_grade(g.result) and row[5] == "15.00"
    assert body["s_timeout"][3] == "Timed out"


def test_moodle_feedback_lists_lost_points_escaped(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    rows = _rows(write_moodle_csv([scenarios["wrong_answers"], scenarios["hostile_strings"]], tmp_path / "m.csv"))
    feedback = {r[0]: r[6] for r in rows[1:]}
    assert feedback["s_wrong"].startswith("<p>6/15 points (+0/5 extra). Graded.</p><ul><li>1.2 ")
    assert "reported mean ROC-AUC 0.710 &lt; 0.75" in feedback["s_wrong"]
    assert "<script>" not in feedback["s_hostile"]


def test_moodle_uses_the_roster(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    roster = {"s_full": RosterEntry(name="Ada Lovelace", email="ada@example.org", lms_id="Participant 17")}
    rows = _rows(write_moodle_csv([scenarios["full_marks"]], tmp_path / "m.csv", roster=roster))
    assert rows[1][:4] == ["Participant 17", "Ada Lovelace", "ada@example.org", "Graded"]


def test_canvas_has_its_points_possible_row_then_students(tmp_path: Path, graded: list[GradedSubmission]) -> None:
    rows = _rows(write_canvas_csv(graded, tmp_path / "canvas.csv", assignment="Week 11 (4242)"))
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 11 (4242)"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "15"]
    students = rows[2:]
    assert [r[2] for r in students] == sorted(g.result.student_id for g in graded)
    by_id = {g.result.student_id: g for g in graded}
    assert all(float(r[5]) == final_grade(by_id[r[2]].result) for r in students)


def test_canvas_uses_the_roster(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    roster = {"s_full": RosterEntry(name="Lovelace, Ada", lms_id="1234", sis_login_id="ada", section="Mo 10")}
    rows = _rows(write_canvas_csv([scenarios["full_marks"]], tmp_path / "c.csv", assignment="W11", roster=roster))
    assert rows[2] == ["Lovelace, Ada", "1234", "s_full", "ada", "Mo 10", "20"]
