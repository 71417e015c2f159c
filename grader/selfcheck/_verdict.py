"""The self-check's verdict: a pure function of the graded run, the rubric and the submitted notebook.

Green only when the grader's collection cells ran in a live kernel and every item the rubric's regular
questions read was collected (an extra-credit item missing is a note, not red). Every failing cell is
listed with the student's cell number, and each unset item names the failing cell that most likely left
it unset ("ANSWERS["3.3"] never set: NameError in cell 34: name 'ANSWER' is not defined (did you mean
ANSWERS?)"). Answers written in the notebook but not graded because the run stopped say so.
"""

from __future__ import annotations

import ast
import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from nbformat import NotebookNode

from grader._ast import parse_python
from grader.records.collected import CollectedRecord, Item, ItemStatus
from grader.records.execution import CellFailure, ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission
from grader.records.result import QuestionResult, QuestionStatus
from grader.rubric import (
    Question,
    Rubric,
)

__all__ = ["Row", "Verdict", "given_answers", "verdict", "verdict_without_run"]

_BROKEN = {QuestionStatus.MISSING, QuestionStatus.INVALID, QuestionStatus.FAILED}
_STOPPED: dict[ExecStatus, str] = {
    ExecStatus.DEAD_KERNEL: "the kernel died",
    ExecStatus.TIMEOUT: "the notebook timed out",
    ExecStatus.LIMIT: "a resource limit stopped the run",
    ExecStatus.SANDBOX_ERROR: "the kernel could not be started",
    ExecStatus.INVALID: "the file is not a runnable notebook",
}
_NAME_ERROR = re.compile(r"name '([A-Za-z_][A-Za-z0-9_]*)' is not defined")


@dataclass(frozen=True)
class Row:
    """One question of the self-check table."""

    question: str
    title: str
    points: str
    status: str
    todo: str
    bad: bool
    extra_credit: bool = False


@dataclass(frozen=True)
class Verdict:
    """What the self-check says: ``passed`` (exit 0) or not, and why, ready to print or show as HTML."""

    passed: bool
    headline: str
    problems: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()
    failures: tuple[CellFailure, ...] = ()
    unset: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    ran: str = ""
    sandbox_note: str = ""

    @property
    def exit_code(self) -> int:
        return 0 if self.passed else 1


def verdict_without_run(notebook: str, problem: str) -> Verdict:
    """Red before anything ran: the file is no notebook, the rubric or the training data is missing."""
    return Verdict(passed=False, headline=f"{notebook} cannot be checked", problems=(problem,))


def given_answers(nb: NotebookNode | None) -> dict[str, object]:
    """``ANSWERS[...]`` values written as literals in the notebook's code cells (read, never run)."""
    found: dict[str, object] = {}
    for cell in nb.cells if nb is not None else []:
        if cell.get("cell_type") != "code":
            continue
        try:
            tree = parse_python(str(cell.get("source", "")))
        except (SyntaxError, ValueError):
            continue
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign):
                found.update(_assigned(node))
    return {k: v for k, v in found.items() if v is not None}


def _assigned(node: ast.Assign) -> dict[str, object]:
    out: dict[str, object] = {}
    for target in node.targets:
        if isinstance(target, ast.Subscript) and _is_answers(target.value):
            key = _literal(target.slice)
            if isinstance(key, str):
                out[key] = _literal(node.value)
        elif _is_answers(target) and isinstance(node.value, ast.Dict):
            for k, v in zip(node.value.keys, node.value.values, strict=True):
                key = _literal(k) if k is not None else None
                if isinstance(key, str):
                    out[key] = _literal(v)
    return out


def _is_answers(node: ast.expr) -> bool:
    return isinstance(node, ast.Name) and node.id == "ANSWERS"


def _literal(node: ast.expr) -> object:
    try:
        return ast.literal_eval(node)
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None


def _needed(rubric: Rubric) -> tuple[dict[str, bool], dict[str, bool]]:
    """(item -> required, answer id -> required): required unless only extra-credit questions read it."""
    items: dict[str, bool] = {}
    answers: dict[str, bool] = {}
    for q in rubric.questions:
        for c in q.criteria:
            for item in c.reads_items():
                items[item] = items.get(item, False) or not q.extra_credit
            if (qid := c.reads_answer()) is not None:
                answers[qid] = answers.get(qid, False) or not q.extra_credit
    return items, answers


def _stop_phrase(ex: ExecutionRecord) -> str:
    """``the kernel died in cell 17`` (student numbering), or why the collection cells did not run."""
    what = _STOPPED.get(ex.status, "the grader's collection cells did not run")
    if ex.failure is not None and ex.status in _STOPPED and ex.status is not ExecStatus.INVALID:
        return f"{what} in cell {ex.failure.cell_index}"
    if ex.epilogue_failure is not None:
        return f"the grader's collection cell raised {ex.epilogue_failure.ename}"
    return what


def _source(nb: NotebookNode | None, failure: CellFailure) -> str:
    if nb is not None and 0 <= failure.cell_index < len(nb.cells):
        return str(nb.cells[failure.cell_index].get("source", ""))
    return failure.source_preview


def _did_you_mean(failure: CellFailure, name: str) -> str:
    match = _NAME_ERROR.search(failure.evalue)
    if failure.ename != "NameError" or match is None or match.group(1) == name:
        return ""
    if difflib.get_close_matches(match.group(1), [name], n=1, cutoff=0.7):
        return f" (did you mean {name}?)"
    return ""


def _error(f: CellFailure) -> str:
    """``NameError in cell 34: name 'ANSWER' is not defined`` (no colon when the message is empty)."""
    return f"{f.ename} in cell {f.cell_index}: {f.evalue}".rstrip(": ")


def _blame(name: str, failures: Sequence[CellFailure], nb: NotebookNode | None) -> str | None:
    """``NameError in cell 34: ... (did you mean ANSWERS?)`` for the first failing cell that mentions
    ``name`` (or misspells it in a NameError), else None."""
    for f in failures:
        hint = _did_you_mean(f, name)
        if hint or re.search(rf"\b{re.escape(name)}\b", _source(nb, f)):
            return f"{_error(f)}{hint}"
    for f in failures:
        match = _NAME_ERROR.search(f.evalue)
        if match and difflib.get_close_matches(match.group(1), [name], n=1, cutoff=0.7):
            return f"{_error(f)} (did you mean {name}?)"
    return None


def _unset_line(label: str, name: str, item: Item[Any], failures: Sequence[CellFailure],
                nb: NotebookNode | None) -> str:
    blamed = _blame(name, failures, nb)
    state = "never set" if item.status is ItemStatus.MISSING else "invalid"
    if blamed is not None:
        return f"{label} {state}: {blamed}"
    return f"{label} {state}: {item.reason}"


def _unset(rubric: Rubric, collected: CollectedRecord, ex: ExecutionRecord,
           nb: NotebookNode | None) -> tuple[list[str], list[str]]:
    """(required items not collected, extra-credit items not collected), one line each."""
    failures = ex.failures or ((ex.failure,) if ex.failure else ())
    items, answers = _needed(rubric)
    variables = {spec.name: spec.variable for spec in rubric.pack().items}
    required: list[str] = []
    optional: list[str] = []
    seen: set[str] = set()
    for key, needed in items.items():
        item: Item[Any] = collected.item(key)
        name = variables.get(key, key)
        if item.status is ItemStatus.OK or name in seen:
            continue
        seen.add(name)
        (required if needed else optional).append(_unset_line(name, name, item, failures, nb))
    for qid, needed in answers.items():
        answer = collected.answer(qid)
        if answer.status is not ItemStatus.OK:
            line = _unset_line(f'ANSWERS["{qid}"]', "ANSWERS", answer, failures, nb)
            (required if needed else optional).append(line)
    return required, optional


def _row(q: QuestionResult, question: Question, given: Mapping[str, object], stopped: str | None) -> Row:
    extra = " extra" if q.extra_credit else ""
    todo = q.reason
    if stopped is not None:
        answered = [given[c.reads_answer() or ""] for c in question.criteria if (c.reads_answer() or "") in given]
        todo = f"answered {answered[0]!r}, not graded: {stopped}" if answered else f"not graded: {stopped}"
    status = q.status.value
    if stopped is None and q.status is QuestionStatus.NOT_RUN:
        status = "at grading"  # decided by hidden checks; the answer is there and readable
    return Row(q.id, q.title, f"{q.points:g}/{q.max_points:g}{extra}", status, todo,
               bad=q.status in _BROKEN, extra_credit=q.extra_credit)


def _ran(graded: GradedSubmission) -> tuple[str, str]:
    ex = graded.execution
    if ex.status is ExecStatus.INVALID:
        return "", ""
    where = "in the sandbox" if ex.sandboxed else "without a sandbox"
    note = "" if ex.sandboxed else (
        "bubblewrap is not available here, so your notebook ran as a plain process: no isolation "
        "and no resource limits (the grader runs it in its sandbox)"
    )
    return f"ran {where} on {ex.device} in {ex.duration_s:.0f} s: {ex.status.value}", note


def verdict(graded: GradedSubmission, rubric: Rubric, submitted: NotebookNode | None) -> Verdict:
    """The self-check's verdict on ``graded`` (scored with ``public_view(rubric)``)."""
    result, ex = graded.result, graded.execution
    problems: list[str] = []
    live = ex.epilogue_ran and ex.status not in _STOPPED
    stopped = None if live else _stop_phrase(ex)
    if not live:
        problems.append(f"nothing could be collected: {stopped}" + (f" ({ex.reason})" if ex.reason else ""))
    required, optional = _unset(rubric, graded.evidence.collected, ex, submitted) if live else ([], [])
    questions = {q.id: q for q in rubric.questions}
    given = given_answers(submitted)
    rows = tuple(_row(q, questions[q.id], given, stopped) for q in result.questions)
    broken = [r for r in rows if r.bad and not r.extra_credit]
    if required:
        problems.append(f"{len(required)} item(s) the grader needs were not set (listed below)")
    if broken:
        problems.append(f"{len(broken)} question(s) need attention: {', '.join(r.question for r in broken)}")
    failures = ex.failures or ((ex.failure,) if ex.failure else ())
    ran, sandbox_note = _ran(graded)
    passed = live and not required and not broken
    headline = (
        "All public checks pass: the grader will be able to grade every question."
        if passed else "Not ready: fix the problems below before you submit."
    )
    notes = tuple(f"extra credit: {line}" for line in optional)
    if failures and passed:
        notes += (f"{len(ex.cell_errors)} cell(s) raised errors; they cost no points, but check them",)
    return Verdict(passed=passed, headline=headline, problems=tuple(problems), notes=notes,
                   failures=tuple(failures), unset=tuple(required), rows=rows, ran=ran, sandbox_note=sandbox_note)
