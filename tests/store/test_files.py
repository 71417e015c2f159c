"""Result files: atomic writes, sweeping what a killed writer left, the output-folder lock."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from grader.errors import StoreError
from grader.store.files import (
    executed_path,
    lock_out_dir,
    read_result,
    read_results,
    result_path,
    sweep_partial,
    write_atomic,
    write_result,
)

from .builders import graded


def test_write_atomic_text_and_bytes(tmp_path: Path) -> None:
    write_atomic(tmp_path / "a" / "x.json", "{}")
    write_atomic(tmp_path / "a" / "y.bin", b"\x00\x01")
    derived = write_atomic(tmp_path / "a" / "r.html", "<p>é</p>\r\n", durable=False)  # reports: no fsync
    assert (tmp_path / "a" / "x.json").read_text() == "{}"
    assert (tmp_path / "a" / "y.bin").read_bytes() == b"\x00\x01"
    assert derived == tmp_path / "a" / "r.html" and derived.read_bytes() == "<p>é</p>\r\n".encode()
    assert derived.stat().st_mode & 0o777 == 0o644
    assert sorted(p.name for p in (tmp_path / "a").iterdir()) == ["r.html", "x.json", "y.bin"]


def test_write_atomic_keeps_the_old_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "x.json"
    target.write_text("old")
    with pytest.raises(TypeError):
        write_atomic(target, 3)  # type: ignore[arg-type]
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["x.json"]


def test_result_round_trip_and_corrupt_file(tmp_path: Path) -> None:
    g = graded("alice")
    path = write_result(tmp_path, g)
    assert path == result_path(tmp_path, "alice")
    assert read_result(tmp_path, "alice") == g
    assert read_results(tmp_path) == [g]
    path.write_text('{"result": ')
    assert read_result(tmp_path, "alice") is None
    assert read_result(tmp_path, "nobody") is None
    with pytest.raises(StoreError, match="not a readable result"):
        read_results(tmp_path)


def test_sweep_removes_only_temporary_files(tmp_path: Path) -> None:
    write_result(tmp_path, graded("alice"))
    leftovers = [
        tmp_path / "results" / ".alice.json.tmp-abc123",
        tmp_path / "executed" / ".alice.ipynb.tmp-x",
        tmp_path / "executed" / "bob.ipynb.tmp",
    ]
    for path in leftovers:
        path.parent.mkdir(exist_ok=True)
        path.write_text("half")
    executed_path(tmp_path, "alice").write_text("{}")
    assert sweep_partial(tmp_path) == sorted(leftovers)
    assert sorted(p.name for p in tmp_path.rglob("*") if p.is_file()) == ["alice.ipynb", "alice.json"]


def test_lock_is_exclusive_and_released(tmp_path: Path) -> None:
    with lock_out_dir(tmp_path), pytest.raises(StoreError, match=f"pid {os.getpid()}"), lock_out_dir(tmp_path):
        pass
    with lock_out_dir(tmp_path):
        pass


def test_lock_is_released_when_the_holder_is_killed(tmp_path: Path) -> None:
    code = (
        "import sys, time; from pathlib import Path; from grader.store.files import lock_out_dir\n"
        "with lock_out_dir(Path(sys.argv[1])):\n    print('held', flush=True); time.sleep(60)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).parents[2])}
    proc = subprocess.Popen([sys.executable, "-c", code, str(tmp_path)], stdout=subprocess.PIPE, env=env)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == b"held"
        with pytest.raises(StoreError), lock_out_dir(tmp_path):
            pass
    finally:
        proc.kill()
        proc.wait()
        assert proc.stdout is not None
        proc.stdout.close()
    with lock_out_dir(tmp_path):
        pass
