"""The SQLite gradebook: runs, results per run, question rows, overrides that survive regrades."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.errors import StoreError
from grader.store.gradebook import (
    RunCounts,
    RunInfo,
    clear_override,
    connect,
    effective_grades,
    finish_run,
    list_overrides,
    list_runs,
    mark_interrupted,
    open_gradebook,
    set_override,
    start_run,
    upsert_result,
)

from .builders import graded

INFO = RunInfo(rubric_id="week11@abc", rubric_sha256="r1", grader_version="test", profile="full", jobs=2)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[sqlite3.Connection]:
    with open_gradebook(tmp_path / "gradebook.db") as conn:
        yield conn


def test_schema_and_wal(db: sqlite3.Connection) -> None:
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    tables = {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"runs", "submissions", "results", "question_scores", "overrides", "override_log"} <= tables
    assert db.execute("PRAGMA user_version").fetchone()[0] == 1


def test_runs_are_recorded(db: sqlite3.Connection) -> None:
    run = start_run(db, INFO, at="2024-06-22T10:00:00+00:00")
    finish_run(db, run, RunCounts(graded=3, reused=1, failed=0, skipped=2), at="2024-06-22T10:05:00+00:00")
    (record,) = list_runs(db)
    assert (record.id, record.status, record.ended_at) == (run, "completed", "2024-06-22T10:05:00+00:00")
    assert record.info == INFO and record.counts == RunCounts(graded=3, reused=1, skipped=2)


def test_interrupted_runs_are_marked(db: sqlite3.Connection) -> None:
    start_run(db, INFO)
    assert mark_interrupted(db) == 1
    assert [r.status for r in list_runs(db)] == ["interrupted"]


def test_upsert_is_idempotent_within_a_run(db: sqlite3.Connection) -> None:
    run = start_run(db, INFO)
    upsert_result(db, run, graded("alice", {"1.2": 0.0}))
    upsert_result(db, run, graded("alice"))
    assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM question_scores").fetchone()[0] == 3
    (grade,) = effective_grades(db)
    assert grade.total == 7.0 and grade.extra_points == 3.0 and not grade.overridden


def test_latest_run_wins_and_every_student_once(db: sqlite3.Connection) -> None:
    first = start_run(db, INFO)
    upsert_result(db, first, graded("alice"))
    upsert_result(db, first, graded("bob", {"2.5": 5.0}))
    second = start_run(db, INFO)
    upsert_result(db, second, graded("alice", {"1.2": 2.0}, sha="sha-b"))
    grades = {g.student_id: g for g in effective_grades(db)}
    assert sorted(grades) == ["alice", "bob"]
    assert (grades["alice"].run_id, grades["alice"].total, grades["alice"].submission_sha256) == (second, 2.0, "sha-b")
    assert grades["bob"].run_id == first


def test_override_wins_and_survives_regrade(db: sqlite3.Connection) -> None:
    run = start_run(db, INFO)
    upsert_result(db, run, graded("alice", {"1.2": 0.0, "2.5": 5.0}))
    set_override(db, "alice", "1.2", 2.0, grader="ta-jo", reason="answer in markdown", at="t1")
    (grade,) = effective_grades(db)
    assert (grade.total, grade.auto_total, grade.overridden) == (7.0, 5.0, True)
    question = grade.questions[0]
    assert (question.points, question.auto_points, question.status) == (2.0, 0.0, "overridden")
    assert question.override is not None and question.override.grader == "ta-jo"
    regrade = start_run(db, INFO)
    upsert_result(db, regrade, graded("alice", {"1.2": 0.0, "2.5": 0.0}, key="k2"))
    (grade,) = effective_grades(db)
    assert (grade.run_id, grade.total, grade.auto_total) == (regrade, 2.0, 0.0)
    assert not grade.questions[0].stale


def test_override_on_extra_credit_moves_extra_points(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice", {"3.1": 0.0}))
    set_override(db, "alice", "3.1", 1.5, grader="ta", reason="partial proof")
    (grade,) = effective_grades(db)
    assert (grade.extra_points, grade.total) == (1.5, 0.0)


def test_override_of_a_late_submission_keeps_the_penalty_fraction(db: sqlite3.Connection) -> None:
    on_time = graded("alice", {"1.2": 0.0, "2.5": 5.0})
    late = on_time.model_copy(
        update={"result": on_time.result.model_copy(update={"total": 4.5, "late_penalty": 0.5})}
    )
    upsert_result(db, start_run(db, INFO), late)
    set_override(db, "alice", "1.2", 2.0, grader="ta", reason="r")
    (grade,) = effective_grades(db)
    assert (grade.total, grade.late_penalty, grade.auto_total) == (6.3, 0.7, 4.5)


def test_override_on_a_new_submission_is_flagged_stale(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice", sha="old"))
    set_override(db, "alice", "2.5", 1.0, grader="ta", reason="r")
    upsert_result(db, start_run(db, INFO), graded("alice", sha="new"))
    (grade,) = effective_grades(db)
    assert grade.questions[1].stale and grade.questions[1].points == 1.0


def test_override_validation(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice"))
    with pytest.raises(StoreError, match="no result for student 'bob'"):
        set_override(db, "bob", "1.2", 1.0, grader="ta", reason="r")
    with pytest.raises(StoreError, match=r"no question '1\.3'; expected one of \['1\.2', '2\.5', '3\.1'\]"):
        set_override(db, "alice", "1.3", 1.0, grader="ta", reason="r")
    with pytest.raises(StoreError, match="between 0 and 2"):
        set_override(db, "alice", "1.2", 2.5, grader="ta", reason="r")
    with pytest.raises(StoreError, match="who"):
        set_override(db, "alice", "1.2", 1.0, grader=" ", reason="r")
    assert list_overrides(db) == []


def test_clear_override_is_logged(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice", {"1.2": 0.0, "2.5": 5.0}))
    set_override(db, "alice", "1.2", 2.0, grader="ta", reason="r")
    assert clear_override(db, "alice", "1.2", grader="lead", reason="wrong student")
    assert not clear_override(db, "alice", "1.2", grader="lead", reason="again")
    (grade,) = effective_grades(db)
    assert grade.total == 5.0 and not grade.overridden
    log = [tuple(r) for r in db.execute("SELECT action, grader FROM override_log ORDER BY id")]
    assert log == [("set", "ta"), ("clear", "lead")]


def test_effective_grades_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "gradebook.db"
    with open_gradebook(path) as conn:
        upsert_result(conn, start_run(conn, INFO), graded("alice"))
    assert [g.student_id for g in effective_grades(path)] == ["alice"]
    with pytest.raises(StoreError, match="no gradebook"):
        effective_grades(tmp_path / "missing.db")


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "gradebook.db"
    with sqlite3.connect(path) as raw:
        raw.execute("PRAGMA user_version = 99")
    raw.close()
    with pytest.raises(StoreError, match="schema 99 was written by a newer grader"):
        connect(path)


def test_not_a_database(tmp_path: Path) -> None:
    path = tmp_path / "gradebook.db"
    path.write_bytes(b"not sqlite at all" * 100)
    with pytest.raises(StoreError, match="not a usable gradebook"):
        connect(path)
