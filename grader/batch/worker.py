"""What runs in a worker process (local pool or Dask worker): grade one submission in a held slot.

Workers are grader processes, not sandboxes: they hold the rubric and the assignment data (hidden
labels included), and only the kernel that ``grade_notebook`` starts runs student code, in the sandbox
of the slot the worker leased. A worker returns the result and the executed notebook's bytes; the
parent alone writes the output folder, so a remote worker needs no shared filesystem.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import pickle
import signal
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from grader._version import __version__
from grader.batch.slots import slot_lease
from grader.discover.submissions import Submission
from grader.execute.rundirs import remove_tree, run_dir
from grader.records.adjust import Lateness
from grader.records.evidence import Evidence
from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission

if TYPE_CHECKING:
    from grader.packs import AssignmentData
    from grader.pipeline import GradeOptions
    from grader.rubric import Rubric

__all__ = [
    "Done",
    "FailStep",
    "GradeStep",
    "Steps",
    "Task",
    "WorkerContext",
    "init_pool_worker",
    "pipeline_fail",
    "pipeline_grade",
    "pool_task",
    "run_task",
    "started",
    "warm_up",
]

_PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Task:
    """One submission to grade. ``content``: its bytes, shipped when the worker may be on another host.
    ``lateness``: how late, from the LMS (wins over ``late_days``)."""

    submission: Submission
    key: str
    late_days: float = 0.0
    content: bytes | None = None
    lateness: Lateness | None = None


@dataclass(frozen=True)
class Done:
    """A worker's answer: the result (as JSON), the executed notebook (bytes), where and how long it ran.

    The result travels as JSON, not as a pickled model: pydantic's parametrised generics (``Item[...]``)
    cannot be pickled, and JSON is what is stored anyway.
    """

    graded_json: str
    executed: bytes | None
    slot: int
    seconds: float
    host: str

    @property
    def graded(self) -> GradedSubmission:
        """The result, validated."""
        return GradedSubmission.model_validate_json(self.graded_json)


GradeStep = Callable[[Submission, "WorkerContext", int, Path, float, "Lateness | None"], GradedSubmission]
"""``(submission, context, slot, executed_dir, late_days, lateness) -> result``; writes the executed
notebook as ``executed_dir/<student_id>.ipynb``."""
FailStep = Callable[[Submission, "Rubric", ExecStatus, str], GradedSubmission]
"""``(submission, rubric, status, reason) -> result`` for a submission that was not run."""


@dataclass(frozen=True)
class Steps:
    """How a worker grades (``grade``) and how a submission that could not run is recorded (``fail``).

    The default is the real pipeline; tests substitute module-level functions (workers import them).
    """

    grade: GradeStep
    fail: FailStep


@dataclass(frozen=True)
class WorkerContext:
    """Everything a worker needs: rubric, assignment data (hidden labels included), options, steps."""

    rubric: Rubric
    data: AssignmentData
    options: GradeOptions
    steps: Steps


def pipeline_grade(
    submission: Submission, context: WorkerContext, slot: int, executed_dir: Path, late_days: float,
    lateness: Lateness | None = None,
) -> GradedSubmission:
    """Grade with ``grader.pipeline.grade_notebook`` in sandbox slot ``slot``."""
    from grader.pipeline import grade_notebook

    return grade_notebook(
        submission.path, context.rubric, context.data, student_id=submission.student_id,
        options=dataclasses.replace(context.options, slot=slot), executed_dir=executed_dir, late_days=late_days,
        lateness=lateness,
    )


def pipeline_fail(submission: Submission, rubric: Rubric, status: ExecStatus, reason: str) -> GradedSubmission:
    """A result with 0 points, every question listed, for a submission that did not run."""
    from grader.score import score_submission

    record = ExecutionRecord(status=status, reason=reason)
    result = score_submission(
        rubric, Evidence(), record, student_id=submission.student_id,
        source=submission.origin or str(submission.path), late_days=0.0,
    )
    return GradedSubmission(
        result=result, execution=record, submission_sha256=submission.sha256, grader_version=__version__,
        graded_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )


def _materialize(task: Task, folder: Path) -> Submission:
    """The submission with a local path: its shipped bytes written into ``folder`` when there are some."""
    if task.content is None:
        return task.submission
    local = folder / f"submitted-{task.submission.path.name}"
    local.write_bytes(task.content)
    return dataclasses.replace(task.submission, path=local)


def _executed_bytes(graded: GradedSubmission, folder: Path) -> bytes | None:
    if graded.execution.executed_notebook is None:
        return None
    try:
        return (folder / graded.execution.executed_notebook).read_bytes()
    except OSError:
        return None


def run_task(task: Task, context: WorkerContext, slot_hint: int) -> Done:
    """Grade ``task`` in a leased slot (``slot_hint`` if free); a problem found by discovery skips the run."""
    start = time.perf_counter()
    sub = task.submission
    if sub.problem is not None:
        graded = context.steps.fail(sub, context.rubric, ExecStatus.INVALID, sub.problem)
        return Done(graded.model_dump_json(), None, -1, time.perf_counter() - start, socket.gethostname())
    with slot_lease(slot_hint) as slot:
        tmp = run_dir("task")
        try:
            executed_dir = tmp / "executed"
            graded = context.steps.grade(
                _materialize(task, tmp), context, slot, executed_dir, task.late_days, task.lateness
            )
            executed = _executed_bytes(graded, executed_dir)
        finally:
            remove_tree(tmp)
    return Done(graded.model_dump_json(), executed, slot, time.perf_counter() - start, socket.gethostname())


_CONTEXTS: dict[str, WorkerContext] = {}


def _die_with_parent(parent_pid: int) -> None:
    """Have the kernel SIGKILL this process when the grader that spawned it dies (Linux).

    The sandbox's ``--die-with-parent`` then takes the kernel down too, so a killed grader leaves
    nothing running.
    """
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent_pid:
        os._exit(1)


def warm_up() -> None:
    """Import the pipeline and what its first notebook would import, and probe the sandbox once.

    Runs in a fresh worker while the parent still prepares the batch, so the first notebook does not
    pay for it (about a second: nbclient, scikit-learn, the bubblewrap probe).
    """
    from grader.evaluate.hidden import evaluate_hidden
    from grader.execute import sandbox_available
    from grader.records.collected import Item

    evaluate_hidden(Item.missing("warm-up"), {})
    sandbox_available()


def init_pool_worker(parent_pid: int, warm: bool) -> None:
    """Initializer of a local pool worker: die with the parent; with ``warm``, ``warm_up()``."""
    _die_with_parent(parent_pid)
    if warm:
        warm_up()


def started() -> int:
    """A no-op task whose only purpose is to make the pool start a worker now; returns its pid."""
    return os.getpid()


def pool_task(task: Task, slot_hint: int, digest: str, context: bytes) -> Done:
    """Entry point of a local pool task; ``context`` is a pickled ``WorkerContext``, unpickled once."""
    if digest not in _CONTEXTS:
        _CONTEXTS[digest] = pickle.loads(context)
    return run_task(task, _CONTEXTS[digest], slot_hint)
