"""Assignment packs: what one assignment brings to the generic grader.

A pack is a Python package ``assignments.<name>`` (``assignments/`` is a namespace package) whose
``__init__`` builds ``PACK``, an :class:`AssignmentPack`: the items its notebooks hand in
(:class:`ItemSpec`, one per key of ``grader_record.json``) and the kernel code that collects them. A
rubric names its pack with the top-level key ``assignment:`` (docs/rubric-format.md);
:func:`load_pack` imports the pack by that name, checks it and keeps it in the registry.

The generic stages import this module, never a pack: import-linter forbids ``grader -> assignments``
(pyproject.toml), and the only import of a pack is the dynamic one in :func:`load_pack`.
"""

from __future__ import annotations

import difflib
import importlib
import pkgutil
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, TypeVar

from grader.errors import PackError
from grader.records.collected import CollectedRecord, Item, typed_item
from grader.records.evidence import Evidence

__all__ = [
    "DEFAULT_ASSIGNMENT",
    "PACKAGE",
    "AssignmentPack",
    "ItemSpec",
    "Measure",
    "ParseContext",
    "available_packs",
    "load_pack",
    "register_pack",
]

PACKAGE = "assignments"
"""The namespace package that holds the packs: ``assignments.<name>``."""
DEFAULT_ASSIGNMENT = "week11"
"""The pack of a rubric without an ``assignment:`` key (until every rubric names its pack)."""
T = TypeVar("T")


@dataclass(frozen=True)
class ParseContext:
    """What an item's parser may read besides its own value.

    ``data``: the whole record the epilogue wrote (an item may combine two keys); ``n_hidden``: how many
    hidden examples the grader wrote for the kernel (``None`` when unknown).
    """

    data: Mapping[str, Any]
    n_hidden: int | None = None


@dataclass(frozen=True)
class Measure(Generic[T]):
    """A measurement the grader makes (``Evidence.measurements[name]``) and its type, ``model``."""

    name: str
    model: Any

    def read(self, evidence: Evidence) -> Item[T]:
        """The measurement, re-typed (``missing: not evaluated`` when it was not made)."""
        return typed_item(evidence.measurement(self.name), self.model)


@dataclass(frozen=True)
class ItemSpec(Generic[T]):
    """One item a notebook hands in.

    ``name``: its key in ``grader_record.json`` and in the collected record; ``variable``: what the
    student sets (the self-check names it); ``parse``: validates the JSON value into ``T``, raising
    ``grader.collect.values.ItemValueError`` (a ``ValueError``) with a reason when it cannot; ``model``:
    the type of ``T``, for :meth:`read`; ``label``: how messages name the item when it is not a variable
    the student sets (the variable by default).
    """

    name: str
    variable: str
    parse: Callable[[Any, ParseContext], T]
    model: Any
    label: str = ""

    def read(self, record: CollectedRecord) -> Item[T]:
        """The item from ``record``, re-typed (``missing: not collected`` when the record lacks it)."""
        return typed_item(record.item(self.name), self.model)

    @property
    def shown(self) -> str:
        """How messages name the item."""
        return self.label or self.variable


@dataclass(frozen=True)
class AssignmentPack:
    """An assignment's contribution to the grader; built once, by the pack's ``__init__``, as ``PACK``.

    ``epilogue``: Python source run in the student's kernel after the generic collector's code; it
    defines ``_pack_collect(record, ns, plain, grab)``, which adds the pack's items to ``record``
    (``grader.collect.epilogue`` composes the cell).
    """

    name: str
    items: tuple[ItemSpec[Any], ...]
    epilogue: str = ""

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise PackError(f"assignment pack {self.name!r}: the name must be a Python identifier")
        names = [item.name for item in self.items]
        for index, name in enumerate(names):
            if not name.isidentifier() or name in {"answers", "errors", "present", "schema"}:
                raise PackError(f"assignment pack {self.name!r}: item {name!r} is not a usable record key")
            if name in names[:index]:
                raise PackError(f"assignment pack {self.name!r}: item {name!r} is declared twice")

    def item(self, name: str) -> ItemSpec[Any]:
        """The pack's item called ``name``."""
        for spec in self.items:
            if spec.name == name:
                return spec
        raise KeyError(f"assignment pack {self.name!r} has no item {name!r}")


_PACKS: dict[str, AssignmentPack] = {}


def register_pack(pack: AssignmentPack) -> AssignmentPack:
    """Keep ``pack`` under its name; registering another pack under a taken name is an error."""
    known = _PACKS.setdefault(pack.name, pack)
    if known is not pack:
        raise PackError(f"assignment pack {pack.name!r} is registered twice (two different PACK objects)")
    return pack


def available_packs() -> tuple[str, ...]:
    """The names of the packs registered or installed under ``assignments/``, sorted.

    An editable install hides the folder behind a path hook, so the ``assignments/`` next to
    ``grader/`` (a checkout, or site-packages) is listed as well.
    """
    beside = Path(__file__).resolve().parents[1] / PACKAGE
    found = {init.parent.name for init in beside.glob("*/__init__.py")}
    try:
        namespace = importlib.import_module(PACKAGE)
    except ModuleNotFoundError:
        return tuple(sorted(found | set(_PACKS)))
    found |= {info.name for info in pkgutil.iter_modules(namespace.__path__) if info.ispkg}
    return tuple(sorted(found | set(_PACKS)))


def load_pack(name: str, *, rubric: str = "") -> AssignmentPack:
    """The pack ``name``: registered already, or imported from ``assignments.<name>`` and registered.

    ``rubric`` (the rubric file that names the pack) is named in the messages.

    Raises:
        PackError: no such pack (the message lists the packs found and the closest name), the pack
            fails to import, or its module has no ``PACK``.
    """
    if name in _PACKS:
        return _PACKS[name]
    where = f"{rubric}: assignment: {name!r}" if rubric else f"assignment pack {name!r}"
    module = _import(name, where)
    pack = getattr(module, "PACK", None)
    if not isinstance(pack, AssignmentPack):
        raise PackError(f"{where}: {module.__name__} defines no PACK (an AssignmentPack); got {pack!r:.80}")
    if pack.name != name:
        raise PackError(f"{where}: {module.__name__}.PACK is named {pack.name!r}")
    return register_pack(pack)


def _import(name: str, where: str) -> Any:
    module_name = f"{PACKAGE}.{name}"
    if not name.isidentifier():
        raise PackError(f"{where}: a pack name is a Python identifier{_found(name)}")
    try:
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in (PACKAGE, module_name):
            raise PackError(f"{where}: the pack {module_name} cannot import {exc.name!r}: {exc}") from exc
        raise PackError(f"{where}: there is no pack {module_name}{_found(name)}") from None
    except ImportError as exc:
        raise PackError(f"{where}: the pack {module_name} fails to import: {exc}") from exc


def _found(name: str) -> str:
    packs = available_packs()
    close = difflib.get_close_matches(name, packs, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"; packs found: {', '.join(packs) or 'none'}{hint}"
