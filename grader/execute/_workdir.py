"""The kernel's work dir: a size-limited tmpfs filled from the caller's work dir and emptied back into it.

Why a copy: ``--fsize`` caps one file, not the total, and the caller's work dir lies on the host disk.
So each sandboxed run mounts a tmpfs of ``disk_mb`` (RAM-backed, filled only as used) in its private run
directory, copies the caller's work dir into it (owned by the slot's uid), binds it as the kernel's cwd,
and after the kernel is gone copies what the notebook left there back into the caller's work dir, where
the caller reads it (``grader_record.json``). Files the grader adds while the kernel lives (the
``before_epilogue`` hook writes hidden data into the work dir) are copied in before the epilogue runs.

Everything the notebook wrote is hostile: copies never follow a symbolic link (a link the notebook left
is skipped, a link in the way of a path is replaced), special files are skipped, writes go through
directory file descriptors (``O_NOFOLLOW``) so a link swapped in while the kernel runs cannot redirect
them, and at most ``disk_mb`` of bytes are copied back (a sparse file cannot blow up the host disk).
Symbolic links in the caller's work dir are not carried in: give big provided data as
``ExecutionConfig.extra_ro_binds`` instead.

A grader that is not root cannot mount (the rootless sandbox form on a SLURM node): the live dir is then a
plain directory in the private run directory, filled and emptied the same way; only ``disk_mb`` of it is
copied back, but what the notebook writes there is bounded only per file (``max_file_size_mb``).
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import stat
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SandboxError

__all__ = ["CopyReport", "LiveWorkdir", "copy_tree", "mount_tmpfs", "remove_tree", "snapshot", "unmount"]

MS_NOSUID = 2
MS_NODEV = 4
MNT_DETACH = 2
MAX_INODES = 100_000
_DIR_FLAGS = os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW | os.O_CLOEXEC
_READ_FLAGS = os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_WRITE_FLAGS = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW | os.O_NONBLOCK | os.O_CLOEXEC
_IN_THE_WAY = {errno.ELOOP, errno.ENOTDIR, errno.ENXIO}
_LIBC = ctypes.CDLL(None, use_errno=True)


def mount_tmpfs(target: Path, *, size_bytes: int, uid: int, gid: int) -> None:
    """Mount a tmpfs of ``size_bytes`` on ``target`` (mode 0700, owned by ``uid``; nosuid, nodev)."""
    options = f"size={size_bytes},nr_inodes={MAX_INODES},mode=0700,uid={uid},gid={gid}"
    flags = ctypes.c_ulong(MS_NOSUID | MS_NODEV)
    if _LIBC.mount(b"tmpfs", os.fsencode(target), b"tmpfs", flags, options.encode()) != 0:
        reason = os.strerror(ctypes.get_errno())
        raise SandboxError(f"sandbox: cannot mount a tmpfs for the work dir on {target}: {reason}")


def unmount(target: Path) -> None:
    """Detach the mount on ``target`` (lazily, so a lingering open file cannot keep it)."""
    if _LIBC.umount2(os.fsencode(target), MNT_DETACH) != 0:
        reason = os.strerror(ctypes.get_errno())
        raise SandboxError(f"sandbox: cannot unmount the work dir tmpfs {target}: {reason}")


@dataclass
class CopyReport:
    """What one ``copy_tree`` did: files copied, files skipped (links, special files, over budget), bytes."""

    copied: int = 0
    skipped: int = 0
    bytes: int = 0


def snapshot(root: Path) -> dict[str, tuple[int, int]]:
    """Regular files under ``root`` (no links followed): relative path -> (size, mtime in ns)."""
    files: dict[str, tuple[int, int]] = {}
    for rel, path in _walk_files(root):
        info = path.lstat()
        if stat.S_ISREG(info.st_mode):
            files[rel] = (info.st_size, info.st_mtime_ns)
    return files


def copy_tree(
    src: Path,
    dst: Path,
    *,
    owner: tuple[int, int] | None = None,
    only: Collection[str] | None = None,
    max_bytes: int | None = None,
) -> CopyReport:
    """Copy the regular files under ``src`` into ``dst`` without following links on either side.

    ``owner``: (uid, gid) for what is created; ``only``: relative paths to copy (default all);
    ``max_bytes``: stop copying files once this many bytes were copied (the rest count as skipped).
    """
    report = CopyReport()
    root_fd = os.open(dst, _DIR_FLAGS)
    try:
        for rel, path in _walk_files(src):
            if only is None or rel in only:
                _copy_file(path, root_fd, rel, owner, report, max_bytes)
    finally:
        os.close(root_fd)
    return report


class LiveWorkdir:
    """The tmpfs (or, with ``tmpfs=False``, plain directory) the kernel writes, for one run: enter
    mounts and fills it, exit unmounts and removes it.

    ``sync_in`` copies files the grader added to or changed in ``workdir`` since entry; ``copy_out``
    copies everything the notebook left back into ``workdir`` (call it after the kernel is gone).
    """

    def __init__(
        self, workdir: Path, live: Path, *, owner: tuple[int, int], disk_bytes: int, tmpfs: bool = True
    ) -> None:
        self.workdir = workdir
        self.live = live
        self.owner = owner
        self.disk_bytes = disk_bytes
        self.tmpfs = tmpfs
        self._seen: dict[str, tuple[int, int]] = {}

    def __enter__(self) -> LiveWorkdir:
        self._seen = snapshot(self.workdir)
        _check_fits(self._seen, self.disk_bytes)
        self.live.mkdir(mode=0o700)
        if self.tmpfs:
            mount_tmpfs(self.live, size_bytes=self.disk_bytes, uid=self.owner[0], gid=self.owner[1])
        try:
            copy_tree(self.workdir, self.live, owner=self.owner)
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if self.tmpfs:
            unmount(self.live)
            self.live.rmdir()
        else:
            remove_tree(self.live)

    def sync_in(self) -> CopyReport:
        """Copy into the live dir the files of ``workdir`` that are new or changed since the last sync."""
        now = snapshot(self.workdir)
        changed = {rel for rel, sig in now.items() if self._seen.get(rel) != sig}
        self._seen = now
        return copy_tree(self.workdir, self.live, owner=self.owner, only=changed)

    def copy_out(self) -> CopyReport:
        """Copy what the notebook left into ``workdir`` (root-owned, at most ``disk_bytes``)."""
        return copy_tree(self.live, self.workdir, max_bytes=self.disk_bytes)


def _check_fits(files: dict[str, tuple[int, int]], disk_bytes: int) -> None:
    total = sum(size for size, _ in files.values())
    if total > disk_bytes:
        raise SandboxError(
            f"sandbox: the work dir holds {total / 2**20:.1f} MiB but execution.disk_mb is "
            f"{disk_bytes // 2**20} MiB; raise disk_mb or pass large provided data as extra_ro_binds"
        )


def _walk_files(root: Path, limit: int = MAX_INODES) -> Iterator[tuple[str, Path]]:
    """(relative posix path, path) of every entry under ``root`` that is not a real directory (files,
    links, including links to directories, which are not entered, and special files), depth first in
    name order, at most ``limit`` entries looked at. Iterative: a notebook may nest directories deeper
    than Python's recursion limit."""
    stack = [root]
    seen = 0
    while stack:
        directory = stack.pop()
        try:
            entries = sorted(os.scandir(directory), key=lambda entry: entry.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            seen += 1
            if seen > limit:
                return
            if entry.is_dir(follow_symlinks=False):
                subdirs.append(Path(entry.path))
            else:
                path = Path(entry.path)
                yield path.relative_to(root).as_posix(), path
        stack.extend(reversed(subdirs))


def remove_tree(root: Path) -> None:
    """Delete ``root`` and everything under it without following links, whatever a notebook did to it:
    directories made unwritable are made writable first; nesting deeper than the recursion limit is
    fine (iterative). Errors on single entries are ignored, as with ``rmtree(ignore_errors=True)``."""
    if root.is_symlink() or not root.is_dir():
        with contextlib.suppress(OSError):
            root.unlink()
        return
    order: list[Path] = []
    stack = [root]
    while stack:
        directory = stack.pop()
        order.append(directory)
        with contextlib.suppress(OSError):
            os.chmod(directory, 0o700)
        try:
            entries = list(os.scandir(directory))
        except OSError:
            continue
        for entry in entries:
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
            else:
                with contextlib.suppress(OSError):
                    os.unlink(entry.path)
    for directory in reversed(order):
        with contextlib.suppress(OSError):
            os.rmdir(directory)


def _copy_file(
    src: Path,
    root_fd: int,
    rel: str,
    owner: tuple[int, int] | None,
    report: CopyReport,
    max_bytes: int | None,
) -> None:
    try:
        src_fd = os.open(src, _READ_FLAGS)
    except OSError:
        report.skipped += 1
        return
    try:
        info = os.fstat(src_fd)
        size = info.st_size
        if not stat.S_ISREG(info.st_mode) or (max_bytes is not None and report.bytes + size > max_bytes):
            report.skipped += 1
        elif _write_at(root_fd, rel, src_fd, owner):
            report.copied += 1
            report.bytes += size
        else:
            report.skipped += 1
    finally:
        os.close(src_fd)


def _write_at(root_fd: int, rel: str, src_fd: int, owner: tuple[int, int] | None) -> bool:
    """Write the file open on ``src_fd`` to ``rel`` below ``root_fd``; False when the path is blocked."""
    *parents, name = rel.split("/")
    try:
        dir_fd = _open_dirs(root_fd, parents, owner)
    except OSError:
        return False
    try:
        return _write_file(dir_fd, name, src_fd, owner)
    except OSError:
        return False
    finally:
        os.close(dir_fd)


def _open_dirs(root_fd: int, parts: list[str], owner: tuple[int, int] | None) -> int:
    fd = os.dup(root_fd)
    for part in parts:
        try:
            child = _open_dir(fd, part, owner)
        finally:
            os.close(fd)
        fd = child
    return fd


def _open_dir(parent_fd: int, name: str, owner: tuple[int, int] | None) -> int:
    """Open directory ``name`` below ``parent_fd``, creating it and replacing a link or file in its way."""
    for _attempt in range(3):
        try:
            return os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        except FileNotFoundError:
            pass
        except OSError as exc:
            _unlink_in_the_way(exc, parent_fd, name)
        try:
            os.mkdir(name, 0o755, dir_fd=parent_fd)
        except FileExistsError:
            continue
        fd = os.open(name, _DIR_FLAGS, dir_fd=parent_fd)
        if owner is not None:
            os.fchown(fd, *owner)
        return fd
    raise OSError(errno.EBUSY, f"{name}: kept changing while being created")


def _write_file(dir_fd: int, name: str, src_fd: int, owner: tuple[int, int] | None) -> bool:
    mode = 0o755 if os.fstat(src_fd).st_mode & stat.S_IXUSR else 0o644
    for _attempt in range(3):
        try:
            fd = os.open(name, _WRITE_FLAGS, mode, dir_fd=dir_fd)
        except IsADirectoryError:
            return False
        except OSError as exc:
            _unlink_in_the_way(exc, dir_fd, name)
            continue
        try:
            if stat.S_ISREG(os.fstat(fd).st_mode):
                return _fill(fd, src_fd, owner, dir_fd, name)
        finally:
            os.close(fd)
        os.unlink(name, dir_fd=dir_fd)
    return False


def _fill(fd: int, src_fd: int, owner: tuple[int, int] | None, dir_fd: int, name: str) -> bool:
    """Copy ``src_fd`` into ``fd``; on failure (a full tmpfs) remove the partial file and say False."""
    try:
        if owner is not None:
            os.fchown(fd, *owner)
        os.lseek(src_fd, 0, os.SEEK_SET)
        with open(src_fd, "rb", closefd=False) as source, open(fd, "wb", closefd=False) as target:
            shutil.copyfileobj(source, target, 1 << 20)
    except OSError:
        with contextlib.suppress(OSError):
            os.unlink(name, dir_fd=dir_fd)
        return False
    return True


def _unlink_in_the_way(exc: OSError, parent_fd: int, name: str) -> None:
    """Remove a link, FIFO or file standing where a directory or file must go; re-raise anything else."""
    if exc.errno not in _IN_THE_WAY:
        raise exc
    with contextlib.suppress(FileNotFoundError):
        os.unlink(name, dir_fd=parent_fd)
