"""The execute stage's public surface, its config model, the seed cell and device detection."""

from __future__ import annotations

import doctest
import json
import os
import random
import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import ValidationError

import grader.execute
import grader.execute.config as config_module
import grader.execute.devices as devices_module
import grader.execute.seed as seed_module
from grader.execute import DeviceInfo, ExecutionConfig, detect_devices, device_for_slot, seed_cell_source
from grader.execute.devices import device_nodes


def test_public_names_are_pinned() -> None:
    assert grader.execute.__all__ == [
        "CellFailure",
        "DeviceInfo",
        "ExecStatus",
        "ExecutionConfig",
        "ExecutionRecord",
        "detect_devices",
        "device_for_slot",
        "run_notebook",
        "sandbox_available",
        "seed_cell_source",
    ]


def test_config_field_names_are_pinned_and_documented() -> None:
    fields = ExecutionConfig.model_fields
    assert list(fields) == [
        "cell_timeout_s",
        "notebook_timeout_s",
        "interrupt_grace_s",
        "cpu_time_s",
        "memory_mb",
        "slots",
        "slots_per_gpu",
        "threads",
        "max_processes",
        "max_file_size_mb",
        "disk_mb",
        "tmp_mb",
        "max_open_files",
        "max_cell_output_kib",
        "max_notebook_output_kib",
        "max_message_mib",
        "sandbox",
        "sandbox_form",
        "python_executable",
        "extra_ro_binds",
        "use_gpu",
        "gpu_memory_mb",
        "hash_seed",
        "uid_base",
    ]
    assert all(field.description for field in fields.values())


def test_config_defaults_and_resolution() -> None:
    config = ExecutionConfig()
    assert (config.cell_timeout_s, config.notebook_timeout_s, config.sandbox) == (600, 1800, "required")
    assert 256 <= config.resolved_memory_mb() <= 6144
    assert ExecutionConfig(memory_mb=2048).resolved_memory_mb() == 2048
    assert config.resolved_sandbox_form() == ("root" if os.geteuid() == 0 else "rootless")
    assert ExecutionConfig(sandbox_form="rootless").resolved_sandbox_form() == "rootless"
    with pytest.raises(ValidationError, match="sandbox_form"):
        ExecutionConfig(sandbox_form="user")  # type: ignore[arg-type]
    assert ExecutionConfig(slots=1000).resolved_threads() == 1
    assert ExecutionConfig(threads=3, notebook_timeout_s=100).resolved_cpu_time_s() == 300


def test_config_rejects_unknown_keys_bad_values_and_relative_binds() -> None:
    with pytest.raises(ValidationError, match="timeout_seconds"):
        ExecutionConfig.model_validate({"timeout_seconds": 5})
    with pytest.raises(ValidationError, match="sandbox"):
        ExecutionConfig.model_validate({"sandbox": "maybe"})
    with pytest.raises(ValidationError, match="greater than 0"):
        ExecutionConfig(cell_timeout_s=0)
    with pytest.raises(ValidationError, match="must be an absolute path"):
        ExecutionConfig.model_validate({"extra_ro_binds": ["data/provided"]})


def test_config_reads_yaml_shaped_values() -> None:
    config = ExecutionConfig.model_validate(
        {"memory_mb": 4096, "extra_ro_binds": ["/srv/course/data"], "sandbox": "auto"}
    )
    assert config.extra_ro_binds == (Path("/srv/course/data"),)
    with pytest.raises(ValidationError, match="frozen"):
        config.memory_mb = 1  # type: ignore[misc]


def test_seed_cell_makes_random_reproducible_and_leaves_no_names() -> None:
    draws = []
    for _ in range(2):
        namespace: dict[str, object] = {}
        exec(seed_cell_source(1234, deterministic=False), namespace)
        draws.append(random.random())
        assert [name for name in namespace if name.startswith("_grader")] == []
    assert draws[0] == draws[1]


def test_seed_cell_sets_deterministic_torch_flags() -> None:
    source = seed_cell_source(5)
    assert "use_deterministic_algorithms(True, warn_only=True)" in source
    assert "cudnn.benchmark = False" in source and "CUBLAS_WORKSPACE_CONFIG" in source
    assert "_grader_install_seeds(5, False)" in seed_cell_source(5, deterministic=False)
    with pytest.raises(ValueError, match="seed must be an int"):
        seed_cell_source(-1)


_DRAWS = """
import json, sys
import numpy, torch
print(json.dumps({"numpy": numpy.random.rand(3).tolist(), "torch": torch.rand(3).tolist(),
                  "deterministic": torch.are_deterministic_algorithms_enabled()}))
"""


def _fresh_python(code: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


_BEFORE = {
    "imported-after-the-cell": ("", ""),
    "already-loaded": ("import numpy, torch\n", ""),
    "looked-up-first": ("", "import importlib.util\nimportlib.util.find_spec('torch'), importlib.util.find_spec('numpy')\n"),
}


@pytest.mark.parametrize("scenario", sorted(_BEFORE))
def test_seed_cell_gives_the_draws_of_an_eager_seed(scenario: str) -> None:
    """Seeding on first import is indistinguishable from seeding numpy and torch at the top, also when
    the notebook imported them before the cell or asked whether they are installed first."""
    eager = "import numpy, torch\nnumpy.random.seed(99); torch.manual_seed(99)\n"
    expected = _fresh_python(eager + "torch.use_deterministic_algorithms(True, warn_only=True)\n" + _DRAWS)
    before, after = _BEFORE[scenario]
    seen = _fresh_python(before + seed_cell_source(99) + after + _DRAWS)
    assert seen == expected
    unseeded = _fresh_python(_DRAWS)
    assert unseeded["numpy"] != expected["numpy"] and unseeded["torch"] != expected["torch"]


def test_seed_cell_imports_neither_numpy_nor_torch() -> None:
    probe = seed_cell_source(3) + (
        "import json, sys\n"
        "print(json.dumps({'loaded': sorted({'numpy', 'torch'} & set(sys.modules)),"
        " 'hooks': sum(type(f).__name__ == 'GraderSeedOnImport' for f in sys.meta_path)}))\n"
        "import numpy, torch\n"
        "print(json.dumps({'loaded': sorted({'numpy', 'torch'} & set(sys.modules)),"
        " 'hooks': sum(type(f).__name__ == 'GraderSeedOnImport' for f in sys.meta_path)}))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=120, check=True)
    first, after = (json.loads(line) for line in done.stdout.strip().splitlines()[-2:])
    assert first == {"loaded": [], "hooks": 1}
    assert after == {"loaded": ["numpy", "torch"], "hooks": 0}


def test_devices_are_read_from_the_driver_under_proc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for bus, minor, name in (
        ("0000:c1:00.0", 1, "NVIDIA H200"),
        ("0000:41:00.0", 0, "NVIDIA H100 80GB HBM3"),
    ):
        (tmp_path / bus).mkdir()
        (tmp_path / bus / "information").write_text(
            f"Model: \t\t {name}\nGPU UUID: \t GPU-{minor}abc\nBus Location: \t {bus}\nDevice Minor: \t {minor}\n"
        )
    monkeypatch.setattr(devices_module, "PROC_GPUS", tmp_path)
    found = devices_module._from_proc()
    assert [(d.index, d.name, d.minor, d.uuid) for d in found] == [
        (0, "NVIDIA H100 80GB HBM3", 0, "GPU-0abc"),
        (1, "NVIDIA H200", 1, "GPU-1abc"),
    ]
    assert found[1].label == "cuda:0 (NVIDIA H200)" and found[1].visible_devices == "GPU-1abc"
    assert device_for_slot(3, list(found)) == found[1]


def test_no_gpu_means_cpu(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(devices_module, "PROC_GPUS", tmp_path / "absent")
    monkeypatch.setattr("shutil.which", lambda name: None)
    assert devices_module._from_proc() == () and devices_module._from_nvidia_smi() == ()
    assert device_for_slot(0, []) is None


def test_detected_devices_are_cached_and_handed_out_as_copies() -> None:
    first = detect_devices()
    first.append(DeviceInfo(index=99, name="not real"))
    assert detect_devices() == first[:-1]


def test_device_nodes_are_the_gpus_own_plus_the_drivers(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for name in ("nvidia0", "nvidia1", "nvidiactl", "nvidia-uvm"):
        (tmp_path / name).touch()
    monkeypatch.setattr(devices_module, "DEV", tmp_path)
    nodes = device_nodes(DeviceInfo(index=1, name="x", minor=1))
    assert [p.name for p in nodes] == ["nvidia1", "nvidiactl", "nvidia-uvm"]
    assert [p.name for p in device_nodes(DeviceInfo(index=0, name="x"))][:2] == ["nvidia0", "nvidia1"]


@pytest.mark.parametrize("module", [config_module, devices_module, seed_module])
def test_docstring_examples_run(module: object) -> None:
    failed, attempted = doctest.testmod(module)  # type: ignore[arg-type]
    assert attempted > 0 and failed == 0
