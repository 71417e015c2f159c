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
import hashlib
import importlib
import importlib.util
import os
import pkgutil
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar

from grader.errors import PackError
from grader.records.collected import CollectedRecord, Item, typed_item
from grader.records.evidence import Evidence

__all__ = [
    "DEFAULT_ASSIGNMENT",
    "PACKAGE",
    "AssignmentData",
    "AssignmentPack",
    "Evaluator",
    "HiddenData",
    "ItemSpec",
    "Measure",
    "NotebookVariable",
    "ParseContext",
    "PrepareData",
    "PreparePanel",
    "ReportPanel",
    "SelfCheckData",
    "available_packs",
    "digest_parts",
    "load_pack",
    "register_pack",
    "trusted_pack_folders",
]

PACKAGE = "assignments"
"""The namespace package that holds the packs: ``assignments.<name>``."""
PACKS_ENV = "NBGRADE_PACKS"
"""Folders of packs to trust besides the grader's own (``os.pathsep``-separated ``.../assignments`` folders)."""
DEFAULT_ASSIGNMENT = "week11"
"""The pack of runs recorded before the gradebook kept each run's pack (schema 3), and of report helpers
called without one: every rubric names its pack (``assignment:``)."""
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
    the student sets (the variable by default); ``title``: how the review app names it (default: the
    label, else the name with spaces); ``bulky``: the review app shows its size instead of its value.
    """

    name: str
    variable: str
    parse: Callable[[Any, ParseContext], T]
    model: Any
    label: str = ""
    title: str = ""
    bulky: bool = False

    def read(self, record: CollectedRecord) -> Item[T]:
        """The item from ``record``, re-typed (``missing: not collected`` when the record lacks it)."""
        return typed_item(record.item(self.name), self.model)

    @property
    def shown(self) -> str:
        """How messages name the item."""
        return self.label or self.variable

    @property
    def fact_label(self) -> str:
        """How the review app names the item."""
        return self.title or self.label or self.name.replace("_", " ")


Scalar = str | int | float | bool | None


def digest_parts(parts: Iterable[str]) -> str:
    """SHA-256 (hex) of ``parts``, each UTF-8 encoded and ended by a NUL byte (so no two splits collide)."""
    digest = hashlib.sha256()
    for part in parts:
        digest.update(part.encode("utf-8"))
        digest.update(b"\0")
    return digest.hexdigest()


class HiddenData(Protocol):
    """One submission's hidden examples: labels by opaque id (kept in the grader) and how to write the
    unlabelled examples into the work dir (called after the student's cells, before the epilogue)."""

    @property
    def labels(self) -> Mapping[str, int]: ...

    def write(self, workdir: Path) -> None: ...


class AssignmentData(Protocol):
    """A pack's prepared data, as the pipeline, the batch keys and the self-check use it.

    Batch workers receive it pickled; a Dask worker on another machine gets the bytes of ``files()`` and
    a copy made by ``with_files`` that reads them where it wrote them (``grader.batch.cluster``).
    """

    @property
    def description(self) -> str:
        """Where the data came from, for logs and reports."""
        ...

    def stage(self, workdir: Path) -> dict[str, str]:
        """Copy the training data into ``workdir``; the notebook parameters that point at it."""
        ...

    def hidden_for(self, submission_sha256: str) -> HiddenData:
        """The hidden examples one submission sees, in an order the class secret and its bytes decide."""
        ...

    def parameters(self, profile: Any) -> dict[str, Scalar]:
        """Notebook parameters the data decides (``profile``: the rubric's chosen ``Profile``)."""
        ...

    def fingerprint(self) -> str:
        """SHA-256 (hex) of everything in the data that decides a grade (the batch resume keys use it)."""
        ...

    def files(self) -> Mapping[str, Path]:
        """The grader-side files the data reads, by a name of the pack's choosing."""
        ...

    def with_files(self, paths: Mapping[str, Path]) -> AssignmentData:
        """The same data reading ``paths`` (the names of ``files()``) instead of its own files."""
        ...


class PrepareData(Protocol):
    """``PACK.prepare_data``: the rubric's ``data:`` section made ready under ``cache_dir``.

    ``rubric``: a ``grader.rubric.Rubric``; ``secret``: the class secret (``grader.prepare.secret``).
    Raises ``grader.errors.AssignmentError`` naming the rubric and the file when the data is unusable.
    """

    def __call__(self, rubric: Any, *, cache_dir: Path, secret: Any) -> AssignmentData: ...


class SelfCheckData(Protocol):
    """``PACK.self_check_data``: the data a student install checks with (no instructor data there),
    read from what ``notebook`` (parsed as ``nb``) points at. Raises ``AssignmentError`` when missing."""

    def __call__(self, notebook: Path, nb: Any) -> AssignmentData: ...


@dataclass(frozen=True)
class Evaluator:
    """A measurement the grader makes after the run: ``Evidence.measurements[name] = measure(collected, labels)``.

    ``labels``: the hidden set's labels by opaque id. ``grading_only``: the self-check skips it (its
    criteria are hidden, or it is slow) and records the measurement missing with ``deferred_reason``.
    ``title`` and ``summary`` (plain JSON value -> one line): how the review app shows the measurement
    (default: its name and its JSON).
    """

    name: str
    measure: Callable[[CollectedRecord, Mapping[str, int]], Item[Any]]
    grading_only: bool = False
    deferred_reason: str = "measured at grading time"
    title: str = ""
    summary: Callable[[Any], str] | None = None

    def __call__(self, collected: CollectedRecord, labels: Mapping[str, int], *, self_check: bool = False) -> Item[Any]:
        """The measurement, or a missing one when ``self_check`` skips a grading-only evaluator."""
        if self_check and self.grading_only:
            return Item.missing(self.deferred_reason)
        try:
            return self.measure(collected, labels)
        except Exception as exc:  # a pack's bug on one student's data costs that measurement, not the batch
            return Item.invalid(f"{self.name} could not be measured (grader error: {type(exc).__name__}: {exc})")


PreparePanel = Callable[[Sequence[Any], Path | None, bool], tuple[Any, str]]
"""``(graded list, cache_dir, compute) -> (data, note)``: a panel's class-wide data (e.g. reference curves).

``cache_dir`` keeps what is expensive to make between renders (``None``: no cache); ``compute=False``
(the review app) uses only what is packaged or cached. ``note`` says where the data came from."""


def _no_data(graded: Sequence[Any], cache_dir: Path | None, compute: bool) -> tuple[Any, str]:
    return None, ""


@dataclass(frozen=True)
class NotebookVariable:
    """A variable the notebook leaves behind for the grader, as the notebook contract documents it.

    ``name``: the variable; ``used_for``: the questions it serves (e.g. ``"2.5, 2.6"``); ``form``: its
    type and meaning, for students (Markdown). ``scripts/contract_table.py`` writes the contract's table
    from these, so the docs and the pack cannot disagree.
    """

    name: str
    used_for: str
    form: str


@dataclass(frozen=True)
class ReportPanel:
    """A section of the student report that a pack adds after the generic ones.

    ``template``: a template in the pack's ``templates`` folder (it sees ``panel.view``);
    ``prepare``: the class-wide data, once per render of a class; ``build(graded, prepared)``: the
    view model of one student (``prepared`` is ``prepare``'s data, or ``None`` when not prepared).
    """

    id: str
    title: str
    template: str
    build: Callable[[Any, Any], Any]
    prepare: PreparePanel = _no_data


@dataclass(frozen=True)
class AssignmentPack:
    """An assignment's contribution to the grader; built once, by the pack's ``__init__``, as ``PACK``.

    ``epilogue``: Python source run in the student's kernel after the generic collector's code; it
    defines ``_pack_collect(record, ns, plain, grab)``, which adds the pack's items to ``record``
    (``grader.collect.epilogue`` composes the cell). ``prepare_data``: the grading data from the rubric;
    ``self_check_data``: the data of a student's self-check without the instructor's data (``None``: the
    self-check needs the instructor's install). ``evaluators``: the measurements the grader makes after
    each run (``Evidence.measurements``). ``needs_reference``: criterion kinds and evidence rules whose
    checks import the instructor's ``reference`` package; a student install's self-check defers them.
    ``panels``: the report sections the pack adds (:class:`ReportPanel`), their templates in ``templates``
    (a folder on the report environment's loader path). ``variables``: the notebook contract's variables
    (:class:`NotebookVariable`); every item's ``variable`` must be one of them when any are given.
    The pack's criterion kinds, rules, metrics and checks register (with the pack as owner) when the
    pack is imported.
    """

    name: str
    items: tuple[ItemSpec[Any], ...]
    epilogue: str = ""
    prepare_data: PrepareData | None = None
    self_check_data: SelfCheckData | None = None
    evaluators: tuple[Evaluator, ...] = ()
    needs_reference: frozenset[str] = frozenset()
    panels: tuple[ReportPanel, ...] = ()
    templates: Path | None = None
    variables: tuple[NotebookVariable, ...] = ()

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise PackError(f"assignment pack {self.name!r}: the name must be a Python identifier")
        names = [item.name for item in self.items]
        for index, name in enumerate(names):
            if not name.isidentifier() or name in {"answers", "errors", "present", "schema"}:
                raise PackError(f"assignment pack {self.name!r}: item {name!r} is not a usable record key")
            if name in names[:index]:
                raise PackError(f"assignment pack {self.name!r}: item {name!r} is declared twice")
        documented = {variable.name for variable in self.variables}
        undocumented = sorted({item.variable for item in self.items} - documented) if documented else []
        if undocumented:
            raise PackError(f"assignment pack {self.name!r}: {', '.join(undocumented)} read by an item but not in "
                            "its variables (the notebook contract)")
        measured = [evaluator.name for evaluator in self.evaluators]
        for index, name in enumerate(measured):
            if name in measured[:index]:
                raise PackError(f"assignment pack {self.name!r}: measurement {name!r} has two evaluators")

    def data(self, rubric: Any, *, cache_dir: Path, secret: Any) -> AssignmentData:
        """``prepare_data`` for ``rubric``.

        Raises:
            PackError: the pack prepares no data.
        """
        if self.prepare_data is None:
            raise PackError(f"assignment pack {self.name!r} has no prepare_data, so it cannot grade")
        return self.prepare_data(rubric, cache_dir=cache_dir, secret=secret)

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
    found = {init.parent.name for root in trusted_pack_folders() for init in root.glob("*/__init__.py")}
    if _namespace_problem():
        return tuple(sorted(found | set(_PACKS)))
    try:
        namespace = importlib.import_module(PACKAGE)
    except ModuleNotFoundError:
        return tuple(sorted(found | set(_PACKS)))
    found |= {info.name for info in pkgutil.iter_modules(namespace.__path__)
              if info.ispkg and _trusted(Path(str(getattr(info.module_finder, "path", ""))) / info.name)}
    return tuple(sorted(found | set(_PACKS)))


def trusted_pack_folders() -> tuple[Path, ...]:
    """Where a pack may be imported from: the ``assignments/`` beside ``grader/`` (a checkout, or
    site-packages) and the folders in ``$NBGRADE_PACKS``.

    ``assignments`` is a namespace package, so any folder on ``sys.path`` could add ``assignments/<name>``
    (under ``python -m grader`` the current directory comes first): a pack found anywhere else is refused,
    since its code runs in the grader, outside the sandbox.
    """
    extra = [Path(p).resolve() for p in os.environ.get(PACKS_ENV, "").split(os.pathsep) if p]
    return (Path(__file__).resolve().parents[1] / PACKAGE, *extra)


def _trusted(path: Path) -> bool:
    resolved = path.resolve()
    return any(resolved.is_relative_to(root) for root in trusted_pack_folders())


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
        _check_origin(module_name, where)
        return importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        if exc.name not in (PACKAGE, module_name):
            raise PackError(f"{where}: the pack {module_name} cannot import {exc.name!r}: {exc}") from exc
        raise PackError(f"{where}: there is no pack {module_name}{_found(name)}") from None
    except ImportError as exc:
        raise PackError(f"{where}: the pack {module_name} fails to import: {exc}") from exc
    except PackError:
        raise
    except Exception as exc:  # a bug in the pack's own code: name it, do not let it pass as a rubric crash
        raise PackError(f"{where}: the pack {module_name} fails to import: {type(exc).__name__}: {exc}") from exc


def _namespace_problem() -> str:
    """Why importing ``assignments`` itself would run code (``""`` when it would not).

    The packs' parent must be a namespace package, which runs nothing; an ``assignments/__init__.py`` or
    ``assignments.py`` earlier on ``sys.path`` would shadow it and run on import. Looking up a top-level name
    imports nothing.
    """
    spec = importlib.util.find_spec(PACKAGE)
    if spec is None or spec.origin is None:
        return ""
    return f"{PACKAGE} would be imported from {spec.origin}, a module of its own, not the namespace of the packs"


def _check_origin(module_name: str, where: str) -> None:
    """Refuse a pack that would be imported from outside :func:`trusted_pack_folders` (before it runs)."""
    problem = _namespace_problem()
    if problem:
        raise PackError(f"{where}: {problem}; remove it, or run the grader from another folder")
    spec = importlib.util.find_spec(module_name)
    if spec is None:
        name = module_name.rpartition(".")[2]
        folders = [str(root / name) for root in trusted_pack_folders() if (root / name / "__init__.py").is_file()]
        if folders:
            raise PackError(f"{where}: {folders[0]} is a pack, but this installation cannot import it (an editable "
                            "install maps the packs present when it was made): rerun `make setup`")
        raise ModuleNotFoundError(module_name, name=module_name)
    origin = Path(spec.origin) if spec.origin else None
    if origin is None or not _trusted(origin):
        raise PackError(
            f"{where}: {module_name} would be imported from {origin or 'nowhere'}, outside the grader's packs "
            f"({', '.join(str(root) for root in trusted_pack_folders())}); put the pack there, or name its "
            f"folder in {PACKS_ENV} if you trust it"
        )


def _found(name: str) -> str:
    packs = available_packs()
    close = difflib.get_close_matches(name, packs, n=1, cutoff=0.6)
    hint = f" (did you mean {close[0]!r}?)" if close else ""
    return f"; packs found: {', '.join(packs) or 'none'}{hint}"
