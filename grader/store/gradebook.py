"""The gradebook: an SQLite file (WAL mode) with the history of grading runs and manual overrides.

Results files (``OUT/results/*.json``) hold the evidence; the gradebook holds what a course needs
over time: every run, every result per run, per-question points as rows, and TAs' overrides, which
always win in effective grades and survive any regrade (as nbgrader's manual grades do).

Schema (version 1, in ``PRAGMA user_version``)::

    runs(id, started_at, ended_at, status, rubric_id, rubric_sha256, assignment_sha256,
         grader_version, profile, backend, jobs, n_submissions, n_graded, n_reused, n_failed, n_skipped)
        status: running | completed | interrupted (killed: found running later) | aborted (raised)
    submissions(id, student_id, sha256, source)            UNIQUE(student_id, sha256)
    results(id, run_id -> runs, submission_id -> submissions, student_id, cache_key, reused,
            status, reason, total, max_points, extra_points, extra_max, late_penalty)
                                                          UNIQUE(run_id, student_id)
    question_scores(result_id -> results, question_id, title, points, max_points, status,
                    extra_credit)                         PRIMARY KEY(result_id, question_id)
    overrides(student_id, question_id, points, grader, reason, created_at, submission_sha256)
                                                          PRIMARY KEY(student_id, question_id)
    override_log(id, action, student_id, question_id, points, grader, reason, at)   append-only

A student's current result is the one from the latest run that recorded them. Effective grades are
that result with every override applied: ``effective_grades(db)``.
"""

from __future__ import annotations

import contextlib
import math
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from grader._model import Frozen
from grader.errors import StoreError
from grader.records.graded import GradedSubmission

__all__ = [
    "GRADEBOOK_FILE",
    "SCHEMA_VERSION",
    "EffectiveGrade",
    "EffectiveQuestion",
    "Override",
    "RunCounts",
    "RunInfo",
    "RunRecord",
    "clear_override",
    "connect",
    "effective_grades",
    "finish_run",
    "list_overrides",
    "list_runs",
    "mark_interrupted",
    "open_gradebook",
    "set_override",
    "start_run",
    "upsert_result",
]

GRADEBOOK_FILE = "gradebook.db"
SCHEMA_VERSION = 1

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
    PRIMARY KEY (student_id, question_id)
);
CREATE TABLE IF NOT EXISTS override_log (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    action TEXT NOT NULL CHECK (action IN ('set', 'clear')),
    student_id TEXT NOT NULL,
    question_id TEXT NOT NULL,
    points REAL,
    grader TEXT NOT NULL,
    reason TEXT NOT NULL,
    at TEXT NOT NULL
);
"""

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


class RunCounts(Frozen):
    """What a run did: graded afresh, reused from an earlier run, failed in the harness, files skipped."""

    graded: int = 0
    reused: int = 0
    failed: int = 0
    skipped: int = 0


class RunRecord(Frozen):
    """One row of ``runs``."""

    id: int
    started_at: str
    ended_at: str | None
    status: str
    info: RunInfo
    counts: RunCounts


class Override(Frozen):
    """A TA's points for one question of one student: who, why, when, and on which submission."""

    student_id: str
    question_id: str
    points: float
    grader: str
    reason: str
    created_at: str
    submission_sha256: str


class EffectiveQuestion(Frozen):
    """One question in effective grades. ``stale``: the override was set on another submission file."""

    question_id: str
    title: str
    points: float
    auto_points: float
    max_points: float
    status: str
    extra_credit: bool = False
    override: Override | None = None
    stale: bool = False


class EffectiveGrade(Frozen):
    """A student's grade as it stands: the latest result with every override applied.

    Overrides of regular questions change ``total`` (the regular points after the late penalty, whose
    fraction is kept: a late student's override is reduced like their automatic points); overrides of
    extra-credit questions change ``extra_points`` only. ``auto_total``: the total before overrides.
    """

    student_id: str
    status: str
    reason: str
    total: float
    auto_total: float
    max_points: float
    extra_points: float
    extra_max: float
    late_penalty: float
    run_id: int
    submission_sha256: str
    source: str
    questions: tuple[EffectiveQuestion, ...]

    @property
    def overridden(self) -> bool:
        """Whether any question's points come from an override."""
        return any(q.override is not None for q in self.questions)


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
    if version < SCHEMA_VERSION:
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
def _transaction(conn: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
    """One write transaction (``BEGIN IMMEDIATE``), committed at the end or rolled back on error."""
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
    with _transaction(conn):
        cursor = conn.execute(
            f"INSERT INTO runs (started_at, status, {names}) VALUES (:started_at, 'running', {marks})",
            {"started_at": at or _now(), **fields},
        )
    return int(cursor.lastrowid or 0)


def finish_run(
    conn: sqlite3.Connection, run_id: int, counts: RunCounts, *, status: str = "completed", at: str | None = None
) -> None:
    """Record the end of run ``run_id``: its counts and ``status`` (``completed`` or ``aborted``)."""
    with _transaction(conn):
        conn.execute(
            "UPDATE runs SET ended_at = ?, status = ?, n_graded = ?, n_reused = ?, n_failed = ?, n_skipped = ?"
            " WHERE id = ?",
            (at or _now(), status, counts.graded, counts.reused, counts.failed, counts.skipped, run_id),
        )


def mark_interrupted(conn: sqlite3.Connection) -> int:
    """Mark runs still ``running`` as ``interrupted``; return how many.

    Call it only while holding the output folder's lock: a run found running then was killed.
    """
    with _transaction(conn):
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
    """Record ``graded`` as the student's result in run ``run_id`` (replacing an earlier one of that run)."""
    r = graded.result
    with _transaction(conn):
        values = (
            run_id, _submission_id(conn, graded), r.student_id, graded.cache_key, int(reused), r.status.value,
            r.reason, r.total, r.max_points, r.extra_points, r.extra_max, r.late_penalty,
        )
        conn.execute(
            "INSERT INTO results (run_id, submission_id, student_id, cache_key, reused, status, reason, total,"
            " max_points, extra_points, extra_max, late_penalty) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (run_id, student_id) DO UPDATE SET submission_id = excluded.submission_id,"
            " cache_key = excluded.cache_key, reused = excluded.reused, status = excluded.status,"
            " reason = excluded.reason, total = excluded.total, max_points = excluded.max_points,"
            " extra_points = excluded.extra_points, extra_max = excluded.extra_max,"
            " late_penalty = excluded.late_penalty",
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


def _check_override(conn: sqlite3.Connection, student_id: str, question_id: str, points: float) -> sqlite3.Row:
    latest = _latest(conn, student_id)
    if latest is None:
        raise StoreError(f"set_override: no result for student {student_id!r} in the gradebook; grade first")
    questions = {
        row["question_id"]: row
        for row in conn.execute("SELECT * FROM question_scores WHERE result_id = ?", (latest["id"],))
    }
    if question_id not in questions:
        raise StoreError(
            f"set_override: student {student_id!r} has no question {question_id!r}; "
            f"expected one of {sorted(questions)}"
        )
    top = float(questions[question_id]["max_points"])
    if not math.isfinite(points) or not 0 <= points <= top:
        raise StoreError(f"set_override: points for {question_id!r} must be between 0 and {top:g}; got {points!r}")
    return latest


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
    ``StoreError`` for an unknown student or question, or points outside ``[0, max_points]``.
    """
    if not grader.strip() or not reason.strip():
        raise StoreError("set_override: say who (grader=...) and why (reason=...)")
    with _transaction(conn):
        latest = _check_override(conn, student_id, question_id, points)
        override = Override(
            student_id=student_id, question_id=question_id, points=points, grader=grader, reason=reason,
            created_at=at or _now(), submission_sha256=str(latest["submission_sha256"]),
        )
        conn.execute(
            "INSERT OR REPLACE INTO overrides VALUES (:student_id, :question_id, :points, :grader, :reason,"
            " :created_at, :submission_sha256)",
            override.model_dump(),
        )
        _log(conn, "set", override.student_id, question_id, points, grader, reason, override.created_at)
    return override


def clear_override(
    conn: sqlite3.Connection, student_id: str, question_id: str, *, grader: str, reason: str, at: str | None = None
) -> bool:
    """Remove the override of ``student_id`` on ``question_id``; return whether there was one (logged)."""
    with _transaction(conn):
        gone = conn.execute(
            "DELETE FROM overrides WHERE student_id = ? AND question_id = ?", (student_id, question_id)
        ).rowcount
        if gone:
            _log(conn, "clear", student_id, question_id, None, grader, reason, at or _now())
    return bool(gone)


def _log(
    conn: sqlite3.Connection, action: str, student: str, question: str, points: float | None,
    grader: str, reason: str, at: str,
) -> None:
    conn.execute(
        "INSERT INTO override_log (action, student_id, question_id, points, grader, reason, at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (action, student, question, points, grader, reason, at),
    )


def list_overrides(db: Path | sqlite3.Connection) -> list[Override]:
    """Every override, sorted by student and question."""
    with _borrowed(db) as conn:
        rows = conn.execute("SELECT * FROM overrides ORDER BY student_id, question_id").fetchall()
    return [Override(**dict(row)) for row in rows]


def list_runs(db: Path | sqlite3.Connection) -> list[RunRecord]:
    """Every run, oldest first."""
    with _borrowed(db) as conn:
        rows = conn.execute("SELECT * FROM runs ORDER BY id").fetchall()
    return [_run_record(dict(row)) for row in rows]


def _run_record(row: dict[str, object]) -> RunRecord:
    counts = {k[2:]: row.pop(k) for k in ("n_graded", "n_reused", "n_failed", "n_skipped")}
    head = {k: row.pop(k) for k in ("id", "started_at", "ended_at", "status")}
    return RunRecord.model_validate({**head, "info": row, "counts": counts})


def _questions(
    conn: sqlite3.Connection, row: sqlite3.Row, overrides: dict[str, Override]
) -> list[EffectiveQuestion]:
    out = []
    scores = conn.execute("SELECT * FROM question_scores WHERE result_id = ? ORDER BY rowid", (row["id"],))
    for q in scores:
        override = overrides.get(q["question_id"])
        out.append(
            EffectiveQuestion(
                question_id=q["question_id"], title=q["title"],
                points=q["points"] if override is None else override.points, auto_points=q["points"],
                max_points=q["max_points"], status=q["status"] if override is None else "overridden",
                extra_credit=bool(q["extra_credit"]), override=override,
                stale=override is not None and override.submission_sha256 != row["submission_sha256"],
            )
        )
    return out


def _with_overrides(row: sqlite3.Row, questions: list[EffectiveQuestion]) -> tuple[float, float, float]:
    """``(total, extra_points, late_penalty)`` after overrides, keeping the result's late-penalty fraction."""
    changed = [q for q in questions if q.override is not None]
    regular_delta = sum(q.points - q.auto_points for q in changed if not q.extra_credit)
    extra_delta = sum(q.points - q.auto_points for q in changed if q.extra_credit)
    regular = float(row["total"]) + float(row["late_penalty"])
    fraction = float(row["late_penalty"]) / regular if regular > 0 else 0.0
    penalty = round((regular + regular_delta) * fraction, 6)
    return round(regular + regular_delta - penalty, 6), float(row["extra_points"]) + extra_delta, penalty


def _effective(conn: sqlite3.Connection, row: sqlite3.Row, overrides: dict[str, Override]) -> EffectiveGrade:
    questions = _questions(conn, row, overrides)
    total, extra, penalty = _with_overrides(row, questions)
    return EffectiveGrade(
        student_id=row["student_id"], status=row["status"], reason=row["reason"],
        total=total, auto_total=row["total"], max_points=row["max_points"],
        extra_points=extra, extra_max=row["extra_max"], late_penalty=penalty,
        run_id=row["run_id"], submission_sha256=row["submission_sha256"], source=row["source"],
        questions=tuple(questions),
    )


def effective_grades(db: Path | sqlite3.Connection) -> list[EffectiveGrade]:
    """Every student's current grade with overrides applied, sorted by student id.

    ``db``: the gradebook file (``OUT/gradebook.db``) or an open connection. This is what exports and
    reports read; an override always wins over the automatic points.
    """
    with _borrowed(db) as conn:
        by_student: dict[str, dict[str, Override]] = {}
        for override in list_overrides(conn):
            by_student.setdefault(override.student_id, {})[override.question_id] = override
        rows = conn.execute(_LATEST + " ORDER BY r.student_id").fetchall()
        return [_effective(conn, row, by_student.get(row["student_id"], {})) for row in rows]
