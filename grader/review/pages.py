"""The student page's view model: one effective result laid out for the TA (pure, no I/O).

Everything here is data for autoescaped templates; student text (answers, code excerpts, reasons) is
shown as text, never as markup.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel

from grader.integrity import SimilarityReport
from grader.packs import DEFAULT_ASSIGNMENT, AssignmentPack, load_pack
from grader.records.collected import Item
from grader.records.graded import GradedSubmission
from grader.records.result import QuestionResult
from grader.store.gradebook import Change

__all__ = ["Fact", "PairView", "QuestionView", "StudentPage", "build_student_page"]

MAX_VALUE_CHARS = 400


@dataclass(frozen=True, slots=True)
class Fact:
    """A labelled value: ``status`` is ``ok``, ``missing``, ``invalid`` or empty."""

    label: str
    value: str
    status: str = ""


@dataclass(frozen=True, slots=True)
class QuestionView:
    """One question with its override, if any, and the numbers to show when a rescore moved it."""

    q: QuestionResult
    overridden: bool
    auto_now: float | None
    auto_at_set: float | None
    moved: bool


@dataclass(frozen=True, slots=True)
class PairView:
    """A similar-code pair from this student's side: their excerpt first."""

    other: str
    mine: float
    theirs: float
    overlap_tokens: int
    my_code: str
    their_code: str


@dataclass(frozen=True, slots=True)
class StudentPage:
    """What the student page shows."""

    graded: GradedSubmission
    questions: tuple[QuestionView, ...]
    lateness: str
    answers: tuple[Fact, ...]
    evidence: tuple[Fact, ...]
    integrity: tuple[Fact, ...]
    pairs: tuple[PairView, ...]
    changes: tuple[Change, ...]
    similarity_note: str


def _short(value: object) -> str:
    if isinstance(value, BaseModel):
        value = value.model_dump(mode="json")
    text = value if isinstance(value, str) else json.dumps(value, default=str)
    return text if len(text) <= MAX_VALUE_CHARS else text[:MAX_VALUE_CHARS] + f"… ({len(text)} characters)"


def _fact(label: str, item: Item[Any], shown: Callable[[Any], str] = _short) -> Fact:
    """``item`` as a fact: ``shown(value)`` when collected, else the reason it is not."""
    if item.is_ok:
        return Fact(label, shown(item.value), item.status.value)
    return Fact(label, item.reason, item.status.value)


def _size(value: object) -> str:
    """Large collected arrays are summarised by size instead of printed."""
    return f"collected ({len(json.dumps(value, default=str))} characters of data)"


def _summarised(summary: Callable[[Any], str] | None) -> Callable[[Any], str]:
    """A measurement's one-line summary (its JSON without one), cut to :data:`MAX_VALUE_CHARS`."""
    return _short if summary is None else lambda value: _short(summary(value))


def _question(q: QuestionResult) -> QuestionView:
    note = q.override
    if note is None:
        return QuestionView(q, False, None, None, False)
    return QuestionView(q, True, note.auto_points, note.auto_points_at_set, note.auto_moved)


def _evidence(graded: GradedSubmission, pack: AssignmentPack) -> tuple[Fact, ...]:
    """The pack's collected items, then the grader's measurements (``Evaluator.title``/``summary``)."""
    collected, ev = graded.evidence.collected, graded.evidence
    facts = [_fact(spec.fact_label, spec.read(collected), _size if spec.bulky else _short) for spec in pack.items]
    facts += [_fact(e.title or e.name, ev.measurement(e.name), _summarised(e.summary)) for e in pack.evaluators]
    if collected.problem:
        facts.append(Fact("collection problem", collected.problem, "invalid"))
    return tuple(facts)


def _integrity(graded: GradedSubmission) -> tuple[Fact, ...]:
    report = graded.integrity
    reproduced = {None: "not checked", True: "yes", False: "no"}[report.saved_outputs_reproduced]
    facts = [Fact("saved outputs reproduced", reproduced, "invalid" if report.saved_outputs_reproduced is False else "")]
    facts += [Fact("saved output", note, "invalid") for note in report.saved_output_notes]
    if report.locked_cells_changed:
        facts.append(Fact("provided cells edited", ", ".join(report.locked_cells_changed), "invalid"))
    facts += [Fact("intake note", note) for note in graded.notes]
    return tuple(facts)


def _pairs(student_id: str, similarity: SimilarityReport | None) -> tuple[PairView, ...]:
    views = []
    for p in similarity.pairs if similarity else ():
        if p.first == student_id:
            views.append(PairView(p.second, p.similarity_first, p.similarity_second, p.overlap_tokens,
                                  p.excerpt_first, p.excerpt_second))
        elif p.second == student_id:
            views.append(PairView(p.first, p.similarity_second, p.similarity_first, p.overlap_tokens,
                                  p.excerpt_second, p.excerpt_first))
    return tuple(views)


def build_student_page(
    graded: GradedSubmission,
    similarity: SimilarityReport | None,
    changes: Sequence[Change],
    pack: AssignmentPack | None = None,
) -> StudentPage:
    """The student page for ``graded`` (an effective result), its similar pairs and its change history.

    ``pack`` (default: ``grader.packs.DEFAULT_ASSIGNMENT``'s) says which items and measurements to show.
    """
    r = graded.result
    answers = tuple(_fact(key, item) for key, item in sorted(graded.evidence.collected.answers.items()))
    note = "code similarity not computed yet: run grader report OUT" if similarity is None else similarity.note
    return StudentPage(
        graded=graded, questions=tuple(_question(q) for q in r.questions),
        lateness=r.lateness.note(r.late_penalty) if r.lateness is not None else "",
        answers=answers, evidence=_evidence(graded, pack or load_pack(DEFAULT_ASSIGNMENT)), integrity=_integrity(graded),
        pairs=_pairs(r.student_id, similarity), changes=tuple(reversed(changes)), similarity_note=note,
    )
