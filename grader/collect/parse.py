"""Turn the JSON the epilogue wrote into a validated ``CollectedRecord``.

Every item is checked for type, shape, finiteness and size; a problem becomes an ``invalid`` item with a
reason, and an absent one a ``missing`` item. Nothing here raises for a bad submission.
"""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from grader._json import loads_capped
from grader.records.collected import (
    CollectedRecord,
    CVReport,
    FigureRef,
    GradientData,
    HiddenPredictions,
    Item,
    Scalar,
)

__all__ = ["MAX_RECORD_BYTES", "parse_record", "read_record_file"]

MAX_RECORD_BYTES = 32 * 1024 * 1024
T = TypeVar("T")


class _Bad(ValueError):
    """A value that does not have the contract's shape (message says how)."""


def read_record_file(path: Path) -> tuple[dict[str, Any] | None, str]:
    """The epilogue's JSON as a dict, or ``None`` and why it is unusable."""
    if not path.is_file():
        return None, "the notebook produced no grader record (the epilogue did not run)"
    size = path.stat().st_size
    if size > MAX_RECORD_BYTES:
        return None, f"the grader record is {size / 2**20:.0f} MiB; the limit is 32 MiB"
    try:
        data = loads_capped(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:  # JSONDecodeError, JsonTooDeepError
        return None, f"the grader record is not valid JSON: {exc}"
    if not isinstance(data, dict):
        return None, "the grader record is not a JSON object"
    return data, ""


def _finite(value: Any, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _Bad(f"{what}: expected a number, got {value!r:.60}")
    if not math.isfinite(value):
        raise _Bad(f"{what}: expected a finite number, got {value!r}")
    return float(value)


def _numbers(value: Any, what: str, *, lo: float | None = None, hi: float | None = None) -> tuple[float, ...]:
    values = value if isinstance(value, list) else [value]
    if not values:
        raise _Bad(f"{what}: the list is empty")
    out = tuple(_finite(v, f"{what}[{i}]") for i, v in enumerate(values))
    for i, v in enumerate(out):
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            raise _Bad(f"{what}[{i}] = {v:g} is outside [{lo}, {hi}]")
    return out


def _mapping(value: Any, what: str) -> Mapping[str, Any]:
    if not isinstance(value, dict):
        raise _Bad(f"{what}: expected a dict, got {type(value).__name__}")
    if not value:
        raise _Bad(f"{what}: the dict is empty")
    return value


def _item(data: Mapping[str, Any], key: str, name: str, build: Callable[[Any], T]) -> Item[T]:
    raw = data.get("errors")
    errors: Mapping[str, Any] = raw if isinstance(raw, dict) else {}
    if key in errors:
        return Item.invalid(f"{name} could not be read in the kernel: {errors[key]}")
    if key not in data:
        return Item.missing(f"{name} was not set by the notebook")
    try:
        return Item.ok(build(data[key]))
    except _Bad as exc:
        return Item.invalid(f"{name}: {exc}")


def _scalar(value: Any) -> Scalar:
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dict) and "__unsupported__" in value:
        return str(value["__unsupported__"])
    return json.dumps(value)[:200]


def _gradients(value: Any, zeros: Any) -> GradientData:
    magnitudes = {
        str(k): _numbers(v, f"GRADIENTS[{k!r}]", lo=0.0) for k, v in _mapping(value, "GRADIENTS").items()
    }
    zero = {}
    if isinstance(zeros, dict):
        zero = {str(k): _numbers(v, f"GRADIENT_ZERO_FRACTIONS[{k!r}]", lo=0, hi=1) for k, v in zeros.items()}
    return GradientData(magnitudes=magnitudes, zero_fractions=zero)


def _cv(value: Any) -> CVReport:
    data = _mapping(value, "CV_RESULTS")
    lowered = {str(k).lower().replace("-", "_"): v for k, v in data.items()}
    if "roc_auc" not in lowered:
        raise _Bad(f"CV_RESULTS has no 'roc_auc' (keys: {sorted(data)})")
    pr = lowered.get("pr_auc")
    return CVReport(
        roc_auc=_numbers(lowered["roc_auc"], "CV_RESULTS['roc_auc']", lo=0, hi=1),
        pr_auc=() if pr is None else _numbers(pr, "CV_RESULTS['pr_auc']", lo=0, hi=1),
    )


def _sweep(value: Any) -> dict[str, float]:
    return {
        str(k): _numbers(v, f"KERNEL_SWEEP[{k!r}]", lo=0, hi=1)[0]
        for k, v in _mapping(value, "KERNEL_SWEEP").items()
    }


def _kernels(value: Any) -> tuple[tuple[tuple[float, ...], ...], ...]:
    if not isinstance(value, list) or not value or len(value) > 1024:
        raise _Bad("expected a (filters, 4, width) array with 1 to 1024 filters")
    out = []
    for f, kernel in enumerate(value):
        if not isinstance(kernel, list) or len(kernel) != 4:
            raise _Bad(f"filter {f}: expected 4 rows (A, C, G, T)")
        rows = tuple(_numbers(row, f"filter {f}") for row in kernel)
        if len({len(r) for r in rows}) != 1 or len(rows[0]) > 64:
            raise _Bad(f"filter {f}: rows must have one width of at most 64")
        out.append(rows)
    return tuple(out)


def _predictions(value: Any, n_expected: int | None) -> HiddenPredictions:
    data = _mapping(value, "hidden predictions")
    ids, scores = data.get("ids"), data.get("scores")
    if not isinstance(ids, list) or not isinstance(scores, list) or not scores:
        raise _Bad("expected ids and one list of scores per model")
    if n_expected is not None and len(ids) != n_expected:
        raise _Bad(f"scored {len(ids)} hidden sequences; {n_expected} were provided")
    rows = tuple(_numbers(s, f"model {m} scores") for m, s in enumerate(scores))
    if any(len(r) != len(ids) for r in rows):
        raise _Bad("a model returned a different number of scores than sequences")
    return HiddenPredictions(ids=tuple(str(i) for i in ids), scores=rows)


def parse_record(
    data: Mapping[str, Any], *, figures: tuple[FigureRef, ...] = (), n_hidden: int | None = None
) -> CollectedRecord:
    """Validate the epilogue's JSON ``data`` into a ``CollectedRecord`` (never raises for bad data)."""
    raw_answers = data.get("answers")
    answers: dict[str, Item[Scalar]] = {}
    if isinstance(raw_answers, dict):
        answers = {str(k).strip(): Item.ok(_scalar(v)) for k, v in raw_answers.items() if v is not None}
    zeros = data.get("gradient_zero_fractions")
    return CollectedRecord(
        answers=answers,
        gradients=_item(data, "gradients", "GRADIENTS", lambda v: _gradients(v, zeros)),
        cv=_item(data, "cv", "CV_RESULTS", _cv),
        kernel_sweep=_item(data, "kernel_sweep", "KERNEL_SWEEP", _sweep),
        hidden_predictions=_item(
            data, "hidden_predictions", "FOLD_MODELS", lambda v: _predictions(v, n_hidden)
        ),
        first_layer_kernels=_item(data, "first_layer_kernels", "first-layer kernels", _kernels),
        figures=figures,
    )
