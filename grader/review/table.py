"""The class table's view model: one row per student, flags, filters and sorting (pure, no I/O).

Sorting and filtering are query parameters handled here on the server, so the page needs no script:
``?sort=total&desc=1&status=graded&flag=overridden``. Sort keys: ``name``, ``id``, ``q:<question id>``,
``total``, ``extra``, ``late``, ``status``, ``flags``, ``reviewed``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from grader.integrity import SimilarityReport
from grader.records.graded import GradedSubmission

__all__ = ["FLAGS", "ClassRow", "ClassTable", "build_table", "row_flags"]

FLAGS: dict[str, str] = {
    "overridden": "a TA set points for a question",
    "rescore-moved": "a rescore moved the automatic points of an overridden question",
    "late": "late, or marked late by the LMS",
    "integrity": "saved outputs not reproduced, or provided cells edited",
    "similar": "code similar to another submission",
    "notes": "duplicates or intake notes",
    "not-reviewed": "not yet marked reviewed",
    "reviewed": "marked reviewed",
}
"""Every flag with what it means (the filter's choices)."""

_BASE_KEYS = ("name", "id", "total", "extra", "late", "status", "flags", "reviewed")


@dataclass(frozen=True, slots=True)
class ClassRow:
    """One student in the class table."""

    student_id: str
    name: str
    points: dict[str, float]
    overridden: frozenset[str]
    total: float
    extra: float
    late_penalty: float
    status: str
    flags: tuple[str, ...]
    reviewed: bool


@dataclass(frozen=True, slots=True)
class ClassTable:
    """The rows shown (filtered, sorted) and what the page needs around them."""

    rows: tuple[ClassRow, ...]
    questions: tuple[tuple[str, float], ...]
    max_points: float
    statuses: tuple[str, ...]
    n_reviewed: int
    n_students: int
    sort: str
    desc: bool
    status: str
    flag: str


def _late(graded: GradedSubmission) -> bool:
    lateness = graded.result.lateness
    return graded.result.late_penalty > 0 or (
        lateness is not None and (lateness.late_days > 0 or lateness.marked_late_without_time)
    )


def _integrity(graded: GradedSubmission) -> bool:
    report = graded.integrity
    return report.saved_outputs_reproduced is False or bool(report.locked_cells_changed)


def row_flags(graded: GradedSubmission, similar: frozenset[str]) -> tuple[str, ...]:
    """The flags of one student (in :data:`FLAGS` order); ``similar``: ids in a similar-code pair."""
    questions = graded.result.questions
    present = {
        "overridden": any(q.override is not None for q in questions),
        "rescore-moved": any(q.override is not None and q.override.auto_moved for q in questions),
        "late": _late(graded),
        "integrity": _integrity(graded),
        "similar": graded.result.student_id in similar,
        "notes": bool(graded.notes),
        "not-reviewed": graded.reviewed is None,
        "reviewed": graded.reviewed is not None,
    }
    return tuple(flag for flag in FLAGS if present[flag])


def _row(graded: GradedSubmission, similar: frozenset[str]) -> ClassRow:
    r = graded.result
    return ClassRow(
        student_id=r.student_id, name=graded.student_name, points={q.id: q.points for q in r.questions},
        overridden=frozenset(q.id for q in r.questions if q.override is not None), total=r.total,
        extra=r.extra_points, late_penalty=r.late_penalty, status=r.status.value,
        flags=row_flags(graded, similar), reviewed=graded.reviewed is not None,
    )


def _sort_value(row: ClassRow, key: str) -> tuple[int, float | str]:
    """A comparable value; missing points sort first."""
    if key.startswith("q:"):
        points = row.points.get(key[2:])
        return (0, -1.0) if points is None else (1, points)
    values: dict[str, float | str] = {
        "name": row.name.casefold(), "id": row.student_id.casefold(), "total": row.total, "extra": row.extra,
        "late": row.late_penalty, "status": row.status, "flags": " ".join(row.flags), "reviewed": float(row.reviewed),
    }
    return (1, values[key])


def _questions(graded: Sequence[GradedSubmission]) -> tuple[tuple[str, float], ...]:
    seen: dict[str, float] = {}
    for g in graded:
        for q in g.result.questions:
            seen.setdefault(q.id, q.max_points)
    return tuple(seen.items())


def build_table(
    graded: Sequence[GradedSubmission],
    similarity: SimilarityReport | None = None,
    *,
    sort: str = "id",
    desc: bool = False,
    status: str = "",
    flag: str = "",
) -> ClassTable:
    """The class table for ``graded`` (effective results), filtered by ``status`` and ``flag`` and sorted.

    Unknown sort keys fall back to ``id``; unknown statuses or flags match nothing (an empty table says so).
    """
    similar = frozenset(s for p in (similarity.pairs if similarity else ()) for s in (p.first, p.second))
    questions = _questions(graded)
    valid = {*_BASE_KEYS, *(f"q:{qid}" for qid, _ in questions)}
    sort = sort if sort in valid else "id"
    rows = [_row(g, similar) for g in graded]
    shown = [r for r in rows if (not status or r.status == status) and (not flag or flag in r.flags)]
    shown.sort(key=lambda r: r.student_id)
    shown.sort(key=lambda r: _sort_value(r, sort), reverse=desc)
    return ClassTable(
        rows=tuple(shown), questions=questions,
        max_points=max((g.result.max_points for g in graded), default=0.0),
        statuses=tuple(sorted({r.status for r in rows})), n_reviewed=sum(r.reviewed for r in rows),
        n_students=len(rows), sort=sort, desc=desc, status=status, flag=flag,
    )
