"""The check registry: one function per concrete criterion class, validated when registered.

``@check(ChoiceCriterion)`` registers ``(criterion: ChoiceCriterion, ctx: Context) -> Outcome``.
Registration raises ``TypeError`` at import time for a class that is not a registered criterion kind,
a function whose signature does not match, or a second check for the same class; :func:`verify_complete`
raises if a registered kind has no check.
"""

from __future__ import annotations

import inspect
import typing
from collections.abc import Callable, Iterable
from typing import Any, TypeVar

from grader.rubric import Criterion, leaf_criterion_types
from grader.score._outcome import Context, Outcome

__all__ = ["check", "run_check", "verify_complete"]

C = TypeVar("C", bound=Criterion)
CheckFn = Callable[[C, Context], Outcome]
_CHECKS: dict[type[Criterion], Callable[[Any, Context], Outcome]] = {}


def _verify(kind: type[Criterion], fn: Callable[..., Any]) -> None:
    where = f"{fn.__module__}.{fn.__qualname__}"
    leaves = leaf_criterion_types()
    if kind not in leaves:
        raise TypeError(
            f"{where}: {kind!r} is not a registered criterion kind; registered: {[c.__name__ for c in leaves]}"
        )
    params = list(inspect.signature(fn).parameters.values())
    hints = typing.get_type_hints(fn)
    wanted = f"(criterion: {kind.__name__}, ctx: Context) -> Outcome"
    if len(params) != 2 or any(p.kind not in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD) for p in params):
        raise TypeError(f"{where}: expected the signature {wanted}")
    got = (hints.get(params[0].name), hints.get(params[1].name), hints.get("return"))
    if got != (kind, Context, Outcome):
        raise TypeError(f"{where}: expected the signature {wanted}, got annotations {got}")
    if kind in _CHECKS:
        other = _CHECKS[kind]
        raise TypeError(
            f"{where}: {kind.__name__} already has a check, {other.__module__}.{other.__qualname__}"
        )


def check(kind: type[C]) -> Callable[[CheckFn[C]], CheckFn[C]]:
    """Register the decorated function as the check of criterion class ``kind``."""

    def decorate(fn: CheckFn[C]) -> CheckFn[C]:
        _verify(kind, fn)
        _CHECKS[kind] = fn
        return fn

    return decorate


def verify_complete(kinds: Iterable[type[Criterion]] | None = None) -> None:
    """Raise ``TypeError`` if a registered criterion kind (of ``kinds``, default all) has no check."""
    missing = [cls.__name__ for cls in (leaf_criterion_types() if kinds is None else kinds) if cls not in _CHECKS]
    if missing:
        raise TypeError(f"grader.score: no check registered for criterion kinds {missing}")


def run_check(criterion: Criterion, ctx: Context) -> Outcome:
    """Run the check registered for ``type(criterion)``."""
    return _CHECKS[type(criterion)](criterion, ctx)
