"""Adapter between the ``gradient_uniformity`` criterion and ``reference.gradients.evidence``.

The one place that knows the reference module: it maps the student's method names to canonical ones
(with the same spellings the answer accepts: the choice criterion's options and aliases, plus the
reference's names for the sigmoid baseline), leaves out the output layer when the rubric says so,
rejects evidence that cannot judge the answer (a method the sheet names missing, unequal layer
counts, NaN or negative values, zero fractions of the wrong length) as ``invalid``, and turns the
reference's :class:`Verdict` into a :class:`Judgement`. The reference (numpy) is imported on first use
so that loading the pack stays light.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

from assignments.week11.criteria import GradientUniformity
from assignments.week11.records import GradientData
from grader.rubric import ChoiceCriterion, DeferredCriterion, Question, read_choice

__all__ = ["Judgement", "judge"]


@dataclass(frozen=True, slots=True)
class Judgement:
    """``supported``/``unsupported`` with the rule's reason, or ``invalid`` data with what is wrong."""

    status: Literal["supported", "unsupported", "invalid"]
    reason: str


def _method(name: str, table: Mapping[str, str]) -> str | None:
    """The canonical method ``name`` names: a spelling of the answer's options first, then the reference's."""
    from reference.gradients import evidence

    option = read_choice(name, table)
    if isinstance(option, str):
        return option
    try:
        return evidence.canonical_method(name)
    except evidence.EvidenceError:
        return None


def _canonical(
    values: Mapping[str, Sequence[float]], drop_last: bool, table: Mapping[str, str], what: str
) -> tuple[dict[str, tuple[float, ...]], list[str]] | Judgement:
    """Lists by canonical method name, and the names that are not methods; or a Judgement if invalid."""
    out: dict[str, tuple[float, ...]] = {}
    written: dict[str, str] = {}
    ignored: list[str] = []
    for name, profile in values.items():
        method = _method(name, table)
        if method is None:
            ignored.append(name)
            continue
        if method in out:
            return Judgement(
                "invalid", f"{what} has two entries for {method!r}: {written[method]!r} and {name!r}"
            )
        out[method], written[method] = tuple(profile[:-1] if drop_last else profile), name
    return out, ignored


def _choice_table(question: Question, rule: GradientUniformity) -> Mapping[str, str]:
    source = question.criterion(rule.choice)
    if not isinstance(source, ChoiceCriterion | DeferredCriterion):
        raise TypeError(f"{rule.id}.choice names {source.kind!r}; the rubric loader only allows choices")
    return source.table


def _too_short(profiles: Mapping[str, tuple[float, ...]], rule: GradientUniformity) -> str | None:
    short = {name: len(p) for name, p in profiles.items() if len(p) < rule.min_layers}
    return (
        f"GRADIENTS needs at least {rule.min_layers} hidden layers per method; got {short}" if short else None
    )


def _ignored_note(magnitudes: list[str], zeros: list[str]) -> str:
    notes = [
        f"{what} entries that name no method: {names}"
        for what, names in (("ignored", magnitudes), ("ignored GRADIENT_ZERO_FRACTIONS", zeros))
        if names
    ]
    return f" ({'; '.join(notes)})" if notes else ""


def judge(choice: str, data: GradientData, rule: GradientUniformity, question: Question) -> Judgement:
    """Whether ``choice`` (a canonical option) is supported by ``data`` under ``rule``'s thresholds.

    ``question`` holds ``rule`` and the choice criterion whose options and aliases name the methods.
    """
    from reference.gradients import evidence

    table = _choice_table(question, rule)
    magnitudes = _canonical(data.magnitudes, rule.drop_last, table, "GRADIENTS")
    if isinstance(magnitudes, Judgement):
        return magnitudes
    zeros = _canonical(data.zero_fractions, rule.drop_last, table, "GRADIENT_ZERO_FRACTIONS")
    if isinstance(zeros, Judgement):
        return zeros
    (profiles, ignored), (fractions, ignored_zeros) = magnitudes, zeros
    note = _ignored_note(ignored, ignored_zeros)
    fractions = {name: z for name, z in fractions.items() if name in profiles}
    problem = evidence.evidence_problem(profiles, fractions) or _too_short(profiles, rule)
    if problem is not None:
        return Judgement("invalid", problem + note)
    params = evidence.EvidenceParams(rule.relative_floor, rule.max_zero_fraction, rule.slack_decades)
    verdict = evidence.supported(choice, profiles, params, zero_fractions=fractions)
    return Judgement("supported" if verdict.supported else "unsupported", verdict.reason + note)
