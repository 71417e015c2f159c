"""What the collect stage hands on: a validated record of what the notebook produced.

Everything here arrived as JSON written inside the sandbox (or was read from the executed notebook) and
was validated by the grader; nothing is trusted because it was saved in the submitted file. Every item
carries a status: ``ok``, ``missing`` or ``invalid`` with a human reason, so a malformed answer becomes
data ("invalid: expected a number, got 'forty-two'"), never an exception that stops a batch.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Generic, TypeVar

from pydantic import Field

from grader._model import Frozen

__all__ = [
    "RECORD_SCHEMA_VERSION",
    "CVReport",
    "CollectedRecord",
    "FigureRef",
    "GradientData",
    "HiddenPredictions",
    "Item",
    "ItemStatus",
    "Scalar",
]

RECORD_SCHEMA_VERSION = 1

T = TypeVar("T")
Scalar = str | bool | int | float | None


class ItemStatus(StrEnum):
    """Whether a collected item can be used."""

    OK = "ok"
    MISSING = "missing"
    INVALID = "invalid"


class Item(Frozen, Generic[T]):
    """One collected item: a value when ``status`` is ``ok``, otherwise a reason."""

    status: ItemStatus
    value: T | None = None
    reason: str = ""

    @classmethod
    def ok(cls, value: T) -> Item[T]:
        return cls(status=ItemStatus.OK, value=value)

    @classmethod
    def missing(cls, reason: str) -> Item[T]:
        return cls(status=ItemStatus.MISSING, reason=reason)

    @classmethod
    def invalid(cls, reason: str) -> Item[T]:
        return cls(status=ItemStatus.INVALID, reason=reason)

    @property
    def is_ok(self) -> bool:
        return self.status is ItemStatus.OK and self.value is not None


class GradientData(Frozen):
    """Per-layer gradient magnitudes the student recorded, by method name as the student wrote it.

    ``magnitudes[method]`` has one non-negative float per hidden layer, input side first.
    ``zero_fractions[method]``, when present, is the share of exactly-zero entries per layer.
    """

    magnitudes: dict[str, tuple[float, ...]]
    zero_fractions: dict[str, tuple[float, ...]] = Field(default_factory=dict)


class CVReport(Frozen):
    """The cross-validation metrics the notebook reported, one value per fold."""

    roc_auc: tuple[float, ...]
    pr_auc: tuple[float, ...] = ()

    @property
    def mean_roc_auc(self) -> float:
        return sum(self.roc_auc) / len(self.roc_auc)

    @property
    def mean_pr_auc(self) -> float | None:
        return sum(self.pr_auc) / len(self.pr_auc) if self.pr_auc else None


class HiddenPredictions(Frozen):
    """Scores the student's fold models gave the hidden sequences (no labels ever entered the sandbox).

    ``scores[m][i]`` is model ``m``'s score for sequence ``ids[i]``; higher means "liver".
    """

    ids: tuple[str, ...]
    scores: tuple[tuple[float, ...], ...]


class FigureRef(Frozen):
    """An image the re-executed notebook produced, located by cell and by sheet section."""

    cell_index: int
    section: str | None
    mime: str


class CollectedRecord(Frozen):
    """Everything the grader collected from one re-executed notebook.

    ``problem``: why the epilogue's record could not be used at all (empty when it could); every answer
    that no answer cell gave then says so instead of "no answer was given".
    """

    schema_version: int = RECORD_SCHEMA_VERSION
    answers: dict[str, Item[Scalar]] = Field(default_factory=dict)
    gradients: Item[GradientData] = Item.missing("not collected")
    cv: Item[CVReport] = Item.missing("not collected")
    kernel_sweep: Item[dict[str, float]] = Item.missing("not collected")
    hidden_predictions: Item[HiddenPredictions] = Item.missing("not collected")
    first_layer_kernels: Item[tuple[tuple[tuple[float, ...], ...], ...]] = Item.missing("not collected")
    figures: tuple[FigureRef, ...] = ()
    problem: str = ""

    def answer(self, question_id: str) -> Item[Scalar]:
        """The student's answer to ``question_id``, or a ``missing`` item saying why there is none."""
        why = f"no answer to {question_id} could be collected: {self.problem}" if self.problem else (
            f"no answer to {question_id} was given"
        )
        return self.answers.get(question_id, Item.missing(why))
