"""execute stage: run a prepared notebook in a fresh, sandboxed kernel and record what happened.

    run_notebook(nb, workdir=..., config=ExecutionConfig(...)) -> (executed notebook, ExecutionRecord)

The sandbox (bubblewrap, one unprivileged uid per slot, rlimits, no network, a size-limited work dir)
is described in ``grader/execute/_sandbox.py`` and ``_workdir.py``; everything that goes wrong inside a
notebook is data in ``ExecutionRecord``, and only harness problems raise (``SandboxError``,
``SandboxUnavailableError``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader._lazy import lazy_names

if TYPE_CHECKING:
    from grader.execute._run import run_notebook
    from grader.execute._sandbox import sandbox_available
    from grader.execute.config import ExecutionConfig
    from grader.execute.devices import DeviceInfo, detect_devices, device_for_slot
    from grader.execute.seed import seed_cell_source
    from grader.records.execution import CellFailure, ExecStatus, ExecutionRecord

__all__ = [
    "CellFailure",
    "DeviceInfo",
    "ExecStatus",
    "ExecutionConfig",
    "ExecutionRecord",
    "detect_devices",
    "device_for_slot",
    "run_notebook",
    "sandbox_available",
    "seed_cell_source",
]

_WHERE: dict[str, str] = {
    "CellFailure": "grader.records.execution",
    "DeviceInfo": "grader.execute.devices",
    "ExecStatus": "grader.records.execution",
    "ExecutionConfig": "grader.execute.config",
    "ExecutionRecord": "grader.records.execution",
    "detect_devices": "grader.execute.devices",
    "device_for_slot": "grader.execute.devices",
    "run_notebook": "grader.execute._run",
    "sandbox_available": "grader.execute._sandbox",
    "seed_cell_source": "grader.execute.seed",
}


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
