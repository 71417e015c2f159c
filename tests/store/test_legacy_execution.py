"""Results stored while the run sat inside the result (``result.execution``, with the executed notebook's
path also at the top as ``executed_notebook``) still load, from OUT/results and from the gradebook, with
the run beside the result and the path in the run.

The fixture is ``tests/render/samples.py``'s ``cell_error("s_result_execution")`` as the grader of commit
94f85c6 dumped it (``GradedSubmission.model_dump_json()``), byte for byte.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission
from grader.records.result import SubmissionStatus
from grader.rescore import rescore
from grader.rubric import load_rubric
from grader.store.files import read_result, result_path
from grader.store.gradebook import RunInfo, current_results, open_gradebook, start_run, upsert_result
from tests.render.samples import cell_error
from tests.store.builders import graded

ROOT = Path(__file__).parents[2]
FIXTURE = ROOT / "tests" / "fixtures" / "records" / "graded_v2_result_execution.json"
STUDENT = "s_result_execution"


def _stored() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return data


def test_the_fixture_is_in_the_old_layout() -> None:
    stored = _stored()
    assert "execution" in stored["result"] and "execution" not in stored
    assert stored["executed_notebook"] == f"executed/{STUDENT}.ipynb"
    assert stored["result"]["execution"]["executed_notebook"] is None


def test_a_result_with_its_run_inside_loads_with_the_run_beside_it() -> None:
    loaded = GradedSubmission.model_validate_json(FIXTURE.read_text(encoding="utf-8"))
    assert loaded == cell_error(STUDENT)
    assert loaded.execution.status is ExecStatus.CELL_ERROR and loaded.execution.cell_errors == (17, 19, 20)
    assert loaded.execution.failure is not None and loaded.execution.failure.ename == "RuntimeError"
    assert loaded.execution.executed_notebook == f"executed/{STUDENT}.ipynb"
    assert loaded.result.status is SubmissionStatus.CELL_ERROR


def test_a_lifted_result_is_written_in_the_new_layout() -> None:
    loaded = GradedSubmission.model_validate_json(FIXTURE.read_text(encoding="utf-8"))
    written = json.loads(loaded.model_dump_json())
    assert "execution" not in written["result"] and "executed_notebook" not in written
    assert written["execution"]["executed_notebook"] == f"executed/{STUDENT}.ipynb"
    assert GradedSubmission.model_validate(written) == loaded


def test_a_run_given_beside_the_result_wins_over_one_inside_it() -> None:
    stored = _stored()
    stored["execution"] = ExecutionRecord(status=ExecStatus.TIMEOUT, reason="beside").model_dump(mode="json")
    loaded = GradedSubmission.model_validate(stored)
    assert (loaded.execution.status, loaded.execution.reason) == (ExecStatus.TIMEOUT, "beside")
    assert loaded.execution.executed_notebook == f"executed/{STUDENT}.ipynb"


def test_a_result_without_a_run_is_refused_with_the_field_named() -> None:
    stored = _stored()
    del stored["result"]["execution"]
    with pytest.raises(ValidationError, match=r"execution\n  Field required"):
        GradedSubmission.model_validate(stored)


def test_the_store_reads_the_old_layout(tmp_path: Path) -> None:
    path = result_path(tmp_path, STUDENT)
    path.parent.mkdir(parents=True)
    path.write_bytes(FIXTURE.read_bytes())
    assert read_result(tmp_path, STUDENT) == cell_error(STUDENT)


def test_the_gradebook_reads_the_old_layout(tmp_path: Path) -> None:
    with open_gradebook(tmp_path / "gradebook.db") as conn:
        run = start_run(conn, RunInfo(rubric_id="week11@abc", rubric_sha256="r1", grader_version="test"))
        upsert_result(conn, run, graded(STUDENT))
        conn.execute("UPDATE results SET graded_json = ?", (FIXTURE.read_text(encoding="utf-8"),))
        conn.commit()
    (current,) = current_results(tmp_path / "gradebook.db")
    assert current.graded == cell_error(STUDENT)


def test_rescoring_the_old_layout_reads_the_lifted_run() -> None:
    loaded = GradedSubmission.model_validate_json(FIXTURE.read_text(encoding="utf-8"))
    again = rescore(loaded, load_rubric(ROOT / "rubrics" / "week11.yaml"))
    assert again.execution == loaded.execution
    assert again.result.status is SubmissionStatus.CELL_ERROR
    assert "cells [17, 19, 20] raised errors" in again.result.reason
