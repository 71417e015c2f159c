"""What people decide on top of the automatic score: overrides, late days, review marks, lateness.

The effective grade of a submission (what every report, export and the review app show) is the scored
result with these applied by :func:`grader.score.effective_result`; the gradebook
(:mod:`grader.store.gradebook`) stores them and who decided them.

- ``LatePolicy``: the rubric's late penalty as numbers (kept with each result, so a TA's late days can be
  applied without the rubric file).
- ``Lateness``: how late one submission was, where that came from, and the policy applied.
- ``Override``: a TA's points for one question of one student.
- ``LateDaysOverride``: a TA's late days for a student (set or waived), with the reason.
- ``ReviewMark``: a TA marked the submission reviewed.
- ``OverrideNote``: an override as it appears on a question of an effective result.
- ``Adjustments``: everything decided for one student.
"""

from __future__ import annotations

import math

from grader._model import Frozen

__all__ = [
    "Adjustments",
    "LateDaysOverride",
    "LatePolicy",
    "Lateness",
    "Override",
    "OverrideNote",
    "ReviewMark",
    "fmt_days",
]


def fmt_days(value: float) -> str:
    """A day or point count for a sentence: at most two decimals, no trailing zeros (``2.0 -> "2"``)."""
    return f"{round(value, 2):g}"


class LatePolicy(Frozen):
    """Points lost for a late submission, as a fraction of the regular points earned.

    ``fraction = min(max_fraction, per_day * days)`` with ``days = late_days - grace_hours / 24``
    (rounded up to whole days when ``whole_days``); nothing is lost within the grace period.
    Extra credit is not reduced.
    """

    per_day: float = 0.0
    max_fraction: float = 1.0
    grace_hours: float = 0.0
    whole_days: bool = True

    def fraction(self, late_days: float) -> float:
        """The share of the regular points lost after ``late_days`` days (0 if on time)."""
        days = max(0.0, late_days - self.grace_hours / 24.0)
        if days == 0.0:
            return 0.0
        counted = math.ceil(days - 1e-9) if self.whole_days else days
        return min(self.max_fraction, self.per_day * counted)

    def describe(self) -> str:
        """The rule in words, e.g. ``"10% per started day, at most 50%, 2 h grace"``."""
        if self.per_day == 0.0:
            return "no late penalty in the rubric"
        unit = "per started day" if self.whole_days else "per day (pro rata)"
        parts = [f"{self.per_day * 100:g}% {unit}", f"at most {self.max_fraction * 100:g}%"]
        if self.grace_hours:
            parts.append(f"{self.grace_hours:g} h grace")
        return ", ".join(parts)


class Lateness(Frozen):
    """How late one submission was and where that came from.

    ``late_days``: days past ``due`` (<= 0: on time). ``submitted_at``/``due``: ISO 8601 texts when known.
    ``source``: where the time came from (``"times.csv row 4"``, ``"Moodle worksheet grades.csv row 7"``,
    ``"set by ann in the review app: doctor's note"``). ``marked_late_without_time``: the LMS marked the file
    late (Canvas ``_LATE_``) but no time was supplied, so no penalty could be computed.
    """

    late_days: float = 0.0
    submitted_at: str = ""
    due: str = ""
    source: str = ""
    policy: LatePolicy = LatePolicy()
    marked_late_without_time: bool = False

    @property
    def fraction(self) -> float:
        """The share of the regular points lost."""
        return self.policy.fraction(self.late_days)

    def note(self, penalty: float) -> str:
        """One sentence on the penalty applied (empty when on time and nothing to say).

        The score's reason and the effective grade's reason both use this text, so it is replaced
        exactly when a TA changes the late days.
        """
        if self.marked_late_without_time:
            return "marked late by Canvas; no time given; no penalty applied"
        if self.late_days <= 0.0:
            return ""
        when = f" (submitted {self.submitted_at}, due {self.due})" if self.submitted_at and self.due else ""
        source = f"; {self.source}" if self.source else ""
        if self.fraction == 0.0:
            return f"submitted {fmt_days(self.late_days)} days late{when}: {self.policy.describe()} -> no penalty{source}"
        return (
            f"submitted {fmt_days(self.late_days)} days late{when}: {self.policy.describe()} -> "
            f"-{self.fraction * 100:g}% = -{fmt_days(penalty)} points{source}"
        )


class Override(Frozen):
    """A TA's points for one question of one student: who, why, when, and on which submission.

    ``auto_points_at_set``: the automatic points when the override was set (``None`` if unknown), so a
    later rescore that moves them can show both numbers.
    """

    student_id: str
    question_id: str
    points: float
    grader: str
    reason: str
    created_at: str
    submission_sha256: str
    auto_points_at_set: float | None = None


class LateDaysOverride(Frozen):
    """A TA's late days for a student (0 waives the penalty), with who, why and when."""

    student_id: str
    late_days: float
    grader: str
    reason: str
    created_at: str


class ReviewMark(Frozen):
    """A TA marked a submission reviewed."""

    student_id: str
    grader: str
    created_at: str
    submission_sha256: str = ""


class OverrideNote(Frozen):
    """An override as applied to one question of an effective result.

    ``auto_points``: what the automatic score gives now; ``auto_points_at_set``: what it gave when the TA
    set the override (``None``: unknown). ``stale``: the override was set on another submission file.
    """

    points: float
    auto_points: float
    auto_points_at_set: float | None = None
    grader: str
    reason: str
    at: str
    stale: bool = False

    @property
    def auto_moved(self) -> bool:
        """Whether the automatic points changed since the override was set (e.g. by a rescore)."""
        return self.auto_points_at_set is not None and abs(self.auto_points_at_set - self.auto_points) > 1e-9


class Adjustments(Frozen):
    """Everything people decided for one student: overrides by question, late days, a review mark."""

    overrides: tuple[Override, ...] = ()
    late_days: LateDaysOverride | None = None
    reviewed: ReviewMark | None = None

    def override_for(self, question_id: str) -> Override | None:
        """The override of ``question_id``, if any."""
        return next((o for o in self.overrides if o.question_id == question_id), None)
