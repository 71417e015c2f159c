"""One kernel session, one notebook: start the kernel, run the cells under the timeouts, stop it.

A cell over ``cell_timeout_s`` is interrupted (by message: a SIGINT would kill bwrap) and, when it does
not stop within ``interrupt_grace_s``, the kernel is killed; when the interrupt works, later cells still
run. The notebook's wall time (``notebook_timeout_s``, kernel start included) or a dead kernel ends the
run at once. The ``before_epilogue`` hook and the ``grader-epilogue`` cells run after every student
cell, and only while the kernel lives.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import subprocess
import time
from typing import Any

from nbclient.exceptions import DeadKernelError
from nbformat import NotebookNode

from grader.execute._client import CappedNotebookClient, OutputBudget, coalesce_streams
from grader.execute._job import MIB, Job, Scratch, kernel_env, rlimits
from grader.execute._kernel import KERNEL_ARGUMENTS, DisconnectWatch, SandboxKernelManager, exit_code
from grader.execute._keyring import with_cgroup
from grader.execute._reasons import exit_reason
from grader.execute._sandbox import SANDBOX_HOME, SandboxSpec, find_tools, python_install, sandbox_argv
from grader.execute._state import RunState, student_numbers
from grader.records.contract import EPILOGUE_TAG
from grader.records.execution import ExecStatus

__all__ = ["KILL_WAIT_S", "STARTUP_TIMEOUT_S", "KernelSession"]

STARTUP_TIMEOUT_S = 30.0
KILL_WAIT_S = 10.0
WATCH_S = 0.25


class KernelSession:
    """One kernel, one notebook: start, run the cells under the timeouts, stop."""

    def __init__(self, job: Job, scratch: Scratch) -> None:
        self.job = job
        self.cfg = job.config
        self.scratch = scratch
        self.state = RunState(job.config, numbers=student_numbers(job.nb))
        self.python = python_install(job.config.python_executable)
        self.km = SandboxKernelManager(
            prefix=self._prefix(),
            python=self.python.executable,
            conn_dir=scratch.conn,
            owner=self._owner(),
            max_message_bytes=self.cfg.max_message_mib * MIB,
        )
        self.watch: DisconnectWatch | None = None
        budget = OutputBudget(self.cfg.max_cell_output_kib * 1024, self.cfg.max_notebook_output_kib * 1024)
        self.client = CappedNotebookClient(job.nb, self.km, budget=budget)
        self.deadline = time.monotonic() + self.cfg.notebook_timeout_s
        self.killed = False
        self.refused = False

    def _owner(self) -> tuple[int, int] | None:
        return self.job.owner if self.job.sandboxed and self.job.as_root else None

    def _prefix(self) -> list[str]:
        if not self.job.sandboxed:
            return []
        spec = SandboxSpec(
            tools=find_tools(),
            python=self.python,
            uid=self.job.owner[0],
            live_dir=self.scratch.work,
            conn_dir=self.scratch.conn,
            etc_dir=self.scratch.etc,
            env=kernel_env(self.job, self.python, home=str(SANDBOX_HOME), tmp="/tmp"),
            rlimits=rlimits(self.cfg, gpu=self.job.device is not None),
            tmp_bytes=self.cfg.tmp_mb * MIB,
            ro_binds=self.cfg.extra_ro_binds,
            device=self.job.device,
            form=self.job.form,
        )
        return with_cgroup(sandbox_argv(spec), self.scratch.cgroup_procs)

    async def execute(self) -> RunState:
        """Start the kernel, run the notebook, always stop the kernel; what happened is the state."""
        try:
            if await self._start():
                await self._run_all()
        finally:
            await self._stop()
        self.state.cells_executed = self.client.code_cells_executed
        self.state.truncated = self.client.budget.truncated
        return self.state

    async def _start(self) -> bool:
        timeout = min(STARTUP_TIMEOUT_S, self.cfg.notebook_timeout_s)
        try:
            await asyncio.wait_for(self._launch(), timeout=timeout)
        except (RuntimeError, TimeoutError, OSError) as exc:
            detail = f"no reply within {timeout:.0f} s" if isinstance(exc, TimeoutError) else str(exc)
            why = f"the kernel did not start: {detail}{self.scratch.log_tail()}"
            self.state.stop(ExecStatus.SANDBOX_ERROR, why)
            self.killed = True  # a half-started kernel gets no polite shutdown
            return False
        return True

    async def _launch(self) -> None:
        fd = os.open(self.scratch.log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o600)
        with open(fd, "wb") as log:  # 0600: the run dir may be 0711 (rootless form as root)
            await self.km.start_kernel(
                extra_arguments=list(KERNEL_ARGUMENTS),
                cwd=str(self.scratch.kernel_cwd),
                env=self._popen_env(),
                stdout=subprocess.DEVNULL,
                stderr=log,
            )
        kc = await self.client.async_start_new_kernel_client()
        self.watch = DisconnectWatch(kc)
        reply = await self.client.async_wait_for_reply(await _maybe_await(kc.kernel_info()))
        if reply and "language_info" in reply["content"]:
            self.job.nb.metadata["language_info"] = reply["content"]["language_info"]

    def _popen_env(self) -> dict[str, str]:
        if self.job.sandboxed:
            return {"PATH": os.environ.get("PATH", "/usr/bin:/bin")}
        tmp = self.scratch.root / "tmp"
        tmp.mkdir(exist_ok=True)
        return kernel_env(self.job, self.python, home=str(self.job.workdir), tmp=str(tmp))

    async def _run_all(self) -> None:
        student, epilogue = _partition(self.job.nb)
        await self._run_cells(student, epilogue=False)
        if not epilogue or self.state.fatal:
            return
        if self.job.hook is not None:
            self.job.hook(self.job.workdir)
        self.scratch.sync_in()
        await self._run_cells(epilogue, epilogue=True)
        self.state.epilogue_ran = not (self.state.fatal or self.state.epilogue_broken)

    async def _run_cells(self, indices: list[int], *, epilogue: bool) -> None:
        for index in indices:
            if self.state.fatal:
                return
            await self._run_cell(index, epilogue=epilogue)

    async def _run_cell(self, index: int, *, epilogue: bool) -> None:
        cell = self.job.nb.cells[index]
        count = self.client.code_cells_executed + 1
        self.state.counts[count] = index
        task = asyncio.ensure_future(self.client.async_execute_cell(cell, index, execution_count=count))
        wall_left = self.deadline - time.monotonic()
        if await self._wait(task, min(self.cfg.cell_timeout_s, wall_left)):
            self._finished(task, index, cell, epilogue=epilogue)
        elif self.refused:
            await self._kill(task, (index, cell, "MessageTooLarge"), self._refused_reason(index, epilogue))
        elif wall_left <= self.cfg.cell_timeout_s:
            await self._kill(task, (index, cell, "TimeoutError"), self._wall_reason(index, epilogue))
        else:
            await self._interrupt_or_kill(task, index, cell, epilogue=epilogue)
        cell.outputs = coalesce_streams(cell.outputs)
        self.client.clear_display_id_mapping(index)  # indices moved; a late display update is dropped

    async def _wait(self, task: asyncio.Future[Any], timeout: float) -> bool:
        """``_settled``, but False at once when the kernel sent a message the socket refused (``refused``)."""
        deadline = time.monotonic() + timeout
        while not await _settled(task, min(WATCH_S, deadline - time.monotonic())):
            if time.monotonic() >= deadline or await self._refused_now():
                return False
        return True

    async def _refused_now(self) -> bool:
        """A channel lost its connection while the kernel lives: ZeroMQ refused a message over the cap."""
        if self.watch is None or self.watch.disconnected() is None:
            return False
        await asyncio.sleep(WATCH_S)  # a dying kernel closes its sockets a moment before it is reaped
        self.refused = exit_code(self.km) is None
        return self.refused

    def _refused_reason(self, index: int, epilogue: bool) -> str:
        return (
            f"{self.state.name(index, epilogue)} sent a message larger than {self.cfg.max_message_mib} MiB "
            "(execution.max_message_mib); the grader refused it unread, stopped the kernel, and nothing after "
            "it ran"
        )

    async def _interrupt_or_kill(
        self, task: asyncio.Future[Any], index: int, cell: NotebookNode, *, epilogue: bool
    ) -> None:
        await self._interrupt()
        if await _settled(task, self.cfg.interrupt_grace_s):
            self._interrupted(task, index, cell, epilogue=epilogue)
            return
        reason = (
            f"{self.state.name(index, epilogue)} exceeded {self.cfg.cell_timeout_s} s and did not stop when "
            "interrupted; the kernel was killed and nothing after it ran"
        )
        await self._kill(task, (index, cell, "TimeoutError"), reason)

    def _wall_reason(self, index: int, epilogue: bool) -> str:
        return (
            f"the notebook exceeded its wall time of {self.cfg.notebook_timeout_s} s during "
            f"{self.state.name(index, epilogue)}; the kernel was stopped and nothing after it ran"
        )

    def _finished(self, task: asyncio.Future[Any], index: int, cell: NotebookNode, *, epilogue: bool) -> None:
        if self._died(task, index, cell):
            return
        reply = self.client.replies.pop(index, None)
        content = reply.get("content", {}) if reply else {}
        if content.get("status") == "error":
            self.state.errored(index, cell, content, epilogue=epilogue)

    def _interrupted(
        self, task: asyncio.Future[Any], index: int, cell: NotebookNode, *, epilogue: bool
    ) -> None:
        if not self._died(task, index, cell):
            self.client.replies.pop(index, None)
            self.state.timed_out(index, cell, epilogue=epilogue)

    def _died(self, task: asyncio.Future[Any], index: int, cell: NotebookNode) -> bool:
        """True (and recorded) when the cell ended because the kernel died or sent an unreadable message."""
        error = task.exception()
        if error is None:
            return False
        if not isinstance(error, DeadKernelError):
            self._unreadable(error, index, cell)
            return True
        code = exit_code(self.km)
        status, why = exit_reason(code, self.cfg)
        self.state.exit_code = code
        reason = f"{why}; the kernel died during {self.state.name(index, False)}, so nothing after it ran"
        self.state.stop(status, reason, (index, cell, "DeadKernelError"))
        return True

    def _unreadable(self, error: BaseException, index: int, cell: NotebookNode) -> None:
        """The kernel's messages broke the client (too deep, forged, a patched ``json``): the submission's
        doing, so its run ends with CELL_ERROR and the reason; the kernel is killed on the way out."""
        self.killed = True
        what = f"{type(error).__name__}: {str(error)[:200]}"
        reason = (
            f"during {self.state.name(index, False)} the kernel sent a message the grader cannot read ({what}); "
            "the kernel was stopped and nothing after it ran"
        )
        self.state.stop(ExecStatus.CELL_ERROR, reason, (index, cell, type(error).__name__))

    async def stop_kernel(self) -> None:
        """Kill the kernel from outside the run (the guard, at a breach); the run then ends as it died."""
        self.killed = True
        with contextlib.suppress(RuntimeError, OSError):
            await self.km.signal_kernel(signal.SIGKILL)

    async def _interrupt(self) -> None:
        with contextlib.suppress(RuntimeError):
            await self.km.interrupt_kernel()

    async def _kill(self, task: asyncio.Future[Any], at: tuple[int, NotebookNode, str], reason: str) -> None:
        """Kill the kernel (SIGKILL to bwrap; --die-with-parent takes the sandbox) and end the run
        (TIMEOUT, or CELL_ERROR when the kernel's message was refused)."""
        self.killed = True
        with contextlib.suppress(RuntimeError, OSError):
            await self.km.signal_kernel(signal.SIGKILL)
        if not await _settled(task, KILL_WAIT_S):
            task.cancel()
            await asyncio.wait({task})
        if not task.cancelled():
            task.exception()
        self.state.stop(ExecStatus.CELL_ERROR if self.refused else ExecStatus.TIMEOUT, reason, at)

    async def _stop(self) -> None:
        """Kill the kernel and release its sockets.

        Never politely: the epilogue has written everything the grader reads, and a polite shutdown
        waited about 2 s per notebook for torch and the sandbox to wind down (``make demo``).
        """
        try:
            if self.watch is not None:
                self.watch.close()
            kc = self.client.kc
            if kc is not None:
                kc.stop_channels()
            if self.client.km is None or not self.km.has_kernel:
                return  # never started, or nbclient already cleaned up after a failed start
            await self.km.shutdown_kernel(now=True)
        finally:
            self.km.unpin_sockets()  # every socket that used them is closed by now


async def _settled(task: asyncio.Future[Any], timeout: float) -> bool:
    done, _ = await asyncio.wait({task}, timeout=max(0.0, timeout))
    return bool(done)


async def _maybe_await(value: Any) -> Any:
    return await value if asyncio.iscoroutine(value) else value


def _partition(nb: NotebookNode) -> tuple[list[int], list[int]]:
    """Indices of the student's code cells and of the grader's epilogue cells, each in notebook order."""
    student: list[int] = []
    epilogue: list[int] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "code":
            tags = cell.get("metadata", {}).get("tags", [])
            (epilogue if EPILOGUE_TAG in tags else student).append(index)
    return student, epilogue
