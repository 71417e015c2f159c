"""GPU memory shares enforced from outside (``grader.execute._gpuwatch``): the decision against a recorded
NVML poll, the process tree of a sandbox, and the ``limit`` path end to end with real kernels.

NVML does not run on the CI machines (no GPU, no driver), so the reader is an injectable function: the
decision is tested against a poll stored as data (tests/fixtures/gpu/), and the end-to-end test gives the
guard a stand-in reader (see there why). scripts/gpu-check.sh runs the real reader on a GPU.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

import nbformat
import pytest

from grader.execute import ExecStatus, ExecutionRecord
from grader.execute._gpuwatch import (
    MIB,
    GpuProcess,
    GpuShare,
    GpuWatch,
    descendants,
    held_bytes,
    nvml_reader,
    over_share,
)
from grader.execute.devices import DeviceInfo

from .conftest import quick_config, run

POLL = json.loads((Path(__file__).parents[1] / "fixtures" / "gpu" / "nvml_two_kernels.json").read_text())
UUID = POLL["device"]["uuid"]
READING = [GpuProcess(p["pid"], p["device_uuid"], p["used_bytes"]) for p in POLL["processes"]]
HOG, NEIGHBOUR = set(POLL["sandboxes"]["hog"]), set(POLL["sandboxes"]["neighbour"])
SHARE = GpuShare(UUID, "cuda:0 (NVIDIA H100 80GB HBM3)", POLL["share_mb"] * MIB, 2)


def test_a_sandbox_over_its_share_is_named_with_the_memory_and_the_share() -> None:
    assert over_share(READING, HOG, SHARE) == (
        "GPU memory: the kernel held 41000 MiB on cuda:0 (NVIDIA H100 80GB HBM3), over its share of "
        "40779 MiB (2 kernels per GPU)"
    )
    assert over_share(READING, NEIGHBOUR, SHARE) == ""


def test_all_of_a_sandboxs_processes_count_and_nothing_else_does() -> None:
    assert held_bytes(READING, HOG, UUID) // MIB == 29000 + 12000  # a forked child's CUDA context counts
    assert all(over_share(READING, {pid}, SHARE) == "" for pid in HOG)  # each alone is within the share
    assert held_bytes(READING, {41230}, "GPU-0b7e11aa-2c3d-4e5f-8a9b-c0d1e2f3a4b5") // MIB == 512  # other GPU
    assert held_bytes(READING, {39001}, UUID) == 0  # NVML did not know its memory: counts 0, no crash
    assert held_bytes(READING, set(), UUID) == 0


def test_the_watch_keeps_the_peak_and_survives_nvml_errors() -> None:
    polls: list[list[GpuProcess]] = [READING[2:3], READING[:3]]

    def read() -> list[GpuProcess]:
        if not polls:
            raise RuntimeError("NVML_ERROR_GPU_IS_LOST")
        return polls.pop(0)

    watch = GpuWatch(SHARE, read, pid_exists=lambda pid: True)
    assert watch.look(HOG) == ""  # only the neighbour's process in this poll
    assert watch.look(HOG).startswith("GPU memory: the kernel held 41000 MiB")
    assert watch.look(HOG) == ""  # an error is no breach
    assert watch.peak_bytes // MIB == 41000
    assert watch.describe(0.25) == (
        "share 40779 MiB (2 kernels per GPU), NVML polled every 0.25 s; peak seen 41000 MiB in 2 polls; "
        "NVML errors: RuntimeError: NVML_ERROR_GPU_IS_LOST"
    )


def test_pids_of_another_namespace_are_reported_as_not_enforced() -> None:
    """In a container without the host's pid namespace NVML's pids match nothing here: say so."""
    watch = GpuWatch(SHARE, lambda: READING, pid_exists=lambda pid: False)
    assert watch.look({7, 8}) == ""
    assert watch.foreign == 1
    assert "NOT enforced: NVML reports pids of another pid namespace" in watch.describe(0.25)


def test_descendants_follow_the_real_process_tree() -> None:
    proc = subprocess.Popen(["sh", "-c", "sleep 30 & sleep 30 & wait"])
    try:
        deadline = time.monotonic() + 10
        while len(found := descendants(proc.pid)) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert proc.pid in found and len(found) == 3
    finally:
        subprocess.run(["pkill", "-P", str(proc.pid)], check=False)
        proc.kill()
        proc.wait()


def test_nvml_is_absent_without_a_driver() -> None:
    if Path("/proc/driver/nvidia").exists():
        pytest.skip("this machine has an NVIDIA driver: scripts/gpu-check.sh covers the real reader")
    assert nvml_reader() is None


# --- end to end: a real kernel over its share is stopped as `limit`; its neighbour finishes ---------

FAKE_GPU = DeviceInfo(index=0, name="recorded H100", uuid=UUID, memory_mb=POLL["device"]["memory_mb"])
# The cell starts a process that "holds" GPU memory (as a DataLoader worker with its own CUDA context
# would): the stand-in reader below sees the MiB it names in its environment.
CELL = """\
import os, subprocess, time
holder = subprocess.Popen(["sleep", "60"], env={"FAKE_GPU_MIB": os.environ["HOLD_MIB"]})
for _ in range(60):
    time.sleep(0.25)
holder.kill()
print('finished')
"""


def _environ(pid: int) -> dict[str, str]:
    try:
        raw = Path(f"/proc/{pid}/environ").read_bytes()
    except OSError:
        return {}
    return dict(item.decode(errors="replace").partition("=")[::2] for item in raw.split(b"\0") if b"=" in item)


def stand_in_reader() -> list[GpuProcess]:
    """What NVML would list if each process of a sandbox held the MiB its ``FAKE_GPU_MIB`` variable names.

    The one stand-in in these tests, and why it is justified: NVML and a GPU do not exist on this machine,
    and what is under test is the grader's side (finding the sandbox's processes through its cgroup,
    stopping the kernel, recording ``limit``), which runs for real here. The pids are the real kernels'.
    """
    found = []
    for entry in Path("/proc").glob("[0-9]*"):
        mib = _environ(int(entry.name)).get("FAKE_GPU_MIB")
        if mib:
            found.append(GpuProcess(int(entry.name), UUID, int(mib) * MIB))
    return found


@pytest.mark.kernel
@pytest.mark.usefixtures("sandbox")
def test_a_kernel_over_its_gpu_share_ends_as_limit_while_its_neighbour_finishes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("grader.execute._run.detect_devices", lambda: [FAKE_GPU])
    monkeypatch.setattr("grader.execute._gpuwatch.nvml_reader", lambda: stand_in_reader)
    config = quick_config(use_gpu=True, slots_per_gpu=2, gpu_memory_mb=1024, cell_timeout_s=60)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(CELL)])  # type: ignore[no-untyped-call]
    records: dict[str, ExecutionRecord] = {}

    def grade(name: str, slot: int, mib: int) -> None:
        workdir = tmp_path / name
        workdir.mkdir()
        records[name] = run(nb, workdir, config, slot=slot, env={"HOLD_MIB": str(mib)})[1]

    threads = [threading.Thread(target=grade, args=a) for a in (("hog", 0, 3000), ("neighbour", 1, 200))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    hog, neighbour = records["hog"], records["neighbour"]
    assert hog.status is ExecStatus.LIMIT, hog.reason
    assert hog.reason.startswith(
        "GPU memory: the kernel held 3000 MiB on cuda:0 (recorded H100), over its share of 1024 MiB "
        "(2 kernels per GPU)"
    ), hog.reason
    assert hog.duration_s + 8 < neighbour.duration_s  # stopped at once; the neighbour ran its 15 s
    assert neighbour.status is ExecStatus.OK, neighbour.reason
    assert neighbour.limits["gpu_memory"].startswith("share 1024 MiB (2 kernels per GPU), NVML polled every")
    assert "peak seen 200 MiB" in neighbour.limits["gpu_memory"]
    assert _limits(hog)["device"] == "cuda:0 (recorded H100)"


def _limits(record: ExecutionRecord) -> dict[str, Any]:
    return {"device": record.device, **record.limits}


HOG_CELL = """\
import torch, time
hold = torch.empty(3 * 2**30, dtype=torch.uint8, device="cuda")
torch.cuda.synchronize()
time.sleep(30)
"""
SMALL_CELL = """\
import torch, time
x = torch.ones(2**20, device="cuda")
torch.cuda.synchronize()
time.sleep(8)
print(float(x.sum()))
"""


@pytest.mark.gpu
@pytest.mark.kernel
@pytest.mark.usefixtures("sandbox")
def test_on_a_gpu_the_real_nvml_reader_stops_the_hog_and_spares_the_neighbour(tmp_path: Path) -> None:
    """The same scenario as above with NVML and CUDA for real (also scripts/gpu-check.sh, step 3)."""
    from grader.execute import detect_devices

    if not detect_devices():
        pytest.skip("no CUDA device on this machine")
    config = quick_config(use_gpu=True, slots_per_gpu=2, gpu_memory_mb=2048, memory_mb=16384,
                          max_processes=512, cell_timeout_s=120)
    records: dict[str, ExecutionRecord] = {}

    def grade(name: str, slot: int, source: str) -> None:
        workdir = tmp_path / name
        workdir.mkdir()
        nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(source)])  # type: ignore[no-untyped-call]
        records[name] = run(nb, workdir, config, slot=slot)[1]

    threads = [threading.Thread(target=grade, args=a) for a in (("hog", 0, HOG_CELL), ("small", 1, SMALL_CELL))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert records["hog"].status is ExecStatus.LIMIT, records["hog"].reason
    assert "over its share of 2048 MiB (2 kernels per GPU)" in records["hog"].reason
    assert records["small"].status is ExecStatus.OK, records["small"].reason
    assert "peak seen 0 MiB" not in records["small"].limits["gpu_memory"]
