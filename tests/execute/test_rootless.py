"""The rootless sandbox form (a TA without root, e.g. on a SLURM node): the same walls, built the other way.

As root the form drops to the slot's uid first and then runs an unprivileged bwrap in a new user namespace;
without root (a grader process started here under another uid) it stays the grader's user. Each test runs
a hostile notebook for real, in a grader subprocess.

Both need a Python the unprivileged uid can read. On this kind of machine the interpreter lives under
/root (mode 0700), as no cluster's would, so the subprocess runs in a private mount namespace in which the
private directories on the way to the interpreter and the checkout are replaced by world-readable views of
just those paths (``_expose``): the host is untouched, and the grader sees what a cluster node shows it.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import pytest

from grader.errors import SandboxError
from grader.execute import ExecStatus, ExecutionRecord, sandbox_available
from grader.execute._sandbox import PythonInstall, SandboxSpec, Tools, _check_reachable, _first_private_dir
from grader.execute._workdir import remove_tree

from .conftest import (
    HOSTILE,
    QUICK,
    REPO,
    accepted_connections,
    host_unix_listener,
    probe_results,
    quick_config,
    run,
)

pytestmark = [
    pytest.mark.kernel,
    pytest.mark.skipif(os.geteuid() != 0, reason="needs root to stage the grader under other uids"),
]

TA_UID = 60090  # the "teaching assistant" of the no-root test: not root, not a slot uid
SLOT_UID = QUICK.get("uid_base", 60000)

_GRADE = """
import json, sys
from pathlib import Path
import nbformat
from grader.execute import ExecutionConfig, run_notebook, sandbox_available
print(json.dumps(sandbox_available("root")), flush=True)
nb = nbformat.read(sys.argv[1], as_version=4)
_, record = run_notebook(nb, workdir=Path(sys.argv[2]), config=ExecutionConfig(**json.loads(sys.argv[3])),
                         env=json.loads(sys.argv[4]))
print(record.model_dump_json())
"""


@pytest.fixture(autouse=True)
def rootless() -> None:
    available, why = sandbox_available("rootless")
    if not available:
        pytest.skip(f"rootless sandbox unavailable here: {why}")


def _expose(paths: list[Path], uid: int, staging: Path) -> list[str]:
    """Shell lines (run as root in a private mount namespace) that let ``uid`` reach ``paths``: each
    private directory on the way becomes a 0755 tmpfs holding bind mounts of just the children needed."""
    children: dict[Path, set[str]] = {}
    for path in paths:
        blocked = _first_private_dir(path, uid)
        if blocked is not None:
            children.setdefault(blocked, set()).add(path.relative_to(blocked).parts[0])
    lines = []
    for i, (directory, names) in enumerate(sorted(children.items())):
        for name in sorted(names):
            keep = staging / f"{i}-{name}"
            keep.mkdir(parents=True, exist_ok=True)
            lines.append(f"mount --bind {shlex.quote(str(directory / name))} {shlex.quote(str(keep))}")
        lines.append(f"mount -t tmpfs -o mode=0755 tmpfs {shlex.quote(str(directory))}")
        for name in sorted(names):
            target = shlex.quote(str(directory / name))
            lines += [f"mkdir {target}", f"mount --bind {shlex.quote(str(staging / f'{i}-{name}'))} {target}"]
    return lines


def _grade_elsewhere(
    notebook: str,
    workdir: Path,
    overrides: Mapping[str, Any],
    env: Mapping[str, str],
    staging: Path,
    *,
    as_uid: int | None = None,
) -> tuple[ExecutionRecord, tuple[bool, str]]:
    """Run ``notebook`` through ``run_notebook`` in a grader subprocess (as ``as_uid`` if given) on a
    private mount namespace where the Python and the checkout are readable by the unprivileged uid."""
    reader = as_uid if as_uid is not None else SLOT_UID
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).parent, REPO]
    lines = ["set -e", *_expose(paths, reader, staging / "exposed")]
    drop = f"setpriv --reuid={as_uid} --regid={as_uid} --clear-groups -- " if as_uid is not None else ""
    config = json.dumps(QUICK | dict(overrides))
    argv = [sys.executable, "-c", _GRADE, str(HOSTILE / f"{notebook}.ipynb"), str(workdir), config, json.dumps(env)]
    lines.append(f"exec {drop}{shlex.join(argv)}")
    home = str(workdir.parent)
    environment = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "TMPDIR": home}
    done = subprocess.run(
        ["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "\n".join(lines)],
        capture_output=True, text=True, env=environment, timeout=300, check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    root_form, record = done.stdout.strip().splitlines()[-2:]
    available, why = json.loads(root_form)
    return ExecutionRecord.model_validate_json(record), (available, why)


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A world-enterable directory (pytest's own tmp dir is root-only), removed afterwards."""
    base = Path(tempfile.mkdtemp(prefix="grader-rootless-"))
    base.chmod(0o755)
    try:
        yield base
    finally:
        remove_tree(base)  # shutil.rmtree recurses: the litter test leaves 1,500 nested directories


def test_rootless_form_as_root_runs_the_slot_uid_behind_the_same_walls(shared_tmp: Path) -> None:
    secret = shared_tmp / "answer-key" / "answers.txt"
    secret.parent.mkdir()
    secret.write_text("3.1: Incorrect")
    alice = shared_tmp / "alice"
    alice.mkdir()
    env = {"SECRET_PATH": str(secret), "REPO_ROOT": str(REPO)}
    record, _ = _grade_elsewhere("read_secret_outside_workdir", alice, {"sandbox_form": "rootless"}, env, shared_tmp)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK and record.sandboxed, record.reason
    assert found["secret"]["error"] == "FileNotFoundError"
    assert not found["rubrics"]["ok"] and not found["reference"]["ok"]
    assert max(found["proc_pids"]["value"]) < 50
    assert found["uid"]["value"] == [SLOT_UID, SLOT_UID, SLOT_UID, []]
    assert found["cwd"]["value"] == "/home/student"
    assert record.limits["sandbox"].startswith("rootless: the slot's uid")
    assert record.limits["disk"] == f"{QUICK['disk_mb']} MiB (work dir tmpfs)"


def test_rootless_form_blocks_nested_user_namespaces_and_the_network(shared_tmp: Path) -> None:
    alice = shared_tmp / "alice"
    alice.mkdir()
    record, _ = _grade_elsewhere("nested_namespaces", alice, {"sandbox_form": "rootless"}, {}, shared_tmp)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK, record.reason
    assert not found["user_namespace"]["ok"] and not found["user_namespace_in_child"]["ok"], found
    (alice / "probe.json").unlink()
    env = {"LISTENER_PORT": "9"}
    record, _ = _grade_elsewhere("connect_to_host_socket", alice, {"sandbox_form": "rootless"}, env, shared_tmp)
    found = probe_results(alice)
    assert found["loopback"]["error"] == "ConnectionRefusedError" and found["dns"]["error"] == "gaierror"
    assert found["interfaces"]["value"] == ["lo"]


def test_rootless_form_never_follows_a_swapped_kernel_socket(shared_tmp: Path) -> None:
    alice = shared_tmp / "alice"
    alice.mkdir()
    host = shared_tmp / "host.sock"
    with host_unix_listener(host) as listener:
        record, _ = _grade_elsewhere(
            "swap_sockets_for_host_socket", alice, {"sandbox_form": "rootless"}, {"HOST_SOCKET": str(host)}, shared_tmp
        )
        followed = accepted_connections(listener)
    assert len(probe_results(alice)["swapped"]["value"]) == 5
    assert record.status is ExecStatus.DEAD_KERNEL, record.reason
    assert followed == 0


def test_rootless_form_pid1_carries_no_grader_environment(shared_tmp: Path) -> None:
    """PID 1 of the sandbox is bwrap itself, as the kernel's uid: its environ must be empty."""
    alice = shared_tmp / "alice"
    alice.mkdir()
    record, _ = _grade_elsewhere("read_pid1_environ", alice, {"sandbox_form": "rootless"}, {}, shared_tmp)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK, record.reason
    assert found["pid1_environ"]["value"] == [""], found  # readable, and empty
    assert "JPY_PARENT_PID" not in found["own_environ"]["value"]


def test_rootless_form_keeps_the_process_and_memory_limits(shared_tmp: Path) -> None:
    alice = shared_tmp / "alice"
    alice.mkdir()
    overrides = {"sandbox_form": "rootless", "max_processes": 64}
    record, _ = _grade_elsewhere("fork_bomb", alice, overrides, {}, shared_tmp)
    assert record.status is ExecStatus.LIMIT and "process limit 64" in record.reason, record.reason
    record, _ = _grade_elsewhere("memory_hog", alice, {"sandbox_form": "rootless", "memory_mb": 1024}, {}, shared_tmp)
    assert record.reason == "cell 0 hit the memory limit 1024 MiB (MemoryError)"


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="probe numbers: x86_64, aarch64")
def test_rootless_form_refuses_the_same_calls_under_the_seccomp_filter(shared_tmp: Path) -> None:
    """The user namespace already stops mounts and new namespaces here; ptrace, keyctl, perf_event_open,
    userfaultfd and io_uring worked before the filter."""
    alice = shared_tmp / "alice"
    alice.mkdir()
    overrides = {"sandbox_form": "rootless", "cell_timeout_s": 120}
    record, _ = _grade_elsewhere("privileged_syscalls", alice, overrides, {}, shared_tmp)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK, record.reason
    denied = ("network_namespace", "mount", "setns", "ptrace", "bpf", "keyctl", "perf_event_open",
              "userfaultfd", "io_uring")  # fmt: skip
    assert {name: found[name]["ok"] for name in denied} == dict.fromkeys(denied, False), found
    assert all("Operation not permitted" in found[name]["message"] for name in denied), found
    assert found["clone3"]["value"] == "ENOSYS" and found["seccomp"]["value"][0] == "2"  # filter mode
    assert record.limits["syscalls"].startswith(f"seccomp ({os.uname().machine})")


def test_rootless_form_still_runs_pools_threads_and_dataloader_workers(shared_tmp: Path) -> None:
    alice = shared_tmp / "alice"
    alice.mkdir()
    overrides = {"sandbox_form": "rootless", "memory_mb": 4096, "cell_timeout_s": 120}
    record, _ = _grade_elsewhere("process_and_thread_pools", alice, overrides, {}, shared_tmp)
    assert record.status is ExecStatus.OK, record.reason
    assert (alice / "result.txt").read_text() == "9 [3, 4] 1"


def _ta_home(shared_tmp: Path) -> tuple[Path, Path]:
    """The TA's $TMPDIR and a submission's work dir in it, both owned by the TA's uid."""
    home = shared_tmp / "ta"
    alice = home / "alice"
    alice.mkdir(parents=True)
    for path in (home, alice):
        os.chown(path, TA_UID, TA_UID)
    return home, alice


def test_a_grader_without_root_sandboxes_as_itself(shared_tmp: Path) -> None:
    key = shared_tmp / "answer-key"
    key.mkdir(mode=0o755)
    (key / "answers.txt").write_text("3.1: Incorrect")
    (key / "answers.txt").chmod(0o644)  # readable by the TA's uid: only the sandbox keeps it away
    _, alice = _ta_home(shared_tmp)
    env = {"SECRET_PATH": str(key / "answers.txt"), "REPO_ROOT": str(REPO)}
    record, root_form = _grade_elsewhere(
        "read_secret_outside_workdir", alice, {}, env, shared_tmp, as_uid=TA_UID
    )
    found = probe_results(alice)
    assert root_form[0] is False and "needs root" in root_form[1]  # so 'auto' chose the rootless form
    assert record.status is ExecStatus.OK and record.sandboxed, record.reason
    assert found["secret"]["error"] == "FileNotFoundError"
    assert found["uid"]["value"] == [TA_UID, TA_UID, TA_UID, []]
    assert found["passwd"]["value"] == f"student:x:{TA_UID}:{TA_UID}::/home/student:/bin/sh\n"
    assert max(found["proc_pids"]["value"]) < 50
    assert record.limits["sandbox"].startswith("rootless: the grader's own uid")
    assert record.limits["disk"].startswith(f"{QUICK['disk_mb']} MiB (plain work dir, measured by the grader")


def test_an_unreachable_python_is_refused_with_the_directory_that_blocks_it(
    shared_tmp: Path, tmp_path: Path
) -> None:
    """As root, the rootless form checks that the slot's uid can reach every bind source itself."""
    private = shared_tmp / "private"
    (private / "python").mkdir(parents=True)
    private.chmod(0o700)
    assert _first_private_dir(private / "python", SLOT_UID) == private
    assert _first_private_dir(Path("/usr/bin"), SLOT_UID) is None
    link = shared_tmp / "python-link"  # a public path that leads into the private directory
    link.symlink_to(private / "python")
    spec = SandboxSpec(
        tools=Tools("/usr/bin/bwrap", "/usr/bin/setpriv", "/usr/bin/prlimit"),
        python=PythonInstall(Path("/usr/bin/python3"), (link,)),
        uid=SLOT_UID, live_dir=shared_tmp, conn_dir=shared_tmp, etc_dir=shared_tmp,
        env={}, rlimits=(), tmp_bytes=1024, form="rootless",
    )
    with pytest.raises(SandboxError, match=rf"cannot reach {link}: {private} is mode 700"):
        _check_reachable(spec)
    if _first_private_dir(Path(sys.base_prefix), SLOT_UID) is None:
        pytest.skip(f"{sys.base_prefix} is readable by uid {SLOT_UID} here, so nothing is refused")
    with pytest.raises(SandboxError, match=rf"uid {SLOT_UID} cannot reach .*: .* is mode 7"):
        run("control_well_behaved", tmp_path, quick_config(sandbox_form="rootless"))


def test_without_root_locked_and_deep_litter_is_removed_after_the_run(shared_tmp: Path) -> None:
    """The plain work dir of a grader without root: a read-only directory and 1,500 nested ones are
    deleted with the run directory (the grader owns them and unlocks them first)."""
    home, alice = _ta_home(shared_tmp)
    record, _ = _grade_elsewhere("litter_the_work_dir", alice, {}, {}, shared_tmp, as_uid=TA_UID)
    assert record.status is ExecStatus.OK and record.sandboxed, record.reason
    assert (alice / "kept.txt").read_text() == "kept"
    assert sorted(p.name for p in home.iterdir()) == ["alice"]  # no grader-run-* left in $TMPDIR
