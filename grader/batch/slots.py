"""Sandbox slots: how many a machine runs at once, and a host-wide lease on each one.

Slot ``n`` runs its sandbox as uid ``uid_base + n`` (a grader without root runs every slot as itself, in
the rootless sandbox form) and, on a GPU machine, on GPU ``n mod GPUs`` of the GPUs this process was
given (``grader.execute``). Two sandboxes must never share a slot: one uid shares ``RLIMIT_NPROC``, so one
student's fork bomb would stop another's kernel (shared/design/sandbox.md). A slot is therefore held
through an exclusive ``flock`` on ``<slot dir>/slot-<n>.lock`` for as long as a notebook runs in it.
The lock is per machine, so it also keeps apart two graders started side by side (two TAs, two Dask
workers on one node); the kernel drops it when its holder dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from grader.errors import SandboxError

__all__ = ["MAX_SLOTS", "SLOT_DIR_ENV", "default_jobs", "slot_dir", "slot_lease", "usable_cpus"]

SLOT_DIR_ENV = "GRADER_SLOT_DIR"
MAX_SLOTS = 64
_POLL_S = 0.1


def usable_cpus() -> int:
    """CPU cores this process may run on (its affinity mask, so a SLURM or taskset limit counts)."""
    return len(os.sched_getaffinity(0)) or 1


def default_jobs(*, use_gpu: bool = True) -> int:
    """Slots for this machine: one per GPU when it has GPUs (and ``use_gpu``), else one per CPU core."""
    if use_gpu:
        from grader.execute.devices import detect_devices

        gpus = len(detect_devices())
        if gpus:
            return gpus
    return usable_cpus()


def slot_dir() -> Path:
    """Where the slot locks live: ``$GRADER_SLOT_DIR``, else ``<tmp>/grader-slots`` (made mode 1777)."""
    folder = Path(os.environ.get(SLOT_DIR_ENV) or Path(tempfile.gettempdir()) / "grader-slots")
    if not folder.is_dir():
        try:
            folder.mkdir(parents=True, exist_ok=True)
            folder.chmod(0o1777)
        except OSError as exc:
            raise SandboxError(f"cannot create the slot lock folder {folder} ({exc}); set {SLOT_DIR_ENV}") from exc
    return folder


def _try_lock(folder: Path, slot: int) -> int | None:
    """An open descriptor holding slot ``slot``'s lock, or ``None`` when another process holds it."""
    try:
        fd = os.open(folder / f"slot-{slot}.lock", os.O_RDONLY | os.O_CREAT, 0o644)
    except OSError as exc:
        raise SandboxError(f"cannot open the slot lock {folder}/slot-{slot}.lock ({exc}); set {SLOT_DIR_ENV}") from exc
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        os.close(fd)
        return None
    return fd


@contextlib.contextmanager
def slot_lease(preferred: int = 0, *, max_slots: int = MAX_SLOTS, wait_s: float | None = None) -> Iterator[int]:
    """Hold a free slot of this machine for the block: ``preferred`` if free, else the lowest free one.

    Waits while all ``max_slots`` are taken; ``SandboxError`` after ``wait_s`` seconds (``None``: no limit).
    """
    folder = slot_dir()
    order = [preferred % max_slots, *(s for s in range(max_slots) if s != preferred % max_slots)]
    deadline = None if wait_s is None else time.monotonic() + wait_s
    while True:
        for slot in order:
            fd = _try_lock(folder, slot)
            if fd is None:
                continue
            try:
                yield slot
            finally:
                os.close(fd)
            return
        if deadline is not None and time.monotonic() > deadline:
            raise SandboxError(f"all {max_slots} sandbox slots of this machine stayed busy for {wait_s:g} s")
        time.sleep(_POLL_S)
