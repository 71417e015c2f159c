"""Host-wide slot leases: distinct while held, freed when the holder dies."""

from __future__ import annotations

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import nbformat
import pytest

from grader.batch.slots import (
    SLOT_DIR_ENV,
    SlotPlan,
    auto_per_gpu,
    default_jobs,
    plan_slots,
    slot_lease,
    usable_cpus,
)
from grader.errors import ConfigError, SandboxError
from grader.execute.config import ExecutionConfig
from grader.execute.devices import DeviceInfo


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


# --- the slot model: --jobs decides slots; threads, memory and K per GPU follow (grader.batch.slots) ---

GIB = 1024


def gpus(n: int, memory_mb: int | None = 80 * GIB) -> list[DeviceInfo]:
    return [DeviceInfo(index=i, name="H100", uuid=f"GPU-{i}0000000", minor=i, memory_mb=memory_mb) for i in range(n)]


def plan(config: ExecutionConfig | None = None, *, jobs: int | None = None, per_gpu: int | None = None,
         devices: list[DeviceInfo] | None = None, cpus: int = 16, ram_mb: int = 128 * GIB) -> SlotPlan:
    return plan_slots(config or ExecutionConfig(), jobs=jobs, per_gpu=per_gpu, devices=devices or [],
                      cpus=cpus, ram_mb=ram_mb)


def test_k_slots_per_gpu_fill_every_gpu_round_robin() -> None:
    p = plan(per_gpu=3, devices=gpus(2))
    assert (p.slots, p.per_gpu, p.threads, p.gpu_memory_mb) == (6, 3, 2, 80 * GIB // 3)
    assignment = [p.device_for(n) for n in range(p.slots)]
    assert [d.index if d else None for d in assignment] == [0, 1, 0, 1, 0, 1]
    assert [d.visible_devices if d else "" for d in assignment[:2]] == ["GPU-00000000", "GPU-10000000"]
    assert [sum(1 for d in assignment if d == g) for g in p.devices] == [3, 3]


def test_jobs_decide_slots_and_the_kernels_split_threads_and_memory() -> None:
    p = plan(jobs=4, cpus=16, ram_mb=16 * GIB)
    assert (p.slots, p.per_gpu, p.threads, p.memory_mb, p.gpu_memory_mb) == (4, 0, 4, 4 * GIB, None)
    assert plan(jobs=32, cpus=16).threads == 1
    assert plan(cpus=2, ram_mb=64 * GIB).slots == 2  # one per core without GPUs
    assert plan(jobs=3, devices=gpus(2)).per_gpu == 2  # ceil(3 / 2): --jobs spread over the GPUs
    assert plan(ExecutionConfig(use_gpu=False), devices=gpus(2), cpus=4).devices == ()


def test_the_rubric_keeps_what_it_sets_and_jobs_always_set_the_slots() -> None:
    rubric = ExecutionConfig(threads=3, memory_mb=2048, slots=9, slots_per_gpu=2, gpu_memory_mb=5000)
    p = plan(rubric, devices=gpus(1))
    assert (p.slots, p.per_gpu, p.threads, p.memory_mb, p.gpu_memory_mb) == (2, 2, 3, 2048, 5000)
    applied = p.apply(rubric)
    assert (applied.slots, applied.threads, applied.memory_mb, applied.gpu_memory_mb) == (2, 3, 2048, 5000)
    overridden = plan(rubric, per_gpu=4, devices=gpus(1))  # the command line wins over the rubric
    assert (overridden.per_gpu, overridden.apply(rubric).slots_per_gpu, overridden.apply(rubric).slots) == (4, 4, 4)
    cpu = plan(jobs=2, cpus=2, ram_mb=8 * GIB).apply(ExecutionConfig(use_gpu=False))
    assert (cpu.slots, cpu.resolved_threads(), cpu.resolved_memory_mb(), cpu.gpu_memory_mb) == (2, 1, 4 * GIB, None)


def test_k_kernels_that_overfill_the_gpu_with_the_rubrics_share_are_refused() -> None:
    rubric = ExecutionConfig(gpu_memory_mb=30 * GIB)  # gpus(): 80 GiB each
    with pytest.raises(ConfigError, match=(
        r"execution.gpu_memory_mb: 3 kernels per GPU \(--slots-per-gpu\) x 30720 MiB = 92160 MiB, "
        r"more than the 81920 MiB of the smallest GPU"
    )):
        plan(rubric, per_gpu=3, devices=gpus(2))
    assert plan(rubric, per_gpu=2, devices=gpus(2)).gpu_memory_mb == 30 * GIB  # 2 x 30 GiB fit


def test_more_jobs_than_k_per_gpu_allows_is_refused_with_both_numbers() -> None:
    with pytest.raises(ConfigError, match=r"--jobs 5: 2 GPUs x 2 slots per GPU \(--slots-per-gpu\) hold 4 kernels"):
        plan(jobs=5, per_gpu=2, devices=gpus(2))
    assert plan(jobs=3, per_gpu=2, devices=gpus(2)).slots == 3  # fewer is fine


def test_k_is_chosen_from_gpu_memory_and_cores() -> None:
    assert plan(devices=gpus(1, 80 * GIB), cpus=16).per_gpu == 8  # cores: 16 / 2 threads; memory allows 20
    assert plan(devices=gpus(1, 80 * GIB), cpus=8).per_gpu == 4
    assert plan(devices=gpus(1, 12 * GIB), cpus=16).per_gpu == 3  # memory: 12 GiB / 4 GiB
    assert plan(devices=gpus(2, 80 * GIB), cpus=16).per_gpu == 4  # 8 cores per GPU
    assert plan(ExecutionConfig(gpu_memory_mb=40 * GIB), devices=gpus(1), cpus=16).per_gpu == 2
    unknown = plan(devices=gpus(1, None), cpus=16)
    assert (unknown.per_gpu, unknown.gpu_memory_mb) == (1, None)
    assert auto_per_gpu(4 * GIB, 8 * GIB, 1, 1)[0] == 1  # at least one, even where nothing fits


def test_the_printed_plan_names_slots_devices_threads_memory_and_k() -> None:
    lines = plan(per_gpu=2, devices=gpus(2), cpus=16, ram_mb=64 * GIB).lines()
    assert lines[0] == (
        "Slot plan: 4 slots, K = 2 per GPU on 2 GPUs (--slots-per-gpu); 4 threads and 6144 MiB host memory "
        "per kernel; GPU memory share 40960 MiB per kernel (enforced by NVML polling)."
    )
    assert lines[1:] == ["  GPU 0 H100 (GPU-00000000, 81920 MiB): slots 0,2", "  GPU 1 H100 (GPU-10000000, 81920 MiB): slots 1,3"]
    assert plan(jobs=2, cpus=2, ram_mb=8 * GIB).lines() == [
        "Slot plan: 2 slots on CPU (2 cores); 1 thread and 4096 MiB host memory per kernel."
    ]
    assert plan(per_gpu=2, cpus=2, ram_mb=8 * GIB).lines() == [
        "Slot plan: 2 slots on CPU (2 cores) (no GPU: --slots-per-gpu 2 ignored); 1 thread and 4096 MiB host "
        "memory per kernel."
    ]


@pytest.mark.kernel
def test_a_batch_prints_its_plan_and_jobs_split_the_kernels_threads(tmp_path: Path) -> None:
    """``--jobs`` reaches the kernels (issue 15 item 3): with 2 slots each kernel gets half the cores.
    Before the slot plan, ``--jobs`` sized only the worker pool and every kernel got all the cores."""
    import io

    import nbformat
    from rich.console import Console

    from grader.batch import grade_batch
    from grader.prepare.secret import ClassSecret
    from grader.rubric import load_rubric

    subs = tmp_path / "subs"
    subs.mkdir()
    cell = "import os\nprint('threads', os.environ['OMP_NUM_THREADS'])\nANSWERS = {'3.3': 0, '3.1': 'no'}"
    for name in ("a", "b"):
        nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(cell)]), subs / f"{name}.ipynb")
    secret = tmp_path / "class.secret"
    ClassSecret.generate().write(secret)
    buffer = io.StringIO()
    console = Console(file=buffer, width=200, force_terminal=False, color_system=None)
    rubric = load_rubric(Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml")
    outcome = grade_batch(subs, rubric, tmp_path / "out", jobs=2, console=console, secret=secret, slots_per_gpu=3)
    expected = str(max(1, usable_cpus() // 2))
    assert (
        f"Slot plan: 2 slots on CPU ({usable_cpus()} cores) (no GPU: --slots-per-gpu 3 ignored); {expected} thread"
    ) in buffer.getvalue()
    assert [g.execution.limits["threads"] for g in outcome.graded] == [expected, expected]
    executed = nbformat.read(tmp_path / "out" / "executed" / "a.ipynb", as_version=4)
    printed = "".join(str(o.get("text", "")) for c in executed.cells for o in c.get("outputs", []))
    assert f"threads {expected}\n" in printed


def test_the_grade_command_takes_slots_per_gpu() -> None:
    out = subprocess.run([sys.executable, "-m", "grader", "grade", "--help"], capture_output=True, text=True,
                         check=True, env={**os.environ, "COLUMNS": "200"})
    assert "--slots-per-gpu" in out.stdout


@pytest.mark.parametrize("where", [["--cluster", "local"], ["--scheduler", "tls://127.0.0.1:1"]])
def test_slots_per_gpu_on_a_dask_cluster_is_refused_not_dropped(tmp_path: Path, where: list[str]) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    nbformat.write(nbformat.v4.new_notebook(), subs / "a.ipynb")
    rubric = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"
    out = subprocess.run(
        [sys.executable, "-m", "grader", "grade", str(subs), "--rubric", str(rubric), "--out", str(tmp_path / "out"),
         *where, "--slots-per-gpu", "2"],
        capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"}, timeout=120,
    )
    assert out.returncode != 0
    said = " ".join((out.stdout + out.stderr).split())
    assert "--slots-per-gpu 2: kernels per GPU are set for local batches only" in said, said
    assert not (tmp_path / "out" / "grades.csv").exists()
