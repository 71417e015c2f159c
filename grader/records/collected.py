"""What the collect stage hands on: a validated record of what the notebook produced.

Everything here arrived as JSON written inside the sandbox (or was read from the executed notebook) and
was validated by the grader; nothing is trusted because it was saved in the submitted file. Every item
carries a status: ``ok``, ``missing`` or ``invalid`` with a human reason, so a malformed answer becomes
data ("invalid: expected a number, got 'forty-two'"), never an exception that stops a batch.

Which items there are is the assignment pack's business (``grader.packs.ItemSpec``): the record keeps
them by name as plain JSON (``CollectedRecord.items``), and an ``ItemSpec`` re-types its value on each
read. A record stored with the items as top-level keys (schema 1) is lifted into ``items`` on load.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from functools import cache
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, Field, JsonValue, TypeAdapter, model_validator

from grader._model import Frozen

__all__ = [
    "RECORD_SCHEMA_VERSION",
    "CollectedRecord",
    "FigureRef",
    "HiddenPredictions",
    "Item",
    "ItemStatus",
    "Scalar",
    "lift_items",
    "typed_item",
]

RECORD_SCHEMA_VERSION = 2
"""2: the items under ``items``; 1 (lifted on load): each item a top-level key."""

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


class HiddenPredictions(Frozen):
    """Scores the student's models gave the hidden examples (no labels ever entered the sandbox).

    ``scores[m][i]`` is model ``m``'s score for example ``ids[i]``; higher means the positive class.
    """

    ids: tuple[str, ...]
    scores: tuple[tuple[float, ...], ...]


class FigureRef(Frozen):
    """An image the re-executed notebook produced, located by cell and by sheet section."""

    cell_index: int
    section: str | None
    mime: str


@cache
def _adapter(model: Any) -> TypeAdapter[Any]:
    return TypeAdapter(model)


def typed_item(item: Item[JsonValue], model: Any) -> Item[Any]:
    """``item`` with its plain-JSON value validated as ``model`` (a type pydantic validates)."""
    if item.value is None:
        return Item[Any](status=item.status, reason=item.reason)
    return Item[Any](status=item.status, value=_adapter(model).validate_python(item.value), reason=item.reason)


def _plain(item: Any) -> Any:
    return item.model_dump(mode="json") if isinstance(item, BaseModel) else item


def lift_items(data: Any, fields: Mapping[str, Any], into: str) -> Any:
    """``data`` with its item-shaped keys that are not ``fields`` moved under ``into``, as plain JSON.

    An item is an ``Item`` or a mapping with a ``status``; anything else stays where it is (and an unknown
    key is then an error, as for every record). A key given at the top wins over the same key in ``into``.
    """
    if not isinstance(data, Mapping):
        return data
    lifted = {k: v for k, v in data.items() if k not in fields and (isinstance(v, Item) or (
        isinstance(v, Mapping) and "status" in v))}
    out = {k: v for k, v in data.items() if k not in lifted}
    given = out.get(into) or {}
    if isinstance(given, Mapping):
        out[into] = {k: _plain(v) for k, v in {**given, **lifted}.items()}
    return out


class CollectedRecord(Frozen):
    """Everything the grader collected from one re-executed notebook.

    ``items``: the assignment pack's items by name, values as plain JSON (read them with the pack's
    ``ItemSpec.read``). ``problem``: why the epilogue's record could not be used at all (empty when it
    could); every answer that no answer cell gave then says so instead of "no answer was given".
    """

    schema_version: int = RECORD_SCHEMA_VERSION
    answers: dict[str, Item[Scalar]] = Field(default_factory=dict)
    items: dict[str, Item[JsonValue]] = Field(default_factory=dict)
    figures: tuple[FigureRef, ...] = ()
    problem: str = ""

    @model_validator(mode="before")
    @classmethod
    def _lift(cls, data: Any) -> Any:
        lifted = lift_items(data, cls.model_fields, "items")
        if isinstance(lifted, dict):
            lifted["schema_version"] = RECORD_SCHEMA_VERSION
        return lifted

    def item(self, name: str) -> Item[JsonValue]:
        """The item called ``name`` as plain JSON, or ``missing: not collected``."""
        return self.items.get(name, Item.missing("not collected"))

    def answer(self, question_id: str) -> Item[Scalar]:
        """The student's answer to ``question_id``, or a ``missing`` item saying why there is none."""
        why = f"no answer to {question_id} could be collected: {self.problem}" if self.problem else (
            f"no answer to {question_id} was given"
        )
        return self.answers.get(question_id, Item.missing(why))
