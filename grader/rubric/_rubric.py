"""The rubric: questions of the sheet, each a list of criteria, plus the assignment's sections."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterator
from typing import Any, ClassVar, Literal, Self

from pydantic import Field, SerializeAsAny, ValidationInfo, field_validator, model_validator

from grader.errors import PackError, RubricError
from grader.execute.config import ExecutionConfig
from grader.packs import AssignmentPack, load_pack
from grader.rubric._base import (
    Flag,
    NonNegative,
    Spec,
    Text,
    Visibility,
    bad_value,
    did_you_mean,
)
from grader.rubric._criteria import (
    ChoiceCriterion,
    Criterion,
    DeferredCriterion,
    Ident,
    MetricCriterion,
    NumberCriterion,
)
from grader.rubric._evidence import ReportedVsMeasured
from grader.rubric._sections import DataSpec, LatePenalty, Profile, Profiles, check_execution_keys

__all__ = ["SCHEMA_VERSION", "ExpectedValue", "ExportSpec", "Question", "Rubric", "RubricOrigin"]

SCHEMA_VERSION = 1
"""The rubric schema version this grader reads."""

ExpectedValue = str | float | tuple[str, ...] | tuple[float, ...]
_EPS = 1e-9


class Question(Spec):
    """One question of the sheet: its points and the criteria that earn them.

    Without ``all_or_nothing`` each criterion (or ``group`` of criteria) earns its points on its own;
    with it, the question earns its points only if every criterion passes (the sheet's rule: no points
    for a partially correct answer). ``extra_credit`` points count towards ``extra_points``, not the total.
    """

    id: Ident
    title: Text
    points: NonNegative
    extra_credit: Flag = False
    all_or_nothing: Flag = False
    visibility: Visibility = Visibility.PUBLIC
    criteria: tuple[SerializeAsAny[Criterion], ...] = Field(min_length=1)

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        self._check_ids()
        self._check_points()
        self._check_groups()
        self._check_in_question()
        return self._with_answer_ids()

    def _check_ids(self) -> None:
        seen: set[str] = set()
        for index, criterion in enumerate(self.criteria):
            if criterion.id in seen:
                raise bad_value(f"duplicate criterion id {criterion.id!r}", at=("criteria", index, "id"))
            seen.add(criterion.id)

    def _check_points(self) -> None:
        given = [c.points for c in self.criteria if c.points is not None]
        if given and len(given) != len(self.criteria):
            missing = [c.id for c in self.criteria if c.points is None]
            raise bad_value(
                f"give points to every criterion or to none; missing for {missing}", at=("criteria",)
            )
        if given and abs(sum(given) - self.points) > _EPS:
            raise bad_value(
                f"criteria points {given} sum to {sum(given):g}, but the question has points {self.points:g}",
                at=("criteria",),
            )

    def _check_groups(self) -> None:
        for index, criterion in enumerate(self.criteria):
            if criterion.group is not None and self.all_or_nothing:
                raise bad_value(
                    "group has no effect in an all_or_nothing question (all criteria form one group)",
                    at=("criteria", index, "group"),
                )

    def _check_in_question(self) -> None:
        for index, criterion in enumerate(self.criteria):
            criterion.check_in_question(self, index)

    def _with_answer_ids(self) -> Self:
        criteria = tuple(
            c.model_copy(update={"answer": self.id})
            if "answer" in type(c).model_fields and c.reads_answer() is None
            and not isinstance(c, DeferredCriterion)  # a deferred one states its answer (or none) itself
            else c
            for c in self.criteria
        )
        return self.model_copy(update={"criteria": criteria})

    def weight(self, criterion: Criterion) -> float:
        """``criterion``'s share of the points: its own ``points``, else an equal split."""
        return criterion.points if criterion.points is not None else self.points / len(self.criteria)

    def criterion(self, criterion_id: str) -> Criterion:
        """The criterion ``criterion_id``; ``KeyError`` names the ids that exist."""
        for criterion in self.criteria:
            if criterion.id == criterion_id:
                return criterion
        raise KeyError(
            f"question {self.id!r} has no criterion {criterion_id!r}; have {[c.id for c in self.criteria]}"
        )


class ExportSpec(Spec):
    """How grades go to an LMS: ``extra_credit: separate`` (a column of its own; the grade is the regular
    points) or ``added`` (added to the grade, on a scale whose maximum is regular + extra points)."""

    extra_credit: Literal["separate", "added"] = "separate"


class ReportSpec(Spec):
    """How reports name the class: ``course`` (e.g. "Machine Learning for Bioinformatics") and
    ``assignment`` (default: the rubric's ``title``)."""

    course: str = ""
    assignment: str = ""


class RubricOrigin(Spec):
    """Where a rubric was loaded from: its path and the SHA-256 of the file's bytes."""

    path: str
    sha256: str


class Rubric(Spec):
    """A parsed rubric (``schema_version: 1``); see ``docs/rubric-format.md``."""

    internal_fields: ClassVar[frozenset[str]] = frozenset({"origin"})

    schema_version: Literal[1]
    id: Ident
    title: Text
    assignment: Ident
    """The assignment pack (``assignments/<name>/``) whose items, kinds and report panels the rubric uses."""
    due: dt.datetime | None = None
    max_points: NonNegative
    extra_max_points: NonNegative = 0.0
    late_penalty: LatePenalty = LatePenalty()
    export: ExportSpec = ExportSpec()
    report: ReportSpec = ReportSpec()
    execution: ExecutionConfig = ExecutionConfig()
    profiles: Profiles
    data: DataSpec
    questions: tuple[Question, ...] = Field(min_length=1)
    origin: RubricOrigin | None = None

    @field_validator("execution", mode="before")
    @classmethod
    def _execution_keys(cls, value: Any) -> Any:
        return check_execution_keys(value)

    def pack(self) -> AssignmentPack:
        """The rubric's assignment pack (``assignment:``)."""
        return load_pack(self.assignment, rubric=self.origin.path if self.origin else "")

    @field_validator("assignment")
    @classmethod
    def _known_pack(cls, name: str, info: ValidationInfo) -> str:
        """Load the pack (its criterion kinds, rules and metrics register) before the questions validate,
        and tell the questions whose they are (``context["assignment"]``: another pack's kinds are refused)."""
        try:
            load_pack(name)
        except PackError as exc:
            raise bad_value(str(exc)) from None
        if isinstance(info.context, dict):
            info.context["assignment"] = name
        return name

    @field_validator("due")
    @classmethod
    def _aware(cls, due: dt.datetime | None) -> dt.datetime | None:
        if due is not None and due.tzinfo is None:
            raise bad_value(
                f"due {due.isoformat()} has no time zone; write it like 2024-06-21T23:00:00+02:00"
            )
        return due

    @model_validator(mode="after")
    def _consistent(self) -> Self:
        ids = [q.id for q in self.questions]
        for index, qid in enumerate(ids):
            if qid in ids[:index]:
                raise bad_value(f"duplicate question id {qid!r}", at=("questions", index, "id"))
        for key, declared, extra in (
            ("max_points", self.max_points, False),
            ("extra_max_points", self.extra_max_points, True),
        ):
            parts = {q.id: q.points for q in self.questions if q.extra_credit is extra}
            if abs(sum(parts.values()) - declared) > _EPS:
                raise bad_value(
                    f"declared {declared:g}, but the {'extra-credit' if extra else 'regular'} questions sum to "
                    f"{sum(parts.values()):g} ({', '.join(f'{k}: {v:g}' for k, v in parts.items()) or 'none'})",
                    at=(key,),
                )
        return self

    def profile(self, name: str) -> Profile:
        """The training profile ``name``.

        Raises:
            RubricError: the rubric has no such profile (the message names the file, the value and the
                profiles that exist).
        """
        found = self.profiles.get(name)
        if found is None:
            source = self.origin.path if self.origin else f"rubric {self.id!r}"
            names = list(self.profiles.names)
            raise RubricError(
                f"{source}: profiles: no profile {name!r}; this rubric has {names}{did_you_mean(name, names)}"
            )
        return found

    @property
    def rubric_id(self) -> str:
        """``id@sha256[:12]`` of the loaded file (``id`` alone when not loaded from a file)."""
        return f"{self.id}@{self.origin.sha256[:12]}" if self.origin else self.id

    def criteria(self) -> Iterator[Criterion]:
        """Every criterion of every question, in rubric order."""
        return (criterion for question in self.questions for criterion in question.criteria)

    @property
    def hidden_auc_threshold(self) -> float | None:
        """The threshold of the first ``hidden_roc_auc`` metric criterion (the class summary marks it)."""
        return next((c.threshold for c in self.criteria()
                     if isinstance(c, MetricCriterion) and c.metric == "hidden_roc_auc"), None)

    @property
    def gap_metrics(self) -> tuple[str, str] | None:
        """The (reported, measured) metrics of the first ``reported_vs_measured`` criterion: what the class
        summary's gap flag compares; ``None`` (no flag) when the rubric has none."""
        return next(((c.reported, c.measured) for c in self.criteria() if isinstance(c, ReportedVsMeasured)), None)

    @property
    def sha256(self) -> str:
        """SHA-256 of the rubric file's bytes, or of the rubric's canonical JSON when it has no file."""
        if self.origin is not None:
            return self.origin.sha256
        return hashlib.sha256(self.model_dump_json().encode("utf-8")).hexdigest()

    def question(self, question_id: str) -> Question:
        """The question ``question_id``; ``KeyError`` names the ids that exist."""
        for question in self.questions:
            if question.id == question_id:
                return question
        raise KeyError(
            f"rubric {self.id!r} has no question {question_id!r}; have {[q.id for q in self.questions]}"
        )

    def answer_key(self) -> dict[str, ExpectedValue]:
        """Expected answers by question id (the option or the number; a tuple if several are accepted).

        This includes hidden values; never show it to students.
        """
        key: dict[str, ExpectedValue] = {}
        for question in self.questions:
            for criterion in question.criteria:
                if isinstance(criterion, ChoiceCriterion):
                    expected = criterion.expected
                    key[question.id] = expected[0] if len(expected) == 1 else expected
                elif isinstance(criterion, NumberCriterion):
                    values = criterion.expected
                    key[question.id] = values[0] if len(values) == 1 else values
        return key
