"""Copies into and out of the sandbox's work dir never follow links; the tmpfs caps the total."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from grader.errors import SandboxError
from grader.execute._workdir import LiveWorkdir, copy_tree, snapshot

needs_root = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


def _tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text)
    return root


def test_copy_skips_links_and_special_files(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", {"a.txt": "a", "d/b.txt": "b"})
    (src / "link.txt").symlink_to("/etc/passwd")
    (src / "dirlink").symlink_to("/")
    os.mkfifo(src / "fifo")
    (tmp_path / "dst").mkdir()
    report = copy_tree(src, tmp_path / "dst")
    assert (report.copied, report.skipped, report.bytes) == (2, 3, 2)
    assert sorted(str(p.relative_to(tmp_path / "dst")) for p in (tmp_path / "dst").rglob("*")) == [
        "a.txt",
        "d",
        "d/b.txt",
    ]


def test_copy_replaces_links_in_the_destination_instead_of_following_them(tmp_path: Path) -> None:
    outside = _tree(tmp_path / "outside", {"target.txt": "precious"})
    src = _tree(tmp_path / "src", {"x.txt": "new", "sub/y.txt": "new"})
    dst = tmp_path / "dst"
    dst.mkdir()
    (dst / "x.txt").symlink_to(outside / "target.txt")
    (dst / "sub").symlink_to(outside)
    copy_tree(src, dst)
    assert (outside / "target.txt").read_text() == "precious" and not (outside / "y.txt").exists()
    assert not (dst / "x.txt").is_symlink() and (dst / "x.txt").read_text() == "new"
    assert not (dst / "sub").is_symlink() and (dst / "sub" / "y.txt").read_text() == "new"


def test_copy_does_not_block_on_a_fifo_in_the_destination(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", {"record.json": "{}"})
    dst = tmp_path / "dst"
    dst.mkdir()
    os.mkfifo(dst / "record.json")
    assert copy_tree(src, dst).copied == 1
    assert (dst / "record.json").read_text() == "{}"


def test_copy_honours_the_byte_budget_and_the_selection(tmp_path: Path) -> None:
    src = _tree(tmp_path / "src", {"a": "1234", "b": "5678", "c": "9"})
    dst = tmp_path / "dst"
    dst.mkdir()
    report = copy_tree(src, dst, max_bytes=5)
    assert (report.copied, report.skipped) == (2, 1)
    assert sorted(p.name for p in dst.iterdir()) == ["a", "c"]
    other = tmp_path / "other"
    other.mkdir()
    assert copy_tree(src, other, only={"b"}).copied == 1 and [p.name for p in other.iterdir()] == ["b"]


def test_snapshot_lists_regular_files_only(tmp_path: Path) -> None:
    root = _tree(tmp_path / "r", {"a": "12", "d/b": "3"})
    (root / "l").symlink_to(root / "a")
    assert sorted(snapshot(root)) == ["a", "d/b"] and snapshot(root)["a"][0] == 2


@needs_root
def test_live_workdir_is_a_capped_tmpfs_filled_synced_and_emptied(tmp_path: Path) -> None:
    workdir = _tree(tmp_path / "work", {"submission.ipynb": "{}", "data/train.fa": ">a\nACGT\n"})
    live_path = tmp_path / "run" / "work"
    live_path.parent.mkdir()
    with LiveWorkdir(workdir, live_path, owner=(60123, 60123), disk_bytes=1 << 20) as live:
        assert live_path.stat().st_uid == 60123 and (live_path / "data" / "train.fa").stat().st_uid == 60123
        assert (live_path / "data" / "train.fa").read_text() == ">a\nACGT\n"
        with pytest.raises(OSError, match="No space left"):
            (live_path / "big.bin").write_bytes(b"0" * (2 << 20))
        (live_path / "big.bin").unlink()
        _tree(workdir, {"hidden/sequences.fa": ">h\nAAAA\n"})
        assert live.sync_in().copied == 1
        assert (live_path / "hidden" / "sequences.fa").stat().st_uid == 60123
        (live_path / "grader_record.json").write_text('{"ok": true}')
        assert live.copy_out().skipped == 0
    assert not live_path.exists()
    assert (workdir / "grader_record.json").read_text() == '{"ok": true}'
    assert str(live_path) not in Path("/proc/mounts").read_text()


@needs_root
def test_live_workdir_refuses_files_larger_than_the_cap(tmp_path: Path) -> None:
    workdir = _tree(tmp_path / "work", {"big.bin": "0" * 2048})
    with pytest.raises(SandboxError, match="disk_mb"):
        LiveWorkdir(workdir, tmp_path / "live", owner=(60123, 60123), disk_bytes=1024).__enter__()
    assert not (tmp_path / "live").exists()
