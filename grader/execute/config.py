"""How a notebook is executed: limits, sandbox mode and interpreter (the rubric's ``execution:`` section).

Every field is optional in YAML; units are in the names (``_s`` seconds, ``_mb`` MiB = 2**20 bytes,
``_kib`` KiB = 1024 bytes). A few defaults depend on the machine and on ``slots`` (how many notebooks
run at once) and are resolved when a notebook runs: see ``resolved_memory_mb``, ``resolved_threads`` and
``resolved_cpu_time_s``.

RAM budget of one slot: the kernel's memory (``memory_mb``) plus the RAM-backed tmpfs mounts
(``disk_mb`` for the work dir, ``tmp_mb`` each for /tmp and /dev/shm), which fill only as they are used.
Where the sandbox gets a cgroup (``_cgroup``) that budget holds for all of its processes together.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated, Literal

from pydantic import Field, field_validator

from grader._model import Frozen

__all__ = ["DEFAULT_MEMORY_CAP_MB", "ExecutionConfig", "SandboxForm", "SandboxMode", "resolve_form"]

SandboxMode = Literal["required", "auto", "off"]
SandboxForm = Literal["auto", "root", "rootless"]
DEFAULT_MEMORY_CAP_MB = 6144

PositiveInt = Annotated[int, Field(gt=0)]


class ExecutionConfig(Frozen):
    """Limits and sandbox settings for running one notebook (frozen; unknown keys are rejected).

    >>> ExecutionConfig(cell_timeout_s=30).cell_timeout_s
    30
    >>> ExecutionConfig(memory_mb=2048, slots=4).resolved_memory_mb()
    2048
    """

    cell_timeout_s: PositiveInt = Field(
        600, description="Wall time one cell may run; then the kernel is interrupted (TIMEOUT)."
    )
    notebook_timeout_s: PositiveInt = Field(
        1800, description="Wall time of the whole run, kernel start included; then the kernel is killed."
    )
    interrupt_grace_s: float = Field(
        5.0, gt=0, description="How long an interrupted cell may take to stop before the kernel is killed."
    )
    cpu_time_s: PositiveInt | None = Field(
        None,
        description="CPU seconds of the kernel process (RLIMIT_CPU). Default: notebook_timeout_s × threads.",
    )
    memory_mb: PositiveInt | None = Field(
        None,
        description=(
            "Memory of the kernel process in MiB (RLIMIT_AS on CPU, RLIMIT_DATA when a GPU is exposed, "
            "since CUDA reserves a huge address space). Default: min(6144, RAM MiB / slots). Where the "
            "sandbox gets a cgroup, all of its processes together may use this plus its tmpfs sizes "
            "(memory and swap), or the run ends as 'limit'."
        ),
    )
    slots: PositiveInt = Field(
        1,
        description=(
            "Notebooks run at once on this machine; divides the memory and thread defaults. A batch sets it "
            "from --jobs (grader.batch.slots.SlotPlan); a value here only matters for single runs."
        ),
    )
    slots_per_gpu: PositiveInt | None = Field(
        None,
        description=(
            "Kernels sharing one GPU (K). Default: chosen from the GPU's memory and the CPU cores "
            "(grader.batch.slots.auto_per_gpu); --slots-per-gpu overrides it."
        ),
    )
    threads: PositiveInt | None = Field(
        None,
        description="OMP/MKL/OpenBLAS threads in the kernel. Default: max(1, CPU cores / slots).",
    )
    max_processes: PositiveInt = Field(
        512,
        description=(
            "Processes and threads of the slot's uid (RLIMIT_NPROC) and, where the sandbox gets a "
            "cgroup, of the whole sandbox (pids.max); stops fork bombs."
        ),
    )
    max_file_size_mb: PositiveInt = Field(
        1024, description="Largest single file the kernel may write, in MiB (RLIMIT_FSIZE)."
    )
    disk_mb: PositiveInt = Field(
        2048,
        description=(
            "Total size of the work dir in MiB (a size-limited tmpfs; includes the files copied in). "
            "Without root, a plain directory whose size the grader measures while the notebook runs."
        ),
    )
    tmp_mb: PositiveInt = Field(512, description="Size of /tmp and of /dev/shm in the sandbox, each, in MiB.")
    max_open_files: PositiveInt = Field(1024, description="Open file descriptors (RLIMIT_NOFILE).")
    max_cell_output_kib: PositiveInt = Field(
        1024, description="Stored output of one cell in KiB; the rest is dropped behind a visible marker."
    )
    max_notebook_output_kib: PositiveInt = Field(
        8192, description="Stored output of the whole notebook in KiB; the rest is dropped behind a marker."
    )
    max_message_mib: PositiveInt = Field(
        128,
        description=(
            "Largest single message the grader reads from the kernel, in MiB. A bigger one is refused at the "
            "socket (ZeroMQ MAXMSGSIZE), before it is read into memory, and ends the run with the reason. "
            "ipykernel sends what a cell prints within 0.2 s as one message: 100 MB printed in a loop is one."
        ),
    )
    sandbox: SandboxMode = Field(
        "required",
        description=(
            "'required': refuse to run without the sandbox (SandboxUnavailableError); 'auto': fall back "
            "to a plain kernel and record sandboxed=False; 'off': always a plain kernel (trusted code only)."
        ),
    )
    sandbox_form: SandboxForm = Field(
        "auto",
        description=(
            "'root': bwrap as root, then each slot's own uid (needs root); 'rootless': drop to the slot's "
            "uid (as root) or stay the grader's user (not root), then bwrap in a new user namespace with "
            "nested namespaces disabled (needs unprivileged user namespaces, e.g. a SLURM node); 'auto': "
            "'root' when the grader runs as root, else 'rootless'."
        ),
    )
    python_executable: Path | None = Field(
        None,
        description="Interpreter of the kernel (needs ipykernel). Default: the grader's own sys.executable.",
    )
    extra_ro_binds: tuple[Path, ...] = Field(
        (),
        description="Absolute host paths the kernel may read, at the same path (e.g. provided data).",
    )
    use_gpu: bool = Field(True, description="Expose one GPU per slot when the machine has any.")
    gpu_memory_mb: PositiveInt | None = Field(
        None,
        description=(
            "GPU memory one kernel may hold, in MiB, enforced from outside: the grader polls NVML for the "
            "sandbox's processes and stops a kernel over it ('limit'). Default: the GPU's memory / "
            "slots_per_gpu (set by the batch's slot plan); unset outside a batch: not watched."
        ),
    )
    hash_seed: int = Field(0, ge=0, description="PYTHONHASHSEED of the kernel.")
    uid_base: int = Field(60000, ge=1000, description="Slot n runs as uid and gid uid_base + n.")

    @field_validator("extra_ro_binds")
    @classmethod
    def _absolute_binds(cls, value: tuple[Path, ...]) -> tuple[Path, ...]:
        for path in value:
            if not path.is_absolute():
                raise ValueError(f"extra_ro_binds: {str(path)!r} must be an absolute path")
        return value

    def resolved_sandbox_form(self) -> Literal["root", "rootless"]:
        """``sandbox_form`` with 'auto' decided by who runs the grader (root: 'root')."""
        return resolve_form(self.sandbox_form)

    def resolved_memory_mb(self) -> int:
        """``memory_mb``, or min(6144, RAM MiB / slots) when unset."""
        if self.memory_mb is not None:
            return self.memory_mb
        return max(256, min(DEFAULT_MEMORY_CAP_MB, _ram_mb() // self.slots))

    def resolved_threads(self) -> int:
        """``threads``, or max(1, usable CPU cores / slots) when unset (the affinity mask counts)."""
        if self.threads is not None:
            return self.threads
        return max(1, _usable_cpus() // self.slots)

    def resolved_cpu_time_s(self) -> int:
        """``cpu_time_s``, or notebook_timeout_s × threads when unset (a backstop behind the wall time)."""
        if self.cpu_time_s is not None:
            return self.cpu_time_s
        return self.notebook_timeout_s * self.resolved_threads()


def resolve_form(form: SandboxForm) -> Literal["root", "rootless"]:
    """'auto' becomes 'root' when this process runs as root, else 'rootless'; the others stay.

    >>> resolve_form("rootless")
    'rootless'
    """
    if form == "auto":
        return "root" if os.geteuid() == 0 else "rootless"
    return form


def _usable_cpus() -> int:
    """CPU cores this process may run on (its affinity mask, so a SLURM or taskset limit counts)."""
    return len(os.sched_getaffinity(0)) or 1


def _ram_mb() -> int:
    """Physical memory of this machine in MiB."""
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20
