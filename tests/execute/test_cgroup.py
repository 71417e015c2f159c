"""One cgroup per sandbox: memory (swap included) and tasks limited for all of its processes together.

The kernel tests run on the backend this machine has (here and in CI: cgroup v1, hybrid layout); the v2
backend's file writes and its placement are tested against a temporary directory laid out like a v2
hierarchy, and for real only where the machine runs v2.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path, PurePosixPath

import nbformat
import pytest

from grader.execute import ExecStatus
from grader.execute._cgroup import (
    SandboxCgroup,
    V1Backend,
    V2Backend,
    clean_stale,
    find_backend,
    parse_mountinfo,
    parse_proc_cgroup,
)
from grader.execute._guard import disk_usage
from grader.execute._keyring import keyring_prefix, with_cgroup
from grader.execute.rundirs import owner_tag

from .conftest import assert_batch_survives, quick_config, run, stream_text
from .test_rootless import _grade_elsewhere, _ta_home, shared_tmp  # noqa: F401 (fixture)

SLOT = 5  # away from slot 0, which the other execute tests (and their uid's process limit) use

HYBRID_CGROUP = "9:name=systemd:/\n8:pids:/\n4:memory:/process_api/abc\n1:cpu:/\n0::/\n"
HYBRID_MOUNTS = (
    "31 23 0:29 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu\n"
    "34 23 0:32 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory\n"
    "38 23 0:36 / /sys/fs/cgroup/pids rw,relatime - cgroup cgroup rw,pids\n"
    "40 23 0:38 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw\n"
)


def _machine_backend() -> V1Backend | V2Backend:
    backend = find_backend()
    if isinstance(backend, str):
        pytest.skip(f"no cgroup for sandboxes here: {backend}")
    assert isinstance(backend, V1Backend | V2Backend)
    return backend


def _ours(backend: V1Backend | V2Backend) -> list[Path]:
    """This process's sandbox cgroups that still exist."""
    return [p for parent in backend.parents() for p in parent.glob(f"grader-sbx-{owner_tag()}-*")]


# --- real kernels, on this machine's backend -------------------------------------------------------


@pytest.mark.kernel
@pytest.mark.usefixtures("sandbox")
def test_forked_children_together_over_the_memory_limit_are_stopped(tmp_path: Path) -> None:
    """Six children of 250 MiB each are each under memory_mb 1024 (RLIMIT_AS); together they are not.
    Before the cgroup all six held their memory and the run was OK."""
    backend = _machine_backend()
    nb, record = run("fork_memory_hogs", tmp_path, quick_config(memory_mb=1024), slot=SLOT)
    assert record.status is ExecStatus.LIMIT, (record.reason, stream_text(nb.cells[0]))
    assert record.reason.startswith(
        f"the sandbox went over its memory limit of 1280 MiB for all of its processes together (cgroup {backend.name}"
    )
    assert record.reason.endswith("during cell 0, so nothing after it ran")
    assert nb.cells[1].outputs == []
    assert record.limits["cgroup"].startswith(f"cgroup {backend.name}: memory and swap 1280 MiB and 64 processes")
    assert record.limits["memory"] == "1024 MiB (RLIMIT_AS)"
    assert _ours(backend) == []
    assert_batch_survives(tmp_path, slot=SLOT)


@pytest.mark.kernel
@pytest.mark.usefixtures("sandbox")
def test_the_cgroups_task_limit_stops_a_fork_loop(tmp_path: Path) -> None:
    backend = _machine_backend()
    nb, record = run("fork_bomb", tmp_path, quick_config(max_processes=64), slot=SLOT)
    assert record.status is ExecStatus.LIMIT, record.reason
    assert "process limit 64" in record.reason
    assert f"the sandbox's cgroup {backend.name} refused" in record.reason
    assert 0 < int(stream_text(nb.cells[1]).split()[-2]) < 64
    assert _ours(backend) == []


@pytest.mark.kernel
@pytest.mark.usefixtures("sandbox")
def test_the_sandbox_runs_inside_its_cgroup_and_the_grader_outside(tmp_path: Path) -> None:
    """Seen from the grader during the run (the hook before the epilogue): the cgroup holds processes of
    the slot's uid, the grader is not among them; after the run the cgroup is gone."""
    backend = _machine_backend()
    seen: dict[str, set[int]] = {}

    def look(_: Path) -> None:
        for cgroup in _ours(backend):
            procs = (cgroup / "cgroup.procs").read_text().split()
            seen[str(cgroup)] = {_uid(int(pid)) for pid in procs}
            assert str(os.getpid()) not in procs

    nb = nbformat.v4.new_notebook()
    epilogue = nbformat.v4.new_code_cell("print('epilogue')")
    epilogue.metadata["tags"] = ["grader-epilogue"]
    nb.cells = [nbformat.v4.new_code_cell("x = 1"), epilogue]
    _, record = run(nb, tmp_path, slot=SLOT, before_epilogue=look)
    assert record.status is ExecStatus.OK and record.epilogue_ran, record.reason
    assert len(seen) == len(backend.parents())  # v1: memory and pids; v2: one
    slot_uid = quick_config().uid_base + SLOT
    assert all(slot_uid in uids for uids in seen.values()), seen
    assert _ours(backend) == []


@pytest.mark.kernel
@pytest.mark.usefixtures("sandbox")
def test_real_cgroup_v2(tmp_path: Path) -> None:
    backend = _machine_backend()
    if backend.name != "v2":
        pytest.skip(
            f"this machine offers cgroup {backend.name} (memory and pids as v1 hierarchies); the v2 backend is "
            "tested against a fake v2 hierarchy in this file and runs for real on a v2 machine"
        )
    _, record = run("fork_memory_hogs", tmp_path, quick_config(memory_mb=1024), slot=SLOT)
    assert record.status is ExecStatus.LIMIT and "(cgroup v2" in record.reason, record.reason


def test_stale_cgroups_of_dead_graders_are_emptied_and_removed() -> None:
    """A grader killed while its launcher started leaves a running sandbox: the next grader kills it."""
    backend = _machine_backend()
    if os.geteuid() != 0:
        pytest.skip("making cgroups here needs root")
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = f"grader-sbx-{gone.stdout.strip()}.1-dead"
    mine = f"grader-sbx-{owner_tag()}-live"
    busy = f"grader-sbx-{gone.stdout.strip()}.1-busy"
    stale, live, held = (backend.create(name, 64 * 2**20, 8) for name in (dead, mine, busy))
    sleeper = subprocess.Popen(["sleep", "30"])
    try:
        for procs in held.procs:
            procs.write_text(str(sleeper.pid))
        removed = {p for parent in backend.parents() for p in clean_stale(parent)}
        assert set(stale.dirs) | set(held.dirs) <= removed and not removed & set(live.dirs)
        assert all(d.is_dir() for d in live.dirs) and not any(d.exists() for d in held.dirs)
        assert sleeper.wait(timeout=10) == -signal.SIGKILL  # the left-behind process was killed
    finally:
        sleeper.kill()
        sleeper.wait()
        assert live.remove()


# --- the launcher ----------------------------------------------------------------------------------


def test_the_launcher_joins_the_cgroup_before_it_execs(tmp_path: Path) -> None:
    procs = [tmp_path / "memory.procs", tmp_path / "pids.procs"]
    for path in procs:
        path.touch()
    done = subprocess.run([*keyring_prefix(procs), "/bin/sh", "-c", "echo $$"], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert [p.read_text() for p in procs] == [done.stdout.strip()] * 2  # exec keeps the pid


def test_the_launcher_refuses_to_start_outside_its_cgroup(tmp_path: Path) -> None:
    missing = tmp_path / "gone" / "cgroup.procs"
    done = subprocess.run([*keyring_prefix([missing]), "/bin/echo", "started"], capture_output=True, text=True)
    assert done.returncode == 126 and done.stdout == ""
    assert f"cannot join the sandbox's cgroup ({missing})" in done.stderr


def test_with_cgroup_adds_the_cgroup_once() -> None:
    procs = [Path("/cg/cgroup.procs")]
    argv = [*keyring_prefix(), "/usr/bin/bwrap", "--"]
    joined = with_cgroup(argv, procs)
    assert joined == [*keyring_prefix(procs), "/usr/bin/bwrap", "--"]
    assert with_cgroup(joined, procs) == joined
    assert with_cgroup(argv, []) == argv
    with pytest.raises(ValueError, match="does not start with the keyring launcher"):
        with_cgroup(["/usr/bin/bwrap"], procs)


# --- detection and the v2 backend on a fake hierarchy ----------------------------------------------


def test_a_hybrid_machine_gets_the_v1_backend(tmp_path: Path) -> None:
    proc = tmp_path / "proc"
    proc.mkdir()
    (proc / "cgroup").write_text(HYBRID_CGROUP)
    (proc / "mountinfo").write_text(HYBRID_MOUNTS)
    assert find_backend(proc) == V1Backend(
        Path("/sys/fs/cgroup/memory/process_api/abc"), Path("/sys/fs/cgroup/pids")
    )
    assert parse_proc_cgroup(HYBRID_CGROUP)[""] == PurePosixPath("/")
    assert parse_mountinfo(HYBRID_MOUNTS)[""] == (PurePosixPath("/"), Path("/sys/fs/cgroup/unified"))


def _fake_v2(tmp_path: Path, subtree: str) -> tuple[Path, Path]:
    """/proc/self and a v2 hierarchy mounted at tmp/cgroup, this process in /user/grader.scope."""
    mount, proc = tmp_path / "cgroup", tmp_path / "proc"
    own = mount / "user" / "grader.scope"
    own.mkdir(parents=True)
    proc.mkdir()
    (proc / "cgroup").write_text("0::/user/grader.scope\n")
    (proc / "mountinfo").write_text(f"30 23 0:26 / {mount} rw - cgroup2 cgroup2 rw,nsdelegate\n")
    (own / "cgroup.controllers").write_text("cpu io memory pids\n")
    (own / "cgroup.subtree_control").write_text(subtree)
    (own / "cgroup.procs").write_text(f"{os.getpid()}\n")
    return proc, own


def test_v2_uses_a_cgroup_that_already_hands_memory_and_pids_to_children(tmp_path: Path) -> None:
    proc, own = _fake_v2(tmp_path, "memory pids\n")
    assert find_backend(proc) == V2Backend(own)


def test_v2_moves_the_grader_into_a_leaf_and_delegates_its_own_cgroup(tmp_path: Path) -> None:
    proc, own = _fake_v2(tmp_path, "")
    assert find_backend(proc) == V2Backend(own)
    (leaf,) = own.glob(f"grader-main-{owner_tag()}-*")
    assert (leaf / "cgroup.procs").read_text() == str(os.getpid())
    assert (own / "cgroup.subtree_control").read_text() == "+memory +pids"


def test_v2_without_the_controllers_says_why(tmp_path: Path) -> None:
    proc, own = _fake_v2(tmp_path, "")
    (own / "cgroup.controllers").write_text("cpu io\n")
    assert find_backend(proc) == f"cgroup v2: the controllers ['memory', 'pids'] are not available in {own}"


def test_v2_writes_memory_swap_oom_group_and_pids_and_reads_the_counters(tmp_path: Path) -> None:
    folder = tmp_path / "grader-sbx-1.2-abcd"
    folder.mkdir()
    for name in ("memory.max", "memory.swap.max", "memory.oom.group", "pids.max", "cgroup.procs"):
        (folder / name).write_text("max\n")
    (folder / "memory.events").write_text("low 0\nhigh 0\nmax 9\noom 2\noom_kill 2\noom_group_kill 1\n")
    (folder / "memory.peak").write_text("1342177280\n")
    (folder / "pids.events").write_text("max 7\n")
    made = V2Backend(tmp_path).apply(SandboxCgroup("v2", (folder,), 1280 * 2**20, 64))
    written = {name: (folder / name).read_text() for name in ("memory.max", "memory.swap.max", "memory.oom.group", "pids.max")}
    assert written == {"memory.max": str(1280 * 2**20), "memory.swap.max": "0", "memory.oom.group": "1", "pids.max": "64"}
    assert made.procs == (folder / "cgroup.procs",) and made.swap_counted
    usage = made.usage()
    assert (usage.oom_kills, usage.peak_bytes, usage.pids_refused) == (2, 1342177280, 7)
    assert made.describe().startswith("cgroup v2: memory and swap 1280 MiB and 64 processes and threads")


def test_v2_without_swap_accounting_says_swap_is_not_counted(tmp_path: Path) -> None:
    folder = tmp_path / "grader-sbx-1.2-abcd"
    folder.mkdir()
    made = V2Backend(tmp_path).apply(SandboxCgroup("v2", (folder,), 2**30, 8))
    assert not made.swap_counted and "memory (swap not counted) 1024 MiB" in made.describe()


# --- the rootless form ------------------------------------------------------------------------------


@pytest.mark.kernel
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to stage the grader under other uids")
def test_rootless_form_as_root_holds_the_sandbox_in_a_cgroup(shared_tmp: Path) -> None:  # noqa: F811
    backend = _machine_backend()
    alice = shared_tmp / "alice"
    alice.mkdir()
    overrides = {"sandbox_form": "rootless", "memory_mb": 1024}
    record, _ = _grade_elsewhere("fork_memory_hogs", alice, overrides, {}, shared_tmp)
    assert record.status is ExecStatus.LIMIT and f"(cgroup {backend.name}" in record.reason, record.reason
    assert record.limits["cgroup"].startswith(f"cgroup {backend.name}: memory and swap 1280 MiB")


@pytest.mark.kernel
@pytest.mark.skipif(os.geteuid() != 0, reason="needs root to stage the grader under other uids")
def test_without_root_per_process_limits_are_recorded_and_the_disk_is_watched(shared_tmp: Path) -> None:  # noqa: F811
    """A TA without root and without a delegated cgroup: the record says per-process limits only, and the
    plain work dir, over disk_mb, gets the kernel stopped (before: 960 MiB written under disk_mb 128)."""
    _, alice = _ta_home(shared_tmp)
    started = time.monotonic()
    record, _ = _grade_elsewhere("fill_the_disk", alice, {"disk_mb": 128}, {}, shared_tmp, as_uid=60090)
    assert record.status is ExecStatus.LIMIT, record.reason
    assert "over the disk limit of 128 MiB" in record.reason and "so nothing after it ran" in record.reason
    assert record.limits["cgroup"].startswith("none: per-process limits only (")
    assert record.limits["disk"].startswith("128 MiB (plain work dir, measured by the grader while")
    assert sum(p.stat().st_size for p in alice.rglob("*") if p.is_file()) <= 128 * 2**20
    assert time.monotonic() - started < 60


def test_disk_usage_counts_allocated_blocks_without_following_links(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "data.bin").write_bytes(b"x" * 2**20)
    with open(tmp_path / "sparse.bin", "wb") as sparse:
        sparse.truncate(2**30)
    (tmp_path / "link").symlink_to("/usr")
    used, entries = disk_usage(tmp_path)
    assert 2**20 <= used < 2**20 + 64 * 1024 and entries == 4


def _uid(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("Uid:"):
            return int(line.split()[1])
    raise AssertionError(f"no Uid line for pid {pid}")
