"""Validators for the values a notebook hands in, for the parsers of every assignment pack's items.

Each takes the plain JSON the epilogue wrote and either returns a typed value or raises
:class:`ItemValueError` whose message says what is wrong (``what`` names the value as the student wrote it, e.g. ``"RESULTS['roc_auc']"``).
``grader.collect.parse`` turns that message into an ``invalid`` item; nothing here raises for a student
in any other way.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from grader.packs import ParseContext
from grader.records.collected import HiddenPredictions

__all__ = ["ItemValueError", "finite", "mapping", "numbers", "predictions"]


class ItemValueError(ValueError):
    """A collected value that does not have the contract's shape (the message says how)."""


def finite(value: Any, what: str) -> float:
    """``value`` as a finite float (booleans are not numbers)."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ItemValueError(f"{what}: expected a number, got {value!r:.60}")
    if not math.isfinite(value):
        raise ItemValueError(f"{what}: expected a finite number, got {value!r}")
    return float(value)


def numbers(value: Any, what: str, *, lo: float | None = None, hi: float | None = None) -> tuple[float, ...]:
    """A non-empty list of finite numbers (a single number is a list of one), each within ``[lo, hi]``."""
    values = value if isinstance(value, list) else [value]
    if not values:
        raise ItemValueError(f"{what}: the list is empty")
    out = tuple(finite(v, f"{what}[{i}]") for i, v in enumerate(values))
    for i, v in enumerate(out):
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise ItemValueError(f"{what}[{i}] = {v:g} is outside [{lo}, {hi}]")
    return out


def mapping(value: Any, what: str) -> Mapping[str, Any]:
    """A non-empty dict."""
    if not isinstance(value, dict):
        raise ItemValueError(f"{what}: expected a dict, got {type(value).__name__}")
    if not value:
        raise ItemValueError(f"{what}: the dict is empty")
    return value


def predictions(value: Any, context: ParseContext) -> HiddenPredictions:
    """Scores for the hidden examples, one list per model, as many as the grader wrote (``n_hidden``)."""
    data = mapping(value, "hidden predictions")
    ids, scores = data.get("ids"), data.get("scores")
    if not isinstance(ids, list) or not isinstance(scores, list) or not scores:
        raise ItemValueError("expected ids and one list of scores per model")
    if context.n_hidden is not None and len(ids) != context.n_hidden:
        raise ItemValueError(f"scored {len(ids)} hidden sequences; {context.n_hidden} were provided")
    rows = tuple(numbers(s, f"model {m} scores") for m, s in enumerate(scores))
    if any(len(r) != len(ids) for r in rows):
        raise ItemValueError("a model returned a different number of scores than sequences")
    return HiddenPredictions(ids=tuple(str(i) for i in ids), scores=rows)
