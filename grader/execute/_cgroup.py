"""One cgroup per sandbox: a memory limit (swap included) and a task limit for all of its processes.

rlimits bound each process; a notebook that forks gets the full memory limit in every child. So each
sandboxed run gets its own cgroup, made under the grader's own cgroup before the kernel starts and
removed after it ended (what is still inside is killed first). The kernel's launcher (``_keyring``)
writes its own pid into the cgroup before it execs bwrap, so bwrap and everything below it are inside;
the grader process stays outside.

Two backends behind one interface (``Backend.create`` -> ``SandboxCgroup``), picked by what this
machine mounts (``find_backend``, from ``/proc/self/cgroup`` and ``/proc/self/mountinfo``):

- ``v1`` (legacy or hybrid layout): ``memory`` and ``pids`` are separate hierarchies; the run gets a
  directory in each (``memory.limit_in_bytes``, ``memory.memsw.limit_in_bytes``, ``pids.max``). Needs
  root: cgroup v1 has no safe delegation.
- ``v2`` (unified): one directory (``memory.max``, ``memory.swap.max`` 0, ``memory.oom.group`` 1,
  ``pids.max``). The grader's own cgroup must be writable (root, or a delegated cgroup) and, since a
  v2 cgroup with processes cannot hand controllers to children, the grader first moves the processes
  of its cgroup (itself, a Dask nanny beside it) into a leaf ``grader-main-<owner>``, beside which the
  sandboxes' cgroups are made.

Where neither works (no controller, no write access: a TA without a delegated cgroup) a run has
per-process limits only, and its record says so. Every directory is named
``grader-<sbx|main>-<pid>.<start>-<random>`` as in ``rundirs``: those of graders that are gone are
removed, when empty, the first time a process makes one in the same parent.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import os
import re
import secrets
import signal
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import Literal, Protocol

from grader.execute.rundirs import dead_owners_dirs, owner_tag

__all__ = [
    "Backend",
    "CgroupUsage",
    "SandboxCgroup",
    "V1Backend",
    "V2Backend",
    "clean_once",
    "clean_stale",
    "find_backend",
    "new_name",
    "parse_mountinfo",
    "parse_proc_cgroup",
]

BackendName = Literal["v1", "v2"]
_NAME = re.compile(r"^grader-(?:sbx|main)-(\d+)\.(\d+)-")
_REMOVE_WAIT_S = 5.0
_V2_CONTROLLERS = {"memory", "pids"}


@dataclass(frozen=True)
class CgroupUsage:
    """What the sandbox's cgroup counted: processes the OOM killer ended, peak memory (bytes, None where
    the kernel does not keep it) and new tasks refused at ``pids.max``."""

    oom_kills: int
    peak_bytes: int | None
    pids_refused: int


@dataclass(frozen=True)
class SandboxCgroup:
    """One sandbox's cgroup: its directories (v1: memory, pids; v2: one) and the limits written there
    (``swap_counted``: the memory limit covers swap too; False where the kernel does not account swap)."""

    backend: BackendName
    dirs: tuple[Path, ...]
    memory_bytes: int
    pids_max: int
    swap_counted: bool = True

    @property
    def procs(self) -> tuple[Path, ...]:
        """The ``cgroup.procs`` files the launcher writes its pid into."""
        return tuple(d / "cgroup.procs" for d in self.dirs)

    def pids(self) -> set[int]:
        """Processes in the cgroup now (in this process's pid namespace)."""
        found: set[int] = set()
        for procs in self.procs:
            with contextlib.suppress(OSError):
                found |= {int(p) for p in procs.read_text(encoding="ascii").split()}
        return found

    def usage(self) -> CgroupUsage:
        """The counters, read from the cgroup's files (0 or None where a file is missing)."""
        memory = self.dirs[0]
        pids = self.dirs[-1]
        if self.backend == "v1":
            oom = _keyed(memory / "memory.oom_control").get("oom_kill", 0)
            peak = _int(memory / "memory.memsw.max_usage_in_bytes") or _int(memory / "memory.max_usage_in_bytes")
        else:
            oom = _keyed(memory / "memory.events").get("oom_kill", 0)
            peak = _int(memory / "memory.peak")
        return CgroupUsage(oom, peak, _keyed(pids / "pids.events").get("max", 0))

    def kill(self) -> None:
        """SIGKILL everything in the cgroup (``cgroup.kill`` on v2 where the kernel has it)."""
        killer = self.dirs[0] / "cgroup.kill"
        if self.backend == "v2" and killer.exists():
            with contextlib.suppress(OSError):
                killer.write_text("1", encoding="ascii")
                return
        for pid in self.pids():
            _kill_member(pid, self)

    def remove(self) -> bool:
        """Kill what is left, then remove the directories; False if one is still busy after 5 s (a
        later grader removes it as stale once it is empty)."""
        deadline = time.monotonic() + _REMOVE_WAIT_S
        while True:
            self.kill()
            if all(_rmdir(d) for d in self.dirs):
                return True
            if time.monotonic() > deadline:
                return False
            time.sleep(0.05)

    def describe(self) -> str:
        """The limits as the record states them."""
        swap = "memory and swap" if self.swap_counted else "memory (swap not counted)"
        return (
            f"cgroup {self.backend}: {swap} {self.memory_bytes // 2**20} MiB and {self.pids_max} processes "
            "and threads for all of the sandbox's processes together"
        )


class Backend(Protocol):
    """Makes sandbox cgroups on one kind of hierarchy."""

    @property
    def name(self) -> BackendName:
        """``v1`` or ``v2``."""
        ...

    def parents(self) -> tuple[Path, ...]:
        """The directories sandbox cgroups are made in (for the removal of stale ones)."""
        ...

    def create(self, name: str, memory_bytes: int, pids_max: int) -> SandboxCgroup:
        """A new cgroup ``name`` with these limits; OSError (naming the file) when it cannot be made."""
        ...

    def apply(self, made: SandboxCgroup) -> SandboxCgroup:
        """Write the limits of ``made`` into its existing directories."""
        ...


@dataclass(frozen=True)
class V1Backend:
    """cgroup v1: a directory under this process's cgroup in the ``memory`` and in the ``pids`` hierarchy."""

    memory: Path
    pids: Path
    name: BackendName = "v1"

    def parents(self) -> tuple[Path, ...]:
        return (self.memory, self.pids)

    def create(self, name: str, memory_bytes: int, pids_max: int) -> SandboxCgroup:
        return _create(SandboxCgroup("v1", (self.memory / name, self.pids / name), memory_bytes, pids_max), self)

    def apply(self, made: SandboxCgroup) -> SandboxCgroup:
        """Write ``made``'s limits into its (existing) directories; ``made`` with ``swap_counted`` set."""
        memory, pids = made.dirs
        _write(memory / "memory.limit_in_bytes", made.memory_bytes)
        swap = memory / "memory.memsw.limit_in_bytes"
        if swap.exists():
            _write(swap, made.memory_bytes)
        else:  # swap accounting off (swapaccount=0): at least keep the sandbox out of swap
            _write(memory / "memory.swappiness", 0)
        _write(pids / "pids.max", made.pids_max)
        return dataclasses.replace(made, swap_counted=swap.exists())


@dataclass(frozen=True)
class V2Backend:
    """cgroup v2: one directory in ``parent``, a cgroup that hands ``memory`` and ``pids`` to its children."""

    parent: Path
    name: BackendName = "v2"

    def parents(self) -> tuple[Path, ...]:
        return (self.parent,)

    def create(self, name: str, memory_bytes: int, pids_max: int) -> SandboxCgroup:
        return _create(SandboxCgroup("v2", (self.parent / name,), memory_bytes, pids_max), self)

    def apply(self, made: SandboxCgroup) -> SandboxCgroup:
        """Write ``made``'s limits into its (existing) directory; ``made`` with ``swap_counted`` set."""
        folder = made.dirs[0]
        _write(folder / "memory.max", made.memory_bytes)
        for optional, value in (("memory.swap.max", 0), ("memory.oom.group", 1)):
            if (folder / optional).exists():  # absent without swap accounting; before Linux 4.19
                _write(folder / optional, value)
        _write(folder / "pids.max", made.pids_max)
        return dataclasses.replace(made, swap_counted=(folder / "memory.swap.max").exists())


def find_backend(proc: Path = Path("/proc/self")) -> Backend | str:
    """The backend this machine offers this process, or why there is none (a sentence).

    v1 when ``memory`` and ``pids`` are both mounted as v1 hierarchies, else v2 when the unified
    hierarchy offers both to this process's cgroup. As a v2 side effect the grader may move itself into a
    leaf of its own cgroup (see the module docstring); that is done once per process.
    """
    try:
        membership = parse_proc_cgroup((proc / "cgroup").read_text(encoding="utf-8"))
        mounts = parse_mountinfo((proc / "mountinfo").read_text(encoding="utf-8"))
    except OSError as exc:
        return f"cannot read {exc.filename}: {exc.strerror}"
    v1 = {c: _host_dir(c, membership, mounts) for c in ("memory", "pids")}
    if v1["memory"] is not None and v1["pids"] is not None:
        return V1Backend(v1["memory"], v1["pids"])
    own = _host_dir("", membership, mounts)
    if own is None:
        return "neither memory and pids as cgroup v1 hierarchies nor a cgroup v2 hierarchy is mounted"
    return _v2_backend(own)


def parse_proc_cgroup(text: str) -> dict[str, PurePosixPath]:
    """``/proc/PID/cgroup`` as {controller: path}; the v2 line (``0::/path``) under the key ``""``.

    >>> parse_proc_cgroup("4:memory:/a\\n8:pids:/\\n0::/b\\n")["memory"]
    PurePosixPath('/a')
    """
    found: dict[str, PurePosixPath] = {}
    for line in text.splitlines():
        parts = line.split(":", 2)
        if len(parts) == 3:
            for controller in parts[1].split(",") if parts[1] else [""]:
                found[controller] = PurePosixPath(parts[2])
    return found


def parse_mountinfo(text: str) -> dict[str, tuple[PurePosixPath, Path]]:
    """cgroup mounts of ``/proc/PID/mountinfo`` as {controller: (root in the hierarchy, mount point)};
    a cgroup2 mount under the key ``""``."""
    found: dict[str, tuple[PurePosixPath, Path]] = {}
    for line in text.splitlines():
        fields = line.split()
        if " - " not in line or len(fields) < 5:
            continue
        fstype, _, options = line.split(" - ", 1)[1].split(" ")[:3]
        where = (PurePosixPath(_unescape(fields[3])), Path(_unescape(fields[4])))
        if fstype == "cgroup2":
            found.setdefault("", where)
        elif fstype == "cgroup":
            for option in options.split(","):
                found.setdefault(option, where)
    return found


def clean_stale(parent: Path) -> list[Path]:
    """Remove, from ``parent``, the grader cgroups of this uid whose owner process is gone.

    What is still running in one is a sandbox its killed grader left behind (a grader killed while its
    launcher started cannot take the sandbox with it): it is killed first, as its grader would have.
    """
    return [path for path in dead_owners_dirs(parent, _NAME) if _empty_and_remove(path)]


def _empty_and_remove(folder: Path) -> bool:
    """Kill every process in the cgroup ``folder`` and remove it; False if still busy after 5 s."""
    deadline = time.monotonic() + _REMOVE_WAIT_S
    while not _rmdir(folder):
        if time.monotonic() > deadline:
            return False
        for pid in _pids_in(folder):
            _kill_if(pid, lambda p: p in _pids_in(folder))
        time.sleep(0.05)
    return True


def new_name() -> str:
    """``grader-sbx-<pid>.<start>-<random>``: a fresh sandbox cgroup's name."""
    return f"grader-sbx-{owner_tag()}-{secrets.token_hex(4)}"


@functools.cache
def clean_once(parent: Path) -> None:
    """``clean_stale(parent)``, once per process and parent."""
    clean_stale(parent)


def _host_dir(
    controller: str, membership: dict[str, PurePosixPath], mounts: dict[str, tuple[PurePosixPath, Path]]
) -> Path | None:
    """Where this process's cgroup of ``controller`` is on this machine's filesystem, if mounted."""
    if controller not in membership or controller not in mounts:
        return None
    root, point = mounts[controller]
    own = membership[controller]
    if own != root and root not in own.parents:
        return None  # our cgroup lies outside what is mounted (another cgroup namespace)
    return point / own.relative_to(root)


@functools.cache
def _v2_backend(own: Path) -> Backend | str:
    """The v2 parent: ``own`` if it already hands memory and pids to children; its parent if ``own`` is a
    grader's leaf; else ``own`` after this process moved itself into a new leaf and enabled them."""
    missing = _V2_CONTROLLERS - _words(own / "cgroup.controllers")
    if missing:
        return f"cgroup v2: the controllers {sorted(missing)} are not available in {own}"
    if _words(own / "cgroup.subtree_control") >= _V2_CONTROLLERS:
        return V2Backend(own)
    if _NAME.match(own.name) and _words(own.parent / "cgroup.subtree_control") >= _V2_CONTROLLERS:
        return V2Backend(own.parent)
    try:
        _delegate_to_children(own)
    except OSError as exc:
        return f"cgroup v2: cannot use {own} for the sandboxes ({exc.filename}: {exc.strerror})"
    return V2Backend(own)


def _delegate_to_children(own: Path) -> None:
    """Move the processes of ``own`` (this one, and e.g. a Dask nanny beside it) into a new leaf
    ``own/grader-main-<owner>``, then enable memory and pids for ``own``'s children; undone (OSError
    raised) when the kernel refuses."""
    leaf = own / f"grader-main-{owner_tag()}-{secrets.token_hex(4)}"
    _mkdir(leaf)
    moved: list[int] = []
    try:
        for pid in sorted(_pids_in(own) | {os.getpid()}):
            with contextlib.suppress(ProcessLookupError):  # ended meanwhile
                _write(leaf / "cgroup.procs", pid)
                moved.append(pid)
        _write_text(own / "cgroup.subtree_control", "+memory +pids")
    except OSError:
        for pid in moved:
            with contextlib.suppress(OSError):
                _write(own / "cgroup.procs", pid)
        _rmdir(leaf)
        raise


def _pids_in(cgroup: Path) -> set[int]:
    try:
        return {int(p) for p in (cgroup / "cgroup.procs").read_text(encoding="ascii").split()}
    except (OSError, ValueError):
        return set()


def _create(made: SandboxCgroup, backend: V1Backend | V2Backend) -> SandboxCgroup:
    """Make ``made``'s directories and write its limits; on failure remove what was made and raise."""
    try:
        for folder in made.dirs:
            _mkdir(folder)
        return backend.apply(made)
    except OSError:
        made.remove()
        raise


def _kill_member(pid: int, cgroup: SandboxCgroup) -> None:
    """SIGKILL ``pid`` if it still is in ``cgroup`` (checked through a pidfd, so a reused pid is spared)."""
    _kill_if(pid, lambda p: p in cgroup.pids())


def _kill_if(pid: int, still_member: Callable[[int], bool]) -> None:
    """SIGKILL ``pid`` if ``still_member(pid)`` once a pidfd holds it (a reused pid is spared)."""
    try:
        fd = os.pidfd_open(pid)
    except OSError:
        return
    try:
        if still_member(pid):
            signal.pidfd_send_signal(fd, signal.SIGKILL)
    except OSError:
        pass
    finally:
        os.close(fd)


def _mkdir(path: Path) -> None:
    try:
        path.mkdir()
    except OSError as exc:
        raise OSError(exc.errno, f"cannot create {path}: {exc.strerror}", str(path)) from exc


def _write(path: Path, value: int) -> None:
    _write_text(path, str(value))


def _write_text(path: Path, value: str) -> None:
    try:
        path.write_text(value, encoding="ascii")
    except OSError as exc:
        raise OSError(exc.errno, f"cannot write {value!r} to {path}: {exc.strerror}", str(path)) from exc


def _rmdir(path: Path) -> bool:
    """Remove the cgroup directory ``path``; True when it is gone."""
    try:
        path.rmdir()
    except FileNotFoundError:
        return True
    except OSError:
        return False
    return True


def _int(path: Path) -> int | None:
    try:
        return int(path.read_text(encoding="ascii").split()[0])
    except (OSError, ValueError, IndexError):
        return None


def _keyed(path: Path) -> dict[str, int]:
    """A flat-keyed cgroup file (``key value`` per line) as a dict; empty when unreadable."""
    try:
        lines = path.read_text(encoding="ascii").splitlines()
    except OSError:
        return {}
    pairs = (line.split() for line in lines)
    return {p[0]: int(p[1]) for p in pairs if len(p) == 2 and p[1].isdigit()}


def _words(path: Path) -> set[str]:
    try:
        return set(path.read_text(encoding="ascii").split())
    except OSError:
        return set()


def _unescape(field: str) -> str:
    """mountinfo writes space, tab, newline and backslash as octal escapes (``\\040``)."""
    return re.sub(r"\\([0-7]{3})", lambda m: chr(int(m[1], 8)), field)
