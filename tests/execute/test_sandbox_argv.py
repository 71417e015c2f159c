"""The bubblewrap command line: what is bound, how, and what is not."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from grader.execute._keyring import keyring_prefix
from grader.execute._sandbox import PythonInstall, SandboxSpec, Tools, sandbox_argv, sandbox_available
from grader.execute.devices import DeviceInfo

REPO = Path(__file__).resolve().parents[2]


def _spec(tmp_path: Path, **overrides: object) -> SandboxSpec:
    (tmp_path / "etc").mkdir(exist_ok=True)
    values: dict[str, object] = {
        "tools": Tools("/usr/bin/bwrap", "/usr/bin/setpriv", "/usr/bin/prlimit"),
        "python": PythonInstall(Path(sys.executable), (Path(sys.prefix), Path(sys.base_prefix))),
        "uid": 60003,
        "live_dir": tmp_path / "work",
        "conn_dir": tmp_path / "conn",
        "etc_dir": tmp_path / "etc",
        "env": {"HOME": "/home/student", "B": "2"},
        "rlimits": ("--as=1", "--nproc=2"),
        "tmp_bytes": 1024,
    }
    return SandboxSpec(**(values | overrides))  # type: ignore[arg-type]


def _pairs(argv: list[str], option: str) -> list[tuple[str, str]]:
    return [(argv[i + 1], argv[i + 2]) for i, arg in enumerate(argv) if arg == option]


def test_only_the_python_installation_is_visible_of_the_repo_and_root(tmp_path: Path) -> None:
    argv = sandbox_argv(_spec(tmp_path))
    ro = _pairs(argv, "--ro-bind")
    assert (sys.prefix, sys.prefix) in ro
    assert all(not source.startswith(str(REPO)) or source.startswith(sys.prefix) for source, _ in ro)
    assert (str(REPO), str(REPO)) not in ro and ("/", "/") not in ro
    created = [argv[i + 3] for i, arg in enumerate(argv) if arg == "--perms" and argv[i + 2] == "--dir"]
    assert all(argv[argv.index(d) - 2] == "0755" for d in created)
    tmpfs = {argv[i + 1] for i, arg in enumerate(argv) if arg == "--tmpfs"}
    for parent in Path(sys.prefix).parents:
        if str(parent) != "/" and str(parent) not in tmpfs:  # a repo under /tmp sits on the sandbox's tmpfs
            assert str(parent) in created


def test_only_the_work_dir_and_connection_dir_are_writable(tmp_path: Path) -> None:
    argv = sandbox_argv(_spec(tmp_path))
    assert _pairs(argv, "--bind") == [
        (str(tmp_path / "conn"), str(tmp_path / "conn")),
        (str(tmp_path / "work"), "/home/student"),
    ]
    assert argv[argv.index("--chdir") + 1] == "/home/student"
    assert tuple(argv[argv.index("/tmp") - 5 : argv.index("/tmp") + 1]) == (
        "--perms",
        "1777",
        "--size",
        "1024",
        "--tmpfs",
        "/tmp",
    )


def test_namespaces_privileges_environment_and_limits(tmp_path: Path) -> None:
    argv = sandbox_argv(_spec(tmp_path))
    for flag in (
        "--unshare-net",
        "--unshare-pid",
        "--unshare-ipc",
        "--die-with-parent",
        "--new-session",
        "--clearenv",
    ):
        assert flag in argv
    assert argv.index("--clearenv") < argv.index("--setenv")
    assert _pairs(argv, "--setenv") == [("B", "2"), ("HOME", "/home/student")]
    setpriv = argv.index("/usr/bin/setpriv")
    assert argv[setpriv + 1 : setpriv + 7] == [
        "--reuid=60003",
        "--regid=60003",
        "--clear-groups",
        "--no-new-privs",
        "--inh-caps=-all",
        "--bounding-set=-all",
    ]
    assert argv[-4:] == ["/usr/bin/prlimit", "--as=1", "--nproc=2", "--"]


def test_gpu_nodes_are_bound_only_when_a_device_is_assigned(tmp_path: Path) -> None:
    assert "--dev-bind" not in sandbox_argv(_spec(tmp_path))
    device = DeviceInfo(index=0, name="fake", minor=0)
    nodes = _pairs(sandbox_argv(_spec(tmp_path, device=device)), "--dev-bind")
    assert all(source == dest and source.startswith("/dev/nvidia") for source, dest in nodes)


def test_missing_extra_bind_is_a_harness_error(tmp_path: Path) -> None:
    from grader.errors import SandboxError

    with pytest.raises(SandboxError, match="does not exist"):
        sandbox_argv(_spec(tmp_path, ro_binds=(tmp_path / "absent",)))


def test_sandbox_available_answers_with_a_reason() -> None:
    available, why = sandbox_available()
    assert isinstance(available, bool) and (available or why)


def test_rootless_form_drops_to_the_slot_uid_before_an_unprivileged_bwrap(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import grader.execute._sandbox as sandbox_module

    checked: list[int] = []  # whether the slot's uid can reach the sources: test_rootless.py
    monkeypatch.setattr(sandbox_module, "_check_reachable", lambda spec: checked.append(spec.uid))
    argv = sandbox_argv(_spec(tmp_path, form="rootless"))[len(keyring_prefix()) :]
    assert checked == [60003]
    assert argv[0] == "/usr/bin/setpriv" and argv[1:3] == ["--reuid=60003", "--regid=60003"]
    bwrap = argv.index("/usr/bin/bwrap")
    assert argv[bwrap + 1 : bwrap + 4] == ["--unshare-all", "--unshare-user", "--disable-userns"]
    assert argv.count("/usr/bin/setpriv") == 1 and argv.index("--") < bwrap
    assert argv[-4:] == ["/usr/bin/prlimit", "--as=1", "--nproc=2", "--"]
    assert _pairs(argv, "--bind")[-1] == (str(tmp_path / "work"), "/home/student")


def test_rootless_form_without_root_runs_bwrap_as_the_grader(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import grader.execute._sandbox as sandbox_module

    monkeypatch.setattr(sandbox_module.os, "geteuid", lambda: 1000)
    argv = sandbox_argv(_spec(tmp_path, form="rootless", uid=1000))
    assert argv[: len(keyring_prefix())] == keyring_prefix()
    assert argv[len(keyring_prefix())] == "/usr/bin/bwrap" and "/usr/bin/setpriv" not in argv
    sandbox_module._probe.cache_clear()
    try:
        available, why = sandbox_available("root")
    finally:
        sandbox_module._probe.cache_clear()
    assert not available and "needs root" in why and "sandbox_form: rootless" in why


def test_both_forms_start_with_the_keyring_launcher(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import grader.execute._sandbox as sandbox_module

    monkeypatch.setattr(sandbox_module, "_check_reachable", lambda spec: None)
    for form in ("root", "rootless"):
        argv = sandbox_argv(_spec(tmp_path, form=form))
        assert argv[: len(keyring_prefix())] == keyring_prefix()
        assert argv[len(keyring_prefix())] in ("/usr/bin/bwrap", "/usr/bin/setpriv")
