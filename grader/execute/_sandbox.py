"""The bubblewrap sandbox: is it usable here, and the command line that starts a kernel inside it.

Two forms of the tested recipe (shared/design/sandbox.md):

- root (``execution.sandbox_form: root``, the default for a grader running as root): ``bwrap`` (new
  mount, pid, ipc, uts, cgroup and network namespaces, ``--die-with-parent``, ``--new-session``,
  ``--clearenv``) runs ``setpriv`` (the slot's numeric uid and gid, no groups, no capabilities, no new
  privileges), which runs the seccomp loader, which runs ``prlimit`` (memory, CPU, processes, file
  size, open files, no core dumps), which runs the kernel. The slot's uid could still make a user
  namespace and hold every capability in it (``unshare -Ur``); the seccomp filter refuses that.
- rootless (the default for any other user, e.g. a TA on a SLURM node): ``setpriv`` first when the
  grader is root (the slot's uid), else nothing; then an unprivileged ``bwrap --unshare-all
  --unshare-user --disable-userns`` (the same namespaces plus a user namespace in which no further one
  can be made), then the seccomp loader, ``prlimit``, the kernel. It never holds a capability outside
  its namespace and blocks nested user namespaces; it needs unprivileged user namespaces and a Python
  the kernel's uid can read. Without root the kernel runs as the grader's own user and its work dir is a plain
  directory (``max_file_size_mb`` per file; ``disk_mb`` in total is measured by the grader, ``_guard``).

Both start with the keyring launcher (``_keyring``): the kernel gets a new, empty session keyring, and the
launcher first joins the run's cgroup (``_cgroup``: memory and tasks of the whole sandbox) where there is one. In
both, the seccomp loader (``_seccomp``: the sandbox's own Python, ``-I -S``, before any student code)
loads a filter that refuses new namespaces (``unshare``/``clone`` namespace flags, ``setns``; ``clone3``
ENOSYS), mounts, ``ptrace``, ``bpf``, ``perf_event_open``, ``userfaultfd``, ``io_uring``, the keyrings,
modules, ``kexec`` and ``reboot`` with EPERM, on x86_64 and aarch64; elsewhere, or without libseccomp,
``sandbox_available`` answers False (no sandboxed kernel without the filter). The probe runs ``true``
under the filter and checks that ``unshare --user`` is refused.

What the kernel sees: /usr (and the /bin, /lib… links) read-only, a few files of /etc, the Python
installation and its prefixes read-only (parents created empty, mode 0755, so nothing beside them is
visible: a venv inside the repo shows only ``.venv``), ``extra_ro_binds`` read-only, the connection
directory, the work dir at /home/student (its cwd and HOME), size-limited /tmp and /dev/shm, a fresh
/proc and a minimal /dev (plus the slot's GPU nodes). Nothing else of the host.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import Literal

from grader.errors import SandboxError, SandboxUnavailableError
from grader.execute import _workdir
from grader.execute._keyring import keyring_prefix
from grader.execute._seccomp import check_loadable, compiled_filter, loader_argv
from grader.execute.config import SandboxForm, resolve_form
from grader.execute.devices import DeviceInfo, device_nodes

__all__ = [
    "SANDBOX_HOME",
    "SANDBOX_USER",
    "PythonInstall",
    "SandboxSpec",
    "Tools",
    "find_tools",
    "python_install",
    "sandbox_argv",
    "sandbox_available",
    "write_identity",
]

SANDBOX_HOME = PurePosixPath("/home/student")
SANDBOX_USER = "student"
_TOP_LEVEL_LINKS = ("bin", "sbin", "lib", "lib32", "lib64", "libx32")
_ETC_FILES = ("ld.so.cache", "ld.so.conf", "ld.so.conf.d", "localtime", "alternatives", "fonts", "mime.types")
_UNSHARE = ("--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup", "--unshare-net")
_UNSHARE_ROOTLESS = ("--unshare-all", "--unshare-user", "--disable-userns")
_USERNS_HINT = (
    "the rootless sandbox needs unprivileged user namespaces (Debian/RHEL: sysctl user.max_user_namespaces > 0; "
    "Ubuntu 24.04: an AppArmor profile for bwrap or kernel.apparmor_restrict_unprivileged_userns=0)"
)


@dataclass(frozen=True)
class Tools:
    """Absolute paths of the programs the sandbox is built from."""

    bwrap: str
    setpriv: str
    prlimit: str


@dataclass(frozen=True)
class PythonInstall:
    """The kernel's interpreter and the prefixes it needs (venv and base installation)."""

    executable: Path
    prefixes: tuple[Path, ...]


@dataclass(frozen=True)
class SandboxSpec:
    """Everything one sandboxed kernel launch needs (host paths unless said otherwise)."""

    tools: Tools
    python: PythonInstall
    uid: int
    live_dir: Path
    conn_dir: Path
    etc_dir: Path
    env: Mapping[str, str]
    rlimits: tuple[str, ...]
    tmp_bytes: int
    ro_binds: tuple[Path, ...] = ()
    device: DeviceInfo | None = None
    form: Literal["root", "rootless"] = "root"

    @property
    def switch_user(self) -> bool:
        """Whether ``setpriv`` moves the kernel to ``uid`` (only root can; a rootless grader that is
        not root runs the kernel as itself)."""
        return self.form == "root" or os.geteuid() == 0


def find_tools() -> Tools:
    """The sandbox's programs on PATH; raises SandboxUnavailableError naming the missing ones."""
    found = {name: shutil.which(name) for name in ("bwrap", "setpriv", "prlimit")}
    missing = sorted(name for name, path in found.items() if path is None)
    if missing:
        raise SandboxUnavailableError(
            f"sandbox: {', '.join(missing)} not found on PATH; install them "
            "(Debian/Ubuntu: apt-get install bubblewrap util-linux)"
        )
    return Tools(**{name: str(path) for name, path in found.items()})


def sandbox_available(form: SandboxForm = "auto") -> tuple[bool, str]:
    """Whether sandboxed kernels of ``form`` can run here, and why not (probed once per process and
    form, about 20 ms).

    The probe runs the whole chain (bwrap, setpriv, prlimit) on ``true`` and, as root, mounts a small
    tmpfs, so a container without namespaces or mount rights answers False with the error it gave.
    """
    return _probe(resolve_form(form))


@functools.cache
def _probe(form: Literal["root", "rootless"]) -> tuple[bool, str]:
    if not sys.platform.startswith("linux"):
        return False, f"the sandbox needs Linux (bubblewrap); this is {sys.platform}"
    if form == "root" and os.geteuid() != 0:
        return False, (
            "the root sandbox runs each slot as its own uid and needs root; running as uid "
            f"{os.geteuid()} (use execution.sandbox_form: rootless, or auto)"
        )
    try:
        tools = find_tools()
        _probe_chain(tools, form)
        check_loadable()
        if os.geteuid() == 0:
            _probe_tmpfs()
    except SandboxError as exc:
        return False, str(exc)
    return True, ""


def _probe_chain(tools: Tools, form: Literal["root", "rootless"]) -> None:
    true = shutil.which("true") or "/usr/bin/true"
    binds = _system_binds(_Binds()).args
    limited = [tools.prlimit, "--nproc=64", "--", true]
    if form == "root":
        argv = [
            tools.bwrap,
            *_UNSHARE,
            "--die-with-parent",
            *binds,
            "--",
            tools.setpriv,
            *_setpriv_args(65534),
        ]
        argv += limited
    else:
        drop = [tools.setpriv, *_setpriv_args(65534)] if os.geteuid() == 0 else []
        argv = [*drop, tools.bwrap, *_UNSHARE_ROOTLESS, "--die-with-parent", *binds, "--", *limited]
    try:
        done = subprocess.run(argv, capture_output=True, text=True, timeout=20, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxUnavailableError(f"sandbox: bwrap could not run: {exc}") from exc
    if done.returncode != 0:
        detail = (done.stderr.strip().splitlines()[-1:] or [f"exit code {done.returncode}"])[0]
        hint = f"; {_USERNS_HINT}" if form == "rootless" else ""
        raise SandboxUnavailableError(f"sandbox ({form}): bwrap failed its probe: {detail}{hint}")


def _probe_tmpfs() -> None:
    with tempfile.TemporaryDirectory(prefix="grader-probe-") as tmp:
        _workdir.mount_tmpfs(Path(tmp), size_bytes=1 << 20, uid=0, gid=0)
        _workdir.unmount(Path(tmp))


@functools.cache
def python_install(executable: Path | None) -> PythonInstall:
    """The interpreter ``executable`` (default: this one) with its ``sys.prefix`` and ``base_prefix``."""
    if executable is None:
        return PythonInstall(Path(sys.executable), _unique([Path(sys.prefix), Path(sys.base_prefix)]))
    code = "import sys; print(sys.prefix); print(sys.base_prefix)"
    try:
        out = subprocess.run(
            [str(executable), "-c", code], capture_output=True, text=True, timeout=60, check=True
        )
    except (OSError, subprocess.SubprocessError) as exc:
        raise SandboxError(f"execution.python_executable: {executable} cannot run: {exc}") from exc
    return PythonInstall(executable, _unique(Path(line) for line in out.stdout.split("\n") if line))


def sandbox_argv(spec: SandboxSpec) -> list[str]:
    """The command line up to (not including) the kernel's own argv: the keyring launcher
    (``_keyring``), then bwrap and setpriv in the order of the form, the seccomp loader (``_seccomp``),
    prlimit."""
    binds = _system_binds(_Binds())
    binds.tmpfs("/tmp", spec.tmp_bytes)
    binds.special("--proc", "/proc")
    binds.special("--dev", "/dev")
    binds.tmpfs("/dev/shm", spec.tmp_bytes)
    _device_binds(binds, spec.device)
    for path in (
        *spec.python.prefixes,
        spec.python.executable.parent,
        *spec.ro_binds,
        *_tool_paths(spec.tools),
    ):
        binds.ro(_existing(path))
    binds.ro(spec.etc_dir / "passwd", "/etc/passwd")
    binds.ro(spec.etc_dir / "group", "/etc/group")
    binds.rw(spec.conn_dir, str(spec.conn_dir))
    binds.rw(spec.live_dir, str(SANDBOX_HOME))
    env = ["--chdir", str(SANDBOX_HOME), "--clearenv", *_setenv_args(spec.env), "--"]
    seccomp = loader_argv(spec.python.executable, compiled_filter().program)
    limits = [*seccomp, spec.tools.prlimit, *spec.rlimits, "--"]
    session = ["--hostname", "grader-sandbox", "--die-with-parent", "--new-session"]
    if spec.form == "root":
        head = [*keyring_prefix(), spec.tools.bwrap, *_UNSHARE, *session]
        return head + binds.args + env + [spec.tools.setpriv, *_setpriv_args(spec.uid)] + limits
    drop = [*keyring_prefix()]
    drop += [spec.tools.setpriv, *_setpriv_args(spec.uid)] if spec.switch_user else []
    if spec.switch_user:
        _check_reachable(spec)
    return [*drop, spec.tools.bwrap, *_UNSHARE_ROOTLESS, *session, *binds.args, *env, *limits]


def write_identity(etc_dir: Path, uid: int) -> None:
    """Write the sandbox's /etc/passwd and /etc/group: one user, ``student``, with the slot's uid."""
    etc_dir.mkdir(mode=0o755, exist_ok=True)
    (etc_dir / "passwd").write_text(
        f"{SANDBOX_USER}:x:{uid}:{uid}::{SANDBOX_HOME}:/bin/sh\n", encoding="ascii"
    )
    (etc_dir / "group").write_text(f"{SANDBOX_USER}:x:{uid}:\n", encoding="ascii")


@dataclass
class _Binds:
    """bwrap mount arguments, creating each missing parent as an empty 0755 directory."""

    args: list[str] = field(default_factory=list)
    made: set[PurePosixPath] = field(default_factory=lambda: {PurePosixPath("/")})
    mounted: list[PurePosixPath] = field(default_factory=list)

    def covered(self, path: PurePosixPath) -> bool:
        return any(path == root or root in path.parents for root in self.mounted)

    def parents(self, path: PurePosixPath) -> None:
        for parent in reversed(path.parents):
            if parent not in self.made and not self.covered(parent):
                self.args += ["--perms", "0755", "--dir", str(parent)]
                self.made.add(parent)

    def mount(self, option: str, source: str | None, dest: str) -> None:
        target = PurePosixPath(dest)
        if self.covered(target) and source == dest:
            return
        self.parents(target)
        self.args += [option, dest] if source is None else [option, source, dest]
        self.mounted.append(target)
        self.made.add(target)

    def ro(self, source: Path, dest: str | None = None) -> None:
        self.mount("--ro-bind", str(source), dest or str(source))

    def rw(self, source: Path, dest: str) -> None:
        self.mount("--bind", str(source), dest)

    def special(self, option: str, dest: str) -> None:
        self.args += [option, dest]
        self.made.add(PurePosixPath(dest))

    def tmpfs(self, dest: str, size_bytes: int) -> None:
        self.parents(PurePosixPath(dest))
        self.args += ["--perms", "1777", "--size", str(size_bytes), "--tmpfs", dest]
        self.made.add(PurePosixPath(dest))


def _system_binds(binds: _Binds) -> _Binds:
    """/usr read-only, the top-level /bin, /lib… links or directories, and a few files of /etc."""
    binds.ro(Path("/usr"))
    for name in _TOP_LEVEL_LINKS:
        host = Path("/") / name
        if host.is_symlink():
            binds.args += ["--symlink", os.readlink(host), str(host)]
        elif host.is_dir():
            binds.ro(host)
    for name in _ETC_FILES:
        if (Path("/etc") / name).exists():
            binds.ro(Path("/etc") / name)
    return binds


def _device_binds(binds: _Binds, device: DeviceInfo | None) -> None:
    if device is None:
        return
    for node in device_nodes(device):
        binds.mount("--dev-bind", str(node), str(node))


def _setpriv_args(uid: int) -> list[str]:
    ids = [f"--reuid={uid}", f"--regid={uid}", "--clear-groups"]
    return [*ids, "--no-new-privs", "--inh-caps=-all", "--bounding-set=-all", "--"]


def _setenv_args(env: Mapping[str, str]) -> list[str]:
    args: list[str] = []
    for key in sorted(env):
        args += ["--setenv", key, env[key]]
    return args


def _tool_paths(tools: Tools) -> list[Path]:
    return [Path(tools.setpriv), Path(tools.prlimit)]


def _check_reachable(spec: SandboxSpec) -> None:
    """The rootless form as root: bwrap runs as the slot's uid and must reach every bind source itself."""
    sources = [*spec.python.prefixes, spec.python.executable.parent, *spec.ro_binds]
    sources += [spec.live_dir, spec.conn_dir, spec.etc_dir]
    for source in sources:
        blocked = _first_private_dir(Path(os.path.realpath(source)), spec.uid)
        if blocked is not None:
            mode = blocked.stat().st_mode & 0o777
            raise SandboxError(
                f"sandbox (rootless): uid {spec.uid} cannot reach {source}: {blocked} is mode {mode:o}; "
                "every bind source (the Python installation, extra_ro_binds, the run directory under "
                "$TMPDIR) must be reachable by that uid, or use execution.sandbox_form: root"
            )


def _first_private_dir(path: Path, uid: int) -> Path | None:
    """The first directory on the way to ``path`` that ``uid`` (no supplementary groups) cannot enter."""
    for directory in [*reversed(path.parents), path]:
        try:
            info = directory.stat()
        except OSError:
            return None  # a missing path is reported by the bind itself
        if not os.path.isdir(directory):
            continue
        bit = 0o100 if info.st_uid == uid else 0o010 if info.st_gid == uid else 0o001
        if not info.st_mode & bit:
            return directory
    return None


def _existing(path: Path) -> Path:
    if not path.exists():
        raise SandboxError(f"sandbox: cannot bind {path}: it does not exist on this machine")
    return path


def _unique(paths: Iterable[Path]) -> tuple[Path, ...]:
    return tuple(dict.fromkeys(paths))
