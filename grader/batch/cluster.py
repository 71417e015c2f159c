"""Run tasks on a Dask cluster: an existing scheduler, a LocalCluster, or SLURM through dask-jobqueue.

Workers run the same ``run_task`` as local workers, so the sandbox and its limits apply on every
machine. Each task leases a slot on its worker's host; its preferred slot comes from the worker's
identity (the number in its name). Tasks ask for ``resources={"GPU": 1}`` when GPUs are in play, so a
GPU worker (started with ``--resources GPU=1``) runs one notebook at a time. The notebooks a worker runs
at once are its slots: they share its cores and memory (``worker_execution``). A SLURM cluster submits a
new job for each one lost (``_resubmit_lost_jobs``).

Nothing but the TLS keys needs a shared filesystem: a task carries the notebook's bytes, the
assignment's training files travel once per worker, and results and executed notebooks come back to
this process, which alone writes the output folder. Workers need the same Python environment (the
grader installed).

The clusters made here are private to the TA who started them (``private_scheduler``): mutual TLS with
a certificate made for this run (``Security.temporary()``; a Dask scheduler without it runs any task
that anyone who reaches its port sends, as the TA), and no dashboard on the network. A SLURM job's
worker reads its copy of the key from ``jobqueue.slurm.shared-temp-directory`` (default: the TA's
home), in files only the TA can read that go with the cluster object (when the grader ends).
"""

from __future__ import annotations

import contextlib
import dataclasses
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader.batch.local import Failure, OnDone
from grader.batch.worker import Done, Task, WorkerContext, run_task
from grader.errors import ConfigError, GraderError
from grader.execute.config import ExecutionConfig

if TYPE_CHECKING:
    from distributed import Client
    from distributed.deploy.cluster import Cluster

__all__ = [
    "CLUSTER_KINDS",
    "DaskRunner",
    "ShippedContext",
    "open_client",
    "private_scheduler",
    "slurm_cluster",
    "worker_execution",
    "worker_slot_hint",
]

CLUSTER_KINDS = ("local", "slurm")
_DEFAULT_SLURM = {"cores": 4, "memory": "16GiB", "walltime": "04:00:00"}
_DASK_WALLTIME = "00:30:00"  # dask-jobqueue's shipped default: too short for a class, replaced
_WATCH_MS = 5000  # how often a SLURM cluster checks for lost jobs
_PRIVATE_SCHEDULER = {"dashboard": False, "dashboard_address": "127.0.0.1:0"}
"""No dashboard; the scheduler's HTTP server on loopback only."""
_HEALTH_ONLY = {f"distributed.{role}.http.routes": ["distributed.http.health"] for role in ("scheduler", "worker")}
"""The only HTTP route of the clusters made here: ``/health`` (dask's info pages list workers and logs)."""
_LOCAL_CONTEXTS: dict[str, WorkerContext] = {}


@dataclass(frozen=True)
class ShippedContext:
    """A ``WorkerContext`` plus the bytes of the files it points to, for workers on other machines."""

    context: WorkerContext
    files: dict[str, bytes]
    digest: str

    @classmethod
    def of(cls, context: WorkerContext, digest: str) -> ShippedContext:
        """Bundle ``context`` with its data's files (``AssignmentData.files``); ``digest`` names the bundle
        on workers."""
        files = {name: Path(path).read_bytes() for name, path in context.data.files().items()}
        return cls(context, files, digest)

    def local(self) -> WorkerContext:
        """The context with its files written on this worker (once per worker process)."""
        if self.digest not in _LOCAL_CONTEXTS:
            # a fresh private folder: a predictable one on a shared node could be made first by another user
            folder = Path(tempfile.mkdtemp(prefix=f"grader-data-{self.digest[:24]}-"))
            paths: dict[str, Path] = {}
            for name, blob in self.files.items():
                paths[name] = folder / name
                paths[name].write_bytes(blob)
            data = self.context.data.with_files(paths)
            _LOCAL_CONTEXTS[self.digest] = dataclasses.replace(self.context, data=data)
        return _LOCAL_CONTEXTS[self.digest]


def worker_slot_hint() -> int:
    """The preferred slot of the calling Dask worker: the last number in its name (``0`` if none)."""
    from distributed import get_worker

    found = re.findall(r"\d+", str(get_worker().name))
    return int(found[-1]) if found else 0


def _same(bundle: ShippedContext) -> ShippedContext:
    return bundle


def worker_execution(config: ExecutionConfig, *, nthreads: int, gpus: float = 0) -> ExecutionConfig:
    """``config`` on a Dask worker with ``nthreads`` threads and a ``GPU`` resource of ``gpus`` (0: none).

    The notebooks the worker grades at once are its slots: ``nthreads``, or fewer when each takes one of
    its ``gpus``. Each kernel then gets ``usable cores / slots`` threads and ``RAM / slots`` memory (a
    SLURM job's usable cores are its affinity mask); a rubric that sets ``slots`` keeps it.

    >>> worker_execution(ExecutionConfig(), nthreads=4).slots, worker_execution(ExecutionConfig(), nthreads=4, gpus=1).slots
    (4, 1)
    """
    slots = max(1, min(nthreads, int(gpus)) if gpus else nthreads)
    if "slots" in config.model_fields_set or config.slots == slots:
        return config
    return config.model_copy(update={"slots": slots})


def _on_this_worker(context: WorkerContext) -> WorkerContext:
    """``context`` with its execution settings fitted to the calling Dask worker (``worker_execution``)."""
    from distributed import get_worker

    state = get_worker().state
    gpus = float(state.total_resources.get("GPU", 0))
    execution = worker_execution(context.rubric.execution, nthreads=state.nthreads, gpus=gpus)
    if execution is context.rubric.execution:
        return context
    return dataclasses.replace(context, rubric=context.rubric.model_copy(update={"execution": execution}))


def dask_task(task: Task, shipped: ShippedContext) -> Done:
    """Entry point of a task on a Dask worker."""
    return run_task(task, _on_this_worker(shipped.local()), worker_slot_hint())


def slurm_cluster(*, gpu: bool = True, **overrides: Any) -> Cluster:
    """A ``dask_jobqueue.SLURMCluster`` with one worker per job and, with ``gpu``, one GPU per job.

    Queue, account, cores, memory and walltime come from dask's ``jobqueue.slurm`` configuration when
    set there (``~/.config/dask/jobqueue.yaml``), else 4 cores, 16 GiB, 4 h (dask-jobqueue's own 30 min
    default walltime is replaced); keyword ``overrides`` win over both.
    """
    import dask.config
    from dask_jobqueue import SLURMCluster  # type: ignore[attr-defined]

    settings: dict[str, Any] = {
        k: v for k, v in _DEFAULT_SLURM.items() if dask.config.get(f"jobqueue.slurm.{k}", None) in (None, _DASK_WALLTIME)
    }
    settings.update(processes=1, job_name="grader", **private_scheduler())
    worker_args = [*dask.config.get("jobqueue.slurm.worker-extra-args", []), "--no-dashboard"]
    if gpu:
        settings["job_extra_directives"] = [*dask.config.get("jobqueue.slurm.job-extra-directives", []), "--gres=gpu:1"]
        worker_args += ["--resources", "GPU=1"]
    # -P: the job's working directory (the TA's folder) is not put first on the workers' sys.path, so an
    # ``assignments/`` there cannot stand in for a pack when the workers unpickle the rubric (grader.packs).
    python = dask.config.get("jobqueue.slurm.python", None) or sys.executable
    settings.update(python=f"{python} -P", worker_extra_args=worker_args, **overrides)
    cluster: Cluster = SLURMCluster(**settings)
    return cluster


def private_scheduler() -> dict[str, Any]:
    """``SLURMCluster`` settings that keep its scheduler to the TA: mutual TLS with a temporary
    certificate, the workers' copy of the key in the shared temp directory (configured, else the home
    directory), no dashboard. dask's ``jobqueue.slurm.scheduler-options`` may turn the dashboard on."""
    import dask.config

    shared = dask.config.get("jobqueue.slurm.shared-temp-directory", None) or str(Path.home())
    options = {**_PRIVATE_SCHEDULER, **dask.config.get("jobqueue.slurm.scheduler-options", {})}
    return {"security": True, "shared_temp_directory": shared, "scheduler_options": options}


def _make_cluster(kind: str, jobs: int, gpu: bool) -> Cluster:
    """A cluster whose scheduler hands a worker a notebook only when it has a free thread.

    (``worker-saturation: 1.0``: with dask's default 1.1 a worker also queues a second notebook, which
    then waits needlessly and, if that worker dies, is blamed along with the one that killed it.)
    """
    import dask.config
    import distributed  # noqa: F401  # its defaults must be loaded first: leaving config.set would drop them

    with dask.config.set({"distributed.scheduler.worker-saturation": 1.0, **_HEALTH_ONLY}):
        return _start_cluster(kind, jobs, gpu)


def _resubmit_lost_jobs(cluster: Any, jobs: int) -> None:
    """Keep ``jobs`` SLURM jobs: every 5 s, submit a new job for each one lost (preempted, past its walltime,
    cancelled, its node down).

    distributed drops a job whose worker has been gone for ``distributed.deploy.lost-worker-timeout``
    (15 s; a worker its nanny restarts keeps its job), but keeps it in the cluster's spec and submits
    nothing, so a batch whose jobs all died would wait forever; ``scale`` makes the cluster submit the
    missing jobs again.
    """
    from distributed.core import Status
    from tornado.ioloop import PeriodicCallback

    def top_up() -> None:
        if cluster.status == Status.running and len(cluster.workers) < len(cluster.worker_spec):
            cluster.scale(jobs=jobs)

    callback = PeriodicCallback(top_up, _WATCH_MS)
    cluster.periodic_callbacks["grader-resubmit-lost-jobs"] = callback  # stopped when the cluster closes
    cluster.loop.add_callback(callback.start)


def _start_cluster(kind: str, jobs: int, gpu: bool) -> Cluster:
    if kind == "slurm":
        cluster = slurm_cluster(gpu=gpu)
        cluster.scale(jobs=jobs)  # type: ignore[call-arg]  # JobQueueCluster.scale takes jobs=
        _resubmit_lost_jobs(cluster, jobs)
        return cluster
    if kind == "local":
        from distributed import LocalCluster

        local: Cluster = LocalCluster(  # type: ignore[no-untyped-call]
            n_workers=jobs, threads_per_worker=1, processes=True, host="127.0.0.1", security=True,
            dashboard_address=None, resources={"GPU": 1} if gpu else None,
        )
        return local
    raise ConfigError(f"cluster: unknown {kind!r}; expected one of {list(CLUSTER_KINDS)} or a dask Cluster")


@contextlib.contextmanager
def open_client(*, scheduler: str | None, cluster: str | Cluster | None, jobs: int, gpu: bool) -> Iterator[Client]:
    """A ``distributed.Client`` for ``scheduler`` (an address) or ``cluster`` (a kind or an object).

    Clusters made here are private to this grader (TLS, loopback HTTP with ``/health`` only; see the
    module's text) and closed afterwards; a cluster object passed in is left running.
    """
    from distributed import Client

    if scheduler is not None and cluster is not None:
        raise ConfigError("give a scheduler address or a cluster, not both")
    owned = _make_cluster(cluster, jobs, gpu) if isinstance(cluster, str) else None
    target = scheduler if scheduler is not None else (owned or cluster)
    try:
        with Client(target) as client:  # type: ignore[no-untyped-call]
            yield client
    finally:
        if owned is not None:
            owned.close()


def _failure_reason(exc: object) -> str:
    name = type(exc).__name__
    if name == "KilledWorker":
        return "the Dask workers grading this notebook died (each retry too)"
    if name in ("CancelledError", "FutureCancelledError"):
        return f"the Dask cluster dropped this notebook's task ({exc})"
    return f"grader error on a Dask worker: {name}: {exc}"


@dataclass
class DaskRunner:
    """Submits every task to ``client`` at once; the scheduler spreads them over its workers."""

    client: Client
    context: WorkerContext
    digest: str
    gpu: bool = False

    def run(self, tasks: Sequence[Task], on_done: OnDone) -> None:
        """Run ``tasks``; call ``on_done`` here as each one ends. Raises on ``GraderError``."""
        from distributed import as_completed

        if not tasks:
            return
        bundle = ShippedContext.of(self.context, self.digest)
        # A task, not scattered data: if every worker holding it dies, the scheduler makes it again.
        shipped = self.client.submit(_same, bundle, key=f"grader-context-{self.digest[:16]}", pure=False)
        resources = {"GPU": 1} if self.gpu else None
        futures = {}
        for task in tasks:
            sub = task.submission
            shipped_task = dataclasses.replace(task, content=None if sub.problem else sub.path.read_bytes())
            future = self.client.submit(
                dask_task, shipped_task, shipped, key=f"grade-{task.key[:16]}-{task.submission.student_id}",
                pure=False, resources=resources,
            )
            futures[future] = task
        finished = as_completed(list(futures), with_results=True, raise_errors=False)  # type: ignore[no-untyped-call]
        try:
            for future, value in finished:
                task = futures.pop(future)
                future.release()
                on_done(task, self._outcome(value))
        finally:
            for future in futures:
                future.cancel()  # type: ignore[no-untyped-call]

    @staticmethod
    def _outcome(value: Any) -> Done | Failure:
        """The task's ``Done``, or a ``Failure``; results are fetched as soon as a task ends, so a worker
        that dies later cannot take a finished result with it."""
        if isinstance(value, Done):  # fetched; the status may say "lost" if its worker died since
            return value
        exc = value[1] if isinstance(value, tuple) else value  # errors come as (type, exception, traceback)
        if isinstance(exc, GraderError):
            raise exc
        return Failure(_failure_reason(exc))
