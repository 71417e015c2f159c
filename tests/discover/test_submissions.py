"""Discovery of every malformed-input kind (tests/fixtures/submissions_malformed/README.md)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from grader.discover import Discovery, Submission, discover
from grader.errors import SubmissionInputError

FIXTURES = Path(__file__).parents[1] / "fixtures" / "submissions_malformed"


def by_id(found: Discovery) -> dict[str, Submission]:
    return {s.student_id: s for s in found.submissions}


def reasons(found: Discovery) -> dict[str, str]:
    return {Path(s.path).name: s.reason for s in found.skipped}


@pytest.fixture
def staging(tmp_path: Path) -> Path:
    return tmp_path / "staging"


def test_plain_folder(staging: Path) -> None:
    found = discover(FIXTURES / "plain", staging=staging)
    subs = by_id(found)
    assert sorted(subs) == [
        "alice", "bob", "carol", "corrupt_json", "dave", "empty", "json_list", "nbformat3", "nbformat5",
        "pdf_renamed",
    ]
    assert subs["alice"].problem is None and subs["bob"].problem is None
    assert subs["empty"].problem == "empty file (0 bytes)"
    assert (subs["corrupt_json"].problem or "").startswith("not valid notebook JSON: ")
    assert subs["nbformat3"].problem is None and "converted" in subs["nbformat3"].notes[0]
    assert (subs["nbformat5"].problem or "").startswith("nbformat version 5; the grader reads 4")
    assert subs["json_list"].problem == "not a notebook: the JSON is a list, not an object"
    assert (subs["pdf_renamed"].problem or "").startswith("not a notebook: not UTF-8 text")
    assert subs["dave"].problem == "no notebook (.ipynb) submitted; found: report.pdf"
    assert subs["carol"].path.name == "week11.ipynb"
    skipped = reasons(found)
    assert skipped["notes.txt"] == "not a notebook (.ipynb)"
    assert "duplicate" in skipped["week11_old.ipynb"]
    assert not any("checkpoint" in str(s.path) or "MACOSX" in str(s.path) for s in found.skipped)


def test_moodle_folders(staging: Path) -> None:
    found = discover(FIXTURES / "moodle", staging=staging)
    subs = by_id(found)
    assert sorted(subs) == ["12345", "12346", "12347", "12348", "12349"]
    assert subs["12345"].display_name == "Ada Lovelace"
    assert subs["12348"].problem == "empty file (0 bytes)"
    assert subs["12349"].problem == "no notebook (.ipynb) submitted; found: onlinetext.html"
    skipped = {(s.student_id, Path(s.path).name) for s in found.skipped}
    assert ("12346", "extra.pdf") in skipped
    assert len([s for s in found.skipped if s.student_id == "12347"]) == 1


def test_moodle_zip_equals_moodle_folder(staging: Path) -> None:
    folder = discover(FIXTURES / "moodle", staging=staging)
    archive = discover(FIXTURES / "zips" / "moodle_download.zip", staging=staging)
    key = [(s.student_id, s.sha256, s.problem) for s in folder.submissions]
    assert key == [(s.student_id, s.sha256, s.problem) for s in archive.submissions]
    assert len(folder.skipped) == len(archive.skipped)


def test_canvas_files(staging: Path) -> None:
    subs = by_id(discover(FIXTURES / "canvas", staging=staging))
    assert sorted(subs) == ["12345", "12346", "12347", "12348", "12349", "12350"]
    assert subs["12346"].late and "late" in subs["12346"].notes[0]
    assert not subs["12345"].late
    assert subs["12347"].path.name == "hoppergrace_12347_67899_week11-1.ipynb"  # the later upload
    assert subs["12348"].problem is None and subs["12348"].origin.endswith("week11.zip/week11/week11.ipynb")
    assert (subs["12349"].problem or "").startswith("no notebook (.ipynb) submitted")
    assert subs["12350"].problem == "not a notebook: no 'cells' list"


def test_traversal_writes_nothing_outside(tmp_path: Path) -> None:
    work = tmp_path / "a" / "b"
    found = discover(FIXTURES / "zips" / "traversal.zip", staging=work / "staging")
    assert sorted(by_id(found)) == ["66666"]
    assert len(found.skipped) == 2
    assert all("not extracted" in s.reason for s in found.skipped)
    assert [p.name for p in tmp_path.rglob("*.ipynb")] == ["week11.ipynb"]


def test_symlink_member_is_invalid(staging: Path) -> None:
    subs = by_id(discover(FIXTURES / "zips" / "symlink.zip", staging=staging))
    assert subs["77777"].problem == "symbolic link in archive; not extracted"
    assert not any(p.is_symlink() for p in staging.rglob("*"))


def test_zip_bomb_is_capped(staging: Path) -> None:
    found = discover(FIXTURES / "zips" / "bomb.zip", staging=staging)
    assert by_id(found)["88888"].path.name == "small.ipynb"
    (skipped,) = found.skipped
    assert skipped.reason.startswith("60.0 MiB uncompressed; the limit is 50 MiB")
    assert sum(p.stat().st_size for p in staging.rglob("*") if p.is_file()) < 2**20


def test_corrupt_and_nested_zips(staging: Path) -> None:
    found = discover(FIXTURES / "zips", staging=staging)
    assert "not a readable zip archive" in reasons(found)["corrupt.zip"]
    # zips inside a folder are students' uploads: the LMS names inside them are not read
    nested = by_id(found)["nested"]
    assert nested.origin.endswith("nested.zip/Nested Student_99999_assignsubmission_file_/upload.zip/inner/week11.ipynb")
    assert "student id 99999" in nested.notes[-1]
    direct = by_id(discover(FIXTURES / "zips" / "nested.zip", staging=staging))
    assert direct["99999"].origin.endswith("upload.zip/inner/week11.ipynb")


def test_huge_notebook_is_invalid(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    root.mkdir()
    with (root / "big.ipynb").open("wb") as handle:
        handle.truncate(60 * 2**20)
    (sub,) = discover(root).submissions
    assert sub.problem == "file is 60.0 MiB; the limit is 50 MiB"


def test_output_folder_inside_submissions_is_left_out(tmp_path: Path) -> None:
    root = tmp_path / "subs"
    shutil.copytree(FIXTURES / "plain", root)
    (root / "out" / "executed").mkdir(parents=True)
    shutil.copy(root / "alice.ipynb", root / "out" / "executed" / "alice.ipynb")
    found = discover(root, exclude=[root / "out"])
    assert "out" not in by_id(found)


def test_discovery_is_deterministic_and_reuses_extraction(staging: Path) -> None:
    first = discover(FIXTURES / "zips", staging=staging)
    extracted = sorted(p.name for p in staging.iterdir())
    assert discover(FIXTURES / "zips", staging=staging) == first
    assert sorted(p.name for p in staging.iterdir()) == extracted


def test_a_half_extracted_archive_is_ignored(staging: Path) -> None:
    (staging / ".tmp-0123-abc" / "junk").mkdir(parents=True)
    found = discover(FIXTURES / "zips" / "moodle_download.zip", staging=staging)
    assert len(found.submissions) == 5


def test_single_notebook_and_missing_root(tmp_path: Path) -> None:
    (sub,) = discover(FIXTURES / "plain" / "alice.ipynb").submissions
    assert sub.student_id == "alice"
    with pytest.raises(SubmissionInputError, match="no such folder"):
        discover(tmp_path / "nope")
