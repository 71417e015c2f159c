"""SLURM for real: ``grader grade --cluster slurm`` on a throwaway single-node Slurm, as a TA without root.

The cluster (``slurm_fixture``) is Debian's munged, slurmctld and slurmd in a temp dir. A teaching
assistant (uid 60093, not root) configures dask-jobqueue in ``~/.config/dask/jobqueue.yaml`` as
docs/cluster.md tells a TA to and grades a two-notebook class through sbatch jobs whose workers grade in
the rootless sandbox form (the TA's own uid). Each time the results must equal a local run of the same
class by the same TA (``--jobs 2``: same points, statuses, metrics and limits, one thread per kernel):
with two one-core jobs; with one two-core job, whose two kernels get one core each; and when the only
job is cancelled while a kernel runs, which the grader replaces.
"""

from __future__ import annotations

import json
import os
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import nbformat
import pytest
import yaml

from grader.prepare.secret import ClassSecret

from .slurm_fixture import TA_UID, Slurm, require_slurm, running_slurm

RUBRIC = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"
pytestmark = [pytest.mark.slow, pytest.mark.kernel]
JOBQUEUE = {"cores": 1, "memory": "2GiB", "walltime": "00:15:00", "death-timeout": 30}  # the node: 2 cores


@pytest.fixture(scope="module")
def slurm() -> Iterator[Slurm]:
    require_slurm()
    with running_slurm() as cluster:
        yield cluster


def _own(path: Path) -> None:
    for item in [path, *path.rglob("*")]:
        os.chown(item, TA_UID, TA_UID)


def _notebook(answer: int) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(f"ANSWERS = {{'3.3': {answer!r}, '3.1': 'no'}}")]
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def course(slurm: Slurm) -> Path:
    """The TA's class folder: two notebooks, the minimal rubric without GPUs, one class secret; and the
    TA's dask-jobqueue settings (the test node has 2 cores and no GPU)."""
    home = slurm.ta_home
    course = home / "week1"
    (course / "subs").mkdir(parents=True)
    nbformat.write(_notebook(0), course / "subs" / "right.ipynb")
    nbformat.write(_notebook(2), course / "subs" / "wrong.ipynb")
    rubric = yaml.safe_load(RUBRIC.read_text())
    rubric["execution"]["use_gpu"] = False  # else every job asks for --gres=gpu:1, which this node lacks
    (course / "rubric.yaml").write_text(yaml.safe_dump(rubric))
    ClassSecret.generate().write(course / "class.secret")
    config = home / ".config" / "dask"
    config.mkdir(parents=True)
    settings = {**JOBQUEUE, "log-directory": str(home / "slurm-logs")}
    (config / "jobqueue.yaml").write_text(yaml.safe_dump({"jobqueue": {"slurm": settings}}))
    _own(home / ".config")
    _own(course)
    return course


def _argv(out: str, *extra: str) -> list[str]:
    return [sys.executable, "-m", "grader", "grade", "subs", "--rubric", "rubric.yaml", "--out", out,
            "--secret", "class.secret", *extra]  # fmt: skip


def _grade(slurm: Slurm, course: Path, out: str, *extra: str, env: dict[str, str] | None = None) -> str:
    done = slurm.run_as_ta(_argv(out, *extra), cwd=course, timeout=300, env=env or {})
    assert done.returncode == 0, f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}\n{slurm.logs()}"
    assert "2 students: 2 graded now, 0 reused" in done.stdout, done.stdout
    return done.stdout


@pytest.fixture(scope="module")
def local(slurm: Slurm, course: Path) -> dict[str, dict[str, Any]]:
    """The same class graded on this machine by the same TA: two slots, one thread per kernel."""
    _grade(slurm, course, "local", "--jobs", "2")
    found = _results(course / "local")
    totals = {sid: (r["result"]["status"], r["result"]["total"]) for sid, r in found.items()}
    assert totals == {"right": ("graded", 3.0), "wrong": ("graded", 1.0)}
    record = found["right"]["execution"]
    assert record["limits"]["sandbox"].startswith("rootless: the grader's own uid"), record["limits"]
    assert record["limits"]["threads"] == "1"
    return found


def _results(out: Path) -> dict[str, dict[str, Any]]:
    """The stored results without what varies from run to run (times, the name of a sandbox's cgroup)."""
    found = {}
    for path in sorted((out / "results").glob("*.json")):
        data = json.loads(path.read_text())
        data.pop("graded_at")
        record = data["execution"]
        record.pop("duration_s")
        record["limits"]["cgroup"] = re.sub(r"grader-sbx-[\w.-]+", "grader-sbx-*", record["limits"]["cgroup"])
        found[path.stem] = data
    return found


def _flat(value: object, path: str = "") -> dict[str, object]:
    if isinstance(value, dict):
        return {k: v for key, item in value.items() for k, v in _flat(item, f"{path}.{key}").items()}
    if isinstance(value, list):
        return {k: v for i, item in enumerate(value) for k, v in _flat(item, f"{path}[{i}]").items()}
    return {path: value}


def _differences(left: object, right: object) -> list[str]:
    """``path: left != right`` for each leaf where the two differ, for a readable failure."""
    a, b = _flat(left), _flat(right)
    return [f"{key}: {a.get(key)!r} != {b.get(key)!r}" for key in sorted(a.keys() | b.keys()) if a.get(key) != b.get(key)]


def _worker_logs(slurm: Slurm, since: set[Path]) -> list[str]:
    """The stderr logs of the worker jobs submitted since ``since`` (dask-jobqueue's ``log-directory``)."""
    return [p.read_text() for p in sorted(set((slurm.ta_home / "slurm-logs").glob("grader-*.err")) - since)]


def _no_jobs_left(slurm: Slurm, course: Path) -> None:
    queue = slurm.run_as_ta(["squeue", "-h", "-u", str(TA_UID)], cwd=course, timeout=30)
    assert queue.stdout.strip() == "", queue.stdout  # the grader cancelled its jobs when the batch ended


def test_two_one_core_jobs_grade_the_class_like_a_local_run(
    slurm: Slurm, course: Path, local: dict[str, dict[str, Any]]
) -> None:
    before = set((slurm.ta_home / "slurm-logs").glob("*"))
    _grade(slurm, course, "two-jobs", "--cluster", "slurm", "--jobs", "2")
    logs = _worker_logs(slurm, before)
    assert len(logs) == 2 and all(re.search(r"Registered to:\s+tls://", log) for log in logs), logs
    on_slurm = _results(course / "two-jobs")
    assert on_slurm == local, _differences(on_slurm, local)
    _no_jobs_left(slurm, course)


def test_one_two_core_job_runs_two_kernels_of_one_thread(
    slurm: Slurm, course: Path, local: dict[str, dict[str, Any]]
) -> None:
    """A worker with two threads grades two notebooks at once: its kernels are two slots of its job's cores."""
    before = set((slurm.ta_home / "slurm-logs").glob("*"))
    _grade(slurm, course, "one-job", "--cluster", "slurm", "--jobs", "1", env={"DASK_JOBQUEUE__SLURM__CORES": "2"})
    logs = _worker_logs(slurm, before)
    assert len(logs) == 1 and re.search(r"Threads:\s+2\n", logs[0]), logs
    on_slurm = _results(course / "one-job")
    assert on_slurm == local, _differences(on_slurm, local)
    _no_jobs_left(slurm, course)


def test_a_cancelled_job_is_replaced_and_the_batch_finishes(
    slurm: Slurm, course: Path, local: dict[str, dict[str, Any]]
) -> None:
    """The only job is cancelled while a kernel runs (as preemption or the walltime would end it): the grader
    submits another job and grades the whole class, with the same results."""
    before = set((slurm.ta_home / "slurm-logs").glob("*"))
    grader = slurm.start_as_ta(_argv("cancelled", "--cluster", "slurm", "--jobs", "1"), cwd=course)
    try:
        deadline = time.monotonic() + 120
        while not slurm.running("ipykernel") and grader.poll() is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert slurm.running("ipykernel"), "no kernel started on the SLURM worker"
        slurm.run_as_ta(["scancel", "-u", str(TA_UID)], cwd=course, timeout=30)
        printed, _ = grader.communicate(timeout=240)
    finally:
        if grader.poll() is None:
            grader.kill()
            grader.communicate()
    assert grader.returncode == 0 and "2 students: 2 graded now, 0 reused" in printed, f"{printed}\n{slurm.logs()}"
    assert len(_worker_logs(slurm, before)) == 2  # the cancelled job and its replacement
    on_slurm = _results(course / "cancelled")
    assert on_slurm == local, _differences(on_slurm, local)
    _no_jobs_left(slurm, course)
