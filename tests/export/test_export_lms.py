"""Generic Moodle and Canvas tables (no roster), parsed back: never a grade above the maximum."""

from __future__ import annotations

import csv
from pathlib import Path

from grader.export import RosterEntry, write_canvas_csv, write_exports, write_moodle_csv
from grader.records.graded import GradedSubmission


def _rows(path: Path) -> list[list[str]]:
    with path.open(newline="", encoding="utf-8") as fh:
        return list(csv.reader(fh))


def test_moodle_table_columns_and_grades(tmp_path: Path, graded: list[GradedSubmission]) -> None:
    rows = _rows(write_moodle_csv(graded, tmp_path / "moodle.csv"))
    assert rows[0] == ["Identifier", "Full name", "Email address", "Status", "Grade", "Maximum grade",
                       "Feedback comments"]
    body = {r[0]: r for r in rows[1:]}
    assert sorted(body) == sorted(g.result.student_id for g in graded)
    for g in graded:
        row = body[g.result.student_id]
        assert float(row[4]) == round(g.result.total, 2) and row[5] == "15.00"  # extra credit: separate
    assert body["s_timeout"][3] == "Timed out"
    assert "Extra credit: 5/5 points (recorded separately" in body["s_full"][6]


def test_extra_credit_added_raises_the_scale_not_the_grade_above_it(
    tmp_path: Path, graded: list[GradedSubmission]
) -> None:
    rows = _rows(write_moodle_csv(graded, tmp_path / "moodle.csv", extra_credit="added"))
    body = {r[0]: r for r in rows[1:]}
    assert body["s_full"][4:6] == ["20.00", "20.00"]
    assert all(float(r[4]) <= float(r[5]) for r in rows[1:])


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
    assert all(float(r[5]) == round(by_id[r[2]].result.total, 2) for r in students)


def test_canvas_uses_the_roster(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    roster = {"s_full": RosterEntry(name="Lovelace, Ada", lms_id="1234", sis_login_id="ada", section="Mo 10")}
    rows = _rows(write_canvas_csv([scenarios["full_marks"]], tmp_path / "c.csv", assignment="W11", roster=roster))
    assert rows[2] == ["Lovelace, Ada", "1234", "s_full", "ada", "Mo 10", "15"]


def test_without_a_roster_the_readme_says_which_imports_need_one(
    tmp_path: Path, graded: list[GradedSubmission]
) -> None:
    write_exports(graded, tmp_path, assignment="Week 11")
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "Neither LMS\n  imports them" in readme and "--roster" in readme
    assert "Download grading worksheet" in readme and "Export Entire Gradebook" in readme
    assert "no autograder zip" in readme.lower()
