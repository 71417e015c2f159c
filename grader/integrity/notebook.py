"""Integrity notes: saved outputs that re-execution does not reproduce, edited locked cells.

These inform a human reviewer; they never change points. Saved outputs are compared only where they
state a metric (a line mentioning AUC, accuracy or loss with a number), since training logs vary.
"""

from __future__ import annotations

import hashlib
import re

from nbformat import NotebookNode

from grader.records.graded import IntegrityReport

__all__ = ["integrity_report", "metric_claims", "student_code_sha256"]

_METRIC_LINE = re.compile(r"(roc|pr)[-_ ]?auc|auroc|auprc|accuracy", re.IGNORECASE)
_NUMBER = re.compile(r"(?<![\w.])(?:0?\.\d+|1\.0+|[01])(?![\w.])")
_TOLERANCE = 0.02


def _text(cell: NotebookNode) -> str:
    parts: list[str] = []
    for output in cell.get("outputs", []):
        if output.get("output_type") == "stream":
            parts.append(str(output.get("text", "")))
        elif "data" in output:
            parts.append(str(output["data"].get("text/plain", "")))
    return "".join(parts)


def metric_claims(cell: NotebookNode) -> list[float]:
    """Numbers in [0, 1] on output lines of ``cell`` that name a metric (AUC, accuracy)."""
    values: list[float] = []
    for line in _text(cell).splitlines():
        if _METRIC_LINE.search(line):
            values.extend(float(v) for v in _NUMBER.findall(line))
    return values


def _source_ids(nb: NotebookNode) -> dict[str, NotebookNode]:
    return {str(c.get("id")): c for c in nb.cells if c.cell_type == "code" and c.get("id")}


def _saved_output_notes(submitted: NotebookNode, executed: NotebookNode) -> list[str]:
    notes: list[str] = []
    rerun = _source_ids(executed)
    for index, cell in enumerate(submitted.cells):
        if cell.cell_type != "code":
            continue
        saved = metric_claims(cell)
        if not saved:
            continue
        again = rerun.get(str(cell.get("id")))
        measured = metric_claims(again) if again is not None else []
        if not measured:
            notes.append(f"cell {index}: saved output claims {saved[:3]}; re-execution printed no such metric")
        elif max(saved) > max(measured) + _TOLERANCE:
            notes.append(f"cell {index}: saved output claims {max(saved):.3f}; re-execution gave {max(measured):.3f}")
    return notes


def student_code_sha256(nb: NotebookNode) -> str:
    """Hash of the code cells' sources (whitespace-normalised), to spot identical submissions."""
    code = "\n".join(" ".join(str(c.source).split()) for c in nb.cells if c.cell_type == "code")
    return hashlib.sha256(code.encode("utf-8")).hexdigest()


def _locked_changes(nb: NotebookNode, template: NotebookNode | None) -> tuple[str, ...]:
    if template is None:
        return ()
    from grader.assign import verify_locked

    return tuple(change.cell_id for change in verify_locked(nb, template))


def integrity_report(
    submitted: NotebookNode, executed: NotebookNode, template: NotebookNode | None = None
) -> IntegrityReport:
    """Compare the submitted file's saved outputs with the re-executed notebook; check locked cells."""
    has_saved = any(c.get("outputs") for c in submitted.cells if c.cell_type == "code")
    notes = _saved_output_notes(submitted, executed)
    return IntegrityReport(
        saved_outputs_reproduced=None if not has_saved else not notes,
        saved_output_notes=tuple(notes),
        locked_cells_changed=_locked_changes(submitted, template),
        student_code_sha256=student_code_sha256(submitted),
    )
