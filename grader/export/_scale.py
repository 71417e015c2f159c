"""The grade an LMS column receives: on the LMS's scale, extra credit by the rubric's rule, never above
the column's maximum.

The rubric's ``export.extra_credit`` (docs/rubric-format.md, ``export``):

- ``separate`` (default): the grade is the regular points (after late penalty and overrides) rescaled
  from the rubric's ``max_points`` to the LMS maximum; extra credit goes to a column of its own where
  the LMS has one (Canvas) and into the feedback text (Moodle, whose worksheet has one grade column).
- ``added``: the grade is regular + extra points, rescaled from ``max_points + extra_max_points`` to the
  LMS maximum. Raise the LMS maximum to ``max_points + extra_max_points`` to keep rubric points as they
  are; a lower maximum scales every grade down (so full regular marks without extra credit stay below it).

A grade above the LMS maximum is capped at it and listed in the export README: LMS importers skip or
reject such grades silently (Moodle's worksheet upload skips them).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from grader.records.result import SubmissionResult

__all__ = ["ExtraCredit", "LmsGrade", "lms_grade"]

ExtraCredit = Literal["separate", "added"]
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class LmsGrade:
    """One student's grade for one LMS column.

    ``grade``: on the LMS scale (two decimals). ``maximum``: the LMS column's maximum. ``extra``: the
    extra credit for a separate column (rubric points; ``None`` when it is added to ``grade``).
    ``scale_note``: how ``grade`` was made from the rubric points (empty when unchanged). ``capped``: the
    grade was above ``maximum`` and was set to it.
    """

    grade: float
    maximum: float
    extra: float | None
    scale_note: str
    capped: bool = False


def _fmt(value: float) -> str:
    return f"{round(value, 2):g}"


def lms_grade(result: SubmissionResult, *, lms_max: float | None, extra_credit: ExtraCredit) -> LmsGrade:
    """``result``'s grade for an LMS column whose maximum is ``lms_max`` (``None``: the rubric's scale)."""
    added = extra_credit == "added"
    points = result.total + (result.extra_points if added else 0.0)
    scale = result.max_points + (result.extra_max if added else 0.0)
    maximum = scale if lms_max is None else lms_max
    grade = points if scale <= _EPS or abs(maximum - scale) <= _EPS else points * maximum / scale
    grade = round(grade, 2)
    note = "" if abs(maximum - scale) <= _EPS else (
        f"{_fmt(points)}/{_fmt(scale)} rubric points rescaled to the LMS maximum of {_fmt(maximum)}"
    )
    capped = grade > maximum + _EPS
    return LmsGrade(min(grade, maximum), maximum, None if added else result.extra_points, note, capped)
