"""The seccomp filter every sandboxed kernel runs under, in both sandbox forms.

In the root form the kernel runs as an unprivileged slot uid, but without a filter that uid may still
make a user namespace (``unshare -Ur``) and, inside it, hold every capability: mount file systems, make
network namespaces and reach netlink, i.e. the kernel's whole namespaced attack surface. Mapping the
sandbox with ``bwrap --unshare-user`` instead would map it to host uid 0, so the walls stay as they are
and a filter refuses the calls a notebook never needs:

- ``unshare`` and ``clone`` with any namespace flag (user, mount, network, pid, ipc, uts, cgroup, time),
  ``setns``, and ``clone3`` (ENOSYS: its flags sit in memory a filter cannot read; libc falls back to
  ``clone``, whose flags it can). ``clone`` for threads and processes (no namespace flag) passes.
- ``mount`` and the new mount API, ``umount2``, ``pivot_root``, ``chroot``;
- ``ptrace``, ``process_vm_readv``/``writev``, ``pidfd_getfd``; ``bpf``, ``perf_event_open``,
  ``userfaultfd``, ``io_uring_*``; the keyrings (``keyctl``, ``add_key``, ``request_key``);
- kernel modules, ``kexec_*``, ``reboot``, ``swapon``/``swapoff``, ``acct``, ``syslog``, ``quotactl``,
  ``open_by_handle_at``, ``iopl``/``ioperm``.

Each refused call returns EPERM (``clone3``: ENOSYS), so the notebook sees an ordinary error and the
kernel lives on. A call made through another ABI than the native one (``int 0x80`` or x32 on x86_64)
is refused with EPERM whatever it is. Everything else is allowed.

The program is compiled once per grader process with libseccomp (``libseccomp.so.2`` through ctypes; no
Python binding needed) for the machine's own architecture; x86_64 and aarch64 are supported. Elsewhere,
or without libseccomp, ``compiled_filter`` raises ``SandboxUnavailableError`` and no sandboxed kernel
starts (fail closed). The loader (``loader_argv``) is the sandbox's own interpreter, run with ``-I -S``
right after ``setpriv`` (root form) or ``bwrap`` (rootless form) and before ``prlimit``: it sets
no-new-privileges, loads the program with ``prctl(PR_SET_SECCOMP)`` and ``exec``s the rest of the chain,
so everything the notebook can run inherits the filter. No student code runs before it; where it cannot
load the filter it exits 126 and the kernel never starts.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import functools
import os
import shutil
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SandboxUnavailableError

__all__ = [
    "CLONE_NAMESPACE_FLAGS",
    "DENIED_SYSCALLS",
    "ENOSYS_SYSCALLS",
    "SUPPORTED_MACHINES",
    "SeccompFilter",
    "check_loadable",
    "compiled_filter",
    "filter_summary",
    "loader_argv",
]

SUPPORTED_MACHINES = {"x86_64": 0xC000003E, "aarch64": 0xC00000B7}
"""``uname -m`` → the libseccomp (= audit) architecture token the filter is built for."""

CLONE_NAMESPACE_FLAGS = {
    "CLONE_NEWNS": 0x00020000,
    "CLONE_NEWCGROUP": 0x02000000,
    "CLONE_NEWUTS": 0x04000000,
    "CLONE_NEWIPC": 0x08000000,
    "CLONE_NEWUSER": 0x10000000,
    "CLONE_NEWPID": 0x20000000,
    "CLONE_NEWNET": 0x40000000,
}
"""Namespace flags refused in ``clone``'s and ``unshare``'s first argument (both arches put it first)."""

_CLONE_NEWTIME = 0x00000080  # unshare only: in clone() these bits are the exit signal (CSIGNAL)

DENIED_SYSCALLS = (
    "setns", "mount", "umount", "umount2", "pivot_root", "chroot",
    "fsopen", "fsconfig", "fsmount", "fspick", "move_mount", "open_tree", "mount_setattr",
    "ptrace", "process_vm_readv", "process_vm_writev", "pidfd_getfd",
    "bpf", "perf_event_open", "userfaultfd", "io_uring_setup", "io_uring_enter", "io_uring_register",
    "keyctl", "add_key", "request_key",
    "init_module", "finit_module", "delete_module", "kexec_load", "kexec_file_load", "reboot",
    "swapon", "swapoff", "acct", "syslog", "quotactl", "quotactl_fd", "open_by_handle_at", "iopl", "ioperm",
)  # fmt: skip
"""Refused outright with EPERM (names missing on an architecture are skipped there)."""

ENOSYS_SYSCALLS = ("clone3",)
"""Refused with ENOSYS so that libc falls back to ``clone`` (filtered by flags)."""

_ALLOW = 0x7FFF0000
_ERRNO = 0x00050000
_ATTR_ACT_BADARCH = 2
_CMP_MASKED_EQ = 7
_EPERM = 1
_ENOSYS = 38

_LOADER = """\
import ctypes, os, sys
program = bytes.fromhex(sys.argv[1])
class Fprog(ctypes.Structure):
    _fields_ = [("len", ctypes.c_ushort), ("filter", ctypes.c_void_p)]
code = ctypes.create_string_buffer(program, len(program))
fprog = Fprog(len(program) // 8, ctypes.addressof(code))
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl.argtypes = [ctypes.c_int, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong, ctypes.c_ulong]
if libc.prctl(38, 1, 0, 0, 0) != 0 or libc.prctl(22, 2, ctypes.addressof(fprog), 0, 0) != 0:
    why = os.strerror(ctypes.get_errno())
    sys.stderr.write("grader: cannot load the sandbox's seccomp filter: %s\\n" % why)
    sys.exit(126)
os.execv(sys.argv[2], sys.argv[2:])
"""
"""PR_SET_NO_NEW_PRIVS (38), then PR_SET_SECCOMP (22) with SECCOMP_MODE_FILTER (2), then exec."""


@dataclass(frozen=True)
class SeccompFilter:
    """A compiled filter: the classic BPF program and what it refuses on this machine."""

    machine: str
    program: bytes
    denied: tuple[str, ...]


def filter_summary(machine: str | None = None) -> str:
    """What the filter refuses, as text for the record (``limits["syscalls"]``)."""
    return (
        f"seccomp ({machine or os.uname().machine}): new namespaces (unshare, clone flags, setns), mount, "
        "ptrace, bpf, perf_event_open, userfaultfd, io_uring, keyrings, modules, kexec, reboot refused "
        "(EPERM); clone3 ENOSYS; other ABIs refused"
    )


def loader_argv(python: Path | str, program: bytes) -> list[str]:
    """The argv that loads ``program`` as a seccomp filter into itself and then runs the argv after it."""
    return [str(python), "-I", "-S", "-c", _LOADER, program.hex()]


@functools.cache
def compiled_filter() -> SeccompFilter:
    """The filter for this machine, compiled once; raises SandboxUnavailableError where it cannot be built."""
    return _compile_for(os.uname().machine)


def _compile_for(machine: str) -> SeccompFilter:
    token = SUPPORTED_MACHINES.get(machine)
    if token is None:
        raise SandboxUnavailableError(
            f"sandbox: the seccomp filter is built for {', '.join(SUPPORTED_MACHINES)} only; this machine is "
            f"{machine}, so no sandboxed kernel starts (nested namespaces would stay open)"
        )
    lib = _Libseccomp(_open_libseccomp())
    if lib.native() != token:
        raise SandboxUnavailableError(
            f"sandbox: libseccomp here builds filters for architecture token {lib.native():#x}, not for "
            f"this {machine} machine ({token:#x}); use a {machine} Python"
        )
    return lib.compile(machine, token)


def check_loadable() -> None:
    """Run ``true`` under the filter (it must start) and ``unshare --user true`` (it must be refused);
    raises SandboxUnavailableError with what went wrong."""
    compiled = compiled_filter()
    loader = loader_argv(sys.executable, compiled.program)
    true = shutil.which("true") or "/usr/bin/true"
    started = _run([*loader, true])
    if started.returncode != 0:
        detail = started.stderr.strip().splitlines()[-1:] or [f"exit code {started.returncode}"]
        raise SandboxUnavailableError(f"sandbox: the seccomp filter cannot be loaded here: {detail[0]}")
    unshare = shutil.which("unshare")
    if unshare is not None and _run([*loader, unshare, "--user", true]).returncode == 0:
        raise SandboxUnavailableError(
            "sandbox: the seccomp filter loaded but did not refuse a new user namespace (unshare --user)"
        )


def _run(argv: list[str]) -> subprocess.CompletedProcess[str]:
    try:
        return subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailableError(f"sandbox: the seccomp loader could not run: {exc}") from exc


def _open_libseccomp() -> ctypes.CDLL:
    for name in ("libseccomp.so.2", ctypes.util.find_library("seccomp")):
        if name:
            try:
                return ctypes.CDLL(name, use_errno=True)
            except OSError:
                continue
    raise SandboxUnavailableError(
        "sandbox: libseccomp (libseccomp.so.2) not found; the seccomp filter needs it "
        "(Debian/Ubuntu: apt-get install libseccomp2; RHEL: dnf install libseccomp)"
    )


class _ArgCmp(ctypes.Structure):
    """``struct scmp_arg_cmp``: for SCMP_CMP_MASKED_EQ, ``(arg & datum_a) == datum_b``."""

    _fields_ = [
        ("arg", ctypes.c_uint),
        ("op", ctypes.c_int),
        ("datum_a", ctypes.c_uint64),
        ("datum_b", ctypes.c_uint64),
    ]


class _Libseccomp:
    """The few libseccomp calls the filter needs, typed for ctypes."""

    def __init__(self, lib: ctypes.CDLL) -> None:
        self.lib = lib
        lib.seccomp_init.argtypes = [ctypes.c_uint32]
        lib.seccomp_init.restype = ctypes.c_void_p
        lib.seccomp_release.argtypes = [ctypes.c_void_p]
        lib.seccomp_release.restype = None
        lib.seccomp_attr_set.argtypes = [ctypes.c_void_p, ctypes.c_int, ctypes.c_uint32]
        lib.seccomp_arch_native.argtypes = []
        lib.seccomp_arch_native.restype = ctypes.c_uint32
        lib.seccomp_syscall_resolve_name_arch.argtypes = [ctypes.c_uint32, ctypes.c_char_p]
        lib.seccomp_rule_add_array.argtypes = [
            ctypes.c_void_p,
            ctypes.c_uint32,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.POINTER(_ArgCmp),
        ]
        lib.seccomp_export_bpf.argtypes = [ctypes.c_void_p, ctypes.c_int]

    def native(self) -> int:
        return int(self.lib.seccomp_arch_native())

    def compile(self, machine: str, token: int) -> SeccompFilter:
        ctx = self.lib.seccomp_init(_ALLOW)
        if not ctx:
            raise SandboxUnavailableError("sandbox: libseccomp could not start a filter (seccomp_init)")
        try:
            self._call("seccomp_attr_set", ctx, _ATTR_ACT_BADARCH, _ERRNO | _EPERM)
            denied = [name for name in DENIED_SYSCALLS if self._deny(ctx, token, name, _EPERM)]
            denied += [name for name in ENOSYS_SYSCALLS if self._deny(ctx, token, name, _ENOSYS)]
            self._deny_flags(ctx, token, "clone", CLONE_NAMESPACE_FLAGS.values())
            self._deny_flags(ctx, token, "unshare", [*CLONE_NAMESPACE_FLAGS.values(), _CLONE_NEWTIME])
            return SeccompFilter(machine, self._export(ctx), (*denied, "clone", "unshare"))
        finally:
            self.lib.seccomp_release(ctx)

    def _number(self, token: int, name: str) -> int:
        """The syscall's number on this architecture, or a negative value where it has none."""
        return int(self.lib.seccomp_syscall_resolve_name_arch(token, name.encode()))

    def _deny(self, ctx: int, token: int, name: str, errno_value: int) -> bool:
        number = self._number(token, name)
        if number < 0:
            return False
        self._call("seccomp_rule_add_array", ctx, _ERRNO | errno_value, number, 0, None)
        return True

    def _deny_flags(self, ctx: int, token: int, name: str, flags: Iterable[int]) -> None:
        """EPERM when any one of ``flags`` is set in the first argument (one rule per flag, OR-ed)."""
        number = self._number(token, name)
        if number < 0:
            raise SandboxUnavailableError(f"sandbox: libseccomp does not know {name} on this machine")
        for flag in flags:
            compare = _ArgCmp(0, _CMP_MASKED_EQ, flag, flag)
            self._call("seccomp_rule_add_array", ctx, _ERRNO | _EPERM, number, 1, ctypes.byref(compare))

    def _export(self, ctx: int) -> bytes:
        fd = os.memfd_create("grader-seccomp", os.MFD_CLOEXEC)
        try:
            self._call("seccomp_export_bpf", ctx, fd)
            size = os.lseek(fd, 0, os.SEEK_END)
            return os.pread(fd, size, 0)
        finally:
            os.close(fd)

    def _call(self, function: str, *args: object) -> None:
        result = int(getattr(self.lib, function)(*args))
        if result < 0:
            raise SandboxUnavailableError(f"sandbox: libseccomp {function} failed: {os.strerror(-result)}")
