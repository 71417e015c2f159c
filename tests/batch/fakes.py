"""Stand-ins for the grading pipeline, importable by spawned workers and Dask workers.

A fake notebook says what its grading should do in ``metadata.fake``: ``points`` (default 1),
``sleep`` (seconds), ``crash`` (``"always"`` or ``"once"``: the worker SIGKILLs itself), ``raise``
(a message: an unexpected exception), ``harness`` (raise ``SandboxUnavailableError``).

Environment (inherited by workers): ``FAKE_SLOT_LOG`` (a file: one ``slot start end pid`` line per
task), ``FAKE_STATE_DIR`` (markers for ``crash: once`` and worker pid files).
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat

from assignments.week11.data import EnhancerData, HiddenPool
from grader.batch.run import BatchOutcome, BatchSettings, run_batch
from grader.batch.worker import Steps, WorkerContext
from grader.discover.submissions import Submission
from grader.errors import SandboxUnavailableError
from grader.execute.config import ExecutionConfig
from grader.prepare.secret import SECRET_BYTES, ClassSecret
from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission
from grader.records.result import QuestionResult, QuestionStatus, SubmissionResult, SubmissionStatus
from grader.store.gradebook import RunInfo


@dataclass(frozen=True)
class FakeRubric:
    """Just what the batch reads from a rubric."""

    execution: ExecutionConfig = field(default_factory=lambda: ExecutionConfig(use_gpu=False))
    rubric_id: str = "fake@000"


@dataclass(frozen=True)
class FakeOptions:
    """Just what the batch reads from GradeOptions."""

    profile: str = "full"
    slot: int = 0


def result(student: str, points: float, *, status: SubmissionStatus = SubmissionStatus.GRADED,
           reason: str = "", source: str = "", sha: str = "", executed: str | None = None) -> GradedSubmission:
    """A two-question result worth ``points`` on q1 (of 5) and 1 on q2 (of 1)."""
    ok = status is SubmissionStatus.GRADED
    questions = (
        QuestionResult(id="q1", title="Q1", points=points if ok else 0.0, max_points=5.0,
                       status=QuestionStatus.PASSED if ok else QuestionStatus.NOT_RUN, reason=""),
        QuestionResult(id="q2", title="Q2", points=1.0 if ok else 0.0, max_points=1.0,
                       status=QuestionStatus.PASSED if ok else QuestionStatus.NOT_RUN, reason=""),
    )
    exec_status = ExecStatus.OK if ok else ExecStatus(status.value)
    record = ExecutionRecord(status=exec_status, reason=reason, duration_s=random.uniform(0.1, 2.0),
                             executed_notebook=executed)
    sub = SubmissionResult(student_id=student, source=source, status=status, reason=reason,
                           total=sum(q.points for q in questions), max_points=6.0, questions=questions)
    return GradedSubmission(result=sub, execution=record, submission_sha256=sha, grader_version="test",
                            graded_at=time.strftime("%Y-%m-%dT%H:%M:%S"))


def _state(name: str) -> Path | None:
    folder = os.environ.get("FAKE_STATE_DIR")
    return Path(folder) / name if folder else None


def _crash(mode: str, student: str) -> None:
    marker = _state(f"crashed-{student}")
    if mode == "once" and marker is not None and marker.exists():
        return
    if marker is not None:
        marker.touch()
    os.kill(os.getpid(), signal.SIGKILL)


def fake_grade(
    sub: Submission, context: Any, slot: int, executed_dir: Path, late_days: float, lateness: Any = None
) -> GradedSubmission:
    """Grade by reading ``metadata.fake``; writes the executed notebook like the pipeline does."""
    start = time.time()
    pid_file = _state(f"pid-{os.getpid()}")
    if pid_file is not None:
        pid_file.touch()
    raw = sub.path.read_bytes()
    spec: dict[str, Any] = json.loads(raw).get("metadata", {}).get("fake", {})
    if "crash" in spec:
        _crash(spec["crash"], sub.student_id)
    if "raise" in spec:
        raise RuntimeError(spec["raise"])
    if spec.get("harness"):
        raise SandboxUnavailableError("fake: bubblewrap is missing")
    time.sleep(float(spec.get("sleep", 0.0)))
    executed_dir.mkdir(parents=True, exist_ok=True)
    (executed_dir / f"{sub.student_id}.ipynb").write_bytes(raw)
    log = os.environ.get("FAKE_SLOT_LOG")
    if log:
        with open(log, "a", encoding="utf-8") as handle:
            handle.write(f"{slot} {start} {time.time()} {os.getpid()}\n")
    graded = result(sub.student_id, float(spec.get("points", 1.0)), source=str(sub.path),
                    sha=hashlib.sha256(raw).hexdigest(), executed=f"{sub.student_id}.ipynb")
    if lateness is not None:  # kept as given, so tests see what reached the grading step
        graded = graded.model_copy(update={"result": graded.result.model_copy(update={"lateness": lateness})})
    return graded


def fake_fail(sub: Submission, rubric: Any, status: ExecStatus, reason: str) -> GradedSubmission:
    """The fake counterpart of ``pipeline_fail``."""
    return result(sub.student_id, 0.0, status=SubmissionStatus.from_exec(status), reason=reason,
                  source=sub.origin, sha=sub.sha256)


FAKE_STEPS = Steps(grade=fake_grade, fail=fake_fail)


def context(folder: Path, rubric: FakeRubric | None = None) -> WorkerContext:
    """A worker context with a fake rubric and tiny real training files under ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pos.fa").write_text(">a\nACGT\n")
    (folder / "neg.fa").write_text(">b\nTTTT\n")
    hidden = HiddenPool(("ACGT",), ("TTTT",))
    data = EnhancerData(folder / "pos.fa", folder / "neg.fa", hidden, 4, ClassSecret(bytes(SECRET_BYTES)))
    return WorkerContext(rubric or FakeRubric(), data, FakeOptions(), FAKE_STEPS)  # type: ignore[arg-type]


INFO = RunInfo(rubric_id="fake@000", rubric_sha256="r", grader_version="test")


def write_notebooks(folder: Path, specs: dict[str, dict[str, Any]]) -> Path:
    """One notebook per student id with ``metadata.fake = spec``; returns ``folder``."""
    folder.mkdir(parents=True, exist_ok=True)
    for student, spec in specs.items():
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", id="c1")])
        nb.metadata["fake"] = spec
        (folder / f"{student}.ipynb").write_text(json.dumps(nb, sort_keys=True), encoding="utf-8")
    return folder


def batch(subs: Path, out: Path, *, jobs: int = 1, context_hash: str = "ctx", console: Any = None,
          rubric: FakeRubric | None = None, **settings: Any) -> BatchOutcome:
    """``run_batch`` over fake steps (contexts are made under ``out``'s parent)."""
    ctx = context(out.parent / f"{out.name}-data", rubric)
    return run_batch(subs, out, context=ctx, context_hash=context_hash, info=INFO,
                     settings=BatchSettings(jobs=jobs, **settings), console=console)


def normalized(out: Path, subs: Path | None = None) -> dict[str, Any]:
    """Every stored result under ``out`` without what may differ between runs (times, durations), with
    the submissions folder ``subs`` written as ``SUBS`` in sources."""
    found = {}
    for path in sorted((out / "results").glob("*.json")):
        data = json.loads(path.read_text())
        data.pop("graded_at")
        data["execution"].pop("duration_s")
        if subs is not None:
            data["result"]["source"] = data["result"]["source"].replace(str(subs), "SUBS")
        found[path.name] = data
    return found


def assert_slots_never_shared(log: Path) -> int:
    """Check the ``FAKE_SLOT_LOG`` file: no two notebooks ran in one slot at the same time; count them."""
    spans = [(int(s), float(a), float(b)) for s, a, b, _ in (line.split() for line in log.read_text().splitlines())]
    for i, (slot, start, end) in enumerate(spans):
        for other, o_start, o_end in spans[i + 1 :]:
            assert slot != other or end <= o_start or o_end <= start, f"two notebooks shared slot {slot}"
    return len(spans)
