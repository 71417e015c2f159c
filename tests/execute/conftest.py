"""Shared helpers for the execute-stage tests: fixture notebooks, small limits, the sandbox gate."""

from __future__ import annotations

import json
import socket
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbformat import NotebookNode

from grader.execute import ExecStatus, ExecutionConfig, ExecutionRecord, run_notebook, sandbox_available

REPO = Path(__file__).resolve().parents[2]
HOSTILE = REPO / "tests" / "fixtures" / "notebooks" / "hostile"

# Small limits so that every hostile case ends within seconds on 2 cores.
QUICK = {
    "cell_timeout_s": 20,
    "notebook_timeout_s": 120,
    "interrupt_grace_s": 2.0,
    "memory_mb": 1024,
    "max_processes": 64,
    "max_file_size_mb": 64,
    "disk_mb": 128,
    "tmp_mb": 64,
    "threads": 1,
    "use_gpu": False,  # the hostile cases are about CPU limits; test_gpu.py turns the GPU on
}


def quick_config(**overrides: Any) -> ExecutionConfig:
    """An ExecutionConfig with the test limits above, updated by ``overrides``."""
    return ExecutionConfig(**(QUICK | overrides))


def load(name: str) -> NotebookNode:
    """A fixture notebook from tests/fixtures/notebooks/hostile/ by scenario name."""
    return nbformat.read(HOSTILE / f"{name}.ipynb", as_version=4)


def run(
    name: str | NotebookNode,
    workdir: Path,
    config: ExecutionConfig | None = None,
    *,
    slot: int = 0,
    env: Mapping[str, str] | None = None,
    before_epilogue: Callable[[Path], None] | None = None,
) -> tuple[NotebookNode, ExecutionRecord]:
    nb = load(name) if isinstance(name, str) else name
    return run_notebook(
        nb,
        workdir=workdir,
        config=config or quick_config(),
        slot=slot,
        env=env,
        before_epilogue=before_epilogue,
    )


def probe_results(workdir: Path) -> dict[str, Any]:
    """What a probing notebook wrote to probe.json (copied back from the sandbox)."""
    data: dict[str, Any] = json.loads((workdir / "probe.json").read_text())
    return data


def stream_text(cell: NotebookNode) -> str:
    return "".join(str(o.get("text", "")) for o in cell.outputs if o.output_type == "stream")


def assert_batch_survives(base: Path, slot: int = 0) -> None:
    """A well-behaved notebook still runs fine in the same slot after a hostile one."""
    workdir = base / f"after-{slot}"
    workdir.mkdir()
    nb, record = run("control_well_behaved", workdir, slot=slot)
    assert record.status is ExecStatus.OK, record.reason
    assert (workdir / "result.txt").read_text() == "4.0"
    assert "answer 4.0" in stream_text(nb.cells[0])


@pytest.fixture
def sandbox() -> None:
    """Skip (with the reason) where the sandbox cannot run: no bubblewrap, not root, no namespaces."""
    available, why = sandbox_available()
    if not available:
        pytest.skip(f"sandbox unavailable here: {why}")


@pytest.fixture
def alice(tmp_path: Path) -> Path:
    """A submission's work dir, with a sibling submission (bob) beside it."""
    alice = tmp_path / "submissions" / "alice"
    bob = tmp_path / "submissions" / "bob"
    alice.mkdir(parents=True)
    bob.mkdir()
    (bob / "submission.ipynb").write_text('{"bob": "original"}')
    return alice


def accepted_connections(listener: socket.socket) -> int:
    """How many connections a non-blocking listener has waiting (each one was a connect to it)."""
    count = 0
    while True:
        try:
            conn, _ = listener.accept()
        except BlockingIOError:
            return count
        conn.close()
        count += 1


def host_unix_listener(path: Path) -> socket.socket:
    """A listening unix socket on the host that anyone may connect to (a stand-in for an agent or a bus)."""
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    listener.bind(str(path))
    path.chmod(0o777)
    listener.listen(512)
    listener.setblocking(False)
    return listener
