"""What every export shares: the grade an LMS receives, number text, question columns, CSV writing."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.records.graded import GradedSubmission
from grader.records.result import SubmissionResult
from grader.render import format_points
from grader.store.files import write_atomic

__all__ = ["QuestionColumn", "RosterEntry", "csv_text", "final_grade", "number", "question_columns", "write_csv"]


@dataclass(frozen=True, slots=True)
class RosterEntry:
    """What an LMS knows about a student that the grader does not; every field optional.

    ``lms_id`` is Canvas's numeric user ``ID`` or Moodle's worksheet ``Identifier`` (e.g.
    ``"Participant 1234"``); without it the exports key rows by the grader's student id.
    """

    name: str = ""
    email: str = ""
    lms_id: str = ""
    sis_login_id: str = ""
    section: str = ""


@dataclass(frozen=True, slots=True)
class QuestionColumn:
    """One question as a gradebook column."""

    id: str
    title: str
    max_points: float
    extra_credit: bool


def final_grade(result: SubmissionResult) -> float:
    """The grade sent to an LMS: regular points plus extra credit (``total`` is taken as final,
    i.e. after any late penalty)."""
    return result.total + result.extra_points


def number(value: float) -> str:
    """A point value for a CSV cell: up to four decimals, no trailing zeros (``2.0 -> "2"``)."""
    return format_points(value, digits=4)


def question_columns(graded: Sequence[GradedSubmission]) -> tuple[QuestionColumn, ...]:
    """Every question id across ``graded``, in order of first appearance."""
    seen: dict[str, QuestionColumn] = {}
    for g in graded:
        for q in g.result.questions:
            seen.setdefault(q.id, QuestionColumn(q.id, q.title, q.max_points, q.extra_credit))
    return tuple(seen.values())


def csv_text(rows: Iterable[Sequence[str]]) -> str:
    """``rows`` as CSV text (RFC 4180 quoting, ``\\r\\n`` line ends as spreadsheets and LMSs expect)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerows(rows)
    return buffer.getvalue()


def write_csv(path: Path, rows: Iterable[Sequence[str]]) -> Path:
    """Write ``rows`` to ``path`` atomically as UTF-8 CSV; returns ``path``."""
    return write_atomic(path, csv_text(rows), durable=False)
