"""Grade a folder (or zip) of submissions into an output folder: in parallel, resumable, idempotent.

``grade_batch`` discovers the submissions, works out which already have a result for exactly these
inputs (``grader.batch.keys``), grades the rest on local spawned workers or a Dask cluster, and writes
each result as it arrives: executed notebook, then ``results/<student>.json`` (the commit point), then
the gradebook row. Killing the grader at any moment loses at most the notebooks in flight; the next
run redoes exactly those. Harness failures (a worker that died) are recorded with a reason and never
reused, so the next run retries them.

Archives are extracted into ``OUT/.cache/extracted`` (``EXTRACTED_DIR``, one size budget for the whole
class: ``grader.discover.archive``) and removed when the batch ends, finished or not; a killed grader's
leftovers are reused by the next run's discovery and removed at its end.
"""

from __future__ import annotations

import contextlib
import shutil
import time
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from sqlite3 import Connection
from typing import TYPE_CHECKING

from rich.console import Console

from grader._version import __version__
from grader.batch.keys import assignment_sha256, context_key, options_sha256, rubric_sha256, submission_key
from grader.batch.local import Failure, InlineRunner, LocalPool
from grader.batch.progress import BatchSummary, Reporter
from grader.batch.slots import SlotPlan, default_jobs, machine_plan
from grader.batch.worker import Done, Steps, Task, WorkerContext, pipeline_fail, pipeline_grade
from grader.discover.submissions import Skipped, Submission, discover
from grader.discover.times import SubmissionTimes, lateness_for
from grader.errors import ConfigError
from grader.records.execution import ExecStatus
from grader.records.graded import GradedSubmission
from grader.store.files import (
    executed_path,
    lock_out_dir,
    read_result,
    sweep_partial,
    write_atomic,
    write_result,
)
from grader.store.gradebook import (
    GRADEBOOK_FILE,
    RunCounts,
    RunInfo,
    current_results,
    finish_run,
    mark_interrupted,
    open_gradebook,
    report_fields,
    start_run,
    upsert_result,
)

if TYPE_CHECKING:
    from distributed import Client
    from distributed.deploy.cluster import Cluster

    from grader.pipeline import GradeOptions
    from grader.rubric import Rubric

__all__ = ["EXTRACTED_DIR", "PIPELINE_STEPS", "BatchOutcome", "BatchSettings", "grade_batch", "run_batch"]

EXTRACTED_DIR = ".cache/extracted"
PIPELINE_STEPS = Steps(grade=pipeline_grade, fail=pipeline_fail)
_HARNESS_STATUSES = frozenset({"sandbox_error", "grader_error"})
_WORKER_WAIT_S = 300
OnResult = Callable[[Submission, GradedSubmission], None]


@dataclass
class BatchOutcome:
    """What a batch produced: one result per discovered student (sorted by id), plus skipped files.

    ``fresh``, ``reused`` and ``failed`` list student ids graded in this run, taken from an earlier
    run, and lost to a harness failure (their result says why; the next run retries them).
    """

    graded: list[GradedSubmission] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    fresh: list[str] = field(default_factory=list)
    reused: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    run_id: int = 0
    gradebook: Path | None = None
    seconds: float = 0.0


@dataclass(frozen=True)
class BatchSettings:
    """How ``run_batch`` runs: slots, where, whether to regrade, late days by student id.

    ``times``: submission times from the LMS (``grader.discover.times``); they win over ``late_days``,
    and a Canvas late mark without a time becomes a lateness that says so (no penalty).

    ``isolate``: grade even a single local slot in a worker process (``InlineRunner`` otherwise).
    """

    jobs: int = 1
    force: bool = False
    scheduler: str | None = None
    cluster: str | Cluster | None = None
    late_days: Mapping[str, float] = field(default_factory=dict)
    isolate: bool = False
    secret: Path | None = None
    times: SubmissionTimes | None = None

    @property
    def backend(self) -> str:
        """``local``, ``dask <address>`` or ``dask <cluster kind>`` (recorded in the gradebook)."""
        if self.scheduler is not None:
            return f"dask {self.scheduler}"
        if self.cluster is not None:
            return f"dask {self.cluster if isinstance(self.cluster, str) else type(self.cluster).__name__}"
        return "local"


@dataclass
class _Recorder:
    """Writes each result as it arrives (executed notebook, result file, gradebook) and reports it."""

    out_dir: Path
    db: Connection
    run_id: int
    context: WorkerContext
    reporter: Reporter
    on_result: OnResult | None
    outcome: BatchOutcome

    def _commit(self, sub: Submission, graded: GradedSubmission, *, reused: bool, write: bool = True) -> None:
        if write:
            write_result(self.out_dir, graded)
        upsert_result(self.db, self.run_id, graded, reused=reused)
        self.outcome.graded.append(graded)
        if self.on_result is not None:
            self.on_result(sub, graded)

    def reuse(self, sub: Submission, stored: GradedSubmission) -> None:
        """Keep an earlier result; refresh what discovery says about it (notes, where it came from)."""
        refreshed = _finalize(stored, sub, stored.cache_key)
        self.outcome.reused.append(sub.student_id)
        self._commit(sub, refreshed, reused=True, write=refreshed != stored)

    def _received(self, task: Task, result: Done | Failure) -> tuple[GradedSubmission, bytes | None, float | None]:
        """The result to store for ``task``, its executed notebook and its duration; counts it."""
        sub = task.submission
        if isinstance(result, Failure):
            failed = self.context.steps.fail(sub, self.context.rubric, ExecStatus.SANDBOX_ERROR, result.reason)
            self.outcome.failed.append(sub.student_id)
            return _finalize(failed, sub, ""), None, None
        received = result.graded
        harness = received.result.status.value in _HARNESS_STATUSES
        (self.outcome.failed if harness else self.outcome.fresh).append(sub.student_id)
        return _finalize(received, sub, "" if harness else task.key), result.executed, result.seconds

    def done(self, task: Task, result: Done | Failure) -> None:
        """A task ended: store its executed notebook, then its result (the commit point), and show it."""
        graded, executed, seconds = self._received(task, result)
        path = executed_path(self.out_dir, task.submission.student_id)
        if executed is not None:
            write_atomic(path, executed)
        else:  # an earlier grade's executed notebook would not match this result
            path.unlink(missing_ok=True)
        self._commit(task.submission, graded, reused=False)
        self.reporter.result(graded, seconds)


def _finalize(graded: GradedSubmission, sub: Submission, key: str) -> GradedSubmission:
    """``graded`` with its resume key, discovery's notes and the submission's origin as its source."""
    result = graded.result.model_copy(update={"source": sub.origin}) if sub.origin else graded.result
    update = {"cache_key": key, "notes": sub.notes, "result": result}
    return graded.model_copy(update=update | ({"student_name": sub.display_name} if sub.display_name else {}))


def _plan(
    subs: tuple[Submission, ...], out_dir: Path, context: str, settings: BatchSettings
) -> tuple[list[Task], list[tuple[Submission, GradedSubmission]]]:
    """Split submissions into tasks to run and results to reuse (same key, not forced)."""
    tasks, reuse = [], []
    for sub in subs:
        late = float(settings.late_days.get(sub.student_id, 0.0))
        lateness = lateness_for(sub.student_id, settings.times, marked_late=sub.late)
        key = submission_key(context, sub, late, lateness)
        stored = None if settings.force else read_result(out_dir, sub.student_id)
        if stored is not None and stored.cache_key == key:
            reuse.append((sub, stored))
        else:
            tasks.append(Task(sub, key, late, lateness=lateness))
    return tasks, reuse


def _run_local(
    tasks: list[Task], context: WorkerContext, pool: LocalPool | None, settings: BatchSettings, rec: _Recorder
) -> None:
    if pool is not None:
        pool.run(context, tasks, rec.done)
    elif settings.jobs == 1 and not settings.isolate:
        InlineRunner().run(context, tasks, rec.done)
    elif tasks:
        with LocalPool(min(settings.jobs, len(tasks)), warm=context.steps.grade is pipeline_grade) as own:
            own.run(context, tasks, rec.done)


def _run_tasks(
    tasks: list[Task], context: WorkerContext, key: str, settings: BatchSettings, rec: _Recorder,
    pool: LocalPool | None,
) -> None:
    if settings.scheduler is None and settings.cluster is None:
        _run_local(tasks, context, pool, settings, rec)
        return
    from grader.batch.cluster import DaskRunner, open_client

    wanted = context.rubric.execution.use_gpu
    gpu = wanted and (settings.cluster == "slurm" or (settings.cluster == "local" and _local_gpus()))
    with open_client(scheduler=settings.scheduler, cluster=settings.cluster, jobs=settings.jobs, gpu=gpu) as client:
        if settings.cluster != "slurm":  # SLURM workers come when the queue lets them: do not wait
            _wait_for_a_worker(client, settings.backend)
            gpu = wanted and _workers_have_gpus(client)
        DaskRunner(client, context, key, gpu=gpu).run(tasks, rec.done)


def _local_gpus() -> bool:
    from grader.execute.devices import detect_devices

    return bool(detect_devices())


def _wait_for_a_worker(client: Client, backend: str) -> None:
    try:
        client.wait_for_workers(1, timeout=_WORKER_WAIT_S)
    except TimeoutError as exc:
        raise ConfigError(f"{backend}: no Dask worker joined within {_WORKER_WAIT_S} s; start workers first") from exc


def _workers_have_gpus(client: Client) -> bool:
    """Whether a worker declares a ``GPU`` resource (then every task asks for one)."""
    workers = client.scheduler_info()["workers"].values()
    return any("GPU" in (w.get("resources") or {}) for w in workers)


def run_batch(
    submissions: Path,
    out_dir: Path,
    *,
    context: WorkerContext,
    context_hash: str,
    info: RunInfo,
    settings: BatchSettings = BatchSettings(),
    console: Console | None = None,
    on_result: OnResult | None = None,
    pool: LocalPool | None = None,
) -> BatchOutcome:
    """The batch engine behind ``grade_batch``, given a ready ``context`` and its ``context_hash``.

    ``pool``: local workers already started (``grade_batch`` starts them before loading the data);
    without one, local runs start their own.
    """
    start = time.perf_counter()
    reporter = Reporter(console)
    staged = _staged(out_dir / EXTRACTED_DIR)
    with lock_out_dir(out_dir), open_gradebook(out_dir / GRADEBOOK_FILE) as db, staged as staging:
        sweep_partial(out_dir)
        found = discover(submissions, staging=staging, exclude=[out_dir])
        if settings.times is not None:
            settings.times.check_students(s.student_id for s in found.submissions)
        mark_interrupted(db)
        _refuse_mixed_rubrics(db, found.submissions, info, out_dir)
        run_id = start_run(db, info.model_copy(update={"n_submissions": len(found.submissions)}))
        outcome = BatchOutcome(skipped=list(found.skipped), run_id=run_id, gradebook=out_dir / GRADEBOOK_FILE)
        rec = _Recorder(out_dir, db, run_id, context, reporter, on_result, outcome)
        try:
            tasks, reuse = _plan(found.submissions, out_dir, context_hash, settings)
            for sub, stored in reuse:
                rec.reuse(sub, stored)
            reporter.start(len(tasks), len(reuse), settings.jobs, settings.backend)
            _run_tasks(tasks, context, context_hash, settings, rec, pool)
        except BaseException:
            reporter.stop()
            finish_run(db, run_id, _counts(outcome), status="aborted")
            raise
        finish_run(db, run_id, _counts(outcome))
    outcome.graded.sort(key=lambda g: g.result.student_id)
    for ids in (outcome.fresh, outcome.reused, outcome.failed):
        ids.sort()
    outcome.seconds = time.perf_counter() - start
    reporter.finish(outcome.graded, outcome.skipped, _summary(outcome, settings))
    return outcome


def _refuse_mixed_rubrics(
    db: Connection, subs: tuple[Submission, ...], info: RunInfo, out_dir: Path
) -> None:
    """Raise ``ConfigError`` when results this run leaves alone were scored under another rubric.

    A run regrades the students it finds; if others in ``out_dir`` keep results of another rubric, the
    class would be graded under two rubrics at once.
    """
    regraded = {sub.student_id for sub in subs}
    left = [c for c in current_results(db) if c.student_id not in regraded and c.rubric_sha256 != info.rubric_sha256]
    if not left:
        return
    old = left[0]
    names = ", ".join(c.student_id for c in left[:5]) + (f" and {len(left) - 5} more" if len(left) > 5 else "")
    raise ConfigError(
        f"{out_dir}: {len(left)} stored results ({names}) were scored under rubric {old.rubric_id!r} "
        f"(sha256 {old.rubric_sha256[:12]}), which this run does not regrade; this run uses rubric "
        f"{info.rubric_id!r} (sha256 {info.rubric_sha256[:12]}). Grading only part of the class would mix "
        f"the two. Either regrade the whole class under the new rubric (grader grade <all submissions> "
        f"--rubric <new rubric> --out {out_dir} --force), or re-score the stored results first "
        f"(grader rescore {out_dir} --rubric <new rubric>) and run this again."
    )


@contextlib.contextmanager
def _staged(staging: Path) -> Iterator[Path]:
    """``staging`` for the archives of one batch, removed when the batch ends (also on an error)."""
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _counts(outcome: BatchOutcome) -> RunCounts:
    return RunCounts(
        graded=len(outcome.fresh), reused=len(outcome.reused), failed=len(outcome.failed),
        skipped=len(outcome.skipped),
    )


def _summary(outcome: BatchOutcome, settings: BatchSettings) -> BatchSummary:
    c = _counts(outcome)
    return BatchSummary(c.graded, c.reused, c.failed, c.skipped, outcome.seconds, settings.jobs, settings.backend)


def grade_batch(
    submissions: Path,
    rubric: Rubric | Path,
    out_dir: Path,
    *,
    options: GradeOptions | None = None,
    jobs: int | None = None,
    console: Console | None = None,
    force: bool = False,
    scheduler: str | None = None,
    cluster: str | Cluster | None = None,
    late_days: Mapping[str, float] | None = None,
    isolate: bool = False,
    on_result: OnResult | None = None,
    secret: Path | None = None,
    slots_per_gpu: int | None = None,
    submission_times: SubmissionTimes | None = None,
) -> BatchOutcome:
    """Grade every submission under ``submissions`` (a folder, a zip file, an LMS download) into ``out_dir``.

    ``jobs``: sandbox slots (default: K per GPU, else one per CPU core; for ``cluster``: workers).
    ``slots_per_gpu``: K, kernels sharing one GPU (default: the rubric's ``execution.slots_per_gpu``, else
    chosen from the GPU's memory and the cores). Local runs print their ``SlotPlan`` (``grader.batch.slots``)
    and give each kernel its threads, host memory and GPU memory share from it.
    ``force``: regrade even what an earlier run graded with the same inputs. ``scheduler``: a Dask
    scheduler address (``tcp://host:8786``); ``cluster``: ``"local"``, ``"slurm"`` or a Dask cluster
    object. ``late_days``: days late by student id (passed to the late penalty); ``submission_times``:
    the LMS's submission times (:func:`grader.discover.times.read_submission_times`), which win over
    ``late_days`` and must name discovered students only (``LmsFileError``). ``isolate``: with one
    local slot, grade in a worker process anyway (by default one slot grades in this process, which
    saves the worker's start-up; a crash of the grading code would then stop the batch, and re-running
    resumes it). ``console``: where to show progress (nothing is printed without one). ``secret``: the
    class secret file (64 hex digits, mode 0600); by default ``out_dir/class.secret``, made on first use.
    It decides the synthetic hidden data and every submission's hidden order: keep it with ``out_dir``.

    One broken notebook, or a worker that dies, never stops the batch; raises ``GraderError`` only when
    the harness itself is unusable (a bad rubric, no sandbox, an output folder in use).

    Results do not depend on ``jobs``: every slot gets the same seed, and the threads per kernel follow
    from the slots (set ``execution.threads`` in the rubric to fix them: metrics then match digit for digit).
    """
    from grader.pipeline import GradeOptions
    from grader.rubric import Rubric, load_rubric

    loaded = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    loaded.profile((options or GradeOptions()).profile)  # a name the rubric lacks stops here, before any notebook
    plan = _local_plan(loaded, jobs, slots_per_gpu, scheduler=scheduler, cluster=cluster)
    slots = plan.slots if plan is not None else jobs or default_jobs(use_gpu=loaded.execution.use_gpu)
    if plan is not None and console is not None:
        for line in plan.lines():
            console.print(line, highlight=False, markup=False)
    settings = BatchSettings(slots, force, scheduler, cluster, dict(late_days or {}), isolate, secret,
                             submission_times)
    pooled = scheduler is None and cluster is None and (slots > 1 or isolate)
    with LocalPool(slots) if pooled else contextlib.nullcontext() as pool:  # workers warm up meanwhile
        return _grade_batch(
            submissions, loaded, out_dir, options=options, slots=slots, console=console, on_result=on_result,
            settings=settings, pool=pool, plan=plan,
        )


def _local_plan(
    rubric: Rubric, jobs: int | None, per_gpu: int | None, *, scheduler: str | None, cluster: object
) -> SlotPlan | None:
    """The slot plan of this machine for a local batch; None on a Dask cluster (each worker's machine).

    Raises:
        ConfigError: ``per_gpu`` (``--slots-per-gpu``) given for a Dask cluster, where each GPU worker
            runs one notebook at a time (docs/cluster.md, "GPUs").
    """
    if per_gpu is not None and (scheduler is not None or cluster is not None):
        raise ConfigError(
            f"--slots-per-gpu {per_gpu}: kernels per GPU are set for local batches only; on a Dask cluster "
            "each GPU worker runs one notebook at a time (docs/cluster.md, \"GPUs\")"
        )
    if scheduler is not None or (cluster is not None and cluster != "local"):
        return None
    return machine_plan(rubric.execution, jobs=jobs, per_gpu=per_gpu)


def _grade_batch(
    submissions: Path,
    rubric: Rubric,
    out_dir: Path,
    *,
    options: GradeOptions | None,
    slots: int,
    console: Console | None,
    on_result: OnResult | None,
    settings: BatchSettings,
    pool: LocalPool | None,
    plan: SlotPlan | None = None,
) -> BatchOutcome:
    """``grade_batch`` once the rubric is loaded and the local workers (if any) are starting; ``plan``'s
    limits go into the rubric the workers get (after its hash is taken: they say where, not what)."""
    from grader.pipeline import GradeOptions
    from grader.prepare.secret import class_secret

    options = options or GradeOptions()
    secret = class_secret(out_dir, settings.secret)
    data = rubric.pack().data(rubric, cache_dir=out_dir / ".cache", secret=secret)
    hashes = {"rubric": rubric_sha256(rubric), "assignment": assignment_sha256(data)}
    key = context_key(**hashes, grader_version=__version__, options=options_sha256(options))
    planned = rubric if plan is None else rubric.model_copy(update={"execution": plan.apply(rubric.execution)})
    context = WorkerContext(planned, data, options, PIPELINE_STEPS)
    info = RunInfo(
        rubric_id=rubric.rubric_id, rubric_sha256=hashes["rubric"], assignment_sha256=hashes["assignment"],
        grader_version=__version__, profile=options.profile, jobs=slots, backend=settings.backend,
        **report_fields(rubric),
    )
    return run_batch(
        submissions, out_dir, context=context, context_hash=key, info=info, settings=settings,
        console=console, on_result=on_result, pool=pool,
    )
