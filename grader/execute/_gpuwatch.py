"""Hold each sandbox to its share of GPU memory from outside, by polling NVML's per-process memory.

With K kernels on one GPU (``execution.slots_per_gpu``) each may hold ``gpu_memory_mb``. A memory
fraction set inside the kernel (``torch.cuda.set_per_process_memory_fraction``) is advisory: student
code can change it. So the guard (``_guard``) asks NVML every ``POLL_S`` seconds which processes hold
memory on which GPU (``Reader``: ``nvml_reader`` on a GPU machine); the sandbox's processes are those its
cgroup lists (without a cgroup: the kernel's launcher and its descendants); when together they hold more
than the share on the sandbox's GPU, the kernel is stopped and the run ends as ``limit`` with the memory
seen and the share (``over_share``). The other kernels on the GPU go on.

NVML names processes by their pid as the driver sees it, in the host's pid namespace. A grader that runs
in a container without the host's pid namespace cannot match them to its sandboxes; ``GpuWatch`` notices
(NVML lists processes on the sandbox's GPU that do not exist here) and says in the record that the share
was not enforced. What a hostile kernel can still do to its neighbours: docs/architecture.md.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

__all__ = [
    "GpuProcess",
    "GpuShare",
    "GpuWatch",
    "Reader",
    "descendants",
    "held_bytes",
    "nvml_memory_mb",
    "nvml_reader",
    "over_share",
]

MIB = 2**20
PROC = Path("/proc")


@dataclass(frozen=True)
class GpuProcess:
    """One process holding memory on one GPU, as NVML reports it: ``used_bytes`` None where NVML does
    not know (some MIG and vGPU setups)."""

    pid: int
    device_uuid: str
    used_bytes: int | None


Reader = Callable[[], Sequence[GpuProcess]]
"""Returns what every GPU of the machine holds now, per process (one NVML poll)."""


@dataclass(frozen=True)
class GpuShare:
    """The GPU memory one sandbox may hold: ``share_bytes`` on the device ``device_uuid`` (``label`` names
    it for reasons), one of ``per_gpu`` kernels there."""

    device_uuid: str
    label: str
    share_bytes: int
    per_gpu: int

    def text(self) -> str:
        """The share for a reason, e.g. ``20480 MiB (4 kernels per GPU)``."""
        kernels = "1 kernel" if self.per_gpu == 1 else f"{self.per_gpu} kernels"
        return f"{self.share_bytes // MIB} MiB ({kernels} per GPU)"


def _on_device(readings: Iterable[GpuProcess], uuid: str) -> list[GpuProcess]:
    return [r for r in readings if not uuid or r.device_uuid == uuid]


def held_bytes(readings: Iterable[GpuProcess], members: set[int], device_uuid: str) -> int:
    """GPU memory the processes ``members`` hold together on ``device_uuid`` (unknown amounts count 0).

    >>> r = [GpuProcess(7, "GPU-a", 3 * MIB), GpuProcess(8, "GPU-a", MIB), GpuProcess(7, "GPU-b", MIB)]
    >>> held_bytes(r, {7}, "GPU-a") // MIB, held_bytes(r, {7, 8}, "GPU-a") // MIB, held_bytes(r, {9}, "GPU-a")
    (3, 4, 0)
    """
    return sum(r.used_bytes or 0 for r in _on_device(readings, device_uuid) if r.pid in members)


def over_share(readings: Iterable[GpuProcess], members: set[int], share: GpuShare) -> str:
    """The reason to stop the sandbox whose processes are ``members``, or "" while it is within its share.

    >>> share = GpuShare("GPU-a", "cuda:0 (H100)", 1024 * MIB, 4)
    >>> over_share([GpuProcess(7, "GPU-a", 1024 * MIB)], {7}, share)
    ''
    >>> over_share([GpuProcess(7, "GPU-a", 1536 * MIB)], {7}, share)
    'GPU memory: the kernel held 1536 MiB on cuda:0 (H100), over its share of 1024 MiB (4 kernels per GPU)'
    """
    held = held_bytes(readings, members, share.device_uuid)
    if held <= share.share_bytes:
        return ""
    return f"GPU memory: the kernel held {held // MIB} MiB on {share.label}, over its share of {share.text()}"


def _pid_exists(pid: int) -> bool:
    return (PROC / str(pid)).exists()


@dataclass
class GpuWatch:
    """One sandbox's GPU watch: ``look(members)`` polls ``read`` once and returns a breach reason ("" if
    none); ``peak_bytes`` is the most the sandbox was seen holding; ``foreign`` counts polls where NVML
    listed processes on the GPU that do not exist in this pid namespace while none of the sandbox's
    did (the share cannot be enforced from here)."""

    share: GpuShare
    read: Reader
    pid_exists: Callable[[int], bool] = _pid_exists
    peak_bytes: int = 0
    polls: int = 0
    foreign: int = 0
    errors: list[str] = field(default_factory=list)

    def look(self, members: set[int]) -> str:
        """One poll: the reason to stop the kernel now, or ""."""
        try:
            readings = self.read()
        except Exception as exc:  # an NVML error must not end the run: note it, keep going
            if len(self.errors) < 3:
                self.errors.append(f"{type(exc).__name__}: {exc}")
            return ""
        self.polls += 1
        here = _on_device(readings, self.share.device_uuid)
        self.peak_bytes = max(self.peak_bytes, held_bytes(here, members, self.share.device_uuid))
        if here and not any(r.pid in members for r in here) and not any(self.pid_exists(r.pid) for r in here):
            self.foreign += 1
        return over_share(here, members, self.share)

    def describe(self, poll_s: float) -> str:
        """The record's ``limits["gpu_memory"]``: the share, how it was held (NVML every ``poll_s`` s),
        the peak seen."""
        how = f"share {self.share.text()}, NVML polled every {poll_s:g} s"
        if self.foreign and self.peak_bytes == 0:
            return (
                f"{how}; NOT enforced: NVML reports pids of another pid namespace (run the grader in the "
                "host's pid namespace)"
            )
        note = f"; NVML errors: {'; '.join(self.errors)}" if self.errors else ""
        return f"{how}; peak seen {self.peak_bytes // MIB} MiB in {self.polls} polls{note}"


def descendants(root: int, proc: Path = PROC) -> set[int]:
    """``root`` and every process below it, from the parent pids in ``/proc/<pid>/stat``."""
    children: dict[int, list[int]] = {}
    for stat in proc.glob("[0-9]*/stat"):
        try:
            text = stat.read_text(encoding="ascii", errors="replace")
        except OSError:
            continue
        fields = text.rpartition(")")[2].split()
        if len(fields) > 1 and fields[1].isdigit():
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in found:
                found.add(child)
                stack.append(child)
    return found


def _nvml() -> Any | None:
    """The ``pynvml`` module, initialised; None where NVML cannot start (no driver, no library)."""
    try:
        nvml = importlib.import_module("pynvml")
        nvml.nvmlInit()
    except Exception:  # ImportError, or pynvml.NVMLError of any kind: no NVML here
        return None
    return nvml


def _uuid(nvml: Any, handle: Any) -> str:
    value = nvml.nvmlDeviceGetUUID(handle)
    return value.decode() if isinstance(value, bytes) else str(value)


def _device_processes(nvml: Any, handle: Any) -> list[GpuProcess]:
    uuid = _uuid(nvml, handle)
    seen: dict[int, int | None] = {}
    for query in (nvml.nvmlDeviceGetComputeRunningProcesses, nvml.nvmlDeviceGetGraphicsRunningProcesses):
        for info in query(handle):
            pid, used = int(info.pid), info.usedGpuMemory  # a process with both contexts is listed twice
            seen[pid] = used if seen.get(pid) is None else max(seen[pid] or 0, used or 0)
    return [GpuProcess(pid, uuid, None if used is None else int(used)) for pid, used in seen.items()]


def nvml_reader() -> Reader | None:
    """A ``Reader`` over every GPU of this machine through NVML, or None where NVML is not available."""
    nvml = _nvml()
    if nvml is None:
        return None
    handles = [nvml.nvmlDeviceGetHandleByIndex(i) for i in range(nvml.nvmlDeviceGetCount())]

    def read() -> list[GpuProcess]:
        return [p for handle in handles for p in _device_processes(nvml, handle)]

    return read


def nvml_memory_mb(uuid: str) -> int | None:
    """Total memory of the GPU ``uuid`` in MiB, from NVML; None where NVML or the device is missing."""
    nvml = _nvml()
    if nvml is None or not uuid:
        return None
    try:
        return int(nvml.nvmlDeviceGetMemoryInfo(nvml.nvmlDeviceGetHandleByUUID(uuid)).total) // MIB
    except Exception:  # pynvml.NVMLError: not a device NVML knows
        return None
