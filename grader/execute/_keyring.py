"""Give each sandboxed kernel its own, empty session keyring.

Linux keyrings are not separated by the mount, pid, network or user namespaces bwrap makes: a process can
read the keys of the session keyring it inherited, whatever uid it switched to (possession). A grader
started from a login shell on a cluster may hold Kerberos or AFS tokens there, so the first program of the
sandbox's command line is a tiny launcher (the grader's own interpreter, ``-I -S``, about 20 ms) that
joins a new anonymous session keyring and then ``exec``s the rest of the chain. Where the kernel has no
keyrings (ENOSYS) or a seccomp policy forbids them (EPERM), the kernel cannot read them either and the
chain goes on; any other failure stops the launch (exit 126), so no kernel starts with the grader's keys.
It also empties the environment of what it execs: bwrap's own process, PID 1 of the sandbox, would
otherwise carry the grader's environment, readable in ``/proc/1/environ`` where the kernel runs as the
same uid (the rootless form); the kernel's variables arrive through bwrap's ``--clearenv``/``--setenv``.
On an architecture missing from ``KEYCTL_SYSCALL`` the launcher only execs (no isolation of keyrings).
"""

from __future__ import annotations

import sys

__all__ = ["KEYCTL_SYSCALL", "keyring_prefix"]

KEYCTL_SYSCALL = {"x86_64": 250, "aarch64": 219, "ppc64le": 271, "s390x": 280, "riscv64": 219}
"""``keyctl(2)`` syscall numbers by ``uname -m`` (libc has no wrapper; libkeyutils may be absent)."""

_LAUNCHER = """\
import ctypes, errno, os, sys
nr = {numbers}.get(os.uname().machine)
if nr is not None:
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.syscall(nr, 1, None) < 0 and ctypes.get_errno() not in (errno.ENOSYS, errno.EPERM):
        sys.stderr.write("grader: cannot give the kernel its own session keyring: %s\\n" % os.strerror(ctypes.get_errno()))
        sys.exit(126)
os.execve(sys.argv[1], sys.argv[1:], dict())
"""


def keyring_prefix() -> list[str]:
    """The argv that joins a new session keyring and then runs the argv after it.

    >>> keyring_prefix()[1:3]
    ['-I', '-S']
    """
    return [sys.executable, "-I", "-S", "-c", _LAUNCHER.format(numbers=KEYCTL_SYSCALL)]
