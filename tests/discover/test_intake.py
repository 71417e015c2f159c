"""Intake against a hostile class: LMS names inside a student's upload, duplicates, a class-wide zip budget.

Every archive here is a real zip built in the test; budgets are small numbers passed as limits.
"""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from grader.discover import ArchiveLimits, Discovery, Submission, discover
from grader.discover.duplicates import RULE, read_duplicates


def notebook(marker: str) -> bytes:
    """A minimal valid notebook whose source says ``marker`` (so tests can tell files apart)."""
    cell: dict[str, object] = {
        "cell_type": "code", "execution_count": None, "id": "c1", "metadata": {}, "outputs": [],
        "source": f"ANSWER = {marker!r}",
    }
    doc = {"cells": [cell], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(doc).encode()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def by_id(found: Discovery) -> dict[str, Submission]:
    return {s.student_id: s for s in found.submissions}


def staged_bytes(staging: Path) -> int:
    return sum(p.stat().st_size for p in staging.rglob("*") if p.is_file() and p.name != ".manifest.json")


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    return tmp_path / "staging"


# --- only the top level the TA points at carries LMS names ---------------------------------------------


def test_a_students_zip_with_lms_names_cannot_replace_another_student(tmp_path: Path, staging: Path) -> None:
    """The reported attack: Mallory's zip holds files named as student 55555's LMS uploads."""
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "55555.ipynb").write_bytes(notebook("real 55555"))
    (subs / "mallory.zip").write_bytes(make_zip({
        "Victim Name_55555_assignsubmission_file_/week11.ipynb": notebook("forged moodle"),
        "victimname_55555_99999999_week11.ipynb": notebook("forged canvas, latest upload"),
    }))
    found = by_id(discover(subs, staging=staging))
    assert sorted(found) == ["55555", "mallory"]
    real = found["55555"]
    assert real.origin == f"{subs}/55555.ipynb" and real.notes == ()
    assert b"real 55555" in real.path.read_bytes()
    mallory = found["mallory"]
    assert mallory.origin.startswith(f"{subs}/mallory.zip/")
    assert any("student id 55555" in n for n in mallory.notes)  # the TA is told what the zip pretended
    duplicates = read_duplicates(mallory.notes)
    assert duplicates is not None and duplicates.why == "first in path order"  # not the forged attachment id


def test_an_lms_named_folder_inside_a_students_folder_is_that_students(tmp_path: Path, staging: Path) -> None:
    subs = tmp_path / "subs"
    (subs / "alice" / "Bob Builder_55555_assignsubmission_file_").mkdir(parents=True)
    (subs / "alice" / "Bob Builder_55555_assignsubmission_file_" / "week11.ipynb").write_bytes(notebook("alice"))
    (sub,) = discover(subs, staging=staging).submissions
    assert sub.student_id == "alice" and sub.display_name == ""
    assert "student id 55555" in sub.notes[-1]


def test_an_lms_folder_keeps_its_student_whatever_the_names_inside(tmp_path: Path, staging: Path) -> None:
    """A class download: a zip inside a student's LMS folder belongs to that student."""
    download = tmp_path / "download.zip"
    download.write_bytes(make_zip({
        "Ada Lovelace_12345_assignsubmission_file_/week11.ipynb": notebook("ada"),
        "Eve Hacker_66666_assignsubmission_file_/upload.zip": make_zip({
            "Ada Lovelace_12345_assignsubmission_file_/week11.ipynb": notebook("forged ada"),
        }),
    }))
    found = by_id(discover(download, staging=staging))
    assert sorted(found) == ["12345", "66666"]
    assert b"forged" not in found["12345"].path.read_bytes() and found["12345"].notes == ()
    assert found["66666"].display_name == "Eve Hacker"
    assert "student id 12345" in found["66666"].notes[-1]


def test_the_class_download_the_ta_points_at_is_read_for_lms_names(tmp_path: Path, staging: Path) -> None:
    download = tmp_path / "download.zip"
    download.write_bytes(make_zip({
        "Ada Lovelace_12345_assignsubmission_file_/week11.ipynb": notebook("ada"),
        "turingalan_12346_67890_week11.ipynb": notebook("alan"),
    }))
    found = by_id(discover(download, staging=staging))
    assert sorted(found) == ["12345", "12346"] and found["12345"].display_name == "Ada Lovelace"


# --- duplicates are never resolved silently ----------------------------------------------------------


def test_duplicates_name_both_files_and_the_rule_that_picked_one(tmp_path: Path, staging: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "hoppergrace_12347_67892_week11.ipynb").write_bytes(notebook("first upload"))
    (subs / "hoppergrace_12347_67899_week11-1.ipynb").write_bytes(notebook("second upload"))
    (subs / "carol").mkdir()
    (subs / "carol" / "b.ipynb").write_bytes(notebook("b"))
    (subs / "carol" / "a.ipynb").write_bytes(notebook("a"))
    (subs / "dave").mkdir()
    (subs / "dave" / "a.ipynb").write_bytes(b"")
    (subs / "dave" / "b.ipynb").write_bytes(notebook("b"))
    found = discover(subs, staging=staging)
    subs_by_id = by_id(found)
    expected = {
        "12347": ("hoppergrace_12347_67899_week11-1.ipynb", "hoppergrace_12347_67892_week11.ipynb",
                  "latest Canvas upload (attachment id 67899 > 67892)"),
        "carol": ("carol/a.ipynb", "carol/b.ipynb", "first in path order"),
        "dave": ("dave/b.ipynb", "dave/a.ipynb", "only notebook that can be graded"),
    }
    for sid, (graded, other, why) in expected.items():
        sub = subs_by_id[sid]
        assert sub.origin == f"{subs}/{graded}"
        assert read_duplicates(sub.notes) == read_duplicates([f"several notebooks submitted; graded the {why}",
                                                              f"also submitted {subs}/{other} (not graded)"])
        (skipped,) = [s for s in found.skipped if s.student_id == sid]
        assert str(skipped.path) == f"{subs}/{other}"
        assert skipped.reason.endswith(f"duplicate: {subs}/{graded} is graded, the {why}")
    assert "latest Canvas upload" in RULE and "first path in sort order" in RULE


# --- one extraction budget for the whole class --------------------------------------------------------


def test_the_extraction_budget_is_shared_by_every_students_zip(tmp_path: Path, staging: Path) -> None:
    """Three students' zips of 1,000 bytes each under a 2,500-byte budget: the third is not extracted."""
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a", "b", "c"):
        body = notebook(name)
        (subs / f"{name}.zip").write_bytes(make_zip({"week11.ipynb": body + b" " * (1000 - len(body))}))
    limits = ArchiveLimits(total_bytes=2500)
    found = by_id(discover(subs, staging=staging, limits=limits))
    assert found["a"].problem is None and found["b"].problem is None
    assert (found["c"].problem or "").startswith("extraction stopped: the archives of this class reached")
    assert staged_bytes(staging) <= 2500


def test_nested_archives_draw_on_the_same_budget(tmp_path: Path, staging: Path) -> None:
    """A small zip of zips of zeros (a zip bomb in miniature) stays within the class budget."""
    inner = make_zip({f"part{i}.ipynb": bytes(30_000) for i in range(4)})
    bomb = make_zip({f"layer{i}.zip": inner for i in range(4)})
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "bomb.zip").write_bytes(bomb)
    assert len(bomb) < 5_000
    limits = ArchiveLimits(total_bytes=100_000)
    found = discover(subs, staging=staging, limits=limits)
    assert staged_bytes(staging) <= 100_000
    reasons = [s.reason for s in found.skipped]
    assert any(r.startswith("extraction stopped: the archives of this class reached") for r in reasons)


def test_a_rerun_keeps_to_the_budget_and_redoes_what_it_cut(tmp_path: Path, staging: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("a", "b", "c"):
        body = notebook(name)
        (subs / f"{name}.zip").write_bytes(make_zip({"week11.ipynb": body + b" " * (1000 - len(body))}))
    small = ArchiveLimits(total_bytes=2500)
    first = discover(subs, staging=staging, limits=small)
    assert discover(subs, staging=staging, limits=small) == first  # reused: same answer, same bytes
    assert staged_bytes(staging) <= 2500
    (subs / "a.zip").unlink()  # room for c now: its cut-short extraction is redone
    assert by_id(discover(subs, staging=staging, limits=small))["c"].problem is None
    assert all(s.problem is None for s in discover(subs, staging=staging).submissions)


def test_the_same_zip_from_two_students_is_charged_once(tmp_path: Path, staging: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    body = notebook("shared")
    archive = make_zip({"week11.ipynb": body + b" " * (1000 - len(body))})
    (subs / "a.zip").write_bytes(archive)
    (subs / "b.zip").write_bytes(archive)
    found = by_id(discover(subs, staging=staging, limits=ArchiveLimits(total_bytes=1500)))
    assert found["a"].problem is None and found["b"].problem is None
    assert found["a"].path == found["b"].path and found["a"].path.is_file()
