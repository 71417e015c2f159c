"""Adapter between the ``gradient_uniformity`` criterion and ``reference.gradients.evidence``.

The one place that knows the reference module: it maps the student's method names to canonical ones,
leaves out the output layer when the rubric says so, and turns the reference's :class:`Verdict` (or its
``EvidenceError`` for malformed data) into a :class:`Judgement`. The reference (numpy) is imported on
first use so that importing ``grader.score`` stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from grader.collect.record import GradientData
from grader.rubric import GradientUniformity

__all__ = ["Judgement", "judge"]


@dataclass(frozen=True, slots=True)
class Judgement:
    """``supported``/``unsupported`` with the rule's reason, or ``invalid`` data with what is wrong."""

    status: Literal["supported", "unsupported", "invalid"]
    reason: str


def _canonical(
    values: Mapping[str, Sequence[float]], drop_last: bool
) -> tuple[dict[str, tuple[float, ...]], list[str]] | Judgement:
    """Profiles by canonical method name, and the names that are not methods; or a Judgement if invalid."""
    from reference.gradients import evidence

    out: dict[str, tuple[float, ...]] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for name, profile in values.items():
        try:
            method = evidence.canonical_method(name)
        except evidence.EvidenceError:
            ignored.append(name)
            continue
        if method in out:
            return Judgement(
                "invalid", f"GRADIENTS has two entries for {method!r}: {written[method]!r} and {name!r}"
            )
        out[method], written[method] = tuple(profile[:-1] if drop_last else profile), name
    return out, ignored


def _too_short(profiles: Mapping[str, tuple[float, ...]], rule: GradientUniformity) -> Judgement | None:
    short = {name: len(p) for name, p in profiles.items() if len(p) < rule.min_layers}
    if not short:
        return None
    return Judgement(
        "invalid", f"GRADIENTS needs at least {rule.min_layers} hidden layers per method; got {short}"
    )


def judge(choice: str, data: GradientData, rule: GradientUniformity) -> Judgement:
    """Whether ``choice`` (a canonical option) is supported by ``data`` under ``rule``'s thresholds."""
    from reference.gradients import evidence

    profiles = _canonical(data.magnitudes, rule.drop_last)
    if isinstance(profiles, Judgement):
        return profiles
    magnitudes, ignored = profiles
    zeros = _canonical(data.zero_fractions, rule.drop_last)
    if isinstance(zeros, Judgement):
        return zeros
    short = _too_short(magnitudes, rule)
    if short is not None:
        return short
    params = evidence.EvidenceParams(rule.relative_floor, rule.max_zero_fraction, rule.slack_decades)
    fractions = {name: z for name, z in zeros[0].items() if name in magnitudes}
    try:
        verdict = evidence.supported(choice, magnitudes, params, zero_fractions=fractions)
    except evidence.EvidenceError as exc:
        return Judgement("invalid", str(exc))
    note = f" (ignored entries that name no method: {ignored})" if ignored else ""
    return Judgement("supported" if verdict.supported else "unsupported", verdict.reason + note)
