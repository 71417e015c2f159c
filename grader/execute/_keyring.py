"""Give each sandboxed kernel its own, empty session keyring (and put it into the sandbox's cgroup).

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

First of all it asks the kernel to SIGKILL it when the grader dies, and stops if the grader is already
gone: bwrap's ``--die-with-parent`` is set only once bwrap runs, so a grader killed while the launcher
started used to leave a sandbox running with nobody to stop it. (Where the chain changes uid before bwrap,
the rootless form as root, that request is cleared by the kernel; the sandbox's cgroup catches what is
left: the next grader kills it, ``_cgroup.clean_stale``.)

Then it writes its own pid into each ``cgroup.procs`` file it is given (``_cgroup``: the
run's memory and pids cgroups), so that bwrap and every process of the sandbox start inside them while the
grader stays outside; if one cannot be joined the launch stops (exit 126): no kernel starts without the
limits its record will claim.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

__all__ = ["KEYCTL_SYSCALL", "keyring_prefix", "with_cgroup"]

KEYCTL_SYSCALL = {"x86_64": 250, "aarch64": 219, "ppc64le": 271, "s390x": 280, "riscv64": 219}
"""``keyctl(2)`` syscall numbers by ``uname -m`` (libc has no wrapper; libkeyutils may be absent)."""

_LAUNCHER = """\
import ctypes, errno, os, sys
libc = ctypes.CDLL(None, use_errno=True)
libc.prctl(1, 9, 0, 0, 0)  # PR_SET_PDEATHSIG = SIGKILL: die with the grader (kept across execve)
if os.getppid() != {parent}:  # the grader died before that: start nothing
    sys.exit(126)
end = sys.argv.index("--")
for procs in sys.argv[1:end]:
    try:
        with open(procs, "w") as joined:
            joined.write(str(os.getpid()))
    except OSError as exc:
        sys.stderr.write("grader: cannot join the sandbox's cgroup (%s): %s\\n" % (procs, exc.strerror))
        sys.exit(126)
nr = {numbers}.get(os.uname().machine)
if nr is not None:
    if libc.syscall(nr, 1, None) < 0 and ctypes.get_errno() not in (errno.ENOSYS, errno.EPERM):
        sys.stderr.write("grader: cannot give the kernel its own session keyring: %s\\n" % os.strerror(ctypes.get_errno()))
        sys.exit(126)
os.execve(sys.argv[end + 1], sys.argv[end + 1:], dict())
"""


def keyring_prefix(cgroup_procs: Sequence[Path] = ()) -> list[str]:
    """The argv that joins the cgroups whose ``cgroup.procs`` files are given, then a new session keyring,
    and then runs the argv after it.

    >>> keyring_prefix()[1:3], keyring_prefix([Path("/cg/cgroup.procs")])[-2:]
    (['-I', '-S'], ['/cg/cgroup.procs', '--'])
    """
    launcher = _LAUNCHER.format(numbers=KEYCTL_SYSCALL, parent=os.getpid())
    return [sys.executable, "-I", "-S", "-c", launcher, *map(str, cgroup_procs), "--"]


def with_cgroup(argv: Sequence[str], cgroup_procs: Sequence[Path]) -> list[str]:
    """``argv`` (a sandbox command line starting with ``keyring_prefix()``) with its launcher told to join
    ``cgroup_procs`` first; unchanged if it already is. ValueError for an argv without the launcher."""
    plain, joining = keyring_prefix(), keyring_prefix(cgroup_procs)
    if list(argv[: len(joining)]) == joining:
        return list(argv)
    if list(argv[: len(plain)]) != plain:
        raise ValueError(f"with_cgroup: the command line does not start with the keyring launcher: {argv[:1]}")
    return joining + list(argv[len(plain) :])
