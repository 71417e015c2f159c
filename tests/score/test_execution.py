"""Fail closed on how the run ended: nothing collected counts unless the collection cells ran."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.records.execution import CellFailure, ExecStatus, ExecutionRecord
from grader.records.result import FindingStatus, QuestionStatus, SubmissionStatus
from grader.rubric import Rubric, load_rubric
from grader.score import not_run_reason, score_submission

from ._records import died, ran, timed_out, week11_correct

WEEK11 = Path(__file__).resolve().parents[2] / "rubrics" / "week11.yaml"


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(WEEK11)


@pytest.mark.parametrize(
    ("execution", "status", "reason"),
    [
        (
            died(),
            SubmissionStatus.DEAD_KERNEL,
            "nothing collected counts: the kernel died (Kernel died; kernel exit code 137)",
        ),
        (
            timed_out(),
            SubmissionStatus.TIMEOUT,
            "nothing collected counts: the notebook timed out (cell 7 exceeded 600 s; cell 7: CellTimeoutError: 600 s)",
        ),
        (
            ExecutionRecord(status=ExecStatus.OK),
            SubmissionStatus.GRADED,
            "nothing collected counts: the grader's collection cells did not run",
        ),
        (
            ExecutionRecord(status=ExecStatus.LIMIT, reason="memory limit 4096 MiB"),
            SubmissionStatus.LIMIT,
            "nothing collected counts: a resource limit ended the run (memory limit 4096 MiB)",
        ),
    ],
)
def test_nothing_counts_without_the_epilogue(
    week11: Rubric, execution: ExecutionRecord, status: SubmissionStatus, reason: str
) -> None:
    result = score_submission(week11, week11_correct(), execution, student_id="s", source="s")
    assert (result.total, result.extra_points, result.status, result.reason) == (0.0, 0.0, status, reason)
    for q in result.questions:
        assert (q.points, q.status, q.reason) == (0.0, QuestionStatus.NOT_RUN, reason)
        assert all(f.status is FindingStatus.NOT_RUN and not f.passed for f in q.findings)
    assert not_run_reason(execution) == reason


def test_cell_errors_and_warnings_cost_nothing(week11: Rubric) -> None:
    noisy = ran(
        ExecStatus.CELL_ERROR,
        cell_errors=(12,),
        failure=CellFailure(
            cell_index=12,
            source_preview="1/0",
            ename="ZeroDivisionError",
            evalue="division by zero",
            output_tail="UserWarning: NNPACK not available\nDeprecationWarning: ...",
        ),
        output_truncated=True,
    )
    result = score_submission(week11, week11_correct(), noisy, student_id="s", source="s")
    assert (result.total, result.extra_points, result.status) == (15.0, 5.0, SubmissionStatus.CELL_ERROR)
    assert result.reason == "cells [12] raised errors; the cells after them still ran and count"


def test_epilogue_ran_is_what_counts(week11: Rubric) -> None:
    result = score_submission(week11, week11_correct(), ran(), student_id="s", source="s")
    assert (result.total, result.extra_points, result.reason) == (15.0, 5.0, "scored every question")
    assert all(q.status is QuestionStatus.PASSED for q in result.questions)


@pytest.mark.parametrize("status", list(ExecStatus))
def test_every_run_status_has_a_reason(status: ExecStatus) -> None:
    reason = not_run_reason(ExecutionRecord(status=status))
    assert reason is not None and reason.startswith("nothing collected counts: ")
    assert "status" not in reason, "each ExecStatus has its own words"


def test_a_failed_collection_cell_is_named() -> None:
    failure = CellFailure(cell_index=41, source_preview="", ename="MemoryError", evalue="")
    reason = not_run_reason(ExecutionRecord(status=ExecStatus.OK, epilogue_failure=failure))
    assert reason == (
        "nothing collected counts: the grader's collection cells did not run (collection cell 41: MemoryError)"
    )
