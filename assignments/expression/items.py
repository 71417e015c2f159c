"""What an expression notebook hands in besides its answers: the scores ``MODEL`` gives the hidden rows."""

from __future__ import annotations

from typing import Any

from grader.collect.values import predictions
from grader.packs import ItemSpec
from grader.records.collected import HiddenPredictions

__all__ = ["HIDDEN_PREDICTIONS", "ITEMS"]

HIDDEN_PREDICTIONS = ItemSpec[HiddenPredictions](
    "hidden_predictions", "MODEL", predictions, HiddenPredictions, title="hidden-set scores", bulky=True,
)
"""Written by the epilogue (``kernel_epilogue.py``) from ``MODEL``; parsed by the generic validator. Messages
name it ``MODEL``, the variable the student sets (``rubric artifact: hidden_predictions``)."""
ITEMS: tuple[ItemSpec[Any], ...] = (HIDDEN_PREDICTIONS,)
