"""Sandbox slots: how many a machine runs at once, what each kernel gets, and a host-wide lease on each.

**The slot model** (``SlotPlan``, printed at the start of a batch). ``--jobs`` decides the number of slots,
i.e. kernels running at once; memory and threads per kernel follow from it and the machine: ``threads =
usable cores / slots`` and ``memory_mb = min(6144, RAM / slots)`` unless the rubric's ``execution`` sets
them. On a GPU machine ``--slots-per-gpu K`` (or ``execution.slots_per_gpu``) puts K slots on each GPU:
slot ``n`` runs on GPU ``n mod GPUs`` (its ``CUDA_VISIBLE_DEVICES`` names only that one), so slots
``0 .. K*GPUs-1`` fill every GPU with K kernels, and each kernel may hold ``GPU memory / K``
(``execution.gpu_memory_mb``), enforced from outside (``grader.execute._gpuwatch``). Without K, it is
``ceil(jobs / GPUs)`` when ``--jobs`` is given, else chosen from the GPU's memory and the cores
(``auto_per_gpu``). Seeds do not depend on the slot: a notebook's results are the same in any slot, at
equal thread counts.

**Leases.** Slot ``n`` runs its sandbox as uid ``uid_base + n`` (a grader without root runs every slot as
itself, in the rootless sandbox form). Two sandboxes must never share a slot: one uid shares
``RLIMIT_NPROC``, so one student's fork bomb would stop another's kernel (shared/design/sandbox.md). A
slot is therefore held through an exclusive ``flock`` on ``<slot dir>/slot-<n>.lock`` for as long as a
notebook runs in it. The lock is per machine, so it also keeps apart two graders started side by side
(two TAs, two Dask workers on one node); the kernel drops it when its holder dies, even by SIGKILL.
"""

from __future__ import annotations

import contextlib
import fcntl
import math
import os
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.errors import ConfigError, SandboxError
from grader.execute.config import DEFAULT_MEMORY_CAP_MB, ExecutionConfig
from grader.execute.devices import DeviceInfo, detect_devices, device_for_slot

__all__ = [
    "AUTO_GPU_NEED_MB",
    "AUTO_MAX_PER_GPU",
    "AUTO_MIN_THREADS",
    "MAX_SLOTS",
    "SLOT_DIR_ENV",
    "SlotPlan",
    "auto_per_gpu",
    "default_jobs",
    "machine_plan",
    "plan_slots",
    "slot_dir",
    "slot_lease",
    "usable_cpus",
]

SLOT_DIR_ENV = "GRADER_SLOT_DIR"
MAX_SLOTS = 64
_POLL_S = 0.1
_NO_GPU = "no GPU"
AUTO_GPU_NEED_MB = 4096
"""GPU memory the automatic K plans per kernel: twice what the reference CNN's full run holds (about 2 GB)."""
AUTO_MIN_THREADS = 2
"""Fewest CPU threads the automatic K leaves each kernel (data loading and the CPU side of training)."""
AUTO_MAX_PER_GPU = 8
"""Most kernels the automatic K puts on one GPU (time-slicing gains little beyond; docs/benchmarks.md)."""


def usable_cpus() -> int:
    """CPU cores this process may run on (its affinity mask, so a SLURM or taskset limit counts)."""
    return len(os.sched_getaffinity(0)) or 1


def default_jobs(*, use_gpu: bool = True) -> int:
    """Slots for this machine when ``--jobs`` is not given: K per GPU when it has GPUs (and ``use_gpu``),
    else one per usable CPU core (``machine_plan``)."""
    return machine_plan(ExecutionConfig(use_gpu=use_gpu)).slots


@dataclass(frozen=True)
class SlotPlan:
    """How a batch runs its kernels on this machine (see the module docstring).

    ``slots``: kernels at once; ``devices``: the GPUs slots are assigned to (empty on CPU); ``per_gpu``:
    K, slots per GPU (0 on CPU); ``threads`` and ``memory_mb``: CPU threads and host memory (MiB) per
    kernel; ``gpu_memory_mb``: each kernel's GPU memory share (None on CPU or where the GPU's memory is
    unknown); ``cpus``: usable cores; ``why``: how K was chosen.
    """

    slots: int
    devices: tuple[DeviceInfo, ...]
    per_gpu: int
    threads: int
    memory_mb: int
    gpu_memory_mb: int | None
    cpus: int
    why: str = ""

    def device_for(self, slot: int) -> DeviceInfo | None:
        """The GPU slot ``slot`` runs on (``n mod GPUs``), None on CPU."""
        return device_for_slot(slot, list(self.devices))

    def apply(self, config: ExecutionConfig) -> ExecutionConfig:
        """``config`` with this plan's slots, threads, memory, K and GPU share (the plan took the rubric's
        own ``threads``, ``memory_mb`` and ``gpu_memory_mb`` where it sets them)."""
        planned: dict[str, object] = {"slots": self.slots, "threads": self.threads, "memory_mb": self.memory_mb}
        if self.per_gpu:
            planned |= {"slots_per_gpu": self.per_gpu, "gpu_memory_mb": self.gpu_memory_mb}
        chosen = {k: v for k, v in planned.items() if v is not None}
        return ExecutionConfig.model_validate(config.model_dump(exclude_unset=True) | chosen)

    def lines(self) -> list[str]:
        """The plan as printed at the start of a batch: one summary line, then one line per GPU."""
        kernel = f"{_n(self.threads, 'thread')} and {self.memory_mb} MiB host memory per kernel"
        if not self.devices:
            note = f" ({self.why})" if self.why != _NO_GPU else ""
            return [f"Slot plan: {_n(self.slots, 'slot')} on CPU ({self.cpus} cores){note}; {kernel}."]
        share = "unknown GPU memory: share not enforced" if self.gpu_memory_mb is None else (
            f"GPU memory share {self.gpu_memory_mb} MiB per kernel (enforced by NVML polling)"
        )
        head = (
            f"Slot plan: {_n(self.slots, 'slot')}, K = {self.per_gpu} per GPU on {_n(len(self.devices), 'GPU')} "
            f"({self.why}); {kernel}; {share}."
        )
        return [head, *self._device_lines()]

    def _device_lines(self) -> list[str]:
        lines = []
        for device in self.devices:
            mine = [n for n in range(self.slots) if self.device_for(n) == device]
            memory = f", {device.memory_mb} MiB" if device.memory_mb else ""
            ids = ",".join(map(str, mine)) or "none"
            lines.append(f"  GPU {device.index} {device.name} ({device.visible_devices}{memory}): slots {ids}")
        return lines


def auto_per_gpu(gpu_memory_mb: int | None, need_mb: int, cpus: int, gpus: int) -> tuple[int, str]:
    """K from the GPU's memory and the cores: min(memory / need, cores per GPU / AUTO_MIN_THREADS,
    AUTO_MAX_PER_GPU), at least 1; 1 where the memory is unknown. Returns K and how it was chosen.

    >>> auto_per_gpu(81559, 4096, 16, 1)
    (8, 'auto: min(81559 MiB / 4096 MiB = 19, 16 cores / 1 GPU / 2 threads = 8, at most 8)')
    >>> auto_per_gpu(None, 4096, 16, 1)[0], auto_per_gpu(24576, 4096, 16, 2)[0]
    (1, 4)
    """
    if gpu_memory_mb is None:
        return 1, "auto: GPU memory unknown, one kernel per GPU"
    by_memory = gpu_memory_mb // need_mb
    by_cores = cpus // gpus // AUTO_MIN_THREADS
    k = max(1, min(by_memory, by_cores, AUTO_MAX_PER_GPU))
    return k, (
        f"auto: min({gpu_memory_mb} MiB / {need_mb} MiB = {by_memory}, {cpus} cores / {_n(gpus, 'GPU')} / "
        f"{AUTO_MIN_THREADS} threads = {by_cores}, at most {AUTO_MAX_PER_GPU})"
    )


def _per_gpu(
    config: ExecutionConfig, jobs: int | None, per_gpu: int | None, gpus: Sequence[DeviceInfo], cpus: int
) -> tuple[int, str]:
    """K and how it was chosen: --slots-per-gpu, the rubric, --jobs spread over the GPUs, or auto."""
    if per_gpu is not None:
        return per_gpu, "--slots-per-gpu"
    if config.slots_per_gpu is not None:
        return config.slots_per_gpu, "execution.slots_per_gpu"
    if jobs is not None:
        return math.ceil(jobs / len(gpus)), f"--jobs {jobs} over {_n(len(gpus), 'GPU')}"
    memory = min((d.memory_mb for d in gpus if d.memory_mb), default=None)
    return auto_per_gpu(memory, config.gpu_memory_mb or AUTO_GPU_NEED_MB, cpus, len(gpus))


def _gpu_share(config: ExecutionConfig, gpus: Sequence[DeviceInfo], k: int, why: str) -> int | None:
    """Each kernel's GPU memory: the rubric's ``gpu_memory_mb`` (``ConfigError`` when K of them overfill
    the smallest GPU), else the smallest GPU's memory / K (None where a GPU's memory is unknown)."""
    known = [d.memory_mb for d in gpus if d.memory_mb]
    if config.gpu_memory_mb is not None:
        if known and k * config.gpu_memory_mb > min(known):
            raise ConfigError(
                f"execution.gpu_memory_mb: {k} kernels per GPU ({why}) x {config.gpu_memory_mb} MiB = "
                f"{k * config.gpu_memory_mb} MiB, more than the {min(known)} MiB of the smallest GPU; "
                "lower --slots-per-gpu or execution.gpu_memory_mb"
            )
        return config.gpu_memory_mb
    return min(known) // k if len(known) == len(gpus) else None


def plan_slots(
    config: ExecutionConfig,
    *,
    jobs: int | None,
    per_gpu: int | None,
    devices: Sequence[DeviceInfo],
    cpus: int,
    ram_mb: int,
) -> SlotPlan:
    """The slot plan for a machine with ``devices`` (GPUs given to this process), ``cpus`` usable cores and
    ``ram_mb`` MiB of RAM, from ``--jobs`` and ``--slots-per-gpu`` (None: not given) and the rubric's
    ``execution``. ``ConfigError`` when ``--jobs`` asks for more slots than K per GPU allows.

    >>> gpu = DeviceInfo(index=0, name="H100", uuid="GPU-0", memory_mb=81559)
    >>> p = plan_slots(ExecutionConfig(), jobs=None, per_gpu=4, devices=[gpu], cpus=16, ram_mb=131072)
    >>> (p.slots, p.per_gpu, p.threads, p.memory_mb, p.gpu_memory_mb)
    (4, 4, 4, 6144, 20389)
    """
    gpus = tuple(devices) if config.use_gpu else ()
    if not gpus:
        why = _NO_GPU if per_gpu is None else f"no GPU: --slots-per-gpu {per_gpu} ignored"
        slots, k = jobs or cpus, 0
    else:
        k, why = _per_gpu(config, jobs, per_gpu, gpus, cpus)
        slots = jobs or k * len(gpus)
        if slots > k * len(gpus):
            raise ConfigError(
                f"--jobs {slots}: {_n(len(gpus), 'GPU')} x {k} slots per GPU ({why}) hold "
                f"{k * len(gpus)} kernels; raise --slots-per-gpu or lower --jobs"
            )
    threads = config.threads or max(1, cpus // slots)
    memory = config.memory_mb or max(256, min(DEFAULT_MEMORY_CAP_MB, ram_mb // slots))
    share = _gpu_share(config, gpus, k, why) if gpus else None
    return SlotPlan(slots, gpus, k, threads, memory, share, cpus, why)


def _n(count: int, word: str) -> str:
    """``1 GPU``, ``2 GPUs``."""
    return f"{count} {word}{'s' * (count != 1)}"


def machine_plan(config: ExecutionConfig, *, jobs: int | None = None, per_gpu: int | None = None) -> SlotPlan:
    """``plan_slots`` for this machine: its GPUs (``detect_devices``), usable cores and RAM."""
    ram_mb = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
    devices = detect_devices() if config.use_gpu else []
    return plan_slots(config, jobs=jobs, per_gpu=per_gpu, devices=devices, cpus=usable_cpus(), ram_mb=ram_mb)


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
