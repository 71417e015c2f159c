"""Integrity notes: an edited metric in saved outputs is flagged; honest outputs are not."""

from __future__ import annotations

import copy

import nbformat
from nbformat import NotebookNode

from grader.integrity.notebook import integrity_report, metric_claims, student_code_sha256


def _cell(text: str) -> NotebookNode:
    cell = nbformat.v4.new_code_cell("print(metric)")
    cell.outputs = [nbformat.v4.new_output("stream", name="stdout", text=text)]
    return cell


def _nb(text: str) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.cells = [_cell(text)]
    return nb


def test_metric_claims_reads_only_metric_lines() -> None:
    cell = _cell("epoch 1 loss 0.4\nMean ROC-AUC: 0.912 (PR-AUC 0.88)\naccuracy=1\n")
    assert metric_claims(cell) == [0.912, 0.88, 1.0]


def test_forged_saved_output_is_flagged() -> None:
    submitted = _nb("ROC-AUC: 0.99\n")
    executed = copy.deepcopy(submitted)
    executed.cells[0].outputs = [nbformat.v4.new_output("stream", name="stdout", text="ROC-AUC: 0.61\n")]
    report = integrity_report(submitted, executed)
    assert report.saved_outputs_reproduced is False
    assert "claims 0.990; re-execution gave 0.610" in report.saved_output_notes[0]


def test_reproduced_outputs_and_no_outputs() -> None:
    honest = _nb("ROC-AUC: 0.80\n")
    assert integrity_report(honest, copy.deepcopy(honest)).saved_outputs_reproduced is True
    empty = nbformat.v4.new_notebook()
    empty.cells = [nbformat.v4.new_code_cell("x = 1")]
    assert integrity_report(empty, empty).saved_outputs_reproduced is None


def test_code_hash_ignores_whitespace_only_changes() -> None:
    a, b = _nb("x"), _nb("x")
    b.cells[0].source = "print(  metric )\n"
    a.cells[0].source = "print( metric )"
    assert student_code_sha256(a) == student_code_sha256(b)
