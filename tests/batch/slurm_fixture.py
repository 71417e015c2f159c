"""A throwaway single-node Slurm for tests: Debian's munged, slurmctld and slurmd, configured in a temp dir.

Everything runs in one private mount namespace, held open by a ``sleep`` started with ``unshare``, so
nothing on the host changes: the namespace sees an ``/etc/passwd`` and ``/etc/group`` that add a
throwaway teaching assistant (``TA``, uid 60093, not root, not a slot uid), and each private directory on
the way to the Python and the checkout (``/root`` on this kind of machine) is replaced by a world-readable
view of just those paths, as a cluster's shared filesystem would show them. munged (``--force``, its own
key, socket, pid, seed and log files), slurmctld and slurmd are started in it with ``nsenter``, as root,
and so are the TA's commands (``setpriv`` to the TA's uid): their sbatch jobs run under slurmd, in the same
namespace. The cluster is ``proctrack/linuxproc``, ``task/affinity`` (a job's CPUs are its affinity mask,
as on a real cluster; no cgroup plugin), ``select/cons_tres``, one node named after ``hostname -s`` with
the CPUs of ``nproc`` and free ports.

``stop`` ends every process of the namespace (the daemons, slurmstepd, the jobs, the holder) by pid:
SIGTERM, then SIGKILL after a grace period. Nothing outside the namespace is touched.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from grader.execute._workdir import remove_tree
from tests.execute.test_rootless import _expose

__all__ = ["NODE", "TA_UID", "TA_USER", "Slurm", "missing_tools", "require_slurm", "running_slurm"]

REPO = Path(__file__).resolve().parents[2]
TA_UID = 60093
TA_USER = "grader-ta"
NODE = socket.gethostname().split(".")[0]
TOOLS = ("munged", "slurmctld", "slurmd", "slurmstepd", "sbatch", "scancel", "squeue", "sinfo", "unshare", "nsenter",
         "setpriv")  # fmt: skip
_SBIN = ("/usr/sbin", "/sbin", "/usr/bin", "/bin")
_READY_S = 60.0


def _which(name: str) -> str | None:
    return shutil.which(name, path=os.pathsep.join([os.environ.get("PATH", ""), *_SBIN]))


def missing_tools() -> list[str]:
    """The programs a throwaway Slurm needs that this machine lacks (Debian: slurmctld slurmd slurm-client munge)."""
    return [name for name in TOOLS if _which(name) is None]


def require_slurm() -> None:
    """Skip unless this machine can start a throwaway Slurm (root and the programs). Under ``CI=true`` as
    root, missing programs fail instead: scripts/system-deps.sh should have installed them."""
    if os.geteuid() != 0:
        pytest.skip("starting slurmd, munged and a throwaway user needs root")
    if not missing_tools():
        return
    problem = (f"{', '.join(missing_tools())} missing (Debian: apt-get install slurmctld slurmd slurm-client munge; "
               "scripts/system-deps.sh installs them as root unless GRADER_SKIP_SLURM=1)")  # fmt: skip
    if os.environ.get("CI") == "true" and os.environ.get("GRADER_SKIP_SLURM") != "1":
        pytest.fail(f"CI=true: the SLURM test must run: {problem}")
    pytest.skip(problem)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _mem_mb() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") // 2**20


def slurm_conf(base: Path, *, cpus: int, memory_mb: int) -> str:
    """slurm.conf of the one-node cluster kept under ``base``."""
    lines = {
        "ClusterName": "gradertest", "SlurmctldHost": f"{NODE}(127.0.0.1)", "SlurmUser": "root",
        "SlurmdUser": "root", "SlurmctldPort": _free_port(), "SlurmdPort": _free_port(),
        "AuthType": "auth/munge", "CredType": "cred/munge", "AuthInfo": f"socket={base / 'munge.socket'}",
        "StateSaveLocation": base / "state", "SlurmdSpoolDir": base / "spool",
        "SlurmctldPidFile": base / "slurmctld.pid", "SlurmdPidFile": base / "slurmd.pid",
        "SlurmctldLogFile": base / "slurmctld.log", "SlurmdLogFile": base / "slurmd.log",
        "ProctrackType": "proctrack/linuxproc", "TaskPlugin": "task/affinity", "JobAcctGatherType": "jobacct_gather/none",
        "AccountingStorageType": "accounting_storage/none", "JobCompType": "jobcomp/none", "MpiDefault": "none",
        "SwitchType": "switch/none", "SchedulerType": "sched/builtin", "SelectType": "select/cons_tres",
        "SelectTypeParameters": "CR_Core", "ReturnToService": 2, "SlurmdTimeout": 30, "InactiveLimit": 0,
    }  # fmt: skip
    text = "".join(f"{key}={value}\n" for key, value in lines.items())
    text += f"NodeName={NODE} NodeAddr=127.0.0.1 CPUs={cpus} RealMemory={memory_mb} State=UNKNOWN\n"
    return text + f"PartitionName=grading Nodes={NODE} Default=YES MaxTime=INFINITE State=UP\n"


@dataclass
class Slurm:
    """A running throwaway Slurm: its folder, its ``slurm.conf``, the namespace holder's pid."""

    base: Path
    holder: subprocess.Popen[bytes]
    daemons: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def conf(self) -> Path:
        return self.base / "slurm.conf"

    @property
    def ta_home(self) -> Path:
        return self.base / "ta"

    def env(self, extra: Mapping[str, str] = {}) -> dict[str, str]:
        """The environment of a TA's shell on this cluster."""
        home = str(self.ta_home)
        return {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin:/usr/sbin:/sbin", "HOME": home, "USER": TA_USER,
                "LOGNAME": TA_USER, "TMPDIR": str(self.ta_home / "tmp"), "SLURM_CONF": str(self.conf),
                "COLUMNS": "200", **extra}  # fmt: skip

    def inside(self, argv: Sequence[str], *, as_ta: bool = False) -> list[str]:
        """``argv`` run in the namespace, as root or (``as_ta``) as the teaching assistant."""
        drop = ["setpriv", f"--reuid={TA_UID}", f"--regid={TA_UID}", "--clear-groups", "--"] if as_ta else []
        return ["nsenter", f"--target={self.holder.pid}", "--mount", "--", *drop, *argv]

    def run_as_ta(
        self, argv: Sequence[str], *, cwd: Path, timeout: float, env: Mapping[str, str] = {}
    ) -> subprocess.CompletedProcess[str]:
        """``argv`` as the teaching assistant in ``cwd`` (a shell line: nsenter cannot change directory)."""
        return subprocess.run(self._ta_line(argv, cwd), capture_output=True, text=True, timeout=timeout,
                              env=self.env(env), check=False)  # fmt: skip

    def start_as_ta(self, argv: Sequence[str], *, cwd: Path, env: Mapping[str, str] = {}) -> subprocess.Popen[str]:
        """``argv`` as the teaching assistant in ``cwd``, in the background (stdout and stderr together)."""
        return subprocess.Popen(self._ta_line(argv, cwd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                env=self.env(env))  # fmt: skip

    def _ta_line(self, argv: Sequence[str], cwd: Path) -> list[str]:
        return self.inside(["sh", "-c", f"cd {shlex.quote(str(cwd))} && exec {shlex.join(argv)}"], as_ta=True)

    def running(self, needle: str) -> list[int]:
        """Pids of the namespace's processes whose command line contains ``needle``."""
        found = []
        for pid in self.namespace_pids():
            with contextlib.suppress(OSError):
                if needle.encode() in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
        return found

    def logs(self) -> str:
        """The tails of the daemons' logs, for a failing assertion."""
        parts = []
        for name in ("munged.log", "slurmctld.log", "slurmd.log"):
            path = self.base / name
            text = path.read_text(errors="replace") if path.is_file() else "(none)"
            parts.append(f"--- {name}\n{text[-2500:]}")
        return "\n".join(parts)

    def namespace_pids(self) -> list[int]:
        """Every process in this cluster's mount namespace (the holder's) and their descendants (sandboxes
        have namespaces of their own), by pid."""
        try:
            mine = os.readlink(f"/proc/{self.holder.pid}/ns/mnt")
        except OSError:
            return []
        found, parents = set(), {}
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                with contextlib.suppress(OSError):
                    parents[int(entry.name)] = int((entry / "stat").read_text().rpartition(")")[2].split()[1])
                    if os.readlink(entry / "ns" / "mnt") == mine:
                        found.add(int(entry.name))
        grown = True
        while grown:
            children = {pid for pid, parent in parents.items() if parent in found} - found
            found |= children
            grown = bool(children)
        return sorted(found)

    def stop(self, grace_s: float = 5.0) -> None:
        """End every process of the namespace (SIGTERM, then SIGKILL), then the holder; remove the folder."""
        for sig in (signal.SIGTERM, signal.SIGKILL):
            pids = [pid for pid in self.namespace_pids() if pid != self.holder.pid]
            for pid in pids:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, sig)
            deadline = time.monotonic() + grace_s
            while pids and time.monotonic() < deadline and any(Path(f"/proc/{p}").exists() for p in pids):
                for daemon in self.daemons:
                    daemon.poll()  # reap our direct children
                time.sleep(0.1)
        self.holder.kill()
        self.holder.wait(timeout=10)
        for daemon in self.daemons:
            with contextlib.suppress(subprocess.TimeoutExpired):
                daemon.wait(timeout=5)
        remove_tree(self.base)

    def _start(self, argv: Sequence[str], log: str) -> None:
        with (self.base / log).open("ab") as out:
            made = subprocess.Popen(self.inside(argv), stdout=out, stderr=subprocess.STDOUT, env={"PATH": "/usr/bin:/bin"})
        self.daemons.append(made)

    def _wait(self, what: str, check: Sequence[str], ok: str) -> None:
        """Wait until ``check`` (as root in the namespace) prints ``ok``; fail with the logs after a minute."""
        deadline = time.monotonic() + _READY_S
        seen = ""
        while time.monotonic() < deadline:
            done = subprocess.run(self.inside(check), capture_output=True, text=True, env=self.env(), check=False)
            seen = done.stdout + done.stderr
            if done.returncode == 0 and ok in done.stdout:
                return
            if any(d.poll() is not None for d in self.daemons):
                break
            time.sleep(0.5)
        raise RuntimeError(f"throwaway Slurm: {what} did not come up ({shlex.join(check)}: {seen.strip()!r})\n{self.logs()}")


def _identity_files(base: Path) -> list[str]:
    """Shell lines that show ``/etc/passwd`` and ``/etc/group`` with the TA added, in the namespace only."""
    etc = base / "etc"
    etc.mkdir()
    home = base / "ta"
    (etc / "passwd").write_text(Path("/etc/passwd").read_text() + f"{TA_USER}:x:{TA_UID}:{TA_UID}::{home}:/bin/sh\n")
    (etc / "group").write_text(Path("/etc/group").read_text() + f"{TA_USER}:x:{TA_UID}:\n")
    return [f"mount --bind {etc / name} /etc/{name}" for name in ("passwd", "group")]


def _prepare(base: Path) -> None:
    """The cluster's files: slurm.conf, the munge key, the TA's home with a writable $TMPDIR."""
    for name in ("state", "spool", "munge"):
        (base / name).mkdir(mode=0o700)
    (base / "munge.key").write_bytes(os.urandom(1024))
    (base / "munge.key").chmod(0o400)
    cpus = len(os.sched_getaffinity(0))
    (base / "slurm.conf").write_text(slurm_conf(base, cpus=cpus, memory_mb=_mem_mb() // 2))
    (base / "slurm.conf").chmod(0o644)
    for folder in (base / "ta", base / "ta" / "tmp"):
        folder.mkdir()
        os.chown(folder, TA_UID, TA_UID)


def start_slurm() -> Slurm:
    """Start the namespace, munged, slurmctld and slurmd; return once the node takes jobs."""
    base = Path(tempfile.mkdtemp(prefix="grader-slurm-"))
    base.chmod(0o755)  # the TA reaches slurm.conf, the munge socket and its home through it
    _prepare(base)
    paths = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.executable).parent, REPO]
    lines = ["set -e", *_identity_files(base), *_expose(paths, TA_UID, base / "exposed"), "echo ready", "exec sleep infinity"]
    holder = subprocess.Popen(["unshare", "--mount", "--propagation", "private", "--", "sh", "-c", "\n".join(lines)],
                              stdout=subprocess.PIPE, env={"PATH": "/usr/bin:/bin:/usr/sbin:/sbin"})  # fmt: skip
    slurm = Slurm(base, holder)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == b"ready", "the namespace did not start"
        slurm._start([_bin("munged"), "--foreground", "--force", f"--key-file={base / 'munge.key'}",
                      f"--socket={base / 'munge.socket'}", f"--pid-file={base / 'munge' / 'munged.pid'}",
                      f"--seed-file={base / 'munge' / 'munged.seed'}", f"--log-file={base / 'munged.log'}"],
                     "munged.out")  # fmt: skip
        slurm._start([_bin("slurmctld"), "-D", "-i", "-f", str(slurm.conf)], "slurmctld.out")
        slurm._wait("slurmctld", ["scontrol", "ping"], "UP")
        slurm._start([_bin("slurmd"), "-D", "-f", str(slurm.conf), "-N", NODE], "slurmd.out")
        slurm._wait("slurmd", ["sinfo", "-h", "-N", "-o", "%t"], "idle")
    except BaseException:
        slurm.stop()
        raise
    return slurm


def _bin(name: str) -> str:
    found = _which(name)
    assert found is not None, f"{name} is missing"
    return found


@contextlib.contextmanager
def running_slurm() -> Iterator[Slurm]:
    """A throwaway Slurm for the block; stopped afterwards, also when the block fails."""
    slurm = start_slurm()
    try:
        yield slurm
    finally:
        slurm.stop()
