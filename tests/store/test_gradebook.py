"""The SQLite gradebook: runs, results per run, question rows, overrides that survive regrades."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from grader.errors import StoreError
from grader.records.adjust import Adjustments, Lateness, LatePolicy
from grader.records.graded import GradedSubmission
from grader.score import effective_result
from grader.store.gradebook import (
    SCHEMA_VERSION,
    RunCounts,
    RunInfo,
    adjustments,
    clear_override,
    connect,
    current_results,
    finish_run,
    list_changes,
    list_overrides,
    list_runs,
    mark_interrupted,
    open_gradebook,
    report_fields,
    set_late_days,
    set_override,
    set_reviewed,
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
    assert {"runs", "submissions", "results", "question_scores", "overrides", "late_days", "reviews",
            "changes"} <= tables
    assert db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION == 3


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


def effective(db: sqlite3.Connection) -> list[GradedSubmission]:
    """What every report shows: the current results with the TAs' adjustments (as grader.publish does)."""
    decided = adjustments(db)
    return [
        effective_result(c.graded, decided.get(c.student_id, Adjustments()))
        for c in current_results(db) if c.graded is not None
    ]


def test_upsert_is_idempotent_within_a_run(db: sqlite3.Connection) -> None:
    run = start_run(db, INFO)
    upsert_result(db, run, graded("alice", {"1.2": 0.0}))
    upsert_result(db, run, graded("alice"))
    assert db.execute("SELECT COUNT(*) FROM results").fetchone()[0] == 1
    assert db.execute("SELECT COUNT(*) FROM question_scores").fetchone()[0] == 3
    (grade,) = effective(db)
    assert grade.result.total == 7.0 and grade.result.extra_points == 3.0
    assert all(q.override is None for q in grade.result.questions)


def test_latest_run_wins_and_every_student_once(db: sqlite3.Connection) -> None:
    first = start_run(db, INFO)
    upsert_result(db, first, graded("alice"))
    upsert_result(db, first, graded("bob", {"2.5": 5.0}))
    second = start_run(db, INFO.model_copy(update={"rubric_sha256": "r2"}))
    upsert_result(db, second, graded("alice", {"1.2": 2.0}, sha="sha-b"))
    current = {c.student_id: c for c in current_results(db)}
    assert sorted(current) == ["alice", "bob"]
    alice = current["alice"]
    assert (alice.run_id, alice.rubric_sha256, alice.submission_sha256) == (second, "r2", "sha-b")
    assert alice.graded is not None and alice.graded.result.total == 2.0
    assert current["bob"].run_id == first


def test_override_wins_and_survives_regrade(db: sqlite3.Connection) -> None:
    run = start_run(db, INFO)
    upsert_result(db, run, graded("alice", {"1.2": 0.0, "2.5": 5.0}))
    set_override(db, "alice", "1.2", 2.0, grader="ta-jo", reason="answer in markdown", at="t1")
    (grade,) = effective(db)
    question = grade.result.question("1.2")
    assert grade.result.total == 7.0
    assert (question.points, question.status.value) == (2.0, "passed")
    assert question.override is not None and (question.override.grader, question.override.auto_points) == ("ta-jo", 0.0)
    assert question.reason == "set by ta-jo: answer in markdown"
    regrade = start_run(db, INFO)
    upsert_result(db, regrade, graded("alice", {"1.2": 1.0, "2.5": 0.0}, key="k2"))
    (grade,) = effective(db)
    question = grade.result.question("1.2")
    assert grade.result.total == 2.0 and question.override is not None
    assert not question.override.stale and question.override.auto_moved  # automatic 0 -> 1 since the override
    assert (question.override.auto_points_at_set, question.override.auto_points) == (0.0, 1.0)


def test_override_on_extra_credit_moves_extra_points(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice", {"3.1": 0.0}))
    set_override(db, "alice", "3.1", 1.5, grader="ta", reason="partial proof")
    (grade,) = effective(db)
    assert (grade.result.extra_points, grade.result.total) == (1.5, 0.0)


def test_override_of_a_late_submission_keeps_the_penalty_fraction(db: sqlite3.Connection) -> None:
    on_time = graded("alice", {"1.2": 0.0, "2.5": 5.0})
    lateness = Lateness(late_days=1.0, policy=LatePolicy(per_day=0.1), source="times.csv row 2")
    result = on_time.result.model_copy(update={
        "total": 4.5, "late_penalty": 0.5, "lateness": lateness, "reason": lateness.note(0.5),
    })
    upsert_result(db, start_run(db, INFO), on_time.model_copy(update={"result": result}))
    set_override(db, "alice", "1.2", 2.0, grader="ta", reason="r")
    (grade,) = effective(db)
    assert (grade.result.total, grade.result.late_penalty) == (6.3, 0.7)
    assert grade.result.reason == lateness.note(0.7) and "-10% = -0.7 points" in grade.result.reason


def test_late_days_set_waived_and_cleared_by_a_ta(db: sqlite3.Connection) -> None:
    on_time = graded("alice", {"1.2": 2.0, "2.5": 5.0})
    lateness = Lateness(late_days=2.0, policy=LatePolicy(per_day=0.1), source="times.csv row 2")
    result = on_time.result.model_copy(update={
        "total": 5.6, "late_penalty": 1.4, "lateness": lateness, "reason": lateness.note(1.4),
    })
    upsert_result(db, start_run(db, INFO), on_time.model_copy(update={"result": result}))
    set_late_days(db, "alice", 0.0, grader="ann", reason="doctor's note", at="t2")
    (grade,) = effective(db)
    assert (grade.result.total, grade.result.late_penalty) == (7.0, 0.0)
    assert grade.result.reason == "scored every question"
    set_late_days(db, "alice", 3.0, grader="ann", reason="file arrived by mail on day 3")
    (grade,) = effective(db)
    assert (grade.result.total, grade.result.late_penalty) == (4.9, 2.1)
    assert "set by ann: file arrived by mail on day 3" in grade.result.reason
    set_late_days(db, "alice", None, grader="ann", reason="back to the LMS time")
    (grade,) = effective(db)
    assert grade.result.total == 5.6
    changes = [(c.action, c.old_value, c.new_value) for c in list_changes(db, "alice")]
    assert changes == [("late days", 2.0, 0.0), ("late days", 0.0, 3.0), ("clear late days", 3.0, 2.0)]
    with pytest.raises(StoreError, match="between 0 and 3650"):
        set_late_days(db, "alice", -1.0, grader="ann", reason="r")


def test_review_mark_counts_for_its_submission_only(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice", sha="old"))
    set_reviewed(db, "alice", grader="ann")
    (grade,) = effective(db)
    assert grade.reviewed is not None and grade.reviewed.grader == "ann"
    upsert_result(db, start_run(db, INFO), graded("alice", sha="new"))
    (grade,) = effective(db)
    assert grade.reviewed is None
    set_reviewed(db, "alice", False, grader="ann")
    assert [c.action for c in list_changes(db)] == ["reviewed", "not reviewed"]


def test_override_on_a_new_submission_is_flagged_stale(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice", sha="old"))
    set_override(db, "alice", "2.5", 1.0, grader="ta", reason="r")
    upsert_result(db, start_run(db, INFO), graded("alice", sha="new"))
    (grade,) = effective(db)
    question = grade.result.question("2.5")
    assert question.override is not None and question.override.stale and question.points == 1.0


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


def test_clear_override_is_logged_with_old_and_new_points(db: sqlite3.Connection) -> None:
    upsert_result(db, start_run(db, INFO), graded("alice", {"1.2": 0.0, "2.5": 5.0}))
    set_override(db, "alice", "1.2", 2.0, grader="ta", reason="r")
    assert clear_override(db, "alice", "1.2", grader="lead", reason="wrong student")
    assert not clear_override(db, "alice", "1.2", grader="lead", reason="again")
    (grade,) = effective(db)
    assert grade.result.total == 5.0 and grade.result.question("1.2").override is None
    log = [(c.action, c.grader, c.old_value, c.new_value, c.reason) for c in list_changes(db)]
    assert log == [("override", "ta", 0.0, 2.0, "r"), ("clear override", "lead", 2.0, 0.0, "wrong student")]


def test_adjustments_from_a_path(tmp_path: Path) -> None:
    path = tmp_path / "gradebook.db"
    with open_gradebook(path) as conn:
        upsert_result(conn, start_run(conn, INFO), graded("alice"))
        set_override(conn, "alice", "1.2", 1.0, grader="ta", reason="r")
    assert list(adjustments(path)) == ["alice"]
    with pytest.raises(StoreError, match="no gradebook"):
        adjustments(tmp_path / "missing.db")


def test_a_version_1_gradebook_is_migrated(tmp_path: Path) -> None:
    path = tmp_path / "gradebook.db"
    with sqlite3.connect(path) as raw:
        raw.executescript(V1_SCHEMA)
        raw.execute("INSERT INTO override_log (action, student_id, question_id, points, grader, reason, at)"
                    " VALUES ('set', 'alice', '1.2', 2.0, 'ta', 'why', 't0')")
        raw.execute("INSERT INTO runs (started_at, status, rubric_id, rubric_sha256, assignment_sha256, grader_version,"
                    " profile, backend, jobs) VALUES ('t0', 'completed', 'week11@a', 'r0', 'a0', 'old', 'full', 'local', 2)")
        raw.execute("PRAGMA user_version = 1")
    raw.close()
    with open_gradebook(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [(c.action, c.new_value, c.reason) for c in list_changes(conn)] == [("override", 2.0, "why")]
        upsert_result(conn, start_run(conn, INFO), graded("alice"))
        (current,) = current_results(conn)
        assert current.graded is not None
        assert [(r.info.assignment, r.info.gap_metrics) for r in list_runs(conn)] == [
            ("week11", "cv_roc_auc hidden_model_roc_auc"), ("", "")]


def test_a_version_2_gradebook_gains_the_runs_pack_and_gap_metrics_and_keeps_its_runs(tmp_path: Path) -> None:
    path = tmp_path / "gradebook.db"
    with open_gradebook(path) as conn:
        upsert_result(conn, start_run(conn, INFO), graded("alice"))
    with sqlite3.connect(path) as raw:  # back to schema 2: the runs table as it was then
        raw.executescript("ALTER TABLE runs DROP COLUMN assignment; ALTER TABLE runs DROP COLUMN gap_metrics;"
                          " PRAGMA user_version = 2;")
    raw.close()
    with open_gradebook(path) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        start_run(conn, INFO.model_copy(update={"assignment": "expression"}))
        assert [(r.info.assignment, r.info.gap_metrics) for r in list_runs(conn)] == [
            ("week11", "cv_roc_auc hidden_model_roc_auc"), ("expression", "")]  # earlier runs were all Week 11's
        (current,) = current_results(conn)
        assert current.graded is not None and current.run_id == 1


V1_SCHEMA = """
CREATE TABLE runs (id INTEGER PRIMARY KEY AUTOINCREMENT, started_at TEXT NOT NULL, ended_at TEXT,
    status TEXT NOT NULL, rubric_id TEXT NOT NULL, rubric_sha256 TEXT NOT NULL, assignment_sha256 TEXT NOT NULL,
    grader_version TEXT NOT NULL, profile TEXT NOT NULL, backend TEXT NOT NULL, jobs INTEGER NOT NULL,
    n_submissions INTEGER NOT NULL DEFAULT 0, n_graded INTEGER NOT NULL DEFAULT 0,
    n_reused INTEGER NOT NULL DEFAULT 0, n_failed INTEGER NOT NULL DEFAULT 0, n_skipped INTEGER NOT NULL DEFAULT 0);
CREATE TABLE submissions (id INTEGER PRIMARY KEY AUTOINCREMENT, student_id TEXT NOT NULL, sha256 TEXT NOT NULL,
    source TEXT NOT NULL, UNIQUE (student_id, sha256));
CREATE TABLE results (id INTEGER PRIMARY KEY AUTOINCREMENT, run_id INTEGER NOT NULL REFERENCES runs (id),
    submission_id INTEGER NOT NULL REFERENCES submissions (id), student_id TEXT NOT NULL, cache_key TEXT NOT NULL,
    reused INTEGER NOT NULL, status TEXT NOT NULL, reason TEXT NOT NULL, total REAL NOT NULL,
    max_points REAL NOT NULL, extra_points REAL NOT NULL, extra_max REAL NOT NULL, late_penalty REAL NOT NULL,
    UNIQUE (run_id, student_id));
CREATE TABLE question_scores (result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL, title TEXT NOT NULL, points REAL NOT NULL, max_points REAL NOT NULL,
    status TEXT NOT NULL, extra_credit INTEGER NOT NULL, PRIMARY KEY (result_id, question_id));
CREATE TABLE overrides (student_id TEXT NOT NULL, question_id TEXT NOT NULL, points REAL NOT NULL,
    grader TEXT NOT NULL, reason TEXT NOT NULL, created_at TEXT NOT NULL, submission_sha256 TEXT NOT NULL,
    PRIMARY KEY (student_id, question_id));
CREATE TABLE override_log (id INTEGER PRIMARY KEY AUTOINCREMENT, action TEXT NOT NULL, student_id TEXT NOT NULL,
    question_id TEXT NOT NULL, points REAL, grader TEXT NOT NULL, reason TEXT NOT NULL, at TEXT NOT NULL);
"""


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


def test_a_run_records_the_rubrics_pack_and_the_metrics_its_summary_compares() -> None:
    from grader.rubric import load_rubric

    week11 = load_rubric(Path(__file__).parents[2] / "rubrics" / "week11.yaml")
    fields = report_fields(week11)
    assert (fields["assignment"], fields["gap_metrics"]) == ("week11", "cv_roc_auc hidden_model_roc_auc")
    assert fields["auc_threshold"] == 0.75 and fields["course"] == "Machine Learning for Bioinformatics"
