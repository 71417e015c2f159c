"""The rubric's non-question sections: ``late_penalty``, ``profiles``, ``data`` and ``execution``."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, ClassVar, Self

from pydantic import ConfigDict, Field, RootModel, Strict, ValidationInfo, model_validator
from pydantic.functional_validators import ModelWrapValidatorHandler
from pydantic_core import PydanticCustomError

from grader.execute.config import ExecutionConfig
from grader.records.adjust import LatePolicy
from grader.rubric._base import Flag, Fraction, NonNegative, Positive, Spec, unknown_key
from grader.rubric._registry import Registry

__all__ = [
    "DATA_SOURCES",
    "REQUIRED_PROFILES",
    "DataSource",
    "DataSpec",
    "LatePenalty",
    "Profile",
    "ProfileName",
    "Profiles",
    "check_execution_keys",
    "resolve_path",
]


class LatePenalty(Spec):
    """The rubric's ``late_penalty`` section, validated; the rule itself is
    :class:`grader.records.adjust.LatePolicy` (kept with every result)."""

    per_day: Fraction = 0.0
    max_fraction: Fraction = 1.0
    grace_hours: NonNegative = 0.0
    whole_days: Flag = True

    def policy(self) -> LatePolicy:
        """The same rule as the record each result keeps (:class:`grader.records.adjust.LatePolicy`)."""
        return LatePolicy(**self.model_dump())

    def fraction(self, late_days: float) -> float:
        """The share of the regular points lost after ``late_days`` days (0 if on time)."""
        return self.policy().fraction(late_days)


class Profile(Spec):
    """One training profile handed to the notebook as parameters (MAX_EPOCHS, N_PER_CLASS, FOLDS, and
    those the pack's data decides, such as Week 11's SEQ_LEN).

    ``max_epochs``: ``null`` (an assignment that trains no network) sets no MAX_EPOCHS.
    ``n_per_class`` and ``seq_len``: ``null`` means all sequences / the data's own length.
    ``cell_timeout_s`` and ``notebook_timeout_s`` override the ``execution`` section's for this profile
    (``null``: keep them), so the quick profile can fail a looping notebook fast.
    """

    max_epochs: Positive | None = None
    n_per_class: Positive | None = None
    folds: Annotated[int, Strict(), Field(ge=2)] = 5
    seq_len: Positive | None = None
    cell_timeout_s: Positive | None = None
    notebook_timeout_s: Positive | None = None


ProfileName = Annotated[str, Strict(), Field(pattern=r"^[a-z][a-z0-9_-]*$")]
"""A profile's name under ``profiles:``: lower case letters, digits, ``_`` and ``-``, a letter first."""

REQUIRED_PROFILES = ("quick", "full")
"""Profiles every rubric has: ``quick`` runs the student self-check, ``full`` is grading's default."""


class Profiles(RootModel[dict[ProfileName, Profile]]):
    """The rubric's training profiles by name, in file order: ``quick`` and ``full`` are required, a rubric
    may add more (Week 11: ``demo``). ``grader grade --profile NAME`` picks one (``Rubric.profile``)."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    @model_validator(mode="after")
    def _required(self) -> Self:
        for name in REQUIRED_PROFILES:
            if name not in self.root:
                raise PydanticCustomError("missing_key", "required key is missing", {"at": (name,)})
        return self

    @property
    def names(self) -> tuple[str, ...]:
        """The profiles' names, in file order."""
        return tuple(self.root)

    def get(self, name: str) -> Profile | None:
        """The profile ``name``, or ``None`` when the rubric has none of that name."""
        return self.root.get(name)

    @property
    def quick(self) -> Profile:
        """The ``quick`` profile (the student self-check)."""
        return self.root["quick"]

    @property
    def full(self) -> Profile:
        """The ``full`` profile (grading's default)."""
        return self.root["full"]


class DataSource(Spec):
    """Where the data comes from; ``kind:`` picks one of the kinds the rubric's pack registers (Week 11:
    ``synthetic``, ``fasta``, ``table``; ``DATA_SOURCES``).

    Relative paths are resolved against the rubric file's folder; existence is checked when the data is
    read, not when the rubric is parsed.
    """

    dispatching: ClassVar[bool] = True
    kind: str

    @model_validator(mode="wrap")
    @classmethod
    def _dispatch_kind(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        result: Self = DATA_SOURCES.dispatch(cls, data, handler, info.context)
        return result


DATA_SOURCES: Registry[DataSource] = Registry(DataSource, "kind")
"""Data source classes by ``kind``."""


def resolve_path(path: Path, info: ValidationInfo) -> Path:
    """``path`` as a data source gave it, relative to the rubric's folder (``context["base_dir"]``)."""
    base = (info.context or {}).get("base_dir")
    return path if path.is_absolute() or base is None else Path(base) / path


class DataSpec(Spec):
    """The assignment's training data and the grader's hidden held-out split."""

    train: DataSource
    hidden: DataSource | None = None


def check_execution_keys(value: Any) -> Any:
    """Reject unknown ``execution:`` keys with a hint before ``ExecutionConfig`` validates the rest."""
    if isinstance(value, Mapping):
        allowed = sorted(ExecutionConfig.model_fields)
        for key in value:
            if key not in allowed:
                raise unknown_key(key, allowed)
    return value
