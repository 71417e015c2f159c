"""Host-wide slot leases: distinct while held, freed when the holder dies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.batch.slots import SLOT_DIR_ENV, default_jobs, slot_lease, usable_cpus
from grader.errors import SandboxError


@pytest.fixture(autouse=True)
def private_slots(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv(SLOT_DIR_ENV, str(tmp_path / "slots"))
    yield tmp_path / "slots"


def test_preferred_slot_then_lowest_free() -> None:
    with slot_lease(3) as a, slot_lease(3) as b, slot_lease(3) as c:
        assert (a, b, c) == (3, 0, 1)
    with slot_lease(3) as again:
        assert again == 3


def test_threads_get_distinct_slots() -> None:
    held: list[int] = []
    barrier = threading.Barrier(6)

    def hold() -> None:
        with slot_lease(0) as slot:
            held.append(slot)
            barrier.wait(timeout=10)

    threads = [threading.Thread(target=hold) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(held) == [0, 1, 2, 3, 4, 5]


def test_all_busy_times_out() -> None:
    with slot_lease(0, max_slots=1), pytest.raises(SandboxError, match="stayed busy"), slot_lease(0, max_slots=1, wait_s=0.2):
        pass


def test_a_killed_holder_frees_its_slot(private_slots: Path) -> None:
    code = "from grader.batch.slots import slot_lease\nimport time\nwith slot_lease(0) as s:\n print(s, flush=True); time.sleep(60)"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"0"
        with slot_lease(0) as other:
            assert other == 1
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    with slot_lease(0) as freed:
        assert freed == 0


def test_default_jobs_counts_cpus_without_gpus() -> None:
    assert default_jobs(use_gpu=False) == usable_cpus() >= 1
    assert default_jobs() >= 1
