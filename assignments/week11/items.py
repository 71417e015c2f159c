"""Week 11's collected items: what the notebook hands in besides its answers (docs/notebook-contract.md).

Each parser validates the plain JSON the epilogue wrote (``kernel_epilogue.py``) with the grader's value
validators; a bad value raises ``ItemValueError`` and becomes an ``invalid`` item with the reason.
"""

from __future__ import annotations

from typing import Any

from assignments.week11.records import CVReport, GradientData, MotifHit
from grader.collect.values import ItemValueError, mapping, numbers, predictions
from grader.packs import ItemSpec, Measure, ParseContext
from grader.records.collected import HiddenPredictions

__all__ = [
    "CV",
    "FIRST_LAYER_KERNELS",
    "GRADIENTS",
    "HIDDEN_PREDICTIONS",
    "ITEMS",
    "KERNEL_SWEEP",
    "MOTIFS",
    "Kernels",
]

Kernels = tuple[tuple[tuple[float, ...], ...], ...]
"""First-layer kernels: (filters, 4 rows A C G T, width)."""


def _gradients(value: Any, context: ParseContext) -> GradientData:
    magnitudes = {
        str(k): numbers(v, f"GRADIENTS[{k!r}]", lo=0.0) for k, v in mapping(value, "GRADIENTS").items()
    }
    zeros = context.data.get("gradient_zero_fractions")
    zero = {}
    if isinstance(zeros, dict):
        zero = {str(k): numbers(v, f"GRADIENT_ZERO_FRACTIONS[{k!r}]", lo=0, hi=1) for k, v in zeros.items()}
    return GradientData(magnitudes=magnitudes, zero_fractions=zero)


def _cv(value: Any, context: ParseContext) -> CVReport:
    data = mapping(value, "CV_RESULTS")
    lowered = {str(k).lower().replace("-", "_"): v for k, v in data.items()}
    if "roc_auc" not in lowered:
        raise ItemValueError(f"CV_RESULTS has no 'roc_auc' (keys: {sorted(data)})")
    pr = lowered.get("pr_auc")
    return CVReport(
        roc_auc=numbers(lowered["roc_auc"], "CV_RESULTS['roc_auc']", lo=0, hi=1),
        pr_auc=() if pr is None else numbers(pr, "CV_RESULTS['pr_auc']", lo=0, hi=1),
    )


def _sweep(value: Any, context: ParseContext) -> dict[str, float]:
    return {
        str(k): numbers(v, f"KERNEL_SWEEP[{k!r}]", lo=0, hi=1)[0]
        for k, v in mapping(value, "KERNEL_SWEEP").items()
    }


def _kernels(value: Any, context: ParseContext) -> Kernels:
    if not isinstance(value, list) or not value or len(value) > 1024:
        raise ItemValueError("expected a (filters, 4, width) array with 1 to 1024 filters")
    out = []
    for f, kernel in enumerate(value):
        if not isinstance(kernel, list) or len(kernel) != 4:
            raise ItemValueError(f"filter {f}: expected 4 rows (A, C, G, T)")
        rows = tuple(numbers(row, f"filter {f}") for row in kernel)
        if len({len(r) for r in rows}) != 1 or len(rows[0]) > 64:
            raise ItemValueError(f"filter {f}: rows must have one width of at most 64")
        out.append(rows)
    return tuple(out)


GRADIENTS = ItemSpec[GradientData]("gradients", "GRADIENTS", _gradients, GradientData, bulky=True)
"""Also reads ``gradient_zero_fractions`` (GRADIENT_ZERO_FRACTIONS)."""
CV = ItemSpec[CVReport]("cv", "CV_RESULTS", _cv, CVReport, title="cross-validation")
KERNEL_SWEEP = ItemSpec[dict[str, float]]("kernel_sweep", "KERNEL_SWEEP", _sweep, dict[str, float])
HIDDEN_PREDICTIONS = ItemSpec[HiddenPredictions]("hidden_predictions", "FOLD_MODELS", predictions, HiddenPredictions,
                                                 bulky=True)
FIRST_LAYER_KERNELS = ItemSpec[Kernels]("first_layer_kernels", "FOLD_MODELS", _kernels, Kernels, label="first-layer kernels",
                                     bulky=True)
ITEMS: tuple[ItemSpec[Any], ...] = (GRADIENTS, CV, KERNEL_SWEEP, HIDDEN_PREDICTIONS, FIRST_LAYER_KERNELS)

MOTIFS = Measure[tuple[MotifHit, ...]]("motifs", tuple[MotifHit, ...])
"""The grader's JASPAR matches of the first-layer kernels (``assignments.week11.motifs.match_motifs``)."""
