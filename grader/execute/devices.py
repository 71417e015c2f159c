"""Which CUDA devices this machine has, and which one a slot gets, without importing torch.

Detection reads ``/proc/driver/nvidia/gpus/*/information`` (no subprocess, about a millisecond) and
falls back to ``nvidia-smi``; each device's memory comes from NVML (or ``nvidia-smi``). Each slot gets
one GPU, round robin (slot ``n`` on device ``n mod GPUs``, so K slots per GPU take slots ``0 .. K*GPUs-1``,
see ``grader.batch.slots``); inside the sandbox it is the only one (``CUDA_VISIBLE_DEVICES`` names its UUID and only its ``/dev/nvidiaN`` node is bound), so the
notebook always sees it as ``cuda:0``.

Only the devices this process was given are handed out (a SLURM job's allocation): those whose
``/dev/nvidiaN`` node it can open (a cgroup device rule refuses the others) and, when the grader's own
``CUDA_VISIBLE_DEVICES`` is set, the ones it names, read as CUDA reads it: ``GPU-…`` UUIDs (or unique
prefixes), or integers counting the devices this process can open in PCI order, up to the first entry
that names none; an empty value, ``-1`` or ``NoDevFiles`` means no GPU.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from collections.abc import Sequence
from pathlib import Path

from grader._model import Frozen

__all__ = ["DeviceInfo", "allowed_devices", "detect_devices", "device_for_slot", "device_nodes"]

PROC_GPUS = Path("/proc/driver/nvidia/gpus")
DEV = Path("/dev")
_SHARED_NODES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset", "nvidia-caps")


class DeviceInfo(Frozen):
    """One CUDA device of the host.

    ``index`` is its position in PCI bus order (nvidia-smi's order), ``minor`` the N of ``/dev/nvidiaN``
    when known, ``uuid`` the ``GPU-…`` identifier used for ``CUDA_VISIBLE_DEVICES``, ``memory_mb`` its
    total memory in MiB when known.
    """

    index: int
    name: str
    uuid: str = ""
    bus_id: str = ""
    minor: int | None = None
    memory_mb: int | None = None

    @property
    def label(self) -> str:
        """How the sandboxed notebook sees it, e.g. ``cuda:0 (NVIDIA H200)``."""
        return f"cuda:0 ({self.name})"

    @property
    def visible_devices(self) -> str:
        """The value of ``CUDA_VISIBLE_DEVICES`` that selects this device (UUID when known)."""
        return self.uuid or str(self.index)


def detect_devices() -> list[DeviceInfo]:
    """The CUDA devices given to this process in PCI order; empty when there are none (cached per process).

    >>> isinstance(detect_devices(), list)
    True
    """
    return list(_detect())


@functools.cache
def _detect() -> tuple[DeviceInfo, ...]:
    found = _from_proc() or _from_nvidia_smi()
    return tuple(_with_memory(d) for d in allowed_devices(found, os.environ.get("CUDA_VISIBLE_DEVICES")))


def _with_memory(device: DeviceInfo) -> DeviceInfo:
    """``device`` with its memory from NVML where it is not known yet."""
    if device.memory_mb is not None:
        return device
    from grader.execute._gpuwatch import nvml_memory_mb

    return device.model_copy(update={"memory_mb": nvml_memory_mb(device.uuid)})


def allowed_devices(devices: Sequence[DeviceInfo], visible: str | None) -> list[DeviceInfo]:
    """The ``devices`` whose node this process can open, narrowed by a ``CUDA_VISIBLE_DEVICES`` value.

    >>> gpus = [DeviceInfo(index=i, name="g", uuid=f"GPU-{i}aa") for i in range(3)]
    >>> [d.index for d in allowed_devices(gpus, "2,GPU-0")]
    [2, 0]
    >>> [d.index for d in allowed_devices(gpus, "1,7,0")], allowed_devices(gpus, "")
    ([1], [])
    """
    usable = [device for device in devices if _can_open(device)]
    if visible is None:
        return usable
    chosen: list[DeviceInfo] = []
    for token in (part.strip() for part in visible.split(",")):
        device = _named(usable, token)
        if device is None:
            break  # CUDA ignores everything from the first entry that names no device
        if device not in chosen:
            chosen.append(device)
    return chosen


def _named(usable: list[DeviceInfo], token: str) -> DeviceInfo | None:
    if token.isdigit():
        return usable[int(token)] if int(token) < len(usable) else None
    if token.startswith("GPU-"):
        matches = [device for device in usable if device.uuid.startswith(token)]
        return matches[0] if len(matches) == 1 else None
    return None


def _can_open(device: DeviceInfo) -> bool:
    """Whether this process may open the device's node (a SLURM cgroup refuses GPUs of other jobs)."""
    if device.minor is None:
        return True
    try:
        os.close(os.open(DEV / f"nvidia{device.minor}", os.O_RDWR | os.O_CLOEXEC))
    except OSError:
        return False
    return True


def device_for_slot(slot: int, devices: list[DeviceInfo]) -> DeviceInfo | None:
    """The device slot ``slot`` uses (round robin), or None for CPU when there is none.

    >>> device_for_slot(3, []) is None
    True
    """
    return devices[slot % len(devices)] if devices else None


def device_nodes(device: DeviceInfo) -> list[Path]:
    """The ``/dev`` nodes a sandbox needs for ``device``: its own node plus the driver's shared ones."""
    if device.minor is not None:
        own = [DEV / f"nvidia{device.minor}"]
    else:
        own = sorted(p for p in DEV.glob("nvidia[0-9]*") if p.name[6:].isdigit())
    shared = [DEV / name for name in _SHARED_NODES]
    return [p for p in own + shared if p.exists()]


def _from_proc() -> tuple[DeviceInfo, ...]:
    """Devices listed by the driver under /proc (bus id, model, UUID, minor number)."""
    if not PROC_GPUS.is_dir():
        return ()
    entries = []
    for info in sorted(PROC_GPUS.glob("*/information")):
        fields = _parse_information(info)
        if "Model" in fields:
            entries.append((info.parent.name, fields))
    return tuple(_from_fields(index, bus, fields) for index, (bus, fields) in enumerate(entries))


def _parse_information(path: Path) -> dict[str, str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return {}
    pairs = (line.split(":", 1) for line in text.splitlines() if ":" in line)
    return {key.strip(): value.strip() for key, value in pairs}


def _from_fields(index: int, bus: str, fields: dict[str, str]) -> DeviceInfo:
    minor = fields.get("Device Minor", "")
    return DeviceInfo(
        index=index,
        name=fields["Model"],
        uuid=fields.get("GPU UUID", ""),
        bus_id=bus,
        minor=int(minor) if minor.isdigit() else None,
    )


def _from_nvidia_smi() -> tuple[DeviceInfo, ...]:
    """Devices as ``nvidia-smi`` lists them; empty when it is missing or fails."""
    exe = shutil.which("nvidia-smi")
    if exe is None:
        return ()
    query = [exe, "--query-gpu=index,name,uuid,pci.bus_id,memory.total", "--format=csv,noheader,nounits"]
    try:
        out = subprocess.run(query, capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    rows = [[part.strip() for part in line.split(",")] for line in out.splitlines() if line.count(",") == 4]
    return tuple(
        DeviceInfo(index=int(i), name=name, uuid=uuid, bus_id=bus, memory_mb=int(mib) if mib.isdigit() else None)
        for i, name, uuid, bus, mib in rows
        if i.isdigit()
    )
