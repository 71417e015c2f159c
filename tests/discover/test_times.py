"""Submission times -> Lateness: Moodle's worksheet dates, the plain CSV, and their errors by file and row."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from grader.discover.times import lateness_for, parse_moodle_time, read_submission_times
from grader.errors import LmsFileError

LMS = Path(__file__).parents[1] / "fixtures" / "lms"
DUE = dt.datetime(2026, 12, 4, 23, 59, tzinfo=ZoneInfo("Europe/Berlin"))
BERLIN = ZoneInfo("Europe/Berlin")


@pytest.mark.parametrize(("text", "expected"), [
    ("Friday, 4 December 2026, 11:59 PM", dt.datetime(2026, 12, 4, 23, 59, tzinfo=BERLIN)),
    ("Saturday, 5 December 2026, 12:05 AM", dt.datetime(2026, 12, 5, 0, 5, tzinfo=BERLIN)),
    ("Monday, 7 December 2026, 12:30 PM", dt.datetime(2026, 12, 7, 12, 30, tzinfo=BERLIN)),
    ("-", None),
])
def test_moodle_dates(text: str, expected: dt.datetime | None) -> None:
    assert parse_moodle_time(text, tz=BERLIN) == expected


def test_moodle_worksheet_gives_late_days_with_their_source() -> None:
    times = read_submission_times(LMS / "moodle_worksheet.csv", due=DUE, timezone="Europe/Berlin")
    assert sorted(times.lateness) == ["10001", "10003"]  # 10021 submitted nothing ("-")
    assert times.lateness["10001"].late_days == 0.0
    late = times.lateness["10003"]
    assert late.late_days == pytest.approx((9 * 60 + 31) / 1440, abs=1e-6)
    assert (late.submitted_at, late.due) == ("2026-12-05T09:30:00+01:00", "2026-12-04T23:59:00+01:00")
    assert late.source == "Moodle worksheet moodle_worksheet.csv row 3"
    times.check_students(["10001"])  # a worksheet lists the whole class: others are not an error
    with pytest.raises(LmsFileError, match=r"moodle_worksheet.csv: none of its 2 students .* this assignment"):
        times.check_students(["20001", "20003"])  # a worksheet of another assignment (or LMS)


def test_plain_csv_and_unknown_students() -> None:
    times = read_submission_times(LMS / "submission_times.csv", due=DUE)
    assert times.lateness["10003"].source == "submission_times.csv row 3"
    with pytest.raises(LmsFileError, match=r"submission_times.csv row 3: student id '10003' is not among"):
        times.check_students(["10001", "10005"])


def test_moodle_dates_need_a_time_zone_and_a_known_locale() -> None:
    with pytest.raises(LmsFileError, match=r"moodle_worksheet.csv row 2: .*--timezone"):
        read_submission_times(LMS / "moodle_worksheet.csv", due=DUE)
    with pytest.raises(LmsFileError, match=r"--locale 'de' is not supported.*\['en'\]"):
        read_submission_times(LMS / "moodle_worksheet.csv", due=DUE, timezone="Europe/Berlin", locale="de")
    with pytest.raises(LmsFileError, match=r"--timezone 'Mars/Olympus'"):
        read_submission_times(LMS / "moodle_worksheet.csv", due=DUE, timezone="Mars/Olympus")


@pytest.mark.parametrize(("body", "message"), [
    ("student_id,submitted_at\nada,yesterday\n", r"t.csv row 2: submitted_at 'yesterday' is not an ISO 8601"),
    ("student_id,submitted_at\nada,2026-12-05T09:30:00\n", r"t.csv row 2: submitted_at .* has no offset"),
    ("student,when\nada,2026-12-05T09:30:00+01:00\n", r"t.csv: not a submission times file"),
    ("student_id,when\nada,2026-12-05T09:30:00+01:00\n", r"t.csv row 1: .*no column 'submitted_at'"),
])
def test_plain_csv_errors_name_file_and_row(tmp_path: Path, body: str, message: str) -> None:
    (tmp_path / "t.csv").write_text(body, encoding="utf-8")
    with pytest.raises(LmsFileError, match=message):
        read_submission_times(tmp_path / "t.csv", due=DUE)


def test_unparseable_moodle_date_names_the_row(tmp_path: Path) -> None:
    text = (LMS / "moodle_worksheet.csv").read_text(encoding="utf-8-sig").replace("6:12 PM", "18h12")
    (tmp_path / "w.csv").write_text(text, encoding="utf-8")
    with pytest.raises(LmsFileError, match=r"w.csv row 2: Last modified \(submission\): .* is not a Moodle date"):
        read_submission_times(tmp_path / "w.csv", due=DUE, timezone="Europe/Berlin")


def test_no_due_date_is_an_error() -> None:
    with pytest.raises(LmsFileError, match=r"need the rubric's `due`"):
        read_submission_times(LMS / "submission_times.csv", due=None)


def test_canvas_late_mark_without_a_time() -> None:
    marked = lateness_for("20003", None, marked_late=True)
    assert marked is not None and marked.marked_late_without_time
    assert marked.note(0.0) == "marked late by Canvas; no time given; no penalty applied"
    assert lateness_for("20003", None, marked_late=False) is None
