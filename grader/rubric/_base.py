"""Building blocks of every rubric model: the strict base class, value types and error helpers.

Every rubric model derives from :class:`Spec`: frozen, unknown keys rejected with a "did you mean"
hint, numbers strict (``true`` or ``"2"`` is not a number) and finite. Validators raise
:func:`unknown_value` or :func:`bad_value`; ``grader.rubric._messages`` turns them into
``RubricError`` lines that name the file, the key path, the allowed values and the bad value.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from typing import Annotated, Any, ClassVar

from pydantic import ConfigDict, Field, Strict, model_validator
from pydantic_core import PydanticCustomError

from grader._model import Frozen
from grader.records.result import Visibility

__all__ = [
    "Count",
    "Flag",
    "Fraction",
    "NonNegative",
    "Number",
    "Positive",
    "Spec",
    "Text",
    "Visibility",
    "allowed_keys",
    "bad_value",
    "did_you_mean",
    "unknown_key",
    "unknown_value",
]

Number = Annotated[float, Strict(), Field(allow_inf_nan=False)]
"""A finite number; ``true``, ``"2"`` and ``.nan`` are rejected."""

NonNegative = Annotated[float, Strict(), Field(ge=0, allow_inf_nan=False)]
"""A finite number >= 0."""

Fraction = Annotated[float, Strict(), Field(ge=0, le=1, allow_inf_nan=False)]
"""A number in [0, 1]."""

Count = Annotated[int, Strict(), Field(ge=0)]
"""A whole number >= 0; ``2.0`` and ``true`` are rejected."""

Positive = Annotated[int, Strict(), Field(ge=1)]
"""A whole number >= 1."""

Flag = Annotated[bool, Strict()]
"""``true`` or ``false``."""

Text = Annotated[str, Strict(), Field(min_length=1)]
"""A non-empty string."""


def did_you_mean(value: object, allowed: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` for the closest allowed value, or ``""`` when none is close."""
    close = difflib.get_close_matches(str(value), list(allowed), n=1, cutoff=0.6)
    return f" (did you mean {close[0]!r}?)" if close else ""


def unknown_value(
    value: object, allowed: Iterable[str], *, at: tuple[str | int, ...] = ()
) -> PydanticCustomError:
    """The error for a value outside a known set; ``at`` extends the key path below the model."""
    names = sorted(allowed)
    return PydanticCustomError(
        "unknown_value",
        "unknown {value}; expected one of {allowed}{hint}",
        {"value": repr(value), "allowed": repr(names), "hint": did_you_mean(value, names), "at": at},
    )


def unknown_key(key: object, allowed: Iterable[str]) -> PydanticCustomError:
    """The error for a key a model does not have; the path ends with the key."""
    names = sorted(allowed)
    return PydanticCustomError(
        "unknown_key",
        "unknown key {key}; expected one of {allowed}{hint}",
        {"key": repr(key), "allowed": repr(names), "hint": did_you_mean(key, names), "at": (str(key),)},
    )


def bad_value(message: str, *, at: tuple[str | int, ...] = ()) -> PydanticCustomError:
    """A value error with a ready message; ``at`` extends the key path below the model."""
    return PydanticCustomError("bad_value", "{message}", {"message": message, "at": at})


def allowed_keys(model: type[Frozen]) -> tuple[str, ...]:
    """The keys a rubric may give for ``model`` (its fields minus those the loader fills in)."""
    internal: frozenset[str] = getattr(model, "internal_fields", frozenset())
    return tuple(sorted(name for name in model.model_fields if name not in internal))


class Spec(Frozen):
    """Base of every rubric model: frozen, strict, unknown keys rejected with a hint.

    ``internal_fields`` lists fields the loader fills in; a rubric file may not set them.
    """

    model_config = ConfigDict(defer_build=True)
    internal_fields: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="before")
    @classmethod
    def _reject_unknown_keys(cls, data: Any) -> Any:
        if not isinstance(data, Mapping) or cls.__dict__.get("dispatching", False):
            return data
        allowed = allowed_keys(cls)
        for key in data:
            if key not in allowed:
                raise unknown_key(key, allowed)
        return data
