"""What the execute stage reports about one notebook run (data, never raised)."""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field

from grader._model import Frozen

__all__ = ["MAX_FAILURES", "CellFailure", "ExecStatus", "ExecutionRecord"]

MAX_FAILURES = 20
"""Failing cells kept in full per run; ``cell_errors`` still lists every one."""


class ExecStatus(StrEnum):
    """How a notebook run ended.

    ``OK``: every cell ran (cells may still have raised; see ``ExecutionRecord.cell_errors``).
    ``CELL_ERROR``: at least one student cell raised, later cells still ran.
    ``TIMEOUT``: a cell or the whole notebook exceeded its wall-time limit.
    ``DEAD_KERNEL``: the kernel died (exit code in ``kernel_exit_code``); nothing after it counts.
    ``LIMIT``: a resource limit (memory, CPU, processes, disk, output) ended the run.
    ``INVALID``: the file is not a runnable notebook (bad JSON, wrong nbformat, no code).
    ``SANDBOX_ERROR``: the harness could not start the sandbox for this notebook.
    """

    OK = "ok"
    CELL_ERROR = "cell_error"
    TIMEOUT = "timeout"
    DEAD_KERNEL = "dead_kernel"
    LIMIT = "limit"
    INVALID = "invalid"
    SANDBOX_ERROR = "sandbox_error"


class CellFailure(Frozen):
    """A failing cell, shown to the student: their code, its output and the traceback.

    ``cell_index`` is the student's own numbering: the cell's index in the notebook they submitted, the
    grader's injected cells not counted (the same number in the self-check, the report, the class summary
    and the review app). Tracebacks say ``cell N`` in the same numbering instead of ``In[count]``.
    """

    cell_index: int
    source_preview: str
    ename: str
    evalue: str
    traceback_tail: str = ""
    output_tail: str = ""


class ExecutionRecord(Frozen):
    """One notebook run: status, reason, where it ran and under which limits."""

    status: ExecStatus
    reason: str = ""
    failure: CellFailure | None = None
    """The first student cell that failed (``failures[0]``)."""
    failures: tuple[CellFailure, ...] = ()
    """Every student cell that failed, in run order (at most ``MAX_FAILURES``)."""
    cell_errors: tuple[int, ...] = ()
    """The student's numbers (see ``CellFailure.cell_index``) of every cell that failed."""
    cells_executed: int = 0
    duration_s: float = 0.0
    device: str = "cpu"
    sandboxed: bool = False
    kernel_exit_code: int | None = None
    limits: dict[str, str] = Field(default_factory=dict)
    output_truncated: bool = False
    executed_notebook: str | None = None
    epilogue_ran: bool = False
    """True only when the grader's collection cells ran in a live kernel after the student's cells."""
    epilogue_failure: CellFailure | None = None
    """The first grader-epilogue cell that raised (not counted in ``cell_errors`` or the status)."""
    files_not_copied: int = 0
    """Files the notebook left in its work dir that were not copied back (links, special files, over the
    disk cap); they are gone after the run."""
