"""On a CUDA machine: the sandboxed kernel sees exactly its one GPU and computes on it."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from grader.execute import ExecStatus, detect_devices

from .conftest import quick_config, run, stream_text

pytestmark = [pytest.mark.gpu, pytest.mark.kernel, pytest.mark.usefixtures("sandbox")]

GPU_CELL = """\
import os, torch
x = torch.randn(1024, 1024, device="cuda")
torch.cuda.synchronize()
print(torch.cuda.device_count(), torch.cuda.get_device_name(0), round(float((x @ x).abs().mean()), 1) > 0, os.getuid())
"""


@pytest.fixture
def gpu_name() -> str:
    devices = detect_devices()
    if not devices:
        pytest.skip("no CUDA device on this machine (none under /proc/driver/nvidia, no nvidia-smi)")
    return devices[0].name


def test_sandboxed_kernel_computes_on_its_gpu(alice: Path, gpu_name: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(GPU_CELL)]
    executed, record = run(
        nb, alice, quick_config(use_gpu=True, memory_mb=16384, max_processes=512, cell_timeout_s=300)
    )
    assert record.status is ExecStatus.OK, record.reason
    assert record.device == f"cuda:0 ({gpu_name})"
    assert record.limits["memory"] == "16384 MiB (RLIMIT_DATA)"
    assert stream_text(executed.cells[0]).split()[-2:] == ["True", "60000"]
    assert stream_text(executed.cells[0]).startswith("1 ")
