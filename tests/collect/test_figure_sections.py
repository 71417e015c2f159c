"""Figures are located by the nearest heading that names an assignment or a question (2.6 needs its own)."""

from __future__ import annotations

from pathlib import Path

import nbformat
from nbformat import NotebookNode

from grader.collect.notebook import figures

TEMPLATE = Path(__file__).resolve().parents[2] / "assignments/week11/template.ipynb"


def _md(text: str) -> NotebookNode:
    return nbformat.v4.new_markdown_cell(text)  # type: ignore[no-any-return,no-untyped-call]


def _plot() -> NotebookNode:
    cell = nbformat.v4.new_code_cell("plt.plot()")  # type: ignore[no-untyped-call]
    cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR"})]  # type: ignore[no-untyped-call]
    return cell  # type: ignore[no-any-return]


def test_question_headings_give_their_own_section() -> None:
    nb = nbformat.v4.new_notebook()  # type: ignore[no-untyped-call]
    nb.cells = [
        _md("## Assignment 2 · Enhancers"),
        _plot(),
        _md("### 2.5 ROC-AUC"),
        _plot(),
        _md("### 2.6 Visualise the first-layer kernels\n\nsome text"),
        _md("**Motifs found:** none"),  # no heading: the section goes on
        _plot(),
        _md("## Assignment 3 · Pen & paper\n\n### 3.1\nThe data ..."),
        _plot(),
        _md("```python\n# 2.6 is not a heading inside code\n```"),
        _plot(),
    ]
    assert [(f.cell_index, f.section) for f in figures(nb)] == [
        (1, "Assignment 2"),
        (3, "Assignment 2 · 2.5"),
        (6, "Assignment 2 · 2.6"),
        (8, "Assignment 3 · 3.1"),
        (10, "Assignment 3 · 3.1"),
    ]


def test_the_templates_2_6_cell_is_in_section_2_6() -> None:
    """The template's optional cell (id a2-motifs) sits below "### 2.6": a figure there counts for 2.6, and a
    figure the student draws anywhere else does not."""
    nb = nbformat.read(TEMPLATE, as_version=4)  # type: ignore[no-untyped-call]
    for cell in nb.cells:
        if cell.get("id") in ("a1-plot", "a2-motifs"):
            cell.outputs = _plot().outputs
    located = {nb.cells[f.cell_index].get("id"): f.section for f in figures(nb)}
    assert located == {"a1-plot": "Assignment 1 · 1.1", "a2-motifs": "Assignment 2 · 2.6"}
