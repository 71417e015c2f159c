"""A killed grader's scratch dirs and tmpfs mounts are removed by the next grader, and nothing else is."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from grader.execute.rundirs import clean_stale, owner_tag, run_dir

from .conftest import HOSTILE, QUICK

_GRADER = """
import json, sys
from pathlib import Path
import nbformat
from grader.execute import ExecutionConfig, run_notebook
nb = nbformat.read(sys.argv[1], as_version=4)
run_notebook(nb, workdir=Path(sys.argv[2]), config=ExecutionConfig(**json.loads(sys.argv[3])))
"""


def _mounts() -> str:
    return Path("/proc/self/mountinfo").read_text()


def test_only_dead_owners_dirs_of_this_uid_are_removed(tmp_path: Path) -> None:
    mine_alive = run_dir("run", tmp_path)
    dead = tmp_path / "grader-run-999999999.12345-abcd"  # no such pid
    reused = tmp_path / f"grader-run-{os.getpid()}.1-abcd"  # this pid, another start time: a reused pid
    foreign = tmp_path / "grader-run-999999998.1-efgh"
    unrelated = tmp_path / "grader-notes-keep"
    for path in (dead, reused, foreign, unrelated):
        (path / "sub").mkdir(parents=True)
    if os.geteuid() == 0:
        os.chown(foreign, 65534, 65534)
    removed = clean_stale(tmp_path)
    assert sorted(removed) == sorted([dead, reused] + ([] if os.geteuid() == 0 else [foreign]))
    assert mine_alive.is_dir() and unrelated.is_dir()
    assert mine_alive.name.startswith(f"grader-run-{owner_tag()}-")


def test_a_live_owner_whose_proc_entry_cannot_be_read_keeps_its_dir(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only a missing process (or another start time) makes an owner dead: a failed read of /proc/PID/stat
    (out of file descriptors on a busy machine) must not remove a live grader's task dir from under it."""
    live = tmp_path / f"grader-task-{owner_tag()}-abcd"
    live.mkdir()
    real = Path.read_text

    def busy(path: Path, *args: object, **kwargs: object) -> str:
        if str(path).startswith("/proc/") and str(path).endswith("/stat"):
            raise OSError(24, "Too many open files")
        return real(path, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Path, "read_text", busy)
    assert clean_stale(tmp_path) == [] and live.is_dir()


@pytest.mark.kernel
@pytest.mark.usefixtures("sandbox")
def test_a_killed_graders_scratch_and_tmpfs_are_cleaned_by_the_next_one(alice: Path) -> None:
    config = QUICK | {"cell_timeout_s": 120, "notebook_timeout_s": 300}
    argv = [sys.executable, "-c", _GRADER, str(HOSTILE / "sleep_through_timeout.ipynb"), str(alice), json.dumps(config)]
    grader = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    prefix = f"grader-run-{grader.pid}."
    base = Path(tempfile.gettempdir())
    deadline = time.monotonic() + 60
    left: list[Path] = []
    while time.monotonic() < deadline and not any(str(p / "work") in _mounts() for p in left):
        time.sleep(0.1)
        left = [p for p in base.iterdir() if p.name.startswith(prefix)]
    as_root = os.geteuid() == 0
    assert left, "the grader never made its scratch dir"
    grader.send_signal(signal.SIGKILL)
    grader.wait(timeout=10)
    time.sleep(0.5)  # the sandbox dies with its parent
    assert all(p.is_dir() for p in left) and (not as_root or str(left[0] / "work") in _mounts())

    workdir = alice.parent / "next"
    workdir.mkdir()
    argv = [sys.executable, "-c", _GRADER, str(HOSTILE / "control_well_behaved.ipynb"), str(workdir), json.dumps(QUICK)]
    subprocess.run(argv, check=True, capture_output=True, timeout=120)  # the next grader, a new process
    assert (workdir / "result.txt").read_text() == "4.0"

    assert not any(p.exists() for p in left)
    assert str(left[0]) not in _mounts()


_ORPHANING_GRADER = """
import subprocess, sys
from grader.execute._keyring import keyring_prefix
subprocess.Popen(keyring_prefix() + ["/bin/sleep", sys.argv[1]])
"""  # the grader exits (as if killed) while its launcher is still starting


def test_a_grader_gone_before_the_launcher_ran_leaves_nothing_running() -> None:
    marker = f"{30 + os.getpid() % 1000 / 1000:.3f}"  # a sleep length no other process uses
    subprocess.run([sys.executable, "-c", _ORPHANING_GRADER, marker], check=True, timeout=60)
    time.sleep(2.0)
    left = subprocess.run(["pgrep", "-f", f"sleep {marker}"], capture_output=True, text=True).stdout.split()
    for pid in left:
        os.kill(int(pid), signal.SIGKILL)
    assert left == []
