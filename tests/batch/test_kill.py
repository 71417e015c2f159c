"""SIGKILL the grader at random moments, re-run it: every result exactly once, nothing half-written."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest

from grader.publish import load_class
from grader.store.gradebook import list_runs

from . import fakes

DRIVER = Path(__file__).with_name("kill_driver.py")
SPECS = {f"s{i:02d}": {"points": float(i % 5), "sleep": 0.05 + 0.03 * (i % 7)} for i in range(12)}
MOODLE = {f"Student {i}_{100 + i}_assignsubmission_file_": {"points": 2.0, "sleep": 0.1} for i in range(3)}


def make_submissions(root: Path) -> Path:
    """Plain notebooks, and Moodle folders whose notebook is zipped (extracted under OUT/.cache)."""
    subs = fakes.write_notebooks(root, SPECS)
    staged = fakes.write_notebooks(root.parent / "moodle-staged", {"week11": {"points": 2.0, "sleep": 0.1}})
    for folder in MOODLE:
        (subs / folder).mkdir()
        with zipfile.ZipFile(subs / folder / "upload.zip", "w") as zf:
            zf.write(staged / "week11.ipynb", "week11.ipynb")
    return subs


@pytest.fixture(scope="module")
def reference(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    root = tmp_path_factory.mktemp("reference")
    fakes.batch(make_submissions(root / "subs"), root / "out", jobs=2)
    return fakes.normalized(root / "out", root / "subs")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "\nState:\tZ" not in state


def _wait_for_no_workers(state: Path, timeout: float = 10.0) -> None:
    pids = [int(p.name.split("-")[1]) for p in state.glob("pid-*")]
    deadline = time.monotonic() + timeout
    while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not [pid for pid in pids if _alive(pid)], "worker processes outlived the killed grader"


def _check_nothing_half_written(out: Path) -> None:
    for folder in (out / "results", out / "executed"):
        for path in folder.glob("*") if folder.is_dir() else ():
            if not path.name.startswith("."):
                json.loads(path.read_text())  # complete, or not there at all


def _driver(subs: Path, out: Path, env: dict[str, str]) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, str(DRIVER), str(subs), str(out), "2"], env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _kill_resume(tmp_path: Path, seed: int, reference: dict[str, object], kills: int) -> None:
    rng = random.Random(seed)
    subs, out, state = make_submissions(tmp_path / "subs"), tmp_path / "out", tmp_path / "state"
    state.mkdir()
    env = {**os.environ, "FAKE_STATE_DIR": str(state), "PYTHONPATH": str(Path(__file__).parents[2])}
    for _ in range(kills):
        proc = _driver(subs, out, env)
        time.sleep(rng.uniform(0.0, 3.5))
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        assert proc.stderr is not None
        proc.stderr.close()
        _wait_for_no_workers(state)
        _check_nothing_half_written(out)
    done = subprocess.run([sys.executable, str(DRIVER), str(subs), str(out), "2"], env=env,
                          capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert fakes.normalized(out, subs) == reference
    leftovers = [p for p in out.rglob("*") if ".tmp" in p.name and p.is_file()]
    assert leftovers == []
    students = [g.result.student_id for g in load_class(out)]
    assert students == sorted(set(students)) and len(students) == len(SPECS) + len(MOODLE)
    statuses = [r.status for r in list_runs(out / "gradebook.db")]
    assert statuses[-1] == "completed" and "running" not in statuses


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sigkill_then_resume(tmp_path: Path, seed: int, reference: dict[str, object]) -> None:
    _kill_resume(tmp_path, seed, reference, kills=2)


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(10, 20))
def test_sigkill_then_resume_many(tmp_path: Path, seed: int, reference: dict[str, object]) -> None:
    _kill_resume(tmp_path, seed, reference, kills=3)
