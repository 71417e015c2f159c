"""Checks of written answers: ``choice``, ``number`` and the self-check's ``deferred``."""

from __future__ import annotations

from grader.records.collected import Scalar
from grader.rubric import (
    ChoiceCriterion,
    DeferredCriterion,
    NumberCriterion,
    Unreadable,
    read_choice,
    read_number,
)
from grader.score._checks import check
from grader.score._outcome import Context, Outcome, fmt

__all__: list[str] = []


def _raw(ctx: Context, answer_id: str | None) -> Scalar | Outcome:
    """The answer as the student wrote it, or the outcome for a missing or invalid one."""
    item = ctx.answer(answer_id)
    if not item.is_ok:
        return Outcome.unavailable(item.status, item.reason or f"no answer to {answer_id or ctx.question.id}")
    return item.value


@check(ChoiceCriterion)
def _check_choice(criterion: ChoiceCriterion, ctx: Context) -> Outcome:
    raw = _raw(ctx, criterion.answer)
    if isinstance(raw, Outcome):
        return raw
    option = read_choice(raw, criterion.table)
    if isinstance(option, Unreadable):
        return Outcome.invalid(option.reason)
    read = f"{raw!r} read as {option!r}"
    if option in criterion.expected:
        return Outcome.ok(f"{read}: matches the key")
    key = criterion.expected[0] if len(criterion.expected) == 1 else list(criterion.expected)
    note = criterion.feedback.get(option)
    return Outcome.fail(f"{read}; the key is {key!r}" + (f". {note}" if note else ""))


def _number_feedback(criterion: NumberCriterion, value: float) -> str:
    for entry in criterion.feedback:
        tolerance = criterion.tolerance_at(entry.value) if entry.abs_tol is None else entry.abs_tol
        if abs(value - entry.value) <= tolerance:
            return f". {entry.message}"
    return ""


def _accepted(criterion: NumberCriterion) -> str:
    """``42 (tolerance 1e-06)``, or ``one of 42, 84 (tolerance 1e-06)`` for alternatives."""
    tolerances = {fmt(criterion.tolerance_at(e)) for e in criterion.expected}
    if len(tolerances) == 1:
        (tolerance,) = tolerances
        values = ", ".join(fmt(e) for e in criterion.expected)
        return f"{values if len(criterion.expected) == 1 else 'one of ' + values} (tolerance {tolerance})"
    each = ", ".join(f"{fmt(e)} (tolerance {fmt(criterion.tolerance_at(e))})" for e in criterion.expected)
    return f"one of {each}"


@check(NumberCriterion)
def _check_number(criterion: NumberCriterion, ctx: Context) -> Outcome:
    raw = _raw(ctx, criterion.answer)
    if isinstance(raw, Outcome):
        return raw
    value = read_number(raw)
    if isinstance(value, Unreadable):
        return Outcome.invalid(value.reason)
    within = _accepted(criterion)
    if criterion.accepts(value) is not None:
        return Outcome.ok(f"{raw!r} read as {fmt(value)}: matches {within}")
    return Outcome.fail(
        f"{raw!r} read as {fmt(value)}; expected {within}" + _number_feedback(criterion, value)
    )


@check(DeferredCriterion)
def _check_deferred(criterion: DeferredCriterion, ctx: Context) -> Outcome:
    if criterion.answer is None:
        return Outcome.deferred("checked at grading time")
    raw = _raw(ctx, criterion.answer)
    if isinstance(raw, Outcome):
        return raw
    read = (
        read_number(raw)
        if criterion.numeric
        else read_choice(raw, criterion.table)
        if criterion.table
        else raw
    )
    if isinstance(read, Unreadable):
        return Outcome.invalid(read.reason)
    shown = fmt(read) if isinstance(read, float) else repr(read)
    return Outcome.deferred(f"answer {raw!r} read as {shown}; checked at grading time")
