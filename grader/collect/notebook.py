"""What the grader reads from the executed notebook itself: ticked answers and produced figures."""

from __future__ import annotations

import re

from nbformat import NotebookNode

from grader.records.collected import FigureRef, Item, Scalar

__all__ = ["figures", "markdown_answers", "merge_answers"]

_HEADING = re.compile(r"^[ \t]{0,3}#+[ \t]*(.*?)[ \t]*$", re.MULTILINE)
_ASSIGNMENT = re.compile(r"\bAssignment\s+(\d+)", re.IGNORECASE)
_QUESTION = re.compile(r"^(?:Assignment\s+)?(\d+)\.(\d+)(?!\d)", re.IGNORECASE)
_FENCED = re.compile(r"^[ \t]*(```|~~~).*?^[ \t]*\1", re.MULTILINE | re.DOTALL)
_TICKED = re.compile(r"\[\s*[xX✓✔✗×]\s*\]")
"""A ticked box, spelled as ``grader.rubric`` reads it (``[x]``, ``[X]``, ``[ x ]``, ``[✓]``, ...)."""
_EMPTY = re.compile(r"\[\s*\]")
_OTHER_BOX = re.compile(r"\[\s*[^\[\]\n\d\s]{1,2}\s*\]")
_LIST_MARKER = re.compile(r"^\s*(?:[-*+•]|\d+[.)])\s*(?=\[)")
_EXAMPLE = "'- [x] Incorrect' or 'Correct: [ ]  Incorrect: [x]'"
_IMAGE_MIMES = ("image/png", "image/svg+xml", "image/jpeg")


def _answer_ids(cell: NotebookNode) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t.split(":", 1)[1].strip() for t in tags if isinstance(t, str) and t.startswith("answer:")]


def _ticked_lines(text: str) -> list[str]:
    """The lines that hold a ticked box, without a list marker in front of a box:
    ``"- [x] Incorrect"`` -> ``"[x] Incorrect"``; ``"Correct: [ ]  Incorrect: [x]"`` stays as written."""
    lines = [_LIST_MARKER.sub("", line).strip() for line in text.splitlines()]
    return [line for line in lines if _TICKED.search(line)]


def _unreadable(qid: str, text: str) -> Item[Scalar]:
    """Why a tagged cell without a ticked box gives no answer: no box ticked, or none recognised."""
    others = [m.group(0) for m in _OTHER_BOX.finditer(_EMPTY.sub("", text))]
    if others:
        found = f"{others[0]!r} is not a ticked box"
    elif _EMPTY.search(text):
        return Item.missing(f"the answer cell for {qid} has no ticked box; tick one: {_EXAMPLE}")
    else:
        found = "it has no box to tick"
    return Item.invalid(f"answer cell for {qid} could not be read: {found}; tick one box: {_EXAMPLE}")


def _cell_answer(qid: str, text: str) -> Item[Scalar]:
    """The answer tagged cells give: the line of their one ticked box, read later by the rubric's choice
    parser (the words after a box that starts its line, otherwise the words before it)."""
    ticked, boxes = _ticked_lines(text), len(_TICKED.findall(text))
    if boxes == 1:
        return Item.ok(ticked[0])
    if boxes:
        return Item.invalid(
            f"answer cell for {qid} could not be read: {boxes} boxes are ticked ({'; '.join(ticked)}); tick one"
        )
    return _unreadable(qid, text)


def markdown_answers(nb: NotebookNode) -> dict[str, Item[Scalar]]:
    """Answers given by ticking one box in a Markdown cell tagged ``answer:<id>``, in every layout
    docs/rubric-format.md accepts: ``- [x] Incorrect`` (a box first on its line) or ``Correct: [ ]  Incorrect:
    [x]`` (the sheet's own layout, labels before boxes, on one line or several). A tagged cell that gives no
    readable answer says why; two cells tagged for one question are read together.
    """
    texts: dict[str, list[str]] = {}
    for cell in nb.cells:
        if cell.cell_type == "markdown":
            for qid in _answer_ids(cell):
                texts.setdefault(qid, []).append(str(cell.source))
    return {qid: _cell_answer(qid, "\n".join(parts)) for qid, parts in texts.items()}


def merge_answers(code: dict[str, Item[Scalar]], ticked: dict[str, Item[Scalar]]) -> dict[str, Item[Scalar]]:
    """Answers from ``ANSWERS`` win; a ticked box counts where ``ANSWERS`` has none."""
    return {**ticked, **code}


def _section_after(text: str, section: str | None) -> str | None:
    """The section in force after a Markdown cell: its last heading that names ``Assignment N``
    (-> ``"Assignment N"``) or starts with a question number ``N.M`` (-> ``"Assignment N · N.M"``)."""
    for heading in _HEADING.findall(_FENCED.sub("", text)):
        if question := _QUESTION.match(heading):
            section = f"Assignment {question[1]} · {question[1]}.{question[2]}"
        elif assignment := _ASSIGNMENT.search(heading):
            section = f"Assignment {assignment[1]}"
    return section


def figures(nb: NotebookNode) -> tuple[FigureRef, ...]:
    """Every image output of the executed notebook, with the sheet section it appeared in: the nearest
    heading above it that names ``Assignment N`` or a question ``N.M`` (``"### 2.6 ..."`` gives
    ``"Assignment 2 · 2.6"``, which a rubric's ``section: "Assignment 2"`` also matches)."""
    section: str | None = None
    refs: list[FigureRef] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            section = _section_after(str(cell.source), section)
            continue
        for output in cell.get("outputs", []):
            mime = next((m for m in _IMAGE_MIMES if m in output.get("data", {})), None)
            if mime is not None:
                refs.append(FigureRef(cell_index=index, section=section, mime=mime))
    return tuple(refs)
