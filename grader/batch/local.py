"""Run tasks on this machine: a pool of spawned worker processes, one sandbox slot per running task.

At most ``jobs`` tasks are in flight, each with its own slot number from ``0 .. jobs-1``. Workers are
started with the *spawn* method (fork after nbclient ran in the parent hung both processes), as soon as
the pool is made, so that they import and warm up while the parent loads the assignment and discovers
the submissions. The context (rubric, data) travels pickled with each task and is unpickled once per
worker.

A worker that dies (killed, out of memory, a crash in a native library) breaks a
``ProcessPoolExecutor`` and every task in flight with it. The tasks in flight then become suspects:
the pool is rebuilt and each suspect is rerun alone. One whose worker dies twice while it runs alone
gets a failure with the worker's exit code (a single crash may have been a passing one: the machine
ran out of memory, say); the others finish normally. So a crash costs the batch only the crashing
submission, whose result says why.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import pickle
import signal
import time
from collections import deque
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from types import TracebackType

from grader.batch.worker import Done, Task, WorkerContext, init_pool_worker, pool_task, run_task, started
from grader.errors import GraderError

__all__ = ["Failure", "InlineRunner", "LocalPool", "OnDone", "describe_exit"]


@dataclass(frozen=True)
class Failure:
    """A task that produced no result because the harness failed (never the student's fault)."""

    reason: str


OnDone = Callable[[Task, Done | Failure], None]
_CRASHES_ALONE = 2  # a notebook is blamed once its worker died this often while it ran alone


def describe_exit(code: int | None) -> str:
    """``exit code 3`` or ``signal SIGKILL`` for a process exit code.

    >>> describe_exit(-9)
    'signal SIGKILL'
    """
    if code is None:
        return "unknown cause"
    if code < 0:
        try:
            return f"signal {signal.Signals(-code).name}"
        except ValueError:
            return f"signal {-code}"
    return f"exit code {code}"


class InlineRunner:
    """One slot, graded in this process, one notebook after another.

    With a single slot there is nothing to run alongside, and a worker process would only add its
    start-up (a fresh interpreter importing the pipeline, about a second or two per batch). Student code
    still runs only in the sandboxed kernel, a separate process that dies with this one. What is lost is
    isolation from a crash of the grading code itself: it would stop the batch (re-running resumes it).
    ``LocalPool(1)`` keeps that isolation.
    """

    def run(self, context: WorkerContext, tasks: Sequence[Task], on_done: OnDone) -> None:
        """Grade ``tasks`` here in slot 0 (or the lowest free one); ``GraderError`` stops the batch."""
        for task in tasks:
            try:
                done = run_task(task, context, 0)
            except GraderError:
                raise
            except Exception as exc:  # a harness bug on one notebook must not stop the batch
                on_done(task, Failure(f"grader error: {type(exc).__name__}: {exc}"))
                continue
            on_done(task, done)


@dataclass
class _Flight:
    task: Task
    slot: int
    alone: bool


@dataclass
class _State:
    pending: deque[Task]
    payload: tuple[str, bytes]
    suspects: deque[Task] = field(default_factory=deque)
    free: list[int] = field(default_factory=list)
    flying: dict[Future[Done], _Flight] = field(default_factory=dict)
    crashes: dict[str, int] = field(default_factory=dict)
    broken: bool = False


class LocalPool:
    """``jobs`` spawned workers on this machine, started (and, with ``warm``, warmed up) when made.

    Use it as a context manager, or call ``close()``.
    """

    def __init__(self, jobs: int, *, warm: bool = True) -> None:
        self.jobs = jobs
        self.warm = warm
        self._mp = multiprocessing.get_context("spawn")
        self._procs: list[BaseProcess] = []
        self._used = False
        self._pool = self._new_pool()

    def __enter__(self) -> LocalPool:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        if kind is None:
            self.close()
        else:
            self.kill()

    def _new_pool(self) -> ProcessPoolExecutor:
        self._procs = []
        pool = ProcessPoolExecutor(
            max_workers=self.jobs, mp_context=self._mp, initializer=init_pool_worker,
            initargs=(os.getpid(), self.warm),
        )
        for _ in range(self.jobs):  # a worker starts per submitted task: start them all now
            pool.submit(started)
        self._track(pool)
        return pool

    def _track(self, pool: ProcessPoolExecutor) -> None:
        self._procs += [p for p in getattr(pool, "_processes", {}).values() if p not in self._procs]

    def close(self) -> None:
        """Let the workers finish and exit (or stop them at once if they were never given a task)."""
        if self._used:
            self._pool.shutdown(wait=True)
        else:
            self.kill()

    def kill(self) -> None:
        """Stop now: kill the workers (their sandboxes die with them) and drop queued tasks."""
        for process in self._procs:
            if process.is_alive():
                process.kill()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _submit(self, state: _State, task: Task, alone: bool) -> bool:
        """Start ``task`` in a free slot; ``False`` (task put back) when the pool broke meanwhile."""
        slot = state.free.pop()
        try:
            future = self._pool.submit(pool_task, task, slot, *state.payload)
        except BrokenProcessPool:
            state.free.append(slot)
            (state.suspects if alone else state.pending).appendleft(task)
            state.broken = True
            return False
        state.flying[future] = _Flight(task, slot, alone)
        self._track(self._pool)
        return True

    def _fill(self, state: _State) -> None:
        if state.broken:
            return
        if state.suspects:
            if not state.flying:
                self._submit(state, state.suspects.popleft(), alone=True)
            return
        while state.pending and state.free and self._submit(state, state.pending.popleft(), alone=False):
            pass

    def _exit_cause(self) -> str:
        """How the dead worker ended; waits up to a second for it to be reaped."""
        deadline = time.monotonic() + 1.0
        while True:
            dead = [c for c in (p.exitcode for p in self._procs) if c not in (None, 0)]
            culprit = [c for c in dead if c != -signal.SIGTERM]
            if culprit or time.monotonic() > deadline:
                codes = culprit or dead
                return describe_exit(codes[0] if codes else None)
            time.sleep(0.02)

    def _settle(self, future: Future[Done], flight: _Flight, state: _State, on_done: OnDone) -> None:
        try:
            done = future.result()
        except BrokenProcessPool:
            state.broken = True
            key = flight.task.key
            state.crashes[key] = state.crashes.get(key, 0) + int(flight.alone)
            if state.crashes[key] < _CRASHES_ALONE:
                state.suspects.append(flight.task)
                return
            why = self._exit_cause()
            on_done(flight.task, Failure(f"the grading worker process died ({why}), twice, on this notebook alone"))
            return
        except GraderError:
            raise
        except Exception as exc:  # a harness bug on one notebook must not stop the batch
            on_done(flight.task, Failure(f"grader error: {type(exc).__name__}: {exc}"))
            return
        on_done(flight.task, done)

    def _rebuild(self) -> None:
        self._pool.shutdown(wait=True)
        self._pool = self._new_pool()

    def run(self, context: WorkerContext, tasks: Sequence[Task], on_done: OnDone) -> None:
        """Run ``tasks`` under ``context``; call ``on_done`` here as each one ends. Raises on ``GraderError``."""
        self._used = self._used or bool(tasks)
        blob = pickle.dumps(context)
        state = _State(pending=deque(tasks), payload=(hashlib.sha256(blob).hexdigest(), blob))
        state.free = list(range(self.jobs))[::-1]
        while state.pending or state.suspects or state.flying:
            self._fill(state)
            finished, _ = wait(list(state.flying), return_when=FIRST_COMPLETED)
            for future in sorted(finished, key=lambda f: state.flying[f].slot):
                flight = state.flying.pop(future)
                state.free.append(flight.slot)
                self._settle(future, flight, state, on_done)
            if state.broken and not state.flying:
                self._rebuild()
                state.broken = False
