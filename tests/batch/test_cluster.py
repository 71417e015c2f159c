"""Dask: the same batch on a LocalCluster (2 worker processes), an external scheduler, SLURM's job script."""

from __future__ import annotations

import contextlib
import gc
import re
import sys
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import dask.config
import dask_jobqueue  # noqa: F401  # its config defaults load now, not inside a test's dask.config.set (which would drop them)
import pytest
from distributed import Client, LocalCluster
from distributed.security import Security

from grader.batch.cluster import open_client, slurm_cluster
from grader.execute.config import ExecutionConfig

from . import fakes

HTTP_PAGES = ("/health", "/status", "/info/main/workers.html", "/json/identity.json", "/metrics")
SPECS = {f"s{i}": {"points": float(i % 5), "sleep": 0.05} for i in range(6)}


@pytest.fixture(scope="module")
def cluster() -> Iterator[LocalCluster]:
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as made:
        yield made


def test_local_cluster_matches_local_pool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subs = fakes.write_notebooks(tmp_path / "subs", SPECS)
    log = tmp_path / "slots.log"
    monkeypatch.setenv("FAKE_SLOT_LOG", str(log))
    on_dask = fakes.batch(subs, tmp_path / "dask", jobs=2, cluster="local")
    fakes.batch(subs, tmp_path / "pool", jobs=2)
    assert on_dask.fresh == sorted(SPECS)
    assert fakes.normalized(tmp_path / "dask") == fakes.normalized(tmp_path / "pool")
    assert sorted(p.name for p in (tmp_path / "dask" / "executed").iterdir()) == [f"{s}.ipynb" for s in sorted(SPECS)]
    # Dask numbers workers across the clusters of one process, so slot hints may be 2 and 3, and other
    # graders on this machine may hold some slots: what matters is that no slot was ever shared.
    assert fakes.assert_slots_never_shared(log) == 2 * len(SPECS)  # the Dask run, then the pool run
    assert fakes.batch(subs, tmp_path / "dask", jobs=2, cluster="local").reused == sorted(SPECS)


def test_external_scheduler(tmp_path: Path, cluster: LocalCluster) -> None:
    subs = fakes.write_notebooks(tmp_path / "subs", SPECS)
    outcome = fakes.batch(subs, tmp_path / "out", jobs=2, scheduler=cluster.scheduler_address)
    assert outcome.fresh == sorted(SPECS) and outcome.failed == []
    assert [g.result.total for g in outcome.graded] == [1.0, 2.0, 3.0, 4.0, 5.0, 1.0]


def test_gpu_workers_take_one_notebook_each(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    subs = fakes.write_notebooks(tmp_path / "subs", {f"g{i}": {"sleep": 0.2} for i in range(4)})
    log = tmp_path / "slots.log"
    monkeypatch.setenv("FAKE_SLOT_LOG", str(log))
    gpu_rubric = fakes.FakeRubric(execution=ExecutionConfig(use_gpu=True))
    with LocalCluster(n_workers=2, threads_per_worker=2, processes=True, dashboard_address=":0",
                      resources={"GPU": 1}) as gpus:
        outcome = fakes.batch(subs, tmp_path / "out", jobs=2, scheduler=gpus.scheduler_address, rubric=gpu_rubric)
    assert outcome.fresh == ["g0", "g1", "g2", "g3"] and fakes.assert_slots_never_shared(log) == 4
    spans = sorted((float(a), float(b)) for _, a, b, _ in (line.split() for line in log.read_text().splitlines()))
    running = [sum(1 for a, b in spans if a <= t < b) for t, _ in spans]
    assert max(running) <= 2  # two GPU workers: never more than two notebooks at once


def test_a_dying_worker_costs_only_that_notebook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FAKE_STATE_DIR", str(tmp_path))
    subs = fakes.write_notebooks(tmp_path / "subs", {"a": {}, "crash": {"crash": "always"}, "b": {}})
    with dask.config.set({"distributed.scheduler.allowed-failures": 1}):
        outcome = fakes.batch(subs, tmp_path / "out", jobs=2, cluster="local")
    assert outcome.failed == ["crash"] and outcome.fresh == ["a", "b"], [g.result.reason for g in outcome.graded]
    assert outcome.graded[2].result.reason.startswith("the Dask workers grading this notebook died")


def test_slurm_job_script_asks_for_one_gpu_per_worker() -> None:
    made = slurm_cluster(gpu=True, scheduler_options={"dashboard_address": ":0"})
    try:
        script = made.job_script()
    finally:
        made.close()
    assert "#SBATCH --gres=gpu:1" in script
    assert "--resources GPU=1" in script and "--nthreads 4" in script
    assert "#SBATCH -J grader" in script and "#SBATCH -t 04:00:00" in script


def _http_pages(port: int) -> dict[str, int]:
    """The pages of a scheduler's HTTP server that answer (status 200) on loopback."""
    found: dict[str, int] = {}
    for page in HTTP_PAGES:
        with contextlib.suppress(urllib.error.HTTPError), urllib.request.urlopen(
            f"http://127.0.0.1:{port}{page}", timeout=5
        ) as reply:
            found[page] = reply.status
    return found


def test_the_local_cluster_admits_only_this_grader() -> None:
    with open_client(scheduler=None, cluster="local", jobs=1, gpu=False) as client:
        address = client.scheduler.address
        assert address.startswith("tls://127.0.0.1:")
        assert _http_pages(client.scheduler_info()["services"]["dashboard"]) == {"/health": 200}
        assert client.submit(sum, [1, 2]).result() == 3  # the grader's own client works
        with pytest.raises(OSError):  # another user's own certificate: refused
            Client(address, security=Security.temporary(), timeout="3s")
        with pytest.raises(OSError):  # no TLS at all: refused
            Client(address.replace("tls://", "tcp://"), timeout="3s")


def test_slurm_workers_join_over_tls_with_a_key_only_the_ta_reads(tmp_path: Path) -> None:
    with dask.config.set({"jobqueue.slurm.shared-temp-directory": str(tmp_path)}):
        made = slurm_cluster(gpu=False)
    try:
        script = made.job_script()
        assert made.scheduler_address.startswith("tls://")
        (bound,) = (sock.getsockname() for sock in made.scheduler.http_server._sockets.values())
        assert bound[0] == "127.0.0.1"
        assert "--no-dashboard" in script  # the workers on the compute nodes serve no dashboard either
        assert f"{sys.executable} -P -m distributed.cli.dask_worker" in script  # no job folder first on sys.path
        files = [Path(p) for p in re.findall(r"--tls-(?:key|cert|ca-file) (\S+)", script)]
        assert len(files) == 3 and all(f.parent == tmp_path and f.is_file() for f in files), script
        assert all(f.stat().st_mode & 0o077 == 0 for f in files)  # the TA's alone
    finally:
        made.close()
    del made
    gc.collect()
    assert not list(tmp_path.iterdir())  # the keys go with the cluster object
