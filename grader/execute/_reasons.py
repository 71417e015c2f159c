"""Human reasons for how a run ended: exit codes, limits hit inside cells, the limits that applied."""

from __future__ import annotations

import os
import re
import signal
from typing import Literal

from grader.execute._seccomp import filter_summary
from grader.execute.config import ExecutionConfig
from grader.records.execution import ExecStatus

__all__ = [
    "applied_limits",
    "disk_over_reason",
    "exit_reason",
    "limit_reason",
    "memory_rlimit",
    "oom_reason",
    "pids_note",
]

_ERRNO = re.compile(r"\[Errno (\d+)\]")


def memory_rlimit(gpu: bool) -> str:
    """The rlimit that carries ``memory_mb``: RLIMIT_DATA with a GPU (CUDA reserves a huge address
    space, which RLIMIT_AS would refuse), else RLIMIT_AS (which also counts shared mappings)."""
    return "data" if gpu else "as"


def applied_limits(
    cfg: ExecutionConfig, *, sandboxed: bool, gpu: bool, form: Literal["root", "rootless"] = "root"
) -> dict[str, str]:
    """What bounded this run, as text for the record (``limits``)."""
    limits = {
        "cell_timeout": f"{cfg.cell_timeout_s} s",
        "notebook_timeout": f"{cfg.notebook_timeout_s} s",
        "output": f"{cfg.max_cell_output_kib} KiB per cell, {cfg.max_notebook_output_kib} KiB per notebook",
        "threads": str(cfg.resolved_threads()),
    }
    if not sandboxed:
        return limits | {"sandbox": "none: no isolation, no resource limits (trusted notebooks only)"}
    return limits | {
        "memory": f"{cfg.resolved_memory_mb()} MiB (RLIMIT_{memory_rlimit(gpu).upper()})",
        "cpu_time": f"{cfg.resolved_cpu_time_s()} s",
        "processes": str(cfg.max_processes),
        "file_size": f"{cfg.max_file_size_mb} MiB",
        "disk": _disk(cfg),
        "tmp": f"{cfg.tmp_mb} MiB each (/tmp, /dev/shm)",
        "open_files": str(cfg.max_open_files),
        "network": "none",
        "sandbox": _form_text(form),
        "syscalls": filter_summary(),
    }


def _disk(cfg: ExecutionConfig) -> str:
    if os.geteuid() == 0:
        return f"{cfg.disk_mb} MiB (work dir tmpfs)"
    return (
        f"{cfg.disk_mb} MiB (plain work dir, measured by the grader while the notebook runs; "
        "the kernel is stopped when over)"
    )


def _form_text(form: str) -> str:
    if form == "root":
        return "root: bwrap, then the slot's uid"
    who = "the slot's uid" if os.geteuid() == 0 else "the grader's own uid"
    return f"rootless: {who}, then bwrap in a user namespace (nested namespaces disabled)"


def exit_reason(code: int | None, cfg: ExecutionConfig) -> tuple[ExecStatus, str]:
    """Status and explanation for a kernel that ended by itself with exit status ``code``.

    bwrap reports a child killed by signal N as 128 + N; Popen reports -N when bwrap itself was killed.
    """
    if code is None:
        return ExecStatus.DEAD_KERNEL, "the kernel process vanished (no exit status)"
    signum = code - 128 if code > 128 else -code if code < 0 else 0
    if signum:
        return _signal_reason(signum, code, cfg)
    if code == 0:
        return ExecStatus.DEAD_KERNEL, "the kernel exited (exit code 0): the notebook ended its own kernel"
    return ExecStatus.DEAD_KERNEL, (
        f"the kernel exited with code {code}: the notebook ended its own process (os._exit, a native "
        f"library's exit) or the interpreter failed (e.g. out of memory under the memory limit of "
        f"{cfg.resolved_memory_mb()} MiB)"
    )


def _signal_reason(signum: int, code: int, cfg: ExecutionConfig) -> tuple[ExecStatus, str]:
    mem = cfg.resolved_memory_mb()
    known: dict[int, tuple[ExecStatus, str]] = {
        signal.SIGXCPU: (ExecStatus.LIMIT, f"kernel killed: CPU time limit {cfg.resolved_cpu_time_s()} s"),
        signal.SIGXFSZ: (ExecStatus.LIMIT, f"kernel killed: file size limit {cfg.max_file_size_mb} MiB"),
        signal.SIGKILL: (
            ExecStatus.DEAD_KERNEL,
            f"kernel killed by SIGKILL: the hard CPU time limit ({cfg.resolved_cpu_time_s()} s), the "
            f"system's out-of-memory killer (memory limit {mem} MiB), or the notebook killed itself",
        ),
        signal.SIGSEGV: (
            ExecStatus.DEAD_KERNEL,
            f"kernel crashed (segmentation fault); under the memory limit of {mem} MiB a failed "
            "allocation in native code often ends this way",
        ),
        signal.SIGABRT: (
            ExecStatus.DEAD_KERNEL,
            f"kernel aborted: a native library gave up, often after a failed allocation (memory limit {mem} MiB)",
        ),
        signal.SIGBUS: (
            ExecStatus.DEAD_KERNEL,
            f"kernel crashed (bus error), often a full tmpfs under a memory-mapped file "
            f"(work dir {cfg.disk_mb} MiB, /tmp and /dev/shm {cfg.tmp_mb} MiB)",
        ),
    }
    status, text = known.get(signum, (ExecStatus.DEAD_KERNEL, f"kernel killed by {_signal_name(signum)}"))
    return status, f"{text} (exit code {code})"


def _signal_name(signum: int) -> str:
    try:
        return signal.Signals(signum).name
    except ValueError:
        return f"signal {signum}"


def limit_reason(ename: str, evalue: str, cfg: ExecutionConfig) -> str | None:
    """Which sandbox limit a cell's exception shows it hit, or None when it is an ordinary error."""
    if ename == "MemoryError":
        return f"memory limit {cfg.resolved_memory_mb()} MiB (MemoryError)"
    if ename == "RuntimeError" and "can't start new thread" in evalue:
        return f"process limit {cfg.max_processes} (thread refused)"
    match = _ERRNO.search(evalue)
    errno_value = int(match.group(1)) if match else None
    by_errno = {
        27: f"file size limit {cfg.max_file_size_mb} MiB (File too large)",
        28: f"disk limit: work dir {cfg.disk_mb} MiB, /tmp and /dev/shm {cfg.tmp_mb} MiB (No space left on device)",
        11: f"process limit {cfg.max_processes} (fork refused)" if ename == "BlockingIOError" else None,
        24: f"open files limit {cfg.max_open_files} (Too many open files)",
    }
    return by_errno.get(errno_value) if errno_value is not None else None


def oom_reason(kills: int, sandbox_mb: int, backend: str) -> str:
    """Why a run ended when the sandbox's cgroup went over its memory limit (``kills`` processes ended)."""
    ended = "1 process" if kills == 1 else f"{kills} processes"
    return (
        f"the sandbox went over its memory limit of {sandbox_mb} MiB for all of its processes together "
        f"(cgroup {backend}; files in its tmpfs count too): the out-of-memory killer ended {ended} and "
        "the sandbox was stopped"
    )


def disk_over_reason(used_bytes: int, entries: int, cfg: ExecutionConfig) -> str:
    """Why a run ended when its plain work dir (rootless form without root) outgrew ``disk_mb``."""
    return (
        f"the work dir grew to {used_bytes / 2**20:.0f} MiB in {entries} entries, over the disk limit of "
        f"{cfg.disk_mb} MiB, and the sandbox was stopped"
    )


def pids_note(refused: int, cfg: ExecutionConfig, backend: str) -> str:
    """What the sandbox's cgroup says about a run that hit the process limit."""
    return f"the sandbox's cgroup {backend} refused {refused} new processes or threads at {cfg.max_processes}"
