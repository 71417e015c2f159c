"""Run directories that name their owner, and the removal of those a killed grader left behind.

A grader killed by SIGKILL (an OOM kill, a cancelled SLURM job) cannot clean up: its scratch directories
stay under the temp folder, some with a tmpfs still mounted on them. So every directory the grader makes
for a run is named ``grader-<kind>-<pid>.<start>-<random>`` (``start``: the process's start time in clock
ticks, so a reused pid is not mistaken for the owner). The first time a process makes one in a folder, it
removes there every such directory whose owner process is gone, that belongs to its own uid, unmounting
what is mounted below it first. Directories of live graders, of other users and of anything else are
left alone.
"""

from __future__ import annotations

import functools
import os
import re
import stat
import tempfile
from pathlib import Path

from grader.errors import SandboxError
from grader.execute._workdir import remove_tree, unmount

__all__ = ["clean_stale", "dead_owners_dirs", "owner_tag", "remove_tree", "run_dir", "start_ticks"]

_NAME = re.compile(r"^grader-[a-z]+-(\d+)\.(\d+)-")


def start_ticks(pid: int) -> int | None:
    """Field 22 of ``/proc/PID/stat`` (start time after boot, in clock ticks), or None if no such process."""
    try:
        return _ticks(Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace"))
    except OSError:
        return None


def _ticks(stat_text: str) -> int | None:
    fields = stat_text[stat_text.rfind(")") + 2 :].split()
    return int(fields[19]) if len(fields) > 19 and fields[19].isdigit() else None


def _owner_gone(pid: int, start: int) -> bool:
    """True only when process ``pid`` started at ``start`` is certainly gone: no such process, or one that
    started at another time. A read that fails otherwise (e.g. out of file descriptors on a busy machine)
    or cannot be parsed keeps the directory: removing a live grader's directory fails its notebook."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text(encoding="ascii", errors="replace")
    except (FileNotFoundError, ProcessLookupError):
        return True
    except OSError:
        return False
    ticks = _ticks(text)
    return ticks is not None and ticks != start


def owner_tag() -> str:
    """``<pid>.<start>`` of this process: the owner part of a run directory's name."""
    return f"{os.getpid()}.{start_ticks(os.getpid()) or 0}"


def run_dir(kind: str, parent: Path | None = None) -> Path:
    """A new private directory ``grader-<kind>-<owner>-XXXX`` in ``parent`` (default: the temp folder).

    The first call per folder in a process removes the directories killed graders left there.
    """
    folder = Path(parent) if parent is not None else Path(tempfile.gettempdir())
    _clean_once(folder.resolve())
    return Path(tempfile.mkdtemp(prefix=f"grader-{kind}-{owner_tag()}-", dir=folder))


@functools.cache
def _clean_once(folder: Path) -> None:
    clean_stale(folder)


def dead_owners_dirs(folder: Path, name: re.Pattern[str] = _NAME) -> list[Path]:
    """The directories in ``folder`` of this uid whose ``name`` (groups: pid, start ticks) names an owner
    process that is gone; nothing when ``folder`` cannot be read."""
    try:
        entries = list(os.scandir(folder))
    except OSError:
        return []
    found: list[Path] = []
    for entry in entries:
        match = name.match(entry.name)
        if match is None or not _owner_gone(int(match[1]), int(match[2])):
            continue
        info = entry.stat(follow_symlinks=False)
        if stat.S_ISDIR(info.st_mode) and info.st_uid == os.geteuid():
            found.append(Path(entry.path))
    return found


def clean_stale(folder: Path) -> list[Path]:
    """Remove, from ``folder``, the run directories of this uid whose owner process is gone; return them."""
    removed: list[Path] = []
    for path in dead_owners_dirs(folder):
        try:
            _unmount_below(path)
        except SandboxError:
            continue  # still mounted: removing would walk into the mount; leave it for a human
        remove_tree(path)
        removed.append(path)
    return removed


def _unmount_below(path: Path) -> None:
    """Detach every mount at or below ``path``, deepest first (``/proc/self/mountinfo``)."""
    for point in sorted(_mount_points_below(path), key=lambda p: len(p.parts), reverse=True):
        unmount(point)


def _mount_points_below(path: Path) -> list[Path]:
    try:
        lines = Path("/proc/self/mountinfo").read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return []
    points = [Path(_unescape(line.split()[4])) for line in lines if len(line.split()) > 4]
    return [p for p in points if p == path or path in p.parents]


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (``\\040``)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)
