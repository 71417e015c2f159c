"""Hostile notebooks: each test asserts what was observed, and that the batch goes on afterwards."""

from __future__ import annotations

import os
import socket
import stat
import subprocess
import threading
import time
from pathlib import Path

import nbformat
import pytest

from grader.execute import ExecStatus
from grader.execute._client import TRUNCATION_MARKER, output_size

from .conftest import (
    REPO,
    accepted_connections,
    assert_batch_survives,
    host_unix_listener,
    load,
    probe_results,
    quick_config,
    run,
    stream_text,
)

pytestmark = [pytest.mark.kernel, pytest.mark.usefixtures("sandbox")]


def test_secret_outside_the_work_dir_is_invisible(alice: Path, tmp_path: Path) -> None:
    secret = tmp_path / "answer-key" / "answers.txt"
    secret.parent.mkdir()
    secret.write_text("3.1: Incorrect")
    env = {"SECRET_PATH": str(secret), "REPO_ROOT": str(REPO)}
    _, record = run("read_secret_outside_workdir", alice, env=env)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK and record.sandboxed
    assert found["secret"]["error"] == "FileNotFoundError"
    assert not found["secret_dir"]["ok"]
    assert not found["rubrics"]["ok"] and not found["reference"]["ok"]
    assert set(found["repo_listing"].get("value", [])) <= {".venv"}
    assert set(found["root_listing"].get("value", [])) <= {".pyenv"}
    own_tmp = {name for name in found["host_tmp"]["value"] if not name.startswith("grader-run-")}
    # the sandbox's /tmp, not the host's (plus the empty parent of the venv when the repo lives under /tmp)
    venv_parent = {REPO.parts[2]} if REPO.parts[1] == "tmp" else set()
    assert own_tmp <= {"ipython", "matplotlib", "cache"} | venv_parent
    assert max(found["proc_pids"]["value"]) < 50  # its own pid namespace
    assert found["passwd"]["value"] == "student:x:60000:60000::/home/student:/bin/sh\n"
    assert found["uid"]["value"] == [60000, 60000, 60000, []]
    assert found["cwd"]["value"] == "/home/student"
    assert_batch_survives(tmp_path)


def test_no_network_not_even_loopback(alice: Path, tmp_path: Path) -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        listener.setblocking(False)
        env = {"LISTENER_PORT": str(listener.getsockname()[1])}
        _, record = run("connect_to_host_socket", alice, env=env)
        with pytest.raises(BlockingIOError):
            listener.accept()
    found = probe_results(alice)
    assert record.status is ExecStatus.OK
    assert found["loopback"]["error"] == "ConnectionRefusedError"
    assert found["dns"]["error"] == "gaierror"
    assert found["interfaces"]["value"] == ["lo"]
    assert_batch_survives(tmp_path)


def test_swapping_the_kernel_sockets_for_a_host_socket_is_never_followed(alice: Path, tmp_path: Path) -> None:
    """The connection dir is the kernel's; the grader connects only through sockets it pinned at start."""
    with host_unix_listener(tmp_path / "host.sock") as listener:
        _, record = run("swap_sockets_for_host_socket", alice, env={"HOST_SOCKET": str(tmp_path / "host.sock")})
        time.sleep(0.5)  # reconnects come every 100 ms while the grader still holds its sockets
        followed = accepted_connections(listener)
    found = probe_results(alice)
    assert len(found["swapped"]["value"]) == 5, found  # all five channels now point at the host socket
    assert record.status is ExecStatus.DEAD_KERNEL and "died during cell 2" in record.reason
    assert followed == 0
    assert_batch_survives(tmp_path)


def test_pid1_of_the_sandbox_shows_no_grader_environment(alice: Path, tmp_path: Path) -> None:
    _, record = run("read_pid1_environ", alice)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK, record.reason
    pid1 = found["pid1_environ"]
    assert not pid1["ok"] or pid1["value"] == [""], pid1  # root-owned (unreadable) or empty
    assert "JPY_PARENT_PID" not in found["own_environ"]["value"]


def test_one_huge_message_is_refused_unread_and_ends_the_run(alice: Path, tmp_path: Path) -> None:
    """Over execution.max_message_mib, ZeroMQ drops the message before the grader reads it (it used to be
    read whole, 2.6 GiB of grader memory for one 900 MiB display message), and the run ends with the reason."""
    executed, record = run("one_huge_message", alice, quick_config(max_message_mib=4))
    assert record.status is ExecStatus.CELL_ERROR, record.reason
    assert "cell 1 sent a message larger than 4 MiB (execution.max_message_mib)" in record.reason
    assert record.failure is not None and record.failure.cell_index == 1
    assert "before" in stream_text(executed.cells[0]) and executed.cells[2].outputs == []
    assert_batch_survives(tmp_path)


def test_endless_loop_is_interrupted_and_later_cells_still_count(alice: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    nb, record = run("endless_loop", alice, quick_config(cell_timeout_s=3))
    assert time.monotonic() - started < 15
    assert record.status is ExecStatus.TIMEOUT
    assert record.reason.startswith("cell 0 exceeded 3 s")
    assert record.cell_errors == (0,)
    assert record.failure is not None and record.failure.ename == "TimeoutError"
    assert record.kernel_exit_code is None
    assert "pen and paper still counts" in stream_text(nb.cells[1])
    assert_batch_survives(tmp_path)


def test_sleeping_through_the_timeout_is_interrupted(alice: Path, tmp_path: Path) -> None:
    nb, record = run("sleep_through_timeout", alice, quick_config(cell_timeout_s=3))
    assert record.status is ExecStatus.TIMEOUT
    assert "cell 0 exceeded 3 s" in record.reason
    assert "after the sleep" in stream_text(nb.cells[1])
    assert_batch_survives(tmp_path)


def test_ignoring_the_interrupt_gets_the_kernel_killed(alice: Path, tmp_path: Path) -> None:
    started = time.monotonic()
    nb, record = run("ignore_interrupt", alice, quick_config(cell_timeout_s=3))
    assert time.monotonic() - started < 20
    assert record.status is ExecStatus.TIMEOUT
    assert "did not stop when interrupted; the kernel was killed" in record.reason
    assert nb.cells[1].outputs == []
    assert not record.epilogue_ran
    assert_batch_survives(tmp_path)


def test_cpu_time_limit_kills_the_kernel(alice: Path, tmp_path: Path) -> None:
    nb, record = run("endless_loop", alice, quick_config(cpu_time_s=3, cell_timeout_s=60))
    assert record.status is ExecStatus.LIMIT
    assert record.kernel_exit_code == 152  # 128 + SIGXCPU
    assert "kernel killed: CPU time limit 3 s" in record.reason
    assert nb.cells[1].outputs == []
    assert_batch_survives(tmp_path)


def test_fork_bomb_is_stopped_by_the_process_limit(alice: Path, tmp_path: Path) -> None:
    nb, record = run("fork_bomb", alice, quick_config(max_processes=64))
    assert record.status is ExecStatus.LIMIT
    assert "process limit 64" in record.reason
    assert record.failure is not None and record.failure.ename == "BlockingIOError"
    forks = int(stream_text(nb.cells[1]).split()[-2])
    assert 0 < forks < 64
    assert_batch_survives(tmp_path)


@pytest.mark.slow
def test_fork_bomb_in_one_slot_does_not_starve_another(tmp_path: Path) -> None:
    bomb = nbformat.v4.new_notebook()
    bomb.cells = [nbformat.v4.new_code_cell(src) for src in _HOLD_FORKS]
    (tmp_path / "bomb").mkdir()
    holder = threading.Thread(target=run, args=(bomb, tmp_path / "bomb"), kwargs={"slot": 0})
    holder.start()
    time.sleep(3)
    assert holder.is_alive()
    assert_batch_survives(tmp_path, slot=1)
    holder.join()


_HOLD_FORKS = [
    "import os, time\ntry:\n    while True:\n        if os.fork() == 0:\n            time.sleep(60)\n            os._exit(0)\n"
    "except BlockingIOError:\n    pass",
    "time.sleep(8)",
]


def test_memory_hog_gets_memory_error_and_the_kernel_lives(alice: Path, tmp_path: Path) -> None:
    nb, record = run("memory_hog", alice, quick_config(memory_mb=1024))
    assert record.status is ExecStatus.LIMIT
    assert record.reason == "cell 0 hit the memory limit 1024 MiB (MemoryError)"
    assert "kernel alive, held" in stream_text(nb.cells[1])
    assert record.limits["memory"] == "1024 MiB (RLIMIT_AS)"
    assert_batch_survives(tmp_path)


def test_huge_file_hits_the_file_size_limit_then_the_disk_cap(alice: Path, tmp_path: Path) -> None:
    nb, record = run("huge_file", alice, quick_config(max_file_size_mb=64, disk_mb=128))
    assert record.status is ExecStatus.LIMIT
    assert "file size limit 64 MiB (File too large)" in record.reason
    assert record.cell_errors == (0, 1)
    assert record.failure is not None and "File too large" in record.failure.evalue
    assert "No space left on device" in nb.cells[1].outputs[-1].evalue
    assert "kernel alive" in stream_text(nb.cells[2])
    copied = sum(p.stat().st_size for p in alice.rglob("*") if p.is_file())
    assert copied <= 128 * 2**20
    assert_batch_survives(tmp_path)


def test_output_flood_is_capped_with_a_visible_marker(alice: Path, tmp_path: Path) -> None:
    nb, record = run("output_flood", alice, quick_config(max_cell_output_kib=256, memory_mb=4096))
    assert record.status is ExecStatus.OK
    assert record.output_truncated
    stored = sum(output_size(out) for out in nb.cells[0].outputs)
    assert stored <= 256 * 1024 + 200
    assert TRUNCATION_MARKER in stream_text(nb.cells[0])
    assert stream_text(nb.cells[1]) == "small output after the flood\n"
    assert_batch_survives(tmp_path)


def test_exiting_kernel_is_dead_and_nothing_runs_after(alice: Path, tmp_path: Path) -> None:
    nb = _with_epilogue(run_name="exit_kernel")
    calls: list[Path] = []
    executed, record = run(nb, alice, before_epilogue=calls.append)
    assert record.status is ExecStatus.DEAD_KERNEL
    assert record.kernel_exit_code == 3
    assert "exited with code 3" in record.reason and "died during cell 1" in record.reason
    assert record.cell_errors == (1,)
    assert executed.cells[2].outputs == [] and executed.cells[3].outputs == []
    assert calls == [] and not record.epilogue_ran
    assert_batch_survives(tmp_path)


def test_killing_the_parent_and_everyone_leaves_the_grader_and_host_alone(
    alice: Path, tmp_path: Path
) -> None:
    uid = str(quick_config().uid_base)
    bystander = subprocess.Popen(
        ["setpriv", f"--reuid={uid}", f"--regid={uid}", "--clear-groups", "sleep", "60"]
    )
    try:
        env = {"GRADER_PID": str(os.getpid())}
        nb, record = run("kill_parent", alice, env=env)
        found = probe_results(alice)
        assert found["parent"]["error"] == "PermissionError"
        assert found["grader"]["error"] == "ProcessLookupError"
        assert "kernel survived" in stream_text(nb.cells[2])
        assert record.status is ExecStatus.OK
        assert bystander.poll() is None  # same uid on the host, other pid namespace: untouched
    finally:
        bystander.kill()
        bystander.wait()
    assert_batch_survives(tmp_path)


def test_writes_outside_the_work_dir_fail(alice: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    venv = Path(os.environ.get("VIRTUAL_ENV", REPO / ".venv"))
    _, record = run("write_outside_workdir", alice, env={"OUTSIDE_DIR": str(outside), "VENV": str(venv)})
    found = probe_results(alice)
    refused = {
        name: result for name, result in found.items() if name.startswith("/") and name != "/tmp/inside"
    }
    assert refused and not any(result["ok"] for result in refused.values()), refused
    assert found["/tmp/inside"]["ok"]  # its own /tmp, gone with the sandbox
    assert not found["chmod_usr"]["ok"]
    assert not Path("/tmp/pwned-inside-sandbox").exists()
    assert not (outside / "pwned").exists() and not (venv / "pwned").exists()
    assert record.status is ExecStatus.OK
    assert_batch_survives(tmp_path)


def test_sibling_submission_is_out_of_reach(alice: Path, tmp_path: Path) -> None:
    bob = alice.parent / "bob"
    _, record = run("tamper_sibling_submission", alice, env={"SIBLING_DIR": str(bob)})
    found = probe_results(alice)
    assert found["parent_listing"]["value"] == ["student"]
    assert not found["relative"]["ok"] and not found["absolute"]["ok"] and not found["remove"]["ok"]
    assert (bob / "submission.ipynb").read_text() == '{"bob": "original"}'
    assert record.status is ExecStatus.OK
    assert_batch_survives(tmp_path)


def test_grader_and_reference_are_not_importable(alice: Path, tmp_path: Path) -> None:
    import grader
    import reference

    assert grader.__file__ and reference.__file__  # importable here, so the check below means something
    _, record = run("import_grader_package", alice)
    found = probe_results(alice)
    assert found["grader"]["error"] == "ModuleNotFoundError"
    assert found["reference"]["error"] == "ModuleNotFoundError"
    repo_paths = [p for p in found["sys_path"]["value"] if p.startswith(str(REPO))]
    assert all(p.startswith(str(REPO / ".venv")) for p in repo_paths)
    assert record.status is ExecStatus.OK
    assert_batch_survives(tmp_path)


def test_copy_back_never_follows_links_or_special_files(alice: Path, tmp_path: Path) -> None:
    _, record = run("escape_via_copy_back", alice)
    assert record.status is ExecStatus.OK
    assert (alice / "deep" / "er" / "ok.txt").read_text() == "kept"
    assert not (alice / "grader_record.json").exists()
    assert not (alice / "rootlink").exists() and not (alice / "pipe").exists()
    assert record.files_not_copied == 3
    for path in alice.rglob("*"):
        assert not path.is_symlink() and (path.is_dir() or stat.S_ISREG(path.lstat().st_mode))
    assert_batch_survives(tmp_path)


def test_notebook_wall_time_stops_the_run_before_the_epilogue(alice: Path, tmp_path: Path) -> None:
    calls: list[Path] = []
    started = time.monotonic()
    nb, record = run("slow_cells", alice, quick_config(notebook_timeout_s=5), before_epilogue=calls.append)
    assert time.monotonic() - started < 15
    assert record.status is ExecStatus.TIMEOUT
    assert "exceeded its wall time of 5 s" in record.reason
    assert calls == [] and not record.epilogue_ran
    assert nb.cells[4].outputs == []
    assert_batch_survives(tmp_path)


def _with_epilogue(run_name: str) -> nbformat.NotebookNode:
    """The fixture notebook plus a grader-epilogue cell at the end."""
    nb = load(run_name)
    cell = nbformat.v4.new_code_cell("open('grader_record.json', 'w').write('{}')")
    cell.metadata["tags"] = ["grader-epilogue"]
    nb.cells.append(cell)
    return nb


def test_deep_and_locked_litter_is_copied_back_and_cleaned_up(alice: Path, tmp_path: Path) -> None:
    """1,500 nested directories (deeper than Python's recursion limit) and a directory made read-only:
    the run is recorded, what fits is copied back, and no run directory is left behind."""
    from grader.execute._workdir import remove_tree

    before = set(Path("/tmp").glob("grader-run-*"))
    try:
        nb, record = run("litter_the_work_dir", alice)
        assert record.status is ExecStatus.OK, record.reason
        assert "littered" in stream_text(nb.cells[0])
        assert (alice / "kept.txt").read_text() == "kept"
        assert len(list((alice / "locked").iterdir())) == 200
        assert set(Path("/tmp").glob("grader-run-*")) <= before
    finally:
        remove_tree(alice / "d")  # pytest's own clean-up (shutil.rmtree) would recurse 1,500 levels
    assert_batch_survives(tmp_path)


_DENIED = ("network_namespace", "mount", "setns", "ptrace", "bpf", "keyctl", "perf_event_open", "userfaultfd",
           "io_uring")


def test_nested_user_namespaces_are_refused_in_the_root_form(alice: Path, tmp_path: Path) -> None:
    """``unshare -Ur`` used to give the slot's uid uid 0 and every capability in a new user namespace."""
    _, record = run("nested_namespaces", alice)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK and record.limits["sandbox"].startswith("root:"), record.reason
    assert found["user_namespace_in_child"]["error"] == "CalledProcessError", found  # it printed 0
    refused = {"ok": False, "error": "PermissionError", "message": "[Errno 1] Operation not permitted"}
    assert found["user_namespace"] == refused, found  # EINVAL before: the kernel has threads
    assert_batch_survives(tmp_path)


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="probe numbers: x86_64, aarch64")
def test_namespace_mount_trace_and_kernel_interfaces_are_refused(alice: Path, tmp_path: Path) -> None:
    """Each call class the seccomp filter denies, tried the way a notebook could (namespaces and mounts
    inside a fresh user namespace): EPERM every time, clone3 ENOSYS, and the kernel lives on."""
    _, record = run("privileged_syscalls", alice, quick_config(cell_timeout_s=120))  # 10 fresh interpreters
    found = probe_results(alice)
    assert record.status is ExecStatus.OK, record.reason
    assert {name: found[name]["ok"] for name in _DENIED} == dict.fromkeys(_DENIED, False), found
    assert all("Operation not permitted" in found[name]["message"] for name in _DENIED), found
    assert found["clone3"]["value"] == "ENOSYS"
    mode, filters = found["seccomp"]["value"]
    assert mode == "2" and int(filters) >= 1  # filter mode (one more where the grader runs under one)
    assert record.limits["syscalls"].startswith(f"seccomp ({os.uname().machine})")
    assert_batch_survives(tmp_path)


def test_process_and_thread_pools_torch_workers_and_lightning_still_run(alice: Path, tmp_path: Path) -> None:
    """The filter lets clone without namespace flags through: fork and spawn pools, threads, subprocess,
    DataLoader workers and a Lightning fit (memory raised for torch's address space)."""
    nb, record = run("process_and_thread_pools", alice, quick_config(memory_mb=4096, cell_timeout_s=120))
    assert record.status is ExecStatus.OK, record.reason
    assert stream_text(nb.cells[0]).strip() == "True [3, 4] child ok"
    assert "loader total 120.0" in stream_text(nb.cells[1])
    assert (alice / "result.txt").read_text() == "9 [3, 4] 1"


_KEYRING_GRADER = """
import ctypes, json, os, sys
from pathlib import Path
import nbformat
from grader.execute import ExecutionConfig, run_notebook
libc = ctypes.CDLL(None, use_errno=True)
KEYCTL, ADD_KEY = {"x86_64": (250, 248), "aarch64": (219, 217)}[os.uname().machine]
assert libc.syscall(KEYCTL, 1, None) >= 0  # this grader's own session keyring, not pytest's
assert libc.syscall(ADD_KEY, b"user", b"grader-secret", b"krb5-ticket", 11, -3) >= 0
buf = ctypes.create_string_buffer(64)
key = libc.syscall(KEYCTL, 10, -3, b"user", b"grader-secret", 0)
size = libc.syscall(KEYCTL, 11, key, buf, 64)
print(json.dumps(buf.raw[:size].decode()), flush=True)
nb = nbformat.read(sys.argv[1], as_version=4)
_, record = run_notebook(nb, workdir=Path(sys.argv[2]), config=ExecutionConfig(**json.loads(sys.argv[3])))
print(record.model_dump_json())
"""


@pytest.mark.skipif(os.uname().machine not in ("x86_64", "aarch64"), reason="keyctl numbers known for x86_64, aarch64")
def test_the_graders_session_keyring_is_out_of_reach(alice: Path) -> None:
    """A Kerberos-like key in the grader's session keyring: the grader reads it, the kernel cannot."""
    import json
    import sys

    from grader.execute import ExecutionRecord

    from .conftest import HOSTILE, QUICK

    argv = [sys.executable, "-c", _KEYRING_GRADER, str(HOSTILE / "read_session_keyring.ipynb"), str(alice),
            json.dumps(QUICK)]
    done = subprocess.run(argv, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    grader_saw, record_json = done.stdout.strip().splitlines()[-2:]
    assert json.loads(grader_saw) == "krb5-ticket"
    record = ExecutionRecord.model_validate_json(record_json)
    found = probe_results(alice)
    assert record.status is ExecStatus.OK and record.sandboxed, record.reason
    assert not found["session_key"]["ok"], found
    # the seccomp filter refuses keyctl; the launcher's own empty keyring is tested in test_seccomp.py
    assert found["session_key"]["message"] == "[Errno 1] Operation not permitted"
