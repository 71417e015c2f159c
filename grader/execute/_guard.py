"""Watch a running sandbox from outside, and say afterwards which of its limits held and which it hit.

Two limits are enforced by the grader rather than inside the sandbox:

- memory of the whole sandbox: the kernel's OOM killer acts inside the sandbox's cgroup (``_cgroup``),
  which may end a forked child and leave the kernel running; the guard sees the cgroup's ``oom_kill``
  counter move and stops the kernel, so the run ends as ``limit`` naming memory (cgroup v2 also kills the
  whole group itself, ``memory.oom.group``).
- GPU memory of the sandbox where a share is set (``execution.gpu_memory_mb``, set per GPU by a batch's
  slot plan): NVML's per-process readings for the sandbox's processes (``_gpuwatch``); over the share,
  the kernel is stopped and the run ends as ``limit`` with the memory seen and the share.
- the work dir's size in the rootless form without root: it is a plain directory (no tmpfs can be mounted
  on the host without root), so the guard adds up its allocated blocks every ``POLL_S`` seconds and stops
  the kernel once it is over ``disk_mb`` (or holds more than ``MAX_INODES`` entries). Between two looks a
  notebook can write more (``max_file_size_mb`` still bounds each file), and a file it deleted while
  keeping it open is not seen; ``copy_out`` never copies back more than ``disk_mb``.
"""

from __future__ import annotations

import asyncio
import os
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from grader.execute import _gpuwatch
from grader.execute._job import MIB, Job, Scratch, sandbox_memory_mb
from grader.execute._reasons import disk_over_reason, oom_reason, pids_note
from grader.execute._state import RunState, clip
from grader.execute._workdir import MAX_INODES
from grader.records.execution import ExecStatus

__all__ = ["POLL_S", "Guard", "disk_usage", "gpu_watch", "launcher_pid"]

POLL_S = 0.25


@dataclass
class Guard:
    """Watches one run (``watch``), then turns what it saw into the state (``judge``) and the record's
    ``limits`` entries (``limits``). ``stop_kernel`` kills the kernel (the run then ends as its kernel died)."""

    job: Job
    scratch: Scratch
    stop_kernel: Callable[[], Awaitable[None]]
    kernel_pid: Callable[[], int | None] = lambda: None
    breach: str = ""
    joined: bool = False
    gpu: _gpuwatch.GpuWatch | None = field(init=False, default=None)
    gpu_note: str = field(init=False, default="")

    def __post_init__(self) -> None:
        self.gpu, self.gpu_note = gpu_watch(self.job)

    @property
    def watches_disk(self) -> bool:
        """Whether the work dir is a plain directory the guard must measure (no tmpfs without root)."""
        return self.job.sandboxed and not self.job.as_root

    async def watch(self, run: Awaitable[RunState]) -> RunState:
        """Await ``run``, looking at the sandbox every ``POLL_S`` s; stop the kernel at the first breach."""
        task = asyncio.ensure_future(run)
        try:
            while not (await asyncio.wait({task}, timeout=POLL_S))[0]:
                if not self.breach:
                    self.breach = await asyncio.to_thread(self._look)
                    if self.breach:
                        await self.stop_kernel()
        finally:
            if not task.done():
                task.cancel()
                await asyncio.wait({task})
        return task.result()

    def judge(self, state: RunState) -> None:
        """After the kernel stopped (the cgroup still there): a breach seen now or during the run ends the
        run as LIMIT with its reason; a process limit the cgroup enforced is named in the reason."""
        breach = self.breach or self._look()
        if breach:
            _blame(state, breach)
        cgroup = self.scratch.cgroup
        refused = cgroup.usage().pids_refused if cgroup is not None else 0
        if cgroup is None or not refused:
            return
        note = pids_note(refused, self.job.config, cgroup.backend)
        if "process limit" in state.limit:
            state.limit = f"{state.limit}; {note}"
        elif state.fatal is not None and state.fatal[0] is ExecStatus.DEAD_KERNEL:
            _blame(state, f"the sandbox reached its process limit ({note})")

    def limits(self) -> dict[str, str]:
        """The record's ``limits`` entries for what bounded the whole sandbox (empty when unsandboxed)."""
        held = {"cgroup": self._cgroup_text()} if self.job.sandboxed else {}
        if self.gpu is not None:
            held["gpu_memory"] = self.gpu.describe(POLL_S)
        elif self.gpu_note:
            held["gpu_memory"] = self.gpu_note
        return held

    def _cgroup_text(self) -> str:
        cgroup = self.scratch.cgroup
        if cgroup is None:
            return f"none: per-process limits only ({self.scratch.cgroup_note})"
        if not self.joined:
            return f"none: per-process limits only (cgroup {cgroup.backend} made, but no process of the sandbox seen in it)"
        return cgroup.describe()

    def _look(self) -> str:
        """The first breach visible now, as a reason ("" when none); notes that the sandbox joined its cgroup."""
        cgroup = self.scratch.cgroup
        if cgroup is not None:
            self.joined = self.joined or bool(cgroup.pids())
            kills = cgroup.usage().oom_kills
            if kills:
                cfg = self.job.config
                return oom_reason(kills, sandbox_memory_mb(cfg, tmpfs_workdir=self.job.as_root), cgroup.backend)
        if self.gpu is not None:
            breach = self.gpu.look(self._members())
            if breach:
                return breach
        if self.watches_disk and self.scratch.live is not None:
            used, entries = disk_usage(self.scratch.live.live)
            if used > self.job.config.disk_mb * MIB or entries > MAX_INODES:
                return disk_over_reason(used, entries, self.job.config)
        return ""

    def _members(self) -> set[int]:
        """The sandbox's processes: its cgroup's, else the kernel's launcher and its descendants."""
        cgroup = self.scratch.cgroup
        if cgroup is not None and self.joined:
            return cgroup.pids()
        root = self.kernel_pid()
        return _gpuwatch.descendants(root) if root is not None else set()


def gpu_watch(job: Job) -> tuple[_gpuwatch.GpuWatch | None, str]:
    """The GPU watch of ``job`` (None without a GPU or a share), or the note why a share goes unwatched."""
    share_mb = job.config.gpu_memory_mb
    if job.device is None or share_mb is None:
        return None, ""
    per_gpu = job.config.slots_per_gpu or 1
    share = _gpuwatch.GpuShare(job.device.uuid, job.device.label, share_mb * MIB, per_gpu)
    read = _gpuwatch.nvml_reader()
    if read is None:
        return None, f"share {share.text()}; NOT enforced: NVML is not available (nvidia-ml-py, driver)"
    return _gpuwatch.GpuWatch(share, read), ""


def launcher_pid(manager: Any) -> int | None:
    """The pid of the process a jupyter kernel manager launched (the sandbox's launcher), if running."""
    process = getattr(getattr(manager, "provisioner", None), "process", None)
    pid = getattr(process, "pid", None)
    return pid if isinstance(pid, int) else None


def disk_usage(root: Path, limit: int = MAX_INODES) -> tuple[int, int]:
    """(bytes allocated, entries) under ``root``, links not followed, at most ``limit`` + 1 entries
    looked at. Allocated blocks, not apparent sizes: a sparse file costs what it holds."""
    used, seen, stack = 0, 0, [root]
    while stack and seen <= limit:
        try:
            entries = list(os.scandir(stack.pop()))
        except OSError:
            continue
        for entry in entries:
            seen += 1
            try:
                used += entry.stat(follow_symlinks=False).st_blocks * 512
            except OSError:
                continue
            if entry.is_dir(follow_symlinks=False):
                stack.append(Path(entry.path))
    return used, seen


def _blame(state: RunState, reason: str) -> None:
    """End the run as LIMIT with ``reason``, unless it already ended otherwise than by its kernel dying
    (a timeout, an unreadable message): the dead kernel is what the limit explains."""
    if state.fatal is not None and state.fatal[0] is not ExecStatus.DEAD_KERNEL:
        return
    failure = state.failure
    if state.fatal is not None and failure is not None and failure.ename == "DeadKernelError":
        reason = f"{reason} during cell {failure.cell_index}, so nothing after it ran"
        state.failure = failure.model_copy(update={"evalue": clip(reason, 500)})
    state.fatal = (ExecStatus.LIMIT, reason)
