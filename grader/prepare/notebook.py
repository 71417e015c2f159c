"""Prepare a submitted notebook for execution: read it, clear saved outputs, inject tagged cells.

Every injected cell is tagged, replaces an earlier cell with the same tag (so preparing twice gives the
same notebook) and is recorded in ``metadata.grader.injected``.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.reader import NotJSONError

from grader.discover.probe import content_problem, size_problem
from grader.records.contract import EPILOGUE_TAG, GRADER_TAGS, PARAMETERS_TAG, SEED_TAG

__all__ = [
    "EPILOGUE_TAG",
    "GRADER_TAGS",
    "PARAMETERS_TAG",
    "SEED_TAG",
    "NotebookReadFailure",
    "inject_cells",
    "parameters_source",
    "read_notebook",
    "strip_outputs",
    "write_notebook",
]



@dataclass(frozen=True)
class NotebookReadFailure:
    """Why a file could not be read as a notebook (recorded as the submission's INVALID status)."""

    path: Path
    reason: str


def read_notebook(path: Path) -> NotebookNode | NotebookReadFailure:
    """Read ``path`` as an nbformat 4 notebook, or say why it cannot be graded.

    The file rules (empty, size cap, JSON, nbformat version) are the discovery probe's
    (``grader.discover.probe``); then the nbformat schema and at least one code cell.
    """
    try:
        size = path.stat().st_size
        if (problem := size_problem(size)) is None:
            problem, _ = content_problem(raw := path.read_bytes())
    except OSError as exc:
        return NotebookReadFailure(path, f"cannot read {path.name}: {exc.strerror}")
    if problem is not None:
        return NotebookReadFailure(path, f"{path.name}: {problem}")
    try:
        nb: NotebookNode = nbformat.reads(raw.decode("utf-8"), as_version=4)  # type: ignore[no-untyped-call]
        nbformat.validate(nb)
    except nbformat.ValidationError as exc:
        return NotebookReadFailure(path, f"{path.name}: not a valid nbformat 4 notebook: {exc.message}")
    except (ValueError, KeyError, TypeError, AttributeError, NotJSONError) as exc:
        return NotebookReadFailure(path, f"{path.name} cannot be read as a notebook: {exc}")
    if not any(cell.cell_type == "code" for cell in nb.cells):
        return NotebookReadFailure(path, f"{path.name}: no code cells")
    return nb


def strip_outputs(nb: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` with every output and execution count removed (saved outputs are never evidence)."""
    out = copy.deepcopy(nb)
    for cell in out.cells:
        if cell.cell_type == "code":
            cell.outputs = []
            cell.execution_count = None
    return out


def parameters_source(params: Mapping[str, Any]) -> str:
    """Python source assigning ``params`` (JSON-like values only), one per line, sorted by name."""
    lines = ["# Parameters injected by the grader (replaces the defaults above)."]
    for name in sorted(params):
        if not name.isidentifier():
            raise ValueError(f"parameters_source: {name!r} is not a valid Python identifier")
        lines.append(f"{name} = {params[name]!r}")
    return "\n".join(lines) + "\n"


def _tagged_cell(source: str, tag: str) -> NotebookNode:
    cell: NotebookNode = nbformat.v4.new_code_cell(source)  # type: ignore[no-untyped-call]
    cell.metadata["tags"] = [tag]
    cell.id = tag
    return cell


def _tags(cell: NotebookNode) -> list[str]:
    tags = cell.get("metadata", {}).get("tags", [])
    return [str(t) for t in tags] if isinstance(tags, list) else []


def _parameters_index(cells: list[NotebookNode]) -> int | None:
    for index, cell in enumerate(cells):
        if "parameters" in _tags(cell):
            return index
    return None


def inject_cells(nb: NotebookNode, *, seed_source: str, parameters: str, epilogue: str) -> NotebookNode:
    """A copy of ``nb`` with the seed cell first, parameters after the ``parameters`` cell, epilogue last.

    Earlier grader cells are removed first, so injecting twice gives the same notebook.
    """
    out = copy.deepcopy(nb)
    cells = [c for c in out.cells if not GRADER_TAGS.intersection(_tags(c))]
    for cell in cells:
        if cell.get("id") in GRADER_TAGS:
            cell.id = f"student-{cell.id}"
    cells.insert(0, _tagged_cell(seed_source, SEED_TAG))
    anchor = _parameters_index(cells)
    cells.insert(1 if anchor is None else anchor + 1, _tagged_cell(parameters, PARAMETERS_TAG))
    cells.append(_tagged_cell(epilogue, EPILOGUE_TAG))
    out.cells = cells
    out.metadata.setdefault("grader", {})["injected"] = sorted(GRADER_TAGS)
    return out


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write ``nb`` to ``path`` atomically."""
    tmp = path.with_suffix(path.suffix + ".tmp")
    nbformat.write(nb, tmp)  # type: ignore[no-untyped-call]
    tmp.replace(path)
