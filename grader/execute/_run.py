"""Run one prepared notebook in a fresh kernel (sandboxed unless configured otherwise) and record it.

A run: the private scratch directory, the live work dir and the sandbox's cgroup are made (``_job``,
``_cgroup``); the kernel starts and the cells run (``_session``) while the guard watches the sandbox's
memory and work dir from outside (``_guard``); the kernel is shut down; what the notebook wrote is copied
back into the work dir; the scratch is removed (the cgroup with it); what happened becomes an
``ExecutionRecord`` (``_state``).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import copy
import time
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Any, TypeVar

from nbformat import NotebookNode

from grader.errors import SandboxError, SandboxUnavailableError
from grader.execute._guard import Guard, launcher_pid
from grader.execute._job import Job, Scratch
from grader.execute._reasons import applied_limits
from grader.execute._sandbox import sandbox_available
from grader.execute._session import KernelSession
from grader.execute._state import RunState
from grader.execute.config import ExecutionConfig
from grader.execute.devices import detect_devices, device_for_slot
from grader.records.execution import ExecutionRecord

__all__ = ["run_notebook"]

T = TypeVar("T")


def run_notebook(
    nb: NotebookNode,
    *,
    workdir: Path,
    config: ExecutionConfig,
    slot: int = 0,
    before_epilogue: Callable[[Path], None] | None = None,
    env: Mapping[str, str] | None = None,
) -> tuple[NotebookNode, ExecutionRecord]:
    """Execute a prepared notebook in a fresh kernel with cwd = ``workdir``; return it and its record.

    ``nb`` is not modified; the returned notebook holds the (capped) outputs. ``workdir`` (created and
    later deleted by the caller) holds the submission copy and the provided files; after this returns it
    also holds what the notebook wrote (e.g. ``grader_record.json``). ``slot`` (0 … slots-1) picks the
    sandbox uid (``uid_base + slot``) and the GPU. ``before_epilogue(workdir)`` is called in this process
    after the student's cells and before the first ``grader-epilogue`` cell, only if the kernel is alive.
    ``env`` adds or overrides variables of the kernel's environment.

    Run at most one notebook per slot at a time (the slot's uid carries the process limit); slots may
    run in parallel, in threads or processes. An exception from ``before_epilogue`` propagates after the
    kernel is stopped and the scratch removed.

    Whatever happens inside the notebook is recorded in the ``ExecutionRecord``, never raised. Raises
    ``SandboxUnavailableError`` when ``config.sandbox == "required"`` and the sandbox cannot run here,
    ``SandboxError`` when the run cannot be set up (work dir missing or too big, a bind path missing).
    """
    job = _job(nb, workdir, config, slot, before_epilogue, env or {})
    return _run_sync(_run(job))


def _job(
    nb: NotebookNode,
    workdir: Path,
    config: ExecutionConfig,
    slot: int,
    hook: Callable[[Path], None] | None,
    env: Mapping[str, str],
) -> Job:
    if not workdir.is_dir():
        raise SandboxError(f"run_notebook: workdir {workdir} is not a directory")
    if slot < 0:
        raise SandboxError(f"run_notebook: slot must be >= 0, got {slot}")
    sandboxed = _use_sandbox(config)
    device = device_for_slot(slot, detect_devices()) if config.use_gpu else None
    form = config.resolved_sandbox_form()
    return Job(copy.deepcopy(nb), workdir.resolve(), config, slot, sandboxed, device, hook, dict(env), form)


def _use_sandbox(config: ExecutionConfig) -> bool:
    if config.sandbox == "off":
        return False
    available, why = sandbox_available(config.sandbox_form)
    if not available and config.sandbox == "required":
        raise SandboxUnavailableError(
            f"{why}. execution.sandbox is 'required'; use 'auto' to fall back to an unsandboxed kernel "
            "(only for trusted notebooks, e.g. a student's self-check)"
        )
    return available


def _run_sync(coro: Coroutine[Any, Any, T]) -> T:
    """Run ``coro`` to completion, in a helper thread when this thread already runs an event loop."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coro)
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(asyncio.run, coro).result()


async def _run(job: Job) -> tuple[NotebookNode, ExecutionRecord]:
    started = time.monotonic()
    with Scratch(job) as scratch:
        runner = KernelSession(job, scratch)
        guard = Guard(job, scratch, runner.stop_kernel, lambda: launcher_pid(runner.km))
        state = await guard.watch(runner.execute())
        guard.judge(state)
        state.files_not_copied = scratch.copy_out()
    return job.nb, _record(job, state, time.monotonic() - started, guard.limits())


def _record(job: Job, state: RunState, duration: float, held: Mapping[str, str]) -> ExecutionRecord:
    status, reason = state.verdict()
    return ExecutionRecord(
        status=status,
        reason=reason,
        failure=state.failure,
        failures=(state.failure, *state.failures[1:]) if state.failure else (),  # the guard may reword [0]
        cell_errors=tuple(state.cell_errors),
        cells_executed=state.cells_executed,
        duration_s=round(duration, 3),
        device=job.device.label if job.device else "cpu",
        sandboxed=job.sandboxed,
        kernel_exit_code=state.exit_code,
        limits=applied_limits(job.config, sandboxed=job.sandboxed, gpu=job.device is not None, form=job.form)
        | dict(held),
        output_truncated=state.truncated,
        epilogue_ran=state.epilogue_ran,
        epilogue_failure=state.epilogue_failure,
        files_not_copied=state.files_not_copied,
    )
