"""Ticked Markdown answers and figures read from the executed notebook."""

from __future__ import annotations

import nbformat
from nbformat import NotebookNode

from grader.collect.notebook import figures, markdown_answers, merge_answers
from grader.records.collected import Item, ItemStatus


def _md(text: str, tag: str | None = None) -> NotebookNode:
    cell = nbformat.v4.new_markdown_cell(text)
    if tag:
        cell.metadata["tags"] = [tag]
    return cell


def test_one_ticked_box_is_the_answer() -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [
        _md("- [ ] Correct\n- [x] Incorrect", "answer:3.2"),
        _md("- [X] Correct\n- [x] Incorrect", "answer:3.1"),
        _md("- [x] Correct"),  # untagged: ignored
    ]
    found = markdown_answers(nb)
    assert found["3.2"].value == "[x] Incorrect"  # the line as ticked; the rubric's choice parser reads it
    assert found["3.1"].status is ItemStatus.INVALID and "2 boxes are ticked" in found["3.1"].reason
    assert set(found) == {"3.1", "3.2"}


def test_answers_dict_wins_over_ticked_box() -> None:
    merged = merge_answers({"3.2": Item.ok("Correct")}, {"3.2": Item.ok("Incorrect"), "3.1": Item.ok("x")})
    assert merged["3.2"].value == "Correct" and merged["3.1"].value == "x"


def test_figures_are_located_by_section() -> None:
    nb = nbformat.v4.new_notebook()
    plot = nbformat.v4.new_code_cell("plt.plot()")
    plot.outputs = [nbformat.v4.new_output("display_data", data={"image/png": "iVBOR", "text/plain": "<F>"})]
    nb.cells = [nbformat.v4.new_code_cell("x"), _md("## Assignment 1: gradients"), plot, _md("### Assignment 2"), plot]
    refs = figures(nb)
    assert [(r.cell_index, r.section) for r in refs] == [(2, "Assignment 1"), (4, "Assignment 2")]
