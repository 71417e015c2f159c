"""Criterion kinds: what one check of one question looks at, as typed frozen models.

Every kind is registered in :data:`CRITERIA` under its ``kind:`` value (``evidence`` dispatches once
more on ``rule:``, see ``grader.rubric._evidence``). Registration is validated at import time.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, ClassVar, Literal, Self

from pydantic import (
    Field,
    PrivateAttr,
    Strict,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.functional_validators import ModelWrapValidatorHandler

from grader.packs import DEFAULT_ASSIGNMENT, load_pack
from grader.rubric._answers import Unreadable, choice_key
from grader.rubric._base import (
    Flag,
    NonNegative,
    Number,
    Positive,
    Spec,
    Text,
    Visibility,
    bad_value,
    unknown_value,
)
from grader.rubric._metrics import METRICS, MetricSpec, metric_owner
from grader.rubric._registry import Registry, foreign

__all__ = [
    "CRITERIA",
    "Alias",
    "ArtifactCriterion",
    "ChoiceCriterion",
    "Criterion",
    "DeferredCriterion",
    "MetricCriterion",
    "NumberCriterion",
    "NumberFeedback",
    "artifact_labels",
    "choice_table",
]

Ident = Annotated[str, Strict(), Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\-]*$")]
Alias = Annotated[str, Strict()] | Annotated[bool, Strict()] | Annotated[int, Strict()]

FIGURE = "figure"


def artifact_labels(context: Any) -> dict[str, str]:
    """The artifacts a rubric may require, with how messages name them: ``figure`` and the items of the
    rubric's assignment pack (``context["assignment"]`` while a rubric validates, else
    ``DEFAULT_ASSIGNMENT``), each named as its ``ItemSpec.shown``."""
    name = context.get("assignment") if isinstance(context, Mapping) else None
    pack = load_pack(name or DEFAULT_ASSIGNMENT)
    return {FIGURE: "a figure", **{spec.name: spec.shown for spec in pack.items}}


class Criterion(Spec):
    """Common keys of every criterion; subclasses add their own.

    ``points``: this criterion's share of the question (default: the question's points split equally).
    ``group``: criteria with the same group earn their points only together (all or nothing).
    ``visibility``: ``hidden`` ones are only reported as "checked at grading time" in the self-check.
    """

    dispatching: ClassVar[bool] = True
    hidden_reads: ClassVar[frozenset[str]] = frozenset()
    """The collected items a hidden criterion of this kind reads (the self-check sees no more than its kind)."""
    kind: str
    id: Ident
    points: NonNegative | None = None
    visibility: Visibility = Visibility.PUBLIC
    group: Ident | None = None

    @model_validator(mode="wrap")
    @classmethod
    def _dispatch_kind(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        result: Self = CRITERIA.dispatch(cls, data, handler, info.context)
        return result

    def reads_answer(self) -> str | None:
        """The answer id this criterion reads, or ``None`` if it reads no answer."""
        return None

    def reads_items(self) -> frozenset[str]:
        """The collected items this criterion reads (the self-check names the ones missing)."""
        return frozenset()

    def check_in_question(self, question: Any, index: int) -> None:
        """Check this criterion against the rest of its question (``question.criteria[index]`` is this one);
        raise a pydantic error (``grader.rubric._base.bad_value``) for a mismatch. Default: nothing to check."""


CRITERIA: Registry[Criterion] = Registry(Criterion, "kind")
"""Criterion classes by ``kind``."""


def choice_table(options: dict[str, tuple[Alias, ...]]) -> dict[str, str]:
    """Choice key -> option for every option name and alias (see :func:`~._answers.choice_key`)."""
    table: dict[str, str] = {}
    for option, aliases in options.items():
        for alias in (option, *aliases):
            key = choice_key(alias)
            if isinstance(key, str):
                table.setdefault(key, option)
    return table


def _check_aliases(options: dict[str, tuple[Alias, ...]]) -> None:
    owner: dict[str, tuple[str, Alias]] = {}
    for option, aliases in options.items():
        for index, alias in enumerate((option, *aliases)):
            at: tuple[str | int, ...] = ("options", option) if index == 0 else ("options", option, index - 1)
            key = choice_key(alias)
            if isinstance(key, Unreadable):
                raise bad_value(f"alias {alias!r} is empty after normalisation", at=at)
            first = owner.setdefault(key, (option, alias))
            if first[0] != option:
                raise bad_value(
                    f"alias {alias!r} of option {option!r} reads the same as {first[1]!r} of option "
                    f"{first[0]!r}; an answer must name exactly one option",
                    at=at,
                )


@CRITERIA.register("choice")
class ChoiceCriterion(Criterion):
    """The student picked one of ``options``; passes if it is one of ``expected``.

    ``options``: option name -> accepted spellings (the name itself is always accepted).
    ``expected``: the key, one option or a list of options. ``feedback``: option -> message shown
    when that (wrong) option was chosen. ``answer``: the answer id (default: the question id).
    """

    kind: Literal["choice"] = "choice"
    answer: Text | None = None
    options: dict[Ident, tuple[Alias, ...]] = Field(min_length=2)
    expected: tuple[Text, ...] = Field(min_length=1)
    feedback: dict[Text, Text] = Field(default_factory=dict)
    _table: dict[str, str] = PrivateAttr(default_factory=dict)

    @field_validator("expected", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        return (value,) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _check_options(self) -> Self:
        _check_aliases(self.options)
        for name, keys in (("expected", self.expected), ("feedback", tuple(self.feedback))):
            for index, option in enumerate(keys):
                if option not in self.options:
                    at: tuple[str | int, ...] = (name, index) if name == "expected" else (name, option)
                    raise unknown_value(option, self.options, at=at)
        self._table = choice_table(self.options)
        return self

    @property
    def table(self) -> dict[str, str]:
        """Choice key -> option."""
        return self._table

    def reads_answer(self) -> str | None:
        return self.answer


class NumberFeedback(Spec):
    """A message for one specific wrong value, e.g. ``{value: 84, message: "84 is dL/dw21"}``.

    ``abs_tol`` defaults to the criterion's tolerance at ``value`` (``max(abs_tol, rel_tol * |value|)``).
    """

    value: Number
    message: Text
    abs_tol: NonNegative | None = None


@CRITERIA.register("number")
class NumberCriterion(Criterion):
    """The student's number lies within ``max(abs_tol, rel_tol * |e|)`` of one accepted value ``e``.

    ``expected``: the key, one number or a list of accepted alternatives (``[42, 84]``). ``feedback``
    is shown only for answers that are not accepted.
    """

    kind: Literal["number"] = "number"
    answer: Text | None = None
    expected: tuple[Number, ...] = Field(min_length=1)
    abs_tol: NonNegative = 0.0
    rel_tol: NonNegative = 0.0
    feedback: tuple[NumberFeedback, ...] = ()

    @field_validator("expected", mode="before")
    @classmethod
    def _one_or_many(cls, value: Any) -> Any:
        if isinstance(value, list | tuple):
            return value
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise bad_value(f"expected a number or a list of numbers, got {value!r}")
        if not math.isfinite(value):
            raise bad_value(f"expected a finite number, got {value!r}")
        return (value,)

    def tolerance_at(self, value: float) -> float:
        """The allowed absolute difference around ``value``: ``max(abs_tol, rel_tol * |value|)``."""
        return max(self.abs_tol, self.rel_tol * abs(value))

    def accepts(self, value: float) -> float | None:
        """The first accepted value that ``value`` lies within the tolerance of, or ``None``."""
        return next((e for e in self.expected if abs(value - e) <= self.tolerance_at(e)), None)

    def reads_answer(self) -> str | None:
        return self.answer


@CRITERIA.register("metric")
class MetricCriterion(Criterion):
    """A registered metric is present, inside its bounds and (if ``threshold``) reaches the threshold.

    The comparison direction comes from the metric's spec (``higher_is_better``). ``min_count``: at
    least this many folds behind a per-fold metric.
    """

    hidden_reads: ClassVar[frozenset[str]] = frozenset({"hidden_predictions"})
    kind: Literal["metric"] = "metric"
    metric: Text
    threshold: Number | None = None
    min_count: Positive | None = None

    @field_validator("metric")
    @classmethod
    def _known_metric(cls, name: str, info: ValidationInfo) -> str:
        if name not in METRICS:
            raise unknown_value(name, METRICS)
        problem = foreign(f"metric {name!r}", metric_owner(name), info.context)
        if problem:
            raise bad_value(problem)
        return name

    def reads_items(self) -> frozenset[str]:
        return frozenset(self.spec.reads)

    @model_validator(mode="after")
    def _fits_spec(self) -> Self:
        spec = self.spec
        if self.threshold is not None and not spec.in_bounds(self.threshold):
            raise bad_value(
                f"threshold {self.threshold:g} is outside {spec.name}'s bounds {spec.bounds_text()}",
                at=("threshold",),
            )
        if self.min_count is not None and not spec.per_fold:
            per_fold = sorted(n for n, s in METRICS.items() if s.per_fold)
            raise bad_value(
                f"{spec.name} is not a per-fold metric; min_count applies only to {per_fold}",
                at=("min_count",),
            )
        return self

    @property
    def spec(self) -> MetricSpec:
        """The metric's registered spec."""
        return METRICS[self.metric]


@CRITERIA.register("artifact")
class ArtifactCriterion(Criterion):
    """The run produced an artifact: ``figure`` (at least ``min_count``, in ``section`` if given) or an
    item the rubric's assignment pack collects (:func:`artifact_labels`).
    """

    kind: Literal["artifact"] = "artifact"
    artifact: Text
    section: Text | None = None
    min_count: Positive = 1
    _label: str = PrivateAttr(default="")

    @model_validator(mode="after")
    def _known_artifact(self, info: ValidationInfo) -> Self:
        labels = artifact_labels(info.context)
        if self.artifact not in labels:
            raise unknown_value(self.artifact, labels, at=("artifact",))
        if self.artifact != FIGURE and (self.section is not None or self.min_count != 1):
            raise bad_value(f"section and min_count apply only to artifact 'figure', not {self.artifact!r}")
        self._label = labels[self.artifact]
        return self

    @property
    def label(self) -> str:
        """How messages name the artifact (``GRADIENTS``, ``a figure``)."""
        return self._label

    def reads_items(self) -> frozenset[str]:
        return frozenset() if self.artifact == FIGURE else frozenset({self.artifact})


@CRITERIA.register("deferred")
class DeferredCriterion(Criterion):
    """A hidden criterion as the self-check sees it (made by ``public_view``, not written by hand).

    It keeps what is needed to say whether the answer was given and readable (``answer``, the choice
    ``options`` or ``numeric``) and nothing of the key; it never earns points.
    """

    kind: Literal["deferred"] = "deferred"
    original: Text
    answer: Text | None = None
    options: dict[Ident, tuple[Alias, ...]] = Field(default_factory=dict)
    numeric: Flag = False
    _table: dict[str, str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _build_table(self) -> Self:
        self._table = choice_table(self.options)
        return self

    @property
    def table(self) -> dict[str, str]:
        """Choice key -> option (empty unless the original was a choice)."""
        return self._table

    def reads_answer(self) -> str | None:
        return self.answer

    def reads_items(self) -> frozenset[str]:
        """What the original kind reads when hidden (its details are unknown here)."""
        original = CRITERIA.classes.get(self.original)
        return original.hidden_reads if original is not None else frozenset()
