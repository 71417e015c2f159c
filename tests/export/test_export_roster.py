"""Exports made from the LMS's own files as the roster (fixtures: tests/fixtures/lms/README.md).

Moodle: the downloaded worksheet comes back with Grade and Feedback comments filled and every other
byte as downloaded (its upload, importgradeslib.php, needs Identifier, Grade, Last modified (grade)).
Canvas: Student, ID, SIS User ID, SIS Login ID, Section and the assignment's "Title (id)" column.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from grader.discover.lms_files import read_roster
from grader.errors import LmsFileError
from grader.export import (
    LmsSettings,
    choose_canvas_column,
    load_lms_settings,
    save_lms_settings,
    write_exports,
)
from grader.records.adjust import Lateness, LatePolicy, OverrideNote
from grader.records.graded import GradedSubmission

LMS = Path(__file__).parents[1] / "fixtures" / "lms"


def as_student(g: GradedSubmission, sid: str, name: str = "") -> GradedSubmission:
    return g.model_copy(update={"result": g.result.model_copy(update={"student_id": sid}), "student_name": name})


def late(g: GradedSubmission) -> GradedSubmission:
    """``g`` submitted 0.4 days late under 10% per started day: -1.5 of 15."""
    lateness = Lateness(late_days=0.4, submitted_at="2026-12-05T09:30:00+01:00", due="2026-12-04T23:59:00+01:00",
                        source="moodle_worksheet.csv row 3", policy=LatePolicy(per_day=0.1))
    result = g.result.model_copy(update={"total": g.result.total - 1.5, "late_penalty": 1.5, "lateness": lateness})
    return g.model_copy(update={"result": result})


@pytest.fixture
def moodle_class(scenarios: dict[str, GradedSubmission]) -> list[GradedSubmission]:
    """10001 full marks, 10003 full marks but late, 10005 graded but not in the worksheet; 10021 (in the
    worksheet) has no submission."""
    return [as_student(scenarios["full_marks"], "10001"), late(as_student(scenarios["full_marks"], "10003")),
            as_student(scenarios["wrong_answers"], "10005", "Grace Hopper")]


def _rows(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_moodle_worksheet_is_the_download_with_grade_and_feedback(
    tmp_path: Path, moodle_class: list[GradedSubmission]
) -> None:
    roster = read_roster(LMS / "moodle_worksheet.csv")
    write_exports(moodle_class, tmp_path, assignment="Week 11", roster=roster)
    data = (tmp_path / "moodle_worksheet.csv").read_bytes()
    original = (LMS / "moodle_worksheet.csv").read_bytes()
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" not in data
    rows, before = _rows(data), _rows(original)
    assert rows[0] == before[0] and len(rows) == len(before)
    for new, old in zip(rows, before, strict=True):  # only Grade (4) and Feedback comments (10) change
        assert new[:4] + new[5:10] == old[:4] + old[5:10]
    by_id = {r[0]: r for r in rows[1:]}
    assert by_id["Participant 10001"][4] == "10.00"  # 15/15 on Moodle's scale of 10
    assert by_id["Participant 10003"][4] == "9.00"  # 13.5/15 after the late penalty
    assert "submitted 0.4 days late" in by_id["Participant 10003"][10]
    assert "-10% = -1.5 points" in by_id["Participant 10003"][10]
    assert "Extra credit: 5/5 points" in by_id["Participant 10001"][10]
    assert by_id["Participant 10021"][4:5] == [""] and by_id["Participant 10021"][10] == "no submission"
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "Zoë Ødegård-Łukasz (10021), row 4" in readme
    assert "Grace Hopper (10005): 6/15" in readme
    assert "Upload grading worksheet" in readme


def test_moodle_decimal_comma_is_kept(tmp_path: Path, moodle_class: list[GradedSubmission]) -> None:
    text = (LMS / "moodle_worksheet.csv").read_text(encoding="utf-8-sig").replace(",10.00,", ",10,00,")
    text = text.replace(",10,00,", ',"10,00",')
    (tmp_path / "w.csv").write_text(text, encoding="utf-8")
    roster = read_roster(tmp_path / "w.csv")
    write_exports(moodle_class, tmp_path / "x", assignment="W", roster=roster)
    by_id = {r[0]: r for r in _rows((tmp_path / "x" / "moodle_worksheet.csv").read_bytes())[1:]}
    assert by_id["Participant 10003"][4] == "9,00"


def test_override_reaches_the_feedback(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    g = as_student(scenarios["wrong_answers"], "10001")
    q = g.result.questions[1]
    note = OverrideNote(points=q.max_points, auto_points=q.points, grader="ann", reason="answer is right, typo",
                        at="2026-12-06T10:00:00+00:00")
    questions = tuple(x.model_copy(update={"override": note, "points": q.max_points}) if x.id == q.id else x
                      for x in g.result.questions)
    g = g.model_copy(update={"result": g.result.model_copy(update={"questions": questions})})
    write_exports([g], tmp_path, assignment="W", roster=read_roster(LMS / "moodle_worksheet.csv"))
    by_id = {r[0]: r for r in _rows((tmp_path / "moodle_worksheet.csv").read_bytes())[1:]}
    assert f"{q.id} {q.title}" in by_id["Participant 10001"][10] and "answer is right, typo" in by_id["Participant 10001"][10]


def test_canvas_gradebook_fills_the_assignment_column(tmp_path: Path, scenarios: dict[str, GradedSubmission]) -> None:
    graded = [as_student(scenarios["full_marks"], "20001"), late(as_student(scenarios["full_marks"], "20003")),
              as_student(scenarios["wrong_answers"], "20005")]
    roster = read_roster(LMS / "canvas_gradebook.csv")
    write_exports(graded, tmp_path, assignment="W", roster=roster, lms_assignment="Week 11 (4242)")
    rows = _rows((tmp_path / "canvas_gradebook.csv").read_bytes())
    assert rows[0] == ["Student", "ID", "SIS User ID", "SIS Login ID", "Section", "Week 11 (4242)",
                       "Week 11 extra credit"]
    assert rows[1] == ["    Points Possible", "", "", "", "", "10", "5"]
    body = {r[1]: r for r in rows[2:]}
    assert body["20001"] == ["Lovelace, Ada", "20001", "s0001", "ada.lovelace", "ML4Bio Tutorial A", "10", "5"]
    assert body["20003"][5] == "9"
    assert body["20021"][0] == "Ødegård-Łukasz, Zoë" and body["20021"][5:] == ["", ""]
    assert "20005" not in body
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "'Week 11 (4242)'" in readme and "20005" in readme and "Student, Test (20099)" in readme
    assert "WARNING" not in readme


def test_a_roster_of_another_class_is_called_out(tmp_path: Path, moodle_class: list[GradedSubmission]) -> None:
    write_exports(moodle_class, tmp_path, assignment="W", roster=read_roster(LMS / "canvas_gradebook.csv"),
                  lms_assignment="4242")
    readme = (tmp_path / "README.txt").read_text(encoding="utf-8")
    assert "WARNING: none of the 3 graded students is in canvas_gradebook.csv" in readme


def test_canvas_column_choice(scenarios: dict[str, GradedSubmission]) -> None:
    roster = read_roster(LMS / "canvas_gradebook.csv")
    assert choose_canvas_column(roster, wanted="4242").header == "Week 11 (4242)"
    assert choose_canvas_column(roster, wanted=None, rubric_title="Week 10").header == "Week 10 (4241)"
    with pytest.raises(LmsFileError, match=r"--lms-assignment .*\['Week 10 \(4241\)', 'Week 11 \(4242\)'\]"):
        choose_canvas_column(roster, wanted=None, rubric_title="Neural networks")


def test_the_roster_is_kept_and_a_stale_upload_file_removed(
    tmp_path: Path, moodle_class: list[GradedSubmission]
) -> None:
    out = tmp_path / "OUT"
    saved = save_lms_settings(out, LMS / "moodle_worksheet.csv", LmsSettings(LMS / "x.csv", extra_credit="added"))
    assert saved.roster == out / "lms" / "moodle_worksheet.csv"
    assert saved.roster.read_bytes() == (LMS / "moodle_worksheet.csv").read_bytes()
    assert load_lms_settings(out) == saved and load_lms_settings(tmp_path) is None
    write_exports(moodle_class, out / "exports", assignment="W", roster=read_roster(saved.roster))
    assert (out / "exports" / "moodle_worksheet.csv").is_file()
    write_exports(moodle_class, out / "exports", assignment="W")  # no roster now: no upload file with old grades
    assert not (out / "exports" / "moodle_worksheet.csv").exists()
