"""run_notebook on ordinary notebooks: records, outputs, environment, epilogue ordering, sandbox modes."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

import grader.execute._run as run_module
import grader.execute._session as runner_module
from grader.errors import SandboxError, SandboxUnavailableError
from grader.execute import ExecStatus, run_notebook

from .conftest import assert_batch_survives, load, quick_config, run, stream_text

pytestmark = pytest.mark.kernel


def _notebook(*sources: str, epilogue: tuple[str, ...] = ()) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(src) for src in sources]
    for src in epilogue:
        cell = nbformat.v4.new_code_cell(src)
        cell.metadata["tags"] = ["grader-epilogue"]
        nb.cells.append(cell)
    return nb


@pytest.mark.usefixtures("sandbox")
def test_well_behaved_notebook_runs_and_its_files_come_back(alice: Path) -> None:
    submitted = load("control_well_behaved")
    (alice / "provided.csv").write_text("a,b\n1,2\n")
    executed, record = run(submitted, alice)
    assert record.status is ExecStatus.OK and record.reason == ""
    assert record.sandboxed and record.device == "cpu"
    assert record.cells_executed == 2 and record.cell_errors == () and record.failure is None
    assert record.limits["network"] == "none" and record.limits["memory"] == "1024 MiB (RLIMIT_AS)"
    assert (alice / "result.txt").read_text() == "4.0"
    assert (alice / "provided.csv").read_text() == "a,b\n1,2\n"
    assert "answer 4.0" in stream_text(executed.cells[0])
    assert all(cell.outputs == [] for cell in submitted.cells)  # the caller's notebook is untouched
    assert executed.metadata["language_info"]["name"] == "python"


@pytest.mark.usefixtures("sandbox")
def test_errors_continue_and_the_first_failure_is_shown(alice: Path) -> None:
    nb = _notebook(
        "print('start')", "print('computing')\nraise ValueError('bad shape')", "1/0", "print('after')"
    )
    executed, record = run(nb, alice)
    assert record.status is ExecStatus.CELL_ERROR
    assert record.reason == "cell 1 raised ValueError: bad shape (1 more cells failed)"
    assert record.cell_errors == (1, 2)
    failure = record.failure
    assert failure is not None and (failure.cell_index, failure.ename, failure.evalue) == (
        1,
        "ValueError",
        "bad shape",
    )
    assert failure.source_preview.startswith("print('computing')")
    assert failure.output_tail == "computing\n"
    assert "ValueError" in failure.traceback_tail and "\x1b[" not in failure.traceback_tail
    assert stream_text(executed.cells[3]) == "after\n"


@pytest.mark.usefixtures("sandbox")
def test_kernel_environment_is_explicit_and_hash_seeded(alice: Path) -> None:
    keys = [
        "PYTHONHASHSEED",
        "MPLBACKEND",
        "OMP_NUM_THREADS",
        "HOME",
        "EXTRA",
        "JPY_PARENT_PID",
        "CUDA_VISIBLE_DEVICES",
    ]
    nb = _notebook(
        f"import os, json\nprint(json.dumps({{k: os.environ.get(k) for k in {keys!r}}}))",
        "print(hash('abc'))",
    )
    first, _ = run(nb, alice, quick_config(hash_seed=7), env={"EXTRA": "yes"})
    env = json.loads(stream_text(first.cells[0]))
    assert env == {
        "PYTHONHASHSEED": "7",
        "MPLBACKEND": "module://matplotlib_inline.backend_inline",
        "OMP_NUM_THREADS": "1",
        "HOME": "/home/student",
        "EXTRA": "yes",
        "JPY_PARENT_PID": None,
        "CUDA_VISIBLE_DEVICES": "",
    }
    second, _ = run(nb, alice, quick_config(hash_seed=7))
    assert stream_text(first.cells[1]) == stream_text(second.cells[1])


@pytest.mark.usefixtures("sandbox")
def test_epilogue_hook_runs_after_every_student_cell_and_hidden_data_arrives_then(alice: Path) -> None:
    calls: list[list[str]] = []

    def before_epilogue(workdir: Path) -> None:
        calls.append(sorted(p.name for p in workdir.iterdir()))
        (workdir / "hidden").mkdir()
        (workdir / "hidden" / "sequences.fa").write_text(">s1\nACGT\n")

    executed, record = run("peek_hidden_data", alice, before_epilogue=before_epilogue)
    assert record.status is ExecStatus.OK and record.epilogue_ran
    assert len(calls) == 1 and "hidden" not in calls[0]
    collected = json.loads((alice / "grader_record.json").read_text())
    assert collected == {"student_saw_hidden": False, "hidden": ">s1\nACGT\n"}
    epilogue, late_student = executed.cells[1], executed.cells[2]
    assert late_student.execution_count < epilogue.execution_count


@pytest.mark.usefixtures("sandbox")
def test_epilogue_error_is_recorded_apart_from_the_students_cells(alice: Path) -> None:
    nb = _notebook("x = 1", epilogue=("raise KeyError('FOLD_MODELS')",))
    _, record = run(nb, alice)
    assert record.status is ExecStatus.OK and record.epilogue_ran
    assert record.cell_errors == ()
    assert record.epilogue_failure is not None and record.epilogue_failure.ename == "KeyError"


@pytest.mark.usefixtures("sandbox")
def test_kernel_that_cannot_start_is_a_sandbox_error_not_an_exception(
    alice: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(runner_module, "STARTUP_TIMEOUT_S", 5.0)
    _, record = run(_notebook("print(1)"), alice, quick_config(memory_mb=64))
    assert record.status is ExecStatus.SANDBOX_ERROR
    # How it fails depends on the machine: a thread refused at start-up (hangs until the 5 s timeout
    # here, 2 cores) or zmq's thread refused (the kernel dies at once, 16 cores); the log says which.
    assert record.reason.startswith("the kernel did not start: ")
    assert "; kernel log: " in record.reason
    assert record.cells_executed == 0
    assert_batch_survives(tmp_path)


@pytest.mark.usefixtures("sandbox")
def test_runs_from_inside_a_running_event_loop(alice: Path) -> None:
    async def graded() -> ExecStatus:
        _, record = run("control_well_behaved", alice)
        return record.status

    assert asyncio.run(graded()) is ExecStatus.OK


def test_required_sandbox_refuses_to_run_unsandboxed(alice: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "sandbox_available", lambda form: (False, "bwrap not found"))
    with pytest.raises(SandboxUnavailableError, match=r"bwrap not found.*'required'"):
        run("control_well_behaved", alice, quick_config(sandbox="required"))


def test_auto_falls_back_to_a_plain_kernel_and_says_so(alice: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(run_module, "sandbox_available", lambda form: (False, "bwrap not found"))
    _, record = run("control_well_behaved", alice, quick_config(sandbox="auto"))
    assert record.status is ExecStatus.OK and not record.sandboxed
    assert "no isolation" in record.limits["sandbox"] and "memory" not in record.limits
    assert (alice / "result.txt").read_text() == "4.0"


def test_off_runs_a_plain_kernel_with_timeouts(alice: Path) -> None:
    nb, record = run("sleep_through_timeout", alice, quick_config(sandbox="off", cell_timeout_s=2))
    assert not record.sandboxed
    assert record.status is ExecStatus.TIMEOUT and "after the sleep" in stream_text(nb.cells[1])


def test_missing_workdir_is_a_harness_error(tmp_path: Path) -> None:
    with pytest.raises(SandboxError, match="is not a directory"):
        run_notebook(_notebook("1"), workdir=tmp_path / "nope", config=quick_config(sandbox="off"))


@pytest.mark.usefixtures("sandbox")
def test_workdir_larger_than_the_disk_cap_is_a_harness_error(alice: Path) -> None:
    (alice / "big.bin").write_bytes(b"0" * (2 * 2**20))
    with pytest.raises(SandboxError, match="disk_mb is 1 MiB"):
        run("control_well_behaved", alice, quick_config(disk_mb=1))


@pytest.mark.usefixtures("sandbox")
def test_extra_read_only_bind_is_readable_not_writable(alice: Path, tmp_path: Path) -> None:
    data = tmp_path / "course-data"
    data.mkdir()
    (data / "train.fa").write_text(">a\nACGT\n")
    nb = _notebook(f"print(open('{data}/train.fa').read())", f"open('{data}/new.txt', 'w')")
    executed, record = run(nb, alice, quick_config(extra_ro_binds=(data,)))
    assert stream_text(executed.cells[0]) == ">a\nACGT\n\n"
    assert record.cell_errors == (1,) and record.failure is not None
    assert record.failure.ename == "OSError" and "Read-only file system" in record.failure.evalue
    assert not (data / "new.txt").exists()
