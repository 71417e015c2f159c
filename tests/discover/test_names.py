"""Student ids from LMS download names."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.discover.names import fallback_id, parse_lms_name, safe_id
from grader.discover.submissions import student_id_for


@pytest.mark.parametrize(
    ("name", "lms", "sid", "late", "attachment"),
    [
        ("Ada Lovelace_12345_assignsubmission_file_", "moodle", "12345", False, 0),
        ("Ada Lovelace_12345_assignsubmission_file", "moodle", "12345", False, 0),
        ("José Müller_7_assignsubmission_onlinetext_", "moodle", "7", False, 0),
        ("Ada Lovelace_12345_assignsubmission_file_week11", "moodle", "12345", False, 0),
        ("lovelaceada_12345_67890_week11", "canvas", "12345", False, 67890),
        ("lovelaceada_late_12345_67890_week11", "canvas", "12345", True, 67890),
        ("lovelaceada_LATE_12345_67890_week 11 final", "canvas", "12345", True, 67890),
    ],
)
def test_lms_names(name: str, lms: str, sid: str, late: bool, attachment: int) -> None:
    parsed = parse_lms_name(name)
    assert parsed is not None
    assert (parsed.lms, parsed.student_id, parsed.late, parsed.attachment) == (lms, sid, late, attachment)


@pytest.mark.parametrize("name", ["week11", "alice", "alice_week11", "12345", "Ada Lovelace_12345"])
def test_plain_names_are_not_lms(name: str) -> None:
    assert parse_lms_name(name) is None


def test_safe_and_fallback_ids() -> None:
    assert safe_id("../../etc/passwd") == "etc_passwd"
    assert safe_id("...") == "unnamed"
    assert fallback_id(("alice.ipynb",)) == "alice"
    assert fallback_id(("bob", "sub", "x.ipynb")) == "bob"


def test_student_id_for_paths(tmp_path: Path) -> None:
    moodle = tmp_path / "Ada Lovelace_12345_assignsubmission_file_" / "nb.ipynb"
    assert student_id_for(moodle, tmp_path) == ("12345", "Ada Lovelace")
    canvas = tmp_path / "lovelaceada_late_12345_67890_week11.ipynb"
    assert student_id_for(canvas, tmp_path) == ("12345", "lovelaceada")
    assert student_id_for(tmp_path / "alice.ipynb", tmp_path) == ("alice", "")
