"""One run's inputs and its private host scratch: what to launch, where, with which environment."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from nbformat import NotebookNode

from grader.execute import _cgroup
from grader.execute._reasons import memory_rlimit
from grader.execute._sandbox import SANDBOX_USER, PythonInstall, write_identity
from grader.execute._workdir import LiveWorkdir, remove_tree
from grader.execute.config import ExecutionConfig
from grader.execute.devices import DeviceInfo
from grader.execute.rundirs import run_dir

__all__ = ["MIB", "Job", "Scratch", "kernel_env", "rlimits", "sandbox_memory_mb"]

MIB = 2**20
_THREAD_VARS = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMEXPR_NUM_THREADS")

INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
"""Figures become image outputs of the executed notebook (kept for the report and the audit)."""


@dataclass(frozen=True)
class Job:
    """A notebook to run: where, under which config, in which slot, on which device, with which hook."""

    nb: NotebookNode
    workdir: Path
    config: ExecutionConfig
    slot: int
    sandboxed: bool
    device: DeviceInfo | None
    hook: Callable[[Path], None] | None
    extra_env: Mapping[str, str]
    form: Literal["root", "rootless"] = "root"

    @property
    def as_root(self) -> bool:
        """Whether the grader runs as root (and so can switch uids, chown and mount)."""
        return os.geteuid() == 0

    @property
    def owner(self) -> tuple[int, int]:
        """(uid, gid) the sandboxed kernel runs as: the slot's ``uid_base + slot`` for both when the
        grader is root, else the grader's own ids (rootless form)."""
        if not self.as_root:
            return os.getuid(), os.getgid()
        uid = self.config.uid_base + self.slot
        return uid, uid


class Scratch:
    """The run's private host directory (mode 0700; 0711 in the rootless form as root, so that the
    unprivileged bwrap can reach the binds below it): connection files, the sandbox's /etc files, the
    kernel's log, and (sandboxed) the live work dir (a tmpfs when root) and the sandbox's cgroup
    (``_cgroup``; None where none can be made, ``cgroup_note`` says why). Removed on exit."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.live: LiveWorkdir | None = None
        self.cgroup: _cgroup.SandboxCgroup | None = None
        self.cgroup_note = ""
        self._stack = contextlib.ExitStack()
        self.root = Path(os.path.realpath(run_dir("run")))
        self.conn = self.root / "conn"
        self.etc = self.root / "etc"
        self.work = self.root / "work"
        self.log = self.root / "kernel.log"

    def __enter__(self) -> Scratch:
        self._stack.callback(remove_tree, self.root)
        try:
            self.conn.mkdir(mode=0o700)
            if self.job.sandboxed:
                self._prepare_sandbox()
        except BaseException:
            self._stack.close()
            raise
        return self

    def _prepare_sandbox(self) -> None:
        if self.job.as_root:
            os.chown(self.conn, *self.job.owner)
            if self.job.form == "rootless":
                self.root.chmod(0o711)
        write_identity(self.etc, self.job.owner[0])
        disk = self.job.config.disk_mb * MIB
        live = LiveWorkdir(
            self.job.workdir, self.work, owner=self.job.owner, disk_bytes=disk, tmpfs=self.job.as_root
        )
        self.live = self._stack.enter_context(live)
        self._make_cgroup()

    def _make_cgroup(self) -> None:
        """The sandbox's cgroup (removed on exit), or the reason there is none in ``cgroup_note``."""
        backend = _cgroup.find_backend()
        if isinstance(backend, str):
            self.cgroup_note = backend
            return
        for parent in backend.parents():
            _cgroup.clean_once(parent)
        memory = sandbox_memory_mb(self.job.config, tmpfs_workdir=self.job.as_root) * MIB
        try:
            self.cgroup = backend.create(_cgroup.new_name(), memory, self.job.config.max_processes)
        except OSError as exc:
            self.cgroup_note = f"no writable cgroup ({exc.strerror})"
            return
        self._stack.callback(self.cgroup.remove)

    @property
    def cgroup_procs(self) -> tuple[Path, ...]:
        """The ``cgroup.procs`` files the kernel's launcher joins (none without a cgroup)."""
        return self.cgroup.procs if self.cgroup is not None else ()

    def __exit__(self, *exc: object) -> None:
        self._stack.close()

    @property
    def kernel_cwd(self) -> Path:
        """Host cwd of the launched process (bwrap moves the kernel to /home/student itself)."""
        return self.root if self.job.sandboxed else self.job.workdir

    def sync_in(self) -> None:
        if self.live is not None:
            self.live.sync_in()

    def copy_out(self) -> int:
        return self.live.copy_out().skipped if self.live is not None else 0

    def log_tail(self) -> str:
        """The last lines the kernel (or bwrap) wrote to stderr before it could talk, for a reason."""
        try:
            text = self.log.read_bytes()[-4000:].decode("utf-8", errors="replace")
        except OSError:
            return ""
        lines = [line.strip() for line in text.splitlines() if line.strip()]
        return f"; kernel log: {' | '.join(lines[-2:])}" if lines else ""


def kernel_env(job: Job, python: PythonInstall, *, home: str, tmp: str) -> dict[str, str]:
    """The kernel's whole environment (nothing is inherited from the grader), then ``env`` on top."""
    threads = str(job.config.resolved_threads())
    env = {
        "HOME": home,
        "USER": SANDBOX_USER,
        "LOGNAME": SANDBOX_USER,
        "LANG": "C.UTF-8",
        "PATH": f"{python.executable.parent}:/usr/local/bin:/usr/bin:/bin",
        "TMPDIR": tmp,
        "MPLBACKEND": INLINE_BACKEND,
        "MPLCONFIGDIR": f"{tmp}/matplotlib",
        "IPYTHONDIR": f"{tmp}/ipython",
        "XDG_CACHE_HOME": f"{tmp}/cache",
        "PYTHONUNBUFFERED": "1",
        "OMP_WAIT_POLICY": "PASSIVE",  # spinning OpenMP threads slowed parallel slots up to 6x
        "PYTHONDONTWRITEBYTECODE": "1",
        "PYTHONHASHSEED": str(job.config.hash_seed),
        "CUBLAS_WORKSPACE_CONFIG": ":4096:8",
        "CUDA_VISIBLE_DEVICES": job.device.visible_devices if job.device else "",
    }
    env |= dict.fromkeys(_THREAD_VARS, threads)
    if job.device is not None and "LD_LIBRARY_PATH" in os.environ:
        env["LD_LIBRARY_PATH"] = os.environ["LD_LIBRARY_PATH"]
    return env | dict(job.extra_env)


def sandbox_memory_mb(cfg: ExecutionConfig, *, tmpfs_workdir: bool) -> int:
    """Memory of the whole sandbox, in MiB: ``memory_mb`` plus the RAM its tmpfs mounts may hold (the
    work dir's ``disk_mb`` when it is a tmpfs, ``tmp_mb`` each for /tmp and /dev/shm), whose pages are
    charged to the sandbox's cgroup like any other memory of its processes.

    >>> sandbox_memory_mb(ExecutionConfig(memory_mb=1024, disk_mb=128, tmp_mb=64), tmpfs_workdir=True)
    1280
    """
    disk = cfg.disk_mb if tmpfs_workdir else 0
    return cfg.resolved_memory_mb() + disk + 2 * cfg.tmp_mb


def rlimits(cfg: ExecutionConfig, *, gpu: bool) -> tuple[str, ...]:
    """prlimit options: memory, CPU (soft; SIGKILL 5 s later), processes, file size, open files, no core."""
    cpu = cfg.resolved_cpu_time_s()
    return (
        f"--{memory_rlimit(gpu)}={cfg.resolved_memory_mb() * MIB}",
        f"--cpu={cpu}:{cpu + 5}",
        f"--nproc={cfg.max_processes}",
        f"--fsize={cfg.max_file_size_mb * MIB}",
        f"--nofile={cfg.max_open_files}",
        "--core=0",
    )
