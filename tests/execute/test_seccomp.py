"""The seccomp filter on its own, outside the sandbox: as root every refused call would otherwise work
(or fail with another errno), so each EPERM below is the filter's doing; and what a notebook needs passes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import SandboxUnavailableError
from grader.execute._sandbox import PythonInstall, SandboxSpec, Tools, sandbox_argv
from grader.execute._seccomp import _compile_for, compiled_filter, filter_summary, loader_argv

MACHINE = os.uname().machine
pytestmark = pytest.mark.skipif(
    MACHINE not in ("x86_64", "aarch64"), reason="the filter is built for x86_64, aarch64"
)

NUMBERS = {  # from the kernel's syscall tables, independently of libseccomp
    "x86_64": dict(pivot_root=155, process_vm_readv=310, bpf=321, perf_event_open=298, userfaultfd=323,
                   io_uring_setup=425, keyctl=250, add_key=248, clone3=435, clone=56),
    "aarch64": dict(pivot_root=41, process_vm_readv=270, bpf=280, perf_event_open=241, userfaultfd=282,
                    io_uring_setup=425, keyctl=219, add_key=217, clone3=435, clone=220),
}.get(MACHINE, {})  # fmt: skip

_CALLS = r"""
import ctypes, errno, json, os, subprocess, sys, threading
libc = ctypes.CDLL(None, use_errno=True)
NR = json.loads(sys.argv[1])
MISSING = b"/nonexistent-grader-seccomp-test"
NOBODY = 0x7FFFFFF0  # no such pid

def outcome(result):
    return "ok" if result >= 0 else errno.errorcode[ctypes.get_errno()]

def call(name, *args):
    return outcome(libc.syscall(NR[name], *args))

def in_fork(action):
    pid = os.fork()
    if pid == 0:
        os._exit(action())
    status = os.waitpid(pid, 0)[1]
    if os.WIFSIGNALED(status):
        return "signal %d" % os.WTERMSIG(status)
    return {0: "ok", 1: "EPERM"}.get(os.WEXITSTATUS(status), "exit %d" % os.WEXITSTATUS(status))

def raw_clone(flags):
    pid = libc.syscall(NR["clone"], flags | 17, None, None, None, None)  # | SIGCHLD; fork semantics
    if pid == 0:
        os._exit(0)
    if pid > 0:
        os.waitpid(pid, 0)
    return outcome(pid)

def int80_unshare():  # unshare(CLONE_NEWNS) through the i386 ABI (nr 310), returns 0 or -errno in eax
    import mmap
    code = bytes.fromhex("53" "89fb" "b836010000" "cd80" "5b" "c3")  # push rbx; ebx=edi; eax=310; int 0x80
    page = mmap.mmap(-1, 4096, prot=mmap.PROT_READ | mmap.PROT_WRITE | mmap.PROT_EXEC)
    page.write(code)
    function = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.c_int)(ctypes.addressof(ctypes.c_char.from_buffer(page)))
    result = function(0x20000)
    return 0 if result == 0 else 1 if result == -1 else 2

found = {  # changes nothing on the host: missing paths and pids, or this process's own namespaces
    "mount": outcome(libc.mount(b"none", MISSING, b"tmpfs", 0, None)),
    "umount2": outcome(libc.umount2(MISSING, 0)),
    "pivot_root": call("pivot_root", MISSING, MISSING),
    "chroot": outcome(libc.chroot(MISSING)),
    "ptrace": outcome(libc.ptrace(16, NOBODY, None, None)),
    "process_vm_readv": call("process_vm_readv", NOBODY, None, 0, None, 0, 0),
    "bpf": call("bpf", 9999, None, 0),
    "perf_event_open": call("perf_event_open", None, 0, -1, -1, 0),
    "userfaultfd": call("userfaultfd", 0xFFFF),
    "io_uring_setup": call("io_uring_setup", 0, None),
    "keyctl": call("keyctl", 0, -3, 0),
    "add_key": call("add_key", b"user", b"probe", b"x", 1, NOBODY),  # into no keyring: ENOKEY
    "setns": outcome(libc.setns(os.open("/proc/self/ns/net", os.O_RDONLY), 0x40000000)),
    "clone3": call("clone3", None, 0),
    "clone_newnet": raw_clone(0x40000000),
    "clone_newpid": raw_clone(0x20000000),
    "int80_unshare": in_fork(int80_unshare) if os.uname().machine == "x86_64" else "EPERM",
    # allowed: what threads, pools and subprocesses use
    "clone_plain": raw_clone(0),
    "unshare_files": outcome(libc.unshare(0x400)),  # CLONE_FILES: no namespace flag
    "fork": in_fork(lambda: 0),
    "subprocess": "ok" if subprocess.run(["true"]).returncode == 0 else "failed",
}
worker = threading.Thread(target=lambda: found.__setitem__("thread", "ok"))
worker.start()
worker.join()
for flag, name in ((0x20000, "unshare_mount"), (0x40000000, "unshare_net"), (0x80, "unshare_time"),
                   (0x10000000, "unshare_user")):  # this process's own namespaces, user last
    found[name] = outcome(libc.unshare(flag))
print(json.dumps(found))
"""

DENIED = ("mount", "umount2", "pivot_root", "chroot", "ptrace", "process_vm_readv", "bpf", "perf_event_open",
          "userfaultfd", "io_uring_setup", "keyctl", "add_key", "setns", "clone_newnet", "clone_newpid",
          "int80_unshare", "unshare_mount", "unshare_net", "unshare_time", "unshare_user")  # fmt: skip
ALLOWED = ("clone_plain", "unshare_files", "fork", "subprocess", "thread")


def _calls(prefix: list[str]) -> dict[str, str]:
    done = subprocess.run(
        [*prefix, sys.executable, "-c", _CALLS, json.dumps(NUMBERS)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    found: dict[str, str] = json.loads(done.stdout)
    return found


@pytest.mark.skipif(os.geteuid() != 0, reason="as root unfiltered calls succeed: EPERM means the filter")
def test_each_refused_call_is_eperm_under_the_filter_and_not_without_it() -> None:
    baseline = _calls([])
    filtered = _calls(loader_argv(sys.executable, compiled_filter().program))
    if baseline["int80_unshare"] != "ok":  # a kernel without the i386 ABI has nothing to refuse there
        baseline["int80_unshare"] = "absent"
    unfiltered_eperm = [name for name in DENIED if baseline[name] == "EPERM"]
    assert unfiltered_eperm == [], baseline
    assert {name: filtered[name] for name in DENIED} == dict.fromkeys(DENIED, "EPERM"), filtered
    assert (baseline["clone3"], filtered["clone3"]) == ("EINVAL", "ENOSYS")
    allowed = {name: (baseline[name], filtered[name]) for name in ALLOWED}
    assert allowed == dict.fromkeys(ALLOWED, ("ok", "ok"))


def test_the_filter_covers_the_documented_calls_on_this_machine() -> None:
    compiled = compiled_filter()
    assert compiled.machine == MACHINE and len(compiled.program) % 8 == 0
    for name in ("clone", "unshare", "clone3", "setns", "mount", "umount2", "ptrace", "bpf", "keyctl",
                 "add_key", "request_key", "perf_event_open", "userfaultfd", "kexec_load", "init_module"):
        assert name in compiled.denied
    assert filter_summary().startswith(f"seccomp ({MACHINE}): new namespaces")


def test_an_unknown_machine_or_an_unloadable_program_fails_closed(tmp_path: Path) -> None:
    with pytest.raises(SandboxUnavailableError, match="for x86_64, aarch64 only; this machine is s390x"):
        _compile_for("s390x")
    marker = tmp_path / "ran"
    broken = bytes(8)  # one "ld" without a "ret": the kernel refuses the program
    done = subprocess.run([*loader_argv(sys.executable, broken), "/usr/bin/touch", str(marker)],
                          capture_output=True, text=True, timeout=30, check=False)  # fmt: skip
    assert done.returncode == 126 and "cannot load the sandbox's seccomp filter" in done.stderr
    assert not marker.exists()


_KEYRING = """
import ctypes, json, subprocess, sys
libc = ctypes.CDLL(None, use_errno=True)
KEYCTL, ADD_KEY = json.loads(sys.argv[2])["keyctl"], json.loads(sys.argv[2])["add_key"]
assert libc.syscall(KEYCTL, 1, None) >= 0  # a session keyring of its own, not pytest's
assert libc.syscall(ADD_KEY, b"user", b"grader-secret", b"krb5-ticket", 11, -3) >= 0
READ = ("import ctypes, errno; libc = ctypes.CDLL(None, use_errno=True); "
        "key = libc.syscall(%d, 10, -3, b'user', b'grader-secret', 0); "
        "print('found' if key >= 0 else errno.errorcode[ctypes.get_errno()])" % KEYCTL)
from grader.execute._keyring import keyring_prefix  # made here: the launcher checks who its parent is
for prefix in ([], keyring_prefix()):
    done = subprocess.run([*prefix, sys.executable, "-c", READ], capture_output=True, text=True)
    print(done.stdout.strip())
"""


def test_the_keyring_launcher_runs_before_the_filter_and_still_hides_the_graders_keys() -> None:
    """The kernel cannot call keyctl at all now; the launcher, outside the filter, still works on its own."""
    done = subprocess.run(
        [sys.executable, "-c", _KEYRING, "-", json.dumps(NUMBERS)],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["found", "ENOKEY"]


def test_the_root_form_loads_the_filter_after_setpriv_and_before_prlimit(tmp_path: Path) -> None:
    """No program of the chain after setpriv runs unfiltered; the loader is the sandbox's own Python."""
    python = PythonInstall(Path(sys.executable), (Path(sys.prefix),))
    spec = SandboxSpec(
        tools=Tools("/usr/bin/bwrap", "/usr/bin/setpriv", "/usr/bin/prlimit"), python=python, uid=60003,
        live_dir=tmp_path, conn_dir=tmp_path, etc_dir=tmp_path, env={}, rlimits=("--as=1",), tmp_bytes=1024,
    )  # fmt: skip
    argv = sandbox_argv(spec)
    loader = loader_argv(sys.executable, compiled_filter().program)
    start = argv.index(loader[-1]) - len(loader) + 1
    assert argv[start : start + len(loader)] == loader
    assert argv.index("/usr/bin/setpriv") < start and argv[start + len(loader)] == "/usr/bin/prlimit"
