"""Safe zip extraction: caps, links, names, idempotence."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pytest

from grader.discover.archive import ArchiveLimits, extract_archive


def make_zip(path: Path, entries: dict[str, bytes]) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return path


def test_only_notebooks_and_zips_are_written(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"s/nb.ipynb": b"{}", "s/data.csv": b"1,2", "s/in.zip": b"x"})
    folder, members = extract_archive(archive, tmp_path / "st")
    written = sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())
    assert written == [".manifest.json", "s/in.zip", "s/nb.ipynb"]
    assert {m.name: m.file for m in members} == {"s/nb.ipynb": "s/nb.ipynb", "s/data.csv": None, "s/in.zip": "s/in.zip"}


def test_extraction_is_content_addressed_and_reused(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {"nb.ipynb": b"{}"})
    first = extract_archive(archive, tmp_path / "st")
    (first[0] / "nb.ipynb").write_bytes(b"changed")  # a reused extraction is not re-written
    assert extract_archive(archive, tmp_path / "st") == first
    assert (first[0] / "nb.ipynb").read_bytes() == b"changed"


def test_total_budget_stops_extraction(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {f"{i}.ipynb": b"x" * 1000 for i in range(5)})
    _, members = extract_archive(archive, tmp_path / "st", limits=ArchiveLimits(total_bytes=2500))
    assert [m.problem is None for m in members] == [True, True, False, False, False]


def test_member_count_cap(tmp_path: Path) -> None:
    archive = make_zip(tmp_path / "a.zip", {f"{i}.ipynb": b"{}" for i in range(5)})
    with pytest.raises(zipfile.BadZipFile, match="more than 3 members"):
        extract_archive(archive, tmp_path / "st", limits=ArchiveLimits(members=3))


def test_lying_sizes_are_caught(tmp_path: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("nb.ipynb", b"y" * 4000)
    raw = bytearray(buffer.getvalue())
    # shrink the declared size in the central directory (offset 24 of its record) to 10 bytes
    central = raw.rfind(b"PK\x01\x02")
    raw[central + 24 : central + 28] = (10).to_bytes(4, "little")
    (tmp_path / "lie.zip").write_bytes(bytes(raw))
    _, (member,) = extract_archive(tmp_path / "lie.zip", tmp_path / "st")
    assert member.file is None and (member.problem or "").startswith("corrupt archive member")


def test_duplicate_member_names(tmp_path: Path) -> None:
    path = tmp_path / "dup.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("nb.ipynb", b"{}")
        with pytest.warns(UserWarning, match="Duplicate name"):
            zf.writestr("nb.ipynb", b"[]")
    _, members = extract_archive(path, tmp_path / "st")
    assert [m.problem for m in members] == [None, "a second archive member with this name; not extracted"]


def test_encrypted_member(tmp_path: Path) -> None:
    path = make_zip(tmp_path / "enc.zip", {"nb.ipynb": b"{}"})
    raw = bytearray(path.read_bytes())
    for sig, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = raw.find(sig)
        raw[at + offset] |= 0x1
    path.write_bytes(bytes(raw))
    _, (member,) = extract_archive(path, tmp_path / "st")
    assert member.problem == "encrypted archive member; cannot be read"
