"""Rosters read from the LMS's own files (shapes: tests/fixtures/lms/README.md), and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.discover.lms_csv import read_raw_csv
from grader.discover.lms_files import names_from_roster, read_roster
from grader.errors import LmsFileError

LMS = Path(__file__).parents[1] / "fixtures" / "lms"


def test_moodle_worksheet_roster() -> None:
    roster = read_roster(LMS / "moodle_worksheet.csv")
    assert roster.lms == "moodle" and roster.csv.bom and roster.csv.newline == "\n"
    assert [(s.student_id, s.name, s.lms_id, s.row) for s in roster.students] == [
        ("10001", "Ada Lovelace", "Participant 10001", 2),
        ("10003", "José Núñez", "Participant 10003", 3),
        ("10021", "Zoë Ødegård-Łukasz", "Participant 10021", 4),
    ]
    assert roster.columns[0].points_possible == 10.0 and roster.feedback == 10
    assert names_from_roster(roster)["10003"] == "José Núñez"


def test_canvas_gradebook_roster() -> None:
    roster = read_roster(LMS / "canvas_gradebook.csv")
    assert roster.lms == "canvas" and roster.first_student_row == 4
    assert [c.header for c in roster.columns] == ["Week 10 (4241)", "Week 11 (4242)"]
    assert [c.points_possible for c in roster.columns] == [15.0, 10.0]
    ada = roster.by_id()["20001"]
    assert (ada.name, ada.sis_user_id, ada.sis_login_id, ada.section) == (
        "Lovelace, Ada", "s0001", "ada.lovelace", "ML4Bio Tutorial A")
    assert "20099" in roster.by_id()  # Canvas's test student is a roster row like any other


def test_unchanged_cells_keep_every_byte() -> None:
    csv = read_raw_csv(LMS / "moodle_worksheet.csv")
    assert csv.replaced({}) == (LMS / "moodle_worksheet.csv").read_bytes()
    changed = csv.replaced({(2, 4): "7.50", (2, 10): "<p>ok, \"fine\"</p>"}).decode("utf-8-sig")
    assert changed.splitlines()[1].endswith(',7.50,10.00,Yes,"Friday, 4 December 2026, 6:12 PM",,-,"<p>ok, ""fine""</p>"')
    assert changed.splitlines()[2] == (LMS / "moodle_worksheet.csv").read_text(encoding="utf-8-sig").splitlines()[2]


def test_a_worksheet_without_a_needed_column_names_file_and_column(tmp_path: Path) -> None:
    bad = tmp_path / "worksheet.csv"
    bad.write_text("Identifier,Full name,Grade,Maximum Grade\nParticipant 1,A,,10.00\n", encoding="utf-8")
    with pytest.raises(LmsFileError, match=r"worksheet.csv row 1: .*'Last modified \(grade\)'"):
        read_roster(bad)


def test_a_blind_marking_worksheet_has_no_names(tmp_path: Path) -> None:
    blind = tmp_path / "blind.csv"  # gradingtable.php without mod/assign:viewblinddetails: no Full name, no e-mail
    blind.write_text("Identifier,Status,Grade,\"Maximum Grade\",\"Grade can be changed\",\"Last modified (grade)\"\n"
                     "\"Participant 10003\",\"Submitted for grading\",,10.00,Yes,-\n", encoding="utf-8")
    roster = read_roster(blind)
    assert [(s.student_id, s.name) for s in roster.students] == [("10003", "")]
    assert names_from_roster(roster) == {}


def test_a_roster_in_another_format_is_refused_by_name(tmp_path: Path) -> None:
    bad = tmp_path / "grades.csv"
    bad.write_text("student_id,status,total\nada,graded,3\n", encoding="utf-8")
    with pytest.raises(LmsFileError, match=r"grades.csv: not a roster this grader reads"):
        read_roster(bad)


def test_a_bad_identifier_names_the_row(tmp_path: Path) -> None:
    text = (LMS / "moodle_worksheet.csv").read_text(encoding="utf-8-sig").replace("Participant 10003", "José")
    bad = tmp_path / "w.csv"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(LmsFileError, match=r"w.csv row 3: Identifier 'José'"):
        read_roster(bad)
