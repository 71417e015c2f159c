"""Does a reported metric agree with the grader's measurement, and if not, why are they apart?

Shared by the ``reported_vs_measured`` rule (points) and the class summary's flag (no points), so both
tell the same story: two values near chance level are a model that did not learn, a gap within the
spread of the folds is noise, and only a gap beyond both reads as a value not reproduced.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from enum import StrEnum

__all__ = ["CHANCE_MARGIN", "Estimate", "Gap", "Verdict", "compare"]

CHANCE_MARGIN = 0.05
"""A value within this of chance level (or within two standard deviations of its folds) is at chance."""


@dataclass(frozen=True, slots=True)
class Estimate:
    """A value and, when it is a mean over folds or models, the values behind it."""

    value: float
    values: tuple[float, ...] = ()

    @property
    def sd(self) -> float | None:
        """The sample standard deviation of :attr:`values`, ``None`` for fewer than two."""
        return statistics.stdev(self.values) if len(self.values) >= 2 else None

    def at_chance(self, chance: float) -> bool:
        """Whether the value is within ``CHANCE_MARGIN`` or two standard deviations of ``chance``."""
        return abs(self.value - chance) <= max(CHANCE_MARGIN, 2 * (self.sd or 0.0))


class Verdict(StrEnum):
    """How a reported value relates to the measured one."""

    AGREE = "agree"
    CHANCE = "chance"
    NOISE = "noise"
    NOT_REPRODUCED = "not_reproduced"


@dataclass(frozen=True, slots=True)
class Gap:
    """``size`` = |reported - measured|; ``noise`` = the larger standard deviation of the two sides' folds."""

    size: float
    noise: float | None
    verdict: Verdict


def compare(reported: Estimate, measured: Estimate, tolerance: float, chance: float | None) -> Gap:
    """Agree within ``tolerance``; otherwise chance-level on both sides, noise (a gap within twice the
    folds' spread), or not reproduced.

    >>> compare(Estimate(0.62, (0.45, 0.7, 0.55, 0.72, 0.68)), Estimate(0.5), 0.1, 0.5).verdict
    <Verdict.CHANCE: 'chance'>
    """
    size = abs(reported.value - measured.value)
    noise = max((sd for sd in (reported.sd, measured.sd) if sd is not None), default=None)
    if size <= tolerance:
        verdict = Verdict.AGREE
    elif chance is not None and reported.at_chance(chance) and measured.at_chance(chance):
        verdict = Verdict.CHANCE
    elif noise is not None and size <= 2 * noise:
        verdict = Verdict.NOISE
    else:
        verdict = Verdict.NOT_REPRODUCED
    return Gap(size, noise, verdict)
