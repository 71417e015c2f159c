"""The gradebook: an SQLite file (WAL mode) with the history of grading runs and manual overrides.

The gradebook is the one source of truth for grades: every run, every result per run (the whole stored
result, and per-question points as rows), and TAs' decisions (overrides, late days, review marks), which
always win in effective grades and survive any regrade (as nbgrader's manual grades do). The results
files (``OUT/results/*.json``) are the batch's resume cache.

Schema (version 3, in ``PRAGMA user_version``)::

    runs(id, started_at, ended_at, status, rubric_id, rubric_sha256, assignment_sha256,
         grader_version, profile, backend, jobs, course, assignment_title, auc_threshold, assignment,
         gap_metrics, n_submissions, n_graded, n_reused, n_failed, n_skipped)
        course, assignment_title, auc_threshold: how reports name the class (the rubric's ``report``
        section and ``title``) and the hidden ROC-AUC threshold the class summary marks
        assignment: the rubric's assignment pack, whose report panels ``grader report`` draws
        gap_metrics: "REPORTED MEASURED", the metrics of the rubric's first ``reported_vs_measured``
        criterion, which the class summary's gap flag compares ('': no flag)
        status: running | completed | interrupted (killed: found running later) | aborted (raised)
    submissions(id, student_id, sha256, source)            UNIQUE(student_id, sha256)
    results(id, run_id -> runs, submission_id -> submissions, student_id, cache_key, reused,
            status, reason, total, max_points, extra_points, extra_max, late_penalty)
                                                          UNIQUE(run_id, student_id)
    question_scores(result_id -> results, question_id, title, points, max_points, status,
                    extra_credit)                         PRIMARY KEY(result_id, question_id)
    overrides(student_id, question_id, points, grader, reason, created_at, submission_sha256,
              auto_points_at_set)                         PRIMARY KEY(student_id, question_id)
    late_days(student_id, late_days, grader, reason, created_at)       a TA's late days (0 waives)
    reviews(student_id, grader, created_at, submission_sha256)         marked reviewed
    changes(id, at, grader, action, student_id, question_id, old_value, new_value, reason)  append-only

``results.graded_json`` keeps the whole stored ``GradedSubmission`` (schema 2; the v1 -> v2 migration
adds it, the runs' report fields, ``auto_points_at_set``, the three new tables, and moves ``override_log`` into ``changes``;
v2 -> v3 adds ``runs.assignment`` and ``runs.gap_metrics``, filled for the earlier runs as they all were: Week 11's,
comparing ``cv_roc_auc`` with ``hidden_model_roc_auc``).

A student's current result is the one from the latest run that recorded them (``current_results``).
Effective grades are that result with the TAs' ``adjustments`` applied (``grader.publish.load_class``):
every report and export is rendered from them.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from grader._model import Frozen
from grader.errors import StoreError
from grader.records.adjust import Adjustments, LateDaysOverride, Override, ReviewMark
from grader.records.graded import GradedSubmission

if TYPE_CHECKING:
    from grader.rubric import Rubric

__all__ = [
    "GRADEBOOK_FILE",
    "SCHEMA_VERSION",
    "Change",
    "CurrentResult",
    "RunCounts",
    "RunInfo",
    "RunRecord",
    "adjustments",
    "clear_override",
    "connect",
    "current_results",
    "finish_run",
    "list_changes",
    "list_overrides",
    "list_runs",
    "mark_interrupted",
    "open_gradebook",
    "report_fields",
    "set_late_days",
    "set_override",
    "set_reviewed",
    "start_run",
    "transaction",
    "upsert_result",
]

GRADEBOOK_FILE = "gradebook.db"
SCHEMA_VERSION = 3

_V2_TABLES = """
CREATE TABLE IF NOT EXISTS late_days (
    student_id TEXT PRIMARY KEY,
    late_days REAL NOT NULL,
    grader TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS reviews (
    student_id TEXT PRIMARY KEY,
    grader TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submission_sha256 TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    at TEXT NOT NULL,
    grader TEXT NOT NULL,
    action TEXT NOT NULL,
    student_id TEXT NOT NULL,
    question_id TEXT NOT NULL DEFAULT '',
    old_value REAL,
    new_value REAL,
    reason TEXT NOT NULL DEFAULT ''
);
"""

_SCHEMA = """
CREATE TABLE IF NOT EXISTS runs (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    started_at TEXT NOT NULL,
    ended_at TEXT,
    status TEXT NOT NULL CHECK (status IN ('running', 'completed', 'interrupted', 'aborted')),
    rubric_id TEXT NOT NULL,
    rubric_sha256 TEXT NOT NULL,
    assignment_sha256 TEXT NOT NULL,
    grader_version TEXT NOT NULL,
    profile TEXT NOT NULL,
    backend TEXT NOT NULL,
    jobs INTEGER NOT NULL,
    course TEXT NOT NULL DEFAULT '',
    assignment_title TEXT NOT NULL DEFAULT '',
    auc_threshold REAL,
    assignment TEXT NOT NULL DEFAULT '',
    gap_metrics TEXT NOT NULL DEFAULT '',
    n_submissions INTEGER NOT NULL DEFAULT 0,
    n_graded INTEGER NOT NULL DEFAULT 0,
    n_reused INTEGER NOT NULL DEFAULT 0,
    n_failed INTEGER NOT NULL DEFAULT 0,
    n_skipped INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student_id TEXT NOT NULL,
    sha256 TEXT NOT NULL,
    source TEXT NOT NULL,
    UNIQUE (student_id, sha256)
);
CREATE TABLE IF NOT EXISTS results (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    run_id INTEGER NOT NULL REFERENCES runs (id),
    submission_id INTEGER NOT NULL REFERENCES submissions (id),
    student_id TEXT NOT NULL,
    cache_key TEXT NOT NULL,
    reused INTEGER NOT NULL CHECK (reused IN (0, 1)),
    status TEXT NOT NULL,
    reason TEXT NOT NULL,
    total REAL NOT NULL,
    max_points REAL NOT NULL,
    extra_points REAL NOT NULL,
    extra_max REAL NOT NULL,
    late_penalty REAL NOT NULL,
    graded_json TEXT,
    UNIQUE (run_id, student_id)
);
CREATE INDEX IF NOT EXISTS results_by_student ON results (student_id, run_id);
CREATE TABLE IF NOT EXISTS question_scores (
    result_id INTEGER NOT NULL REFERENCES results (id) ON DELETE CASCADE,
    question_id TEXT NOT NULL,
    title TEXT NOT NULL,
    points REAL NOT NULL,
    max_points REAL NOT NULL,
    status TEXT NOT NULL,
    extra_credit INTEGER NOT NULL CHECK (extra_credit IN (0, 1)),
    PRIMARY KEY (result_id, question_id)
);
CREATE TABLE IF NOT EXISTS overrides (
    student_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    points REAL NOT NULL,
    grader TEXT NOT NULL,
    reason TEXT NOT NULL,
    created_at TEXT NOT NULL,
    submission_sha256 TEXT NOT NULL,
    auto_points_at_set REAL,
    PRIMARY KEY (student_id, question_id)
);
""" + _V2_TABLES

_V1_TO_V2 = """
ALTER TABLE results ADD COLUMN graded_json TEXT;
ALTER TABLE runs ADD COLUMN course TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN assignment_title TEXT NOT NULL DEFAULT '';
ALTER TABLE runs ADD COLUMN auc_threshold REAL;
ALTER TABLE overrides ADD COLUMN auto_points_at_set REAL;
""" + _V2_TABLES + """
INSERT INTO changes (at, grader, action, student_id, question_id, new_value, reason)
    SELECT at, grader, CASE action WHEN 'set' THEN 'override' ELSE 'clear override' END, student_id,
           question_id, points, reason FROM override_log ORDER BY id;
DROP TABLE override_log;
"""

_V2_TO_V3 = """
ALTER TABLE runs ADD COLUMN assignment TEXT NOT NULL DEFAULT 'week11';
ALTER TABLE runs ADD COLUMN gap_metrics TEXT NOT NULL DEFAULT 'cv_roc_auc hidden_model_roc_auc';
"""

_UPGRADES = {1: _V1_TO_V2, 2: _V2_TO_V3}
"""The script that takes a gradebook from each older schema version to the next one."""

_LATEST = """
SELECT r.*, s.sha256 AS submission_sha256, s.source AS source
FROM results AS r
JOIN submissions AS s ON s.id = r.submission_id
WHERE r.run_id = (SELECT MAX(run_id) FROM results AS x WHERE x.student_id = r.student_id)
"""


class RunInfo(Frozen):
    """What a grading run was asked to do (recorded when it starts)."""

    rubric_id: str = ""
    rubric_sha256: str
    assignment_sha256: str = ""
    grader_version: str
    profile: str = ""
    backend: str = "local"
    jobs: int = 1
    n_submissions: int = 0
    course: str = ""
    assignment_title: str = ""
    auc_threshold: float | None = None
    assignment: str = ""
    """The rubric's assignment pack."""
    gap_metrics: str = ""
    """``"REPORTED MEASURED"``: the metrics the class summary's gap flag compares (``''``: no flag)."""


def report_fields(rubric: Rubric) -> dict[str, Any]:
    """The :class:`RunInfo` fields that say how reports name the class and draw it (its pack), from ``rubric``."""
    return {
        "course": rubric.report.course,
        "assignment_title": rubric.report.assignment or rubric.title,
        "auc_threshold": rubric.hidden_auc_threshold,
        "assignment": rubric.pack().name,
        "gap_metrics": " ".join(rubric.gap_metrics or ()),
    }


class RunCounts(Frozen):
    """What a run did: graded afresh, reused from an earlier run, failed in the harness, files skipped."""

    graded: int = 0
    reused: int = 0
    failed: int = 0
    skipped: int = 0


class Change(Frozen):
    """One logged decision: who, when, what (``override``, ``clear override``, ``late days``,
    ``clear late days``, ``reviewed``, ``not reviewed``), on which question, old and new value, why."""

    id: int | None = None
    at: str
    grader: str
    action: str
    student_id: str
    question_id: str = ""
    old_value: float | None = None
    new_value: float | None = None
    reason: str = ""


class CurrentResult(Frozen):
    """A student's current stored result and the run (and rubric) it came from."""

    student_id: str
    run_id: int
    rubric_id: str
    rubric_sha256: str
    submission_sha256: str
    graded: GradedSubmission | None


class RunRecord(Frozen):
    """One row of ``runs``."""

    id: int
    started_at: str
    ended_at: str | None
    status: str
    info: RunInfo
    counts: RunCounts


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating if needed) the gradebook at ``path``: WAL mode, foreign keys on, schema checked."""
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        conn = sqlite3.connect(path, timeout=30.0, isolation_level=None)
        conn.row_factory = sqlite3.Row
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA foreign_keys=ON")
        _migrate(conn, path)
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"{path}: not a usable gradebook ({exc})") from exc
    return conn


def _migrate(conn: sqlite3.Connection, path: Path) -> None:
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version > SCHEMA_VERSION:
        conn.close()
        raise StoreError(
            f"{path}: gradebook schema {version} was written by a newer grader; this one reads "
            f"{SCHEMA_VERSION}. Upgrade with: pip install -U nbgrade-ml"
        )
    if version in _UPGRADES:
        steps = "".join(_UPGRADES[v] for v in range(version, SCHEMA_VERSION))
        conn.executescript(f"BEGIN IMMEDIATE;{steps}PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")
    elif version < SCHEMA_VERSION:
        conn.executescript(f"BEGIN IMMEDIATE;{_SCHEMA}PRAGMA user_version = {SCHEMA_VERSION}; COMMIT;")


@contextlib.contextmanager
def open_gradebook(path: Path) -> Iterator[sqlite3.Connection]:
    """``connect(path)`` for the block, closed afterwards."""
    conn = connect(path)
    try:
        yield conn
    finally:
        conn.close()


@contextlib.contextmanager
def transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``), committed at the end or rolled back on error; the
    writes of this module join an open one (so a caller can make many of them atomic, and faster)."""
    if conn.in_transaction:
        yield conn
        return
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield conn
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


@contextlib.contextmanager
def _borrowed(db: Path | sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """A connection for ``db``: the caller's, or one opened and closed here."""
    if isinstance(db, sqlite3.Connection):
        yield db
    else:
        if not db.is_file():
            raise StoreError(f"{db}: no gradebook; grade first (grader grade ... --out {db.parent})")
        with open_gradebook(db) as conn:
            yield conn


def start_run(conn: sqlite3.Connection, info: RunInfo, *, at: str | None = None) -> int:
    """Record a run as ``running``; return its id."""
    fields = info.model_dump()
    names = ", ".join(fields)
    marks = ", ".join(f":{name}" for name in fields)
    with transaction(conn):
        cursor = conn.execute(
            f"INSERT INTO runs (started_at, status, {names}) VALUES (:started_at, 'running', {marks})",
            {"started_at": at or _now(), **fields},
        )
    return int(cursor.lastrowid or 0)


def finish_run(
    conn: sqlite3.Connection, run_id: int, counts: RunCounts, *, status: str = "completed", at: str | None = None
) -> None:
    """Record the end of run ``run_id``: its counts and ``status`` (``completed`` or ``aborted``)."""
    with transaction(conn):
        conn.execute(
            "UPDATE runs SET ended_at = ?, status = ?, n_graded = ?, n_reused = ?, n_failed = ?, n_skipped = ?"
            " WHERE id = ?",
            (at or _now(), status, counts.graded, counts.reused, counts.failed, counts.skipped, run_id),
        )


def mark_interrupted(conn: sqlite3.Connection) -> int:
    """Mark runs still ``running`` as ``interrupted``; return how many.

    Call it only while holding the output folder's lock: a run found running then was killed.
    """
    with transaction(conn):
        return conn.execute("UPDATE runs SET status = 'interrupted' WHERE status = 'running'").rowcount


def _submission_id(conn: sqlite3.Connection, graded: GradedSubmission) -> int:
    student, sha = graded.result.student_id, graded.submission_sha256
    conn.execute(
        "INSERT INTO submissions (student_id, sha256, source) VALUES (?, ?, ?)"
        " ON CONFLICT (student_id, sha256) DO UPDATE SET source = excluded.source",
        (student, sha, graded.result.source),
    )
    row = conn.execute("SELECT id FROM submissions WHERE student_id = ? AND sha256 = ?", (student, sha)).fetchone()
    return int(row[0])


def upsert_result(conn: sqlite3.Connection, run_id: int, graded: GradedSubmission, *, reused: bool = False) -> int:
    """Record ``graded`` as the student's result in run ``run_id`` (replacing an earlier one of that run).

    The whole ``GradedSubmission`` is kept (``graded_json``): reports and exports are rendered from here.
    """
    r = graded.result
    with transaction(conn):
        values = (
            run_id, _submission_id(conn, graded), r.student_id, graded.cache_key, int(reused), r.status.value,
            r.reason, r.total, r.max_points, r.extra_points, r.extra_max, r.late_penalty,
            graded.model_dump_json(),
        )
        conn.execute(
            "INSERT INTO results (run_id, submission_id, student_id, cache_key, reused, status, reason, total,"
            " max_points, extra_points, extra_max, late_penalty, graded_json)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (run_id, student_id) DO UPDATE SET submission_id = excluded.submission_id,"
            " cache_key = excluded.cache_key, reused = excluded.reused, status = excluded.status,"
            " reason = excluded.reason, total = excluded.total, max_points = excluded.max_points,"
            " extra_points = excluded.extra_points, extra_max = excluded.extra_max,"
            " late_penalty = excluded.late_penalty, graded_json = excluded.graded_json",
            values,
        )
        result_id = int(
            conn.execute("SELECT id FROM results WHERE run_id = ? AND student_id = ?", (run_id, r.student_id))
            .fetchone()[0]
        )
        conn.execute("DELETE FROM question_scores WHERE result_id = ?", (result_id,))
        conn.executemany(
            "INSERT INTO question_scores VALUES (?, ?, ?, ?, ?, ?, ?)",
            [
                (result_id, q.id, q.title, q.points, q.max_points, q.status.value, int(q.extra_credit))
                for q in r.questions
            ],
        )
    return result_id


def _latest(conn: sqlite3.Connection, student_id: str) -> sqlite3.Row | None:
    row: sqlite3.Row | None = conn.execute(_LATEST + " AND r.student_id = ?", (student_id,)).fetchone()
    return row


def _latest_or_fail(conn: sqlite3.Connection, student_id: str, what: str) -> sqlite3.Row:
    latest = _latest(conn, student_id)
    if latest is None:
        raise StoreError(f"{what}: no result for student {student_id!r} in the gradebook; grade first")
    return latest


def _question_row(conn: sqlite3.Connection, latest: sqlite3.Row, question_id: str) -> sqlite3.Row:
    questions: dict[str, sqlite3.Row] = {
        row["question_id"]: row
        for row in conn.execute("SELECT * FROM question_scores WHERE result_id = ?", (latest["id"],))
    }
    if question_id not in questions:
        raise StoreError(
            f"set_override: student {latest['student_id']!r} has no question {question_id!r}; "
            f"expected one of {sorted(questions)}"
        )
    return questions[question_id]


def _require_who_why(what: str, grader: str, reason: str) -> None:
    if not grader.strip() or not reason.strip():
        raise StoreError(f"{what}: say who (grader=...) and why (reason=...)")


def set_override(
    conn: sqlite3.Connection,
    student_id: str,
    question_id: str,
    points: float,
    *,
    grader: str,
    reason: str,
    at: str | None = None,
) -> Override:
    """Give ``student_id`` ``points`` on ``question_id``, replacing any earlier override of theirs.

    ``grader`` (who) and ``reason`` (why) are required; ``at`` defaults to now (UTC). Raises
    ``StoreError`` for an unknown student or question, or points outside ``[0, max_points]``. The
    change (old and new points) is logged in ``changes``.
    """
    _require_who_why("set_override", grader, reason)
    with transaction(conn):
        latest = _latest_or_fail(conn, student_id, "set_override")
        question = _question_row(conn, latest, question_id)
        top = float(question["max_points"])
        if not math.isfinite(points) or not 0 <= points <= top:
            raise StoreError(
                f"set_override: points for {question_id!r} must be between 0 and {top:g}; got {points!r}"
            )
        old = _override_points(conn, student_id, question_id)
        override = Override(
            student_id=student_id, question_id=question_id, points=points, grader=grader, reason=reason,
            created_at=at or _now(), submission_sha256=str(latest["submission_sha256"]),
            auto_points_at_set=float(question["points"]),
        )
        conn.execute(
            "INSERT OR REPLACE INTO overrides (student_id, question_id, points, grader, reason, created_at,"
            " submission_sha256, auto_points_at_set) VALUES (:student_id, :question_id, :points, :grader,"
            " :reason, :created_at, :submission_sha256, :auto_points_at_set)",
            override.model_dump(),
        )
        before = old if old is not None else float(question["points"])
        _log(conn, Change(at=override.created_at, grader=grader, action="override", student_id=student_id,
                          question_id=question_id, old_value=before, new_value=points, reason=reason))
    return override


def _override_points(conn: sqlite3.Connection, student_id: str, question_id: str) -> float | None:
    row = conn.execute(
        "SELECT points FROM overrides WHERE student_id = ? AND question_id = ?", (student_id, question_id)
    ).fetchone()
    return None if row is None else float(row[0])


def _auto_points(conn: sqlite3.Connection, student_id: str, question_id: str) -> float | None:
    latest = _latest(conn, student_id)
    if latest is None:
        return None
    row = conn.execute(
        "SELECT points FROM question_scores WHERE result_id = ? AND question_id = ?", (latest["id"], question_id)
    ).fetchone()
    return None if row is None else float(row[0])


def clear_override(
    conn: sqlite3.Connection, student_id: str, question_id: str, *, grader: str, reason: str, at: str | None = None
) -> bool:
    """Remove the override of ``student_id`` on ``question_id``; return whether there was one (logged)."""
    with transaction(conn):
        old = _override_points(conn, student_id, question_id)
        if old is None:
            return False
        conn.execute("DELETE FROM overrides WHERE student_id = ? AND question_id = ?", (student_id, question_id))
        _log(conn, Change(at=at or _now(), grader=grader, action="clear override", student_id=student_id,
                          question_id=question_id, old_value=old,
                          new_value=_auto_points(conn, student_id, question_id), reason=reason))
    return True


def set_late_days(
    conn: sqlite3.Connection, student_id: str, late_days: float | None, *, grader: str, reason: str,
    at: str | None = None,
) -> LateDaysOverride | None:
    """Set (``0`` waives the penalty) or clear (``None``) a TA's late days for ``student_id`` (logged).

    The rubric's late policy, kept with each result, turns the days into a penalty.
    """
    _require_who_why("set_late_days", grader, reason)
    if late_days is not None and (not math.isfinite(late_days) or not 0 <= late_days <= 3650):
        raise StoreError(f"set_late_days: late days must be between 0 and 3650; got {late_days!r}")
    with transaction(conn):
        latest = _latest_or_fail(conn, student_id, "set_late_days")
        row = conn.execute("SELECT late_days FROM late_days WHERE student_id = ?", (student_id,)).fetchone()
        old = float(row[0]) if row is not None else _scored_late_days(latest)
        when = at or _now()
        conn.execute("DELETE FROM late_days WHERE student_id = ?", (student_id,))
        override = None
        if late_days is not None:
            override = LateDaysOverride(student_id=student_id, late_days=late_days, grader=grader, reason=reason,
                                        created_at=when)
            conn.execute("INSERT INTO late_days VALUES (:student_id, :late_days, :grader, :reason, :created_at)",
                         override.model_dump())
        new = late_days if late_days is not None else _scored_late_days(latest)
        _log(conn, Change(at=when, grader=grader, action="late days" if late_days is not None else "clear late days",
                          student_id=student_id, old_value=old, new_value=new, reason=reason))
    return override


def _scored_late_days(latest: sqlite3.Row) -> float | None:
    """The late days the stored result was scored with (``None`` when unknown)."""
    if latest["graded_json"] is None:
        return None
    lateness = GradedSubmission.model_validate_json(latest["graded_json"]).result.lateness
    return None if lateness is None else lateness.late_days


def set_reviewed(
    conn: sqlite3.Connection, student_id: str, reviewed: bool = True, *, grader: str, at: str | None = None
) -> ReviewMark | None:
    """Mark ``student_id``'s current submission reviewed (or not), logged; returns the mark."""
    if not grader.strip():
        raise StoreError("set_reviewed: say who (grader=...)")
    with transaction(conn):
        latest = _latest_or_fail(conn, student_id, "set_reviewed")
        when = at or _now()
        conn.execute("DELETE FROM reviews WHERE student_id = ?", (student_id,))
        mark = None
        if reviewed:
            mark = ReviewMark(student_id=student_id, grader=grader, created_at=when,
                              submission_sha256=str(latest["submission_sha256"]))
            conn.execute("INSERT INTO reviews VALUES (:student_id, :grader, :created_at, :submission_sha256)",
                         mark.model_dump())
        _log(conn, Change(at=when, grader=grader, action="reviewed" if reviewed else "not reviewed",
                          student_id=student_id))
    return mark


def _log(conn: sqlite3.Connection, change: Change) -> None:
    fields = change.model_dump(exclude={"id"})
    conn.execute(
        f"INSERT INTO changes ({', '.join(fields)}) VALUES ({', '.join(':' + k for k in fields)})", fields
    )


def list_changes(db: Path | sqlite3.Connection, student_id: str | None = None) -> list[Change]:
    """Every logged change (overrides, late days, review marks), oldest first; one student's if given."""
    where, args = ("WHERE student_id = ?", (student_id,)) if student_id is not None else ("", ())
    with _borrowed(db) as conn:
        rows = conn.execute(f"SELECT * FROM changes {where} ORDER BY id", args).fetchall()
    return [Change(**dict(row)) for row in rows]


def list_overrides(db: Path | sqlite3.Connection) -> list[Override]:
    """Every override, sorted by student and question."""
    with _borrowed(db) as conn:
        rows = conn.execute("SELECT * FROM overrides ORDER BY student_id, question_id").fetchall()
    return [Override(**dict(row)) for row in rows]


def adjustments(db: Path | sqlite3.Connection) -> dict[str, Adjustments]:
    """What TAs decided, by student id: overrides, late days, review marks."""
    with _borrowed(db) as conn:
        overrides: dict[str, list[Override]] = {}
        for override in list_overrides(conn):
            overrides.setdefault(override.student_id, []).append(override)
        late = {row["student_id"]: LateDaysOverride(**dict(row)) for row in conn.execute("SELECT * FROM late_days")}
        marks = {row["student_id"]: ReviewMark(**dict(row)) for row in conn.execute("SELECT * FROM reviews")}
    students = sorted(set(overrides) | set(late) | set(marks))
    return {
        s: Adjustments(overrides=tuple(overrides.get(s, ())), late_days=late.get(s), reviewed=marks.get(s))
        for s in students
    }


def list_runs(db: Path | sqlite3.Connection) -> list[RunRecord]:
    """Every run, oldest first."""
    with _borrowed(db) as conn:
        rows = conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
    return [_run_record(dict(row)) for row in rows]


def _run_record(row: dict[str, object]) -> RunRecord:
    counts = {k[2:]: row.pop(k) for k in ("n_graded", "n_reused", "n_failed", "n_skipped")}
    head = {k: row.pop(k) for k in ("id", "started_at", "ended_at", "status")}
    return RunRecord.model_validate({**head, "info": row, "counts": counts})


def current_results(db: Path | sqlite3.Connection) -> list[CurrentResult]:
    """Every student's current result (from the latest run that recorded them), sorted by student id.

    ``graded`` is ``None`` for rows written before schema 2 (the results file then holds it).
    """
    with _borrowed(db) as conn:
        rows = conn.execute(
            "SELECT l.*, runs.rubric_id AS rubric_id, runs.rubric_sha256 AS rubric_sha256 FROM (" + _LATEST
            + ") AS l JOIN runs ON runs.id = l.run_id ORDER BY l.student_id"
        ).fetchall()
    return [
        CurrentResult(
            student_id=row["student_id"], run_id=row["run_id"], rubric_id=row["rubric_id"],
            rubric_sha256=row["rubric_sha256"], submission_sha256=row["submission_sha256"],
            graded=None if row["graded_json"] is None else GradedSubmission.model_validate_json(row["graded_json"]),
        )
        for row in rows
    ]
