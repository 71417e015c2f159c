"""Which CUDA devices this machine has, and which one a slot gets, without importing torch.

Detection reads ``/proc/driver/nvidia/gpus/*/information`` (no subprocess, about a millisecond) and
falls back to ``nvidia-smi``. Each slot gets one GPU, round robin; inside the sandbox it is the only
one (``CUDA_VISIBLE_DEVICES`` names its UUID and only its ``/dev/nvidiaN`` node is bound), so the
notebook always sees it as ``cuda:0``.
"""

from __future__ import annotations

import functools
import shutil
import subprocess
from pathlib import Path

from grader._model import Frozen

__all__ = ["DeviceInfo", "detect_devices", "device_for_slot", "device_nodes"]

PROC_GPUS = Path("/proc/driver/nvidia/gpus")
DEV = Path("/dev")
_SHARED_NODES = ("nvidiactl", "nvidia-uvm", "nvidia-uvm-tools", "nvidia-modeset", "nvidia-caps")


class DeviceInfo(Frozen):
    """One CUDA device of the host.

    ``index`` is its position in PCI bus order (nvidia-smi's order), ``minor`` the N of ``/dev/nvidiaN``
    when known, ``uuid`` the ``GPU-…`` identifier used for ``CUDA_VISIBLE_DEVICES``.
    """

    index: int
    name: str
    uuid: str = ""
    bus_id: str = ""
    minor: int | None = None

    @property
    def label(self) -> str:
        """How the sandboxed notebook sees it, e.g. ``cuda:0 (NVIDIA H200)``."""
        return f"cuda:0 ({self.name})"

    @property
    def visible_devices(self) -> str:
        """The value of ``CUDA_VISIBLE_DEVICES`` that selects this device (UUID when known)."""
        return self.uuid or str(self.index)


def detect_devices() -> list[DeviceInfo]:
    """The CUDA devices of this machine in PCI order; empty when there are none (cached per process).

    >>> isinstance(detect_devices(), list)
    True
    """
    return list(_detect())


@functools.cache
def _detect() -> tuple[DeviceInfo, ...]:
    return _from_proc() or _from_nvidia_smi()


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
    query = [exe, "--query-gpu=index,name,uuid,pci.bus_id", "--format=csv,noheader"]
    try:
        out = subprocess.run(query, capture_output=True, text=True, timeout=20, check=True).stdout
    except (OSError, subprocess.SubprocessError):
        return ()
    rows = [[part.strip() for part in line.split(",")] for line in out.splitlines() if line.count(",") == 3]
    return tuple(
        DeviceInfo(index=int(i), name=name, uuid=uuid, bus_id=bus)
        for i, name, uuid, bus in rows
        if i.isdigit()
    )
