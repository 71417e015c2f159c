"""What the grader reads from the executed notebook itself: ticked answers and produced figures."""

from __future__ import annotations

import re

from nbformat import NotebookNode

from grader.collect.record import FigureRef, Item, Scalar

__all__ = ["figures", "markdown_answers", "merge_answers"]

_SECTION = re.compile(r"^#+\s*.*?\bAssignment\s+(\d+)", re.IGNORECASE | re.MULTILINE)
_TICKED = re.compile(r"^\s*(?:[-*+]\s*)?\[[xX]\]\s*(.+?)\s*$", re.MULTILINE)
_IMAGE_MIMES = ("image/png", "image/svg+xml", "image/jpeg")


def _answer_ids(cell: NotebookNode) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [t.split(":", 1)[1].strip() for t in tags if isinstance(t, str) and t.startswith("answer:")]


def markdown_answers(nb: NotebookNode) -> dict[str, Item[Scalar]]:
    """Answers given by ticking one box (``- [x] Incorrect``) in a Markdown cell tagged ``answer:<id>``."""
    found: dict[str, Item[Scalar]] = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown":
            continue
        for qid in _answer_ids(cell):
            ticked = _TICKED.findall(str(cell.source))
            if len(ticked) == 1:
                found[qid] = Item.ok(ticked[0])
            elif len(ticked) > 1:
                found[qid] = Item.invalid(f"{len(ticked)} boxes are ticked for {qid}: {ticked}; tick one")
    return found


def merge_answers(code: dict[str, Item[Scalar]], ticked: dict[str, Item[Scalar]]) -> dict[str, Item[Scalar]]:
    """Answers from ``ANSWERS`` win; a ticked box counts where ``ANSWERS`` has none."""
    return {**ticked, **code}


def figures(nb: NotebookNode) -> tuple[FigureRef, ...]:
    """Every image output of the executed notebook, with the sheet section it appeared in."""
    section: str | None = None
    refs: list[FigureRef] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            match = _SECTION.search(str(cell.source))
            section = f"Assignment {match.group(1)}" if match else section
            continue
        for output in cell.get("outputs", []):
            mime = next((m for m in _IMAGE_MIMES if m in output.get("data", {})), None)
            if mime is not None:
                refs.append(FigureRef(cell_index=index, section=section, mime=mime))
    return tuple(refs)
