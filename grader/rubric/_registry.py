"""Registries that map a discriminator value (``kind: choice``, ``rule: gradient_uniformity``) to a model.

Registrations are validated when they are made, at import time: a duplicate value, a malformed name,
a class outside the registry's base, or a discriminator field that is not ``Literal[value]`` with that
default raises ``TypeError`` naming the class and the value. Parsing dispatches on the discriminator
with the registry's allowed values and a "did you mean" hint for an unknown one.
"""

from __future__ import annotations

import re
import typing
from collections.abc import Callable, Mapping
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pydantic_core import PydanticCustomError

from grader.rubric._base import Spec, bad_value, unknown_value

__all__ = ["Registry", "foreign"]

M = TypeVar("M", bound=Spec)
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


class Registry(Generic[M]):
    """Subclasses of ``base`` by the value of their ``key`` field."""

    def __init__(self, base: type[M], key: str) -> None:
        self.base = base
        self.key = key
        self._classes: dict[str, type[M]] = {}
        self._owners: dict[str, str] = {}

    @property
    def classes(self) -> Mapping[str, type[M]]:
        """Registered classes by discriminator value (read-only)."""
        return MappingProxyType(self._classes)

    def register(self, value: str, *, owner: str = "") -> Callable[[type[M]], type[M]]:
        """Class decorator: register the class under ``value``; raises ``TypeError`` if invalid.

        ``owner``: the assignment pack that registers it (``""``: the grader's own, usable by every
        rubric); a rubric for another pack cannot use it (:meth:`dispatch`).
        """

        def decorate(cls: type[M]) -> type[M]:
            self._verify(value, cls)
            self._classes[value] = cls
            if owner:
                self._owners[value] = owner
            return cls

        return decorate

    def owner(self, value: str) -> str:
        """The pack that registered ``value`` (``""``: the grader's own)."""
        return self._owners.get(value, "")

    def _verify(self, value: str, cls: type[M]) -> None:
        where = f"{cls.__module__}.{cls.__qualname__}"
        if not _NAME.match(value):
            raise TypeError(f"{where}: {self.key} {value!r} must match {_NAME.pattern}")
        if value in self._classes:
            other = self._classes[value]
            raise TypeError(
                f"{where}: {self.key} {value!r} is already registered by {other.__module__}.{other.__qualname__}"
            )
        if not (isinstance(cls, type) and issubclass(cls, self.base)):
            raise TypeError(f"{where}: a {self.key} {value!r} must subclass {self.base.__qualname__}")
        field = cls.model_fields.get(self.key)
        if field is None or typing.get_args(field.annotation) != (value,) or field.default != value:
            raise TypeError(f"{where}: declare `{self.key}: Literal[{value!r}] = {value!r}`")

    def dispatch(self, cls: type[Spec], data: Any, handler: Callable[[Any], Any], context: Any = None) -> Any:
        """Validate ``data`` with the class its ``key`` names when ``cls`` is the base, else as ``cls``.

        Messages list the values this rubric may use: the grader's own and its pack's (``context``).
        """
        if cls is not self.base or not isinstance(data, Mapping):
            return handler(data)
        value = data.get(self.key)
        usable = [name for name in self._classes if not foreign(name, self.owner(name), context)]
        if value is None:
            raise PydanticCustomError(
                "missing_key",
                "required key is missing; expected one of {allowed}",
                {"allowed": repr(sorted(usable)), "at": (self.key,)},
            )
        if not isinstance(value, str) or value not in self._classes:
            raise unknown_value(value, usable, at=(self.key,))
        problem = foreign(f"{self.key} {value!r}", self.owner(value), context)
        if problem:
            raise bad_value(problem, at=(self.key,))
        return self._classes[value].model_validate(data, context=context)


def foreign(what: str, owner: str, context: Any) -> str:
    """Why ``what`` (registered by pack ``owner``) cannot be used under the rubric being validated, or ``""``.

    The rubric's pack is ``context["assignment"]`` (set while a rubric validates); without one, or for
    the grader's own names (``owner == ""``), anything goes.
    """
    assignment = context.get("assignment") if isinstance(context, Mapping) else None
    if not owner or not assignment or owner == assignment:
        return ""
    return f"{what} belongs to assignment {owner!r}; this rubric is for {assignment!r}"
