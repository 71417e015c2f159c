"""What a check sees (:class:`Context`) and what it returns (:class:`Outcome`)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from grader.records.collected import Item, ItemStatus, Scalar
from grader.records.evidence import Evidence
from grader.records.result import FindingStatus
from grader.rubric import Question

__all__ = ["Context", "Outcome", "fmt"]


def fmt(value: float) -> str:
    """A number for messages: up to 6 significant digits, no trailing zeros (``0.75``, ``42``, ``1e-06``)."""
    return f"{value:.6g}"


@dataclass(frozen=True, slots=True)
class Outcome:
    """One criterion's verdict and the sentence that explains it."""

    status: FindingStatus
    message: str

    @property
    def passed(self) -> bool:
        return self.status is FindingStatus.PASSED

    @classmethod
    def ok(cls, message: str) -> Outcome:
        return cls(FindingStatus.PASSED, message)

    @classmethod
    def fail(cls, message: str) -> Outcome:
        return cls(FindingStatus.FAILED, message)

    @classmethod
    def missing(cls, message: str) -> Outcome:
        return cls(FindingStatus.MISSING, f"missing: {message}")

    @classmethod
    def invalid(cls, message: str) -> Outcome:
        return cls(FindingStatus.INVALID, f"invalid: {message}")

    @classmethod
    def not_run(cls, message: str) -> Outcome:
        return cls(FindingStatus.NOT_RUN, message)

    @classmethod
    def deferred(cls, message: str) -> Outcome:
        return cls(FindingStatus.DEFERRED, message)

    @classmethod
    def unavailable(cls, status: ItemStatus, message: str) -> Outcome:
        """``missing``/``invalid`` for an item that is not ``ok`` (``status`` says which)."""
        return cls.invalid(message) if status is ItemStatus.INVALID else cls.missing(message)

    @classmethod
    def from_item(cls, item: Item[Any], what: str) -> Outcome:
        """The outcome for an item that is not ``ok``: ``missing: WHAT: reason`` or ``invalid: ...``."""
        return cls.unavailable(item.status, f"{what}: {item.reason or item.status.value}")


@dataclass(frozen=True, slots=True)
class Context:
    """What a check may look at: the submission's evidence and the question the criterion belongs to."""

    evidence: Evidence
    question: Question

    def answer(self, answer_id: str | None) -> Item[Scalar]:
        """The student's answer ``answer_id`` (the question's id if ``None``)."""
        return self.evidence.collected.answer(answer_id or self.question.id)
