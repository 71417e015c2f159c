"""Generate the student template and the solution from one source notebook (nbgrader/otter-assign style).

The source holds the provided code, the solutions between markers (see :mod:`grader.assign._markers`) and
cells tagged ``locked``. Both outputs have every output cleared; the template gets stubs instead of
solutions, the solution loses only the marker lines. Both carry ``metadata.grader.locked`` (cell id ->
SHA-256 of the normalised source) and mark locked cells read-only in Jupyter (``editable``/``deletable``).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import nbformat
from nbformat import NotebookNode

from grader.assign._locked import LOCKED_TAG, locked_checksums
from grader.assign._markers import SolutionMarkerError, split_cell
from grader.assign._nbio import new_cell, new_notebook, read_notebook, write_notebook
from grader.errors import AssignmentError

__all__ = ["CHECK_RUBRIC_KEY", "CONTRACT_TAG", "PARAMETERS_TAG", "generate", "write_assignment"]

CHECK_RUBRIC_KEY = "check_rubric"
"""``metadata.grader.check_rubric``: the student rubric, read by ``grader check`` (``grader.selfcheck``)."""
CONTRACT_TAG = "contract"
PARAMETERS_TAG = "parameters"
TEMPLATE_NAME = "template.ipynb"
SOLUTION_NAME = "solution.ipynb"


def _read(source: Path) -> NotebookNode:
    """The source notebook as nbformat 4, its cell ids checked *before* nbformat could silently repair them.

    :class:`AssignmentError` names the file on any problem.
    """
    if not source.is_file():
        raise AssignmentError(f"{source}: no such source notebook")
    try:
        raw = json.loads(source.read_text(encoding="utf-8"))
        _check_ids(raw.get("cells", []) if isinstance(raw, dict) else [], source)
        return read_notebook(source)
    except (ValueError, nbformat.ValidationError) as exc:
        raise AssignmentError(f"{source}: not a valid Jupyter notebook: {str(exc).splitlines()[0]}") from exc


def _tags(cell: NotebookNode) -> list[str]:
    return [str(tag) for tag in cell.get("metadata", {}).get("tags", [])]


def _check_ids(cells: list[Any], source: Path) -> None:
    """Every raw cell has an id, and no two share one (ids key the locked-cell checksums)."""
    seen: dict[str, int] = {}
    for index, cell in enumerate(cells):
        cell_id = cell.get("id") if isinstance(cell, dict) else None
        if not cell_id:
            raise AssignmentError(
                f"{source}: cell {index} has no id; save the notebook with nbformat 4.5 or later"
            )
        if cell_id in seen:
            raise AssignmentError(f"{source}: cells {seen[cell_id]} and {index} share the id {cell_id!r}")
        seen[str(cell_id)] = index


def _check_layout(nb: NotebookNode, source: Path) -> None:
    """The first cell is the locked contract; at most one ``parameters`` cell, and it is locked."""
    first = nb.cells[0] if nb.cells else None
    if first is None or not {CONTRACT_TAG, LOCKED_TAG} <= set(_tags(first)):
        raise AssignmentError(
            f"{source}: cell 0 must be the student-facing contract, tagged {CONTRACT_TAG!r} and {LOCKED_TAG!r}"
        )
    params = [i for i, cell in enumerate(nb.cells) if PARAMETERS_TAG in _tags(cell)]
    if len(params) > 1:
        raise AssignmentError(
            f"{source}: cells {params} are all tagged {PARAMETERS_TAG!r}; the contract allows one"
        )
    if params and LOCKED_TAG not in _tags(nb.cells[params[0]]):
        raise AssignmentError(
            f"{source}: cell {params[0]} (the parameters cell) must also be tagged {LOCKED_TAG!r}"
        )


def _compile_error(source_code: str) -> str | None:
    """Why ``source_code`` (IPython syntax allowed) does not compile, or None."""
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        python = TransformerManager().transform_cell(source_code)  # type: ignore[no-untyped-call]
        compile(python, "<cell>", "exec")
    except SyntaxError as exc:
        return f"{exc.msg} (line {exc.lineno})"
    return None


def _check_compiles(template_text: str, solution_text: str, where: str) -> None:
    """The solution's code compiles (else the source is broken), then the template's (else a stub is)."""
    problem = _compile_error(solution_text)
    if problem is not None:
        raise AssignmentError(f"{where}: the code does not compile: {problem}")
    problem = _compile_error(template_text)
    if problem is not None:
        raise SolutionMarkerError(
            f"{where}: the template's code does not compile once solutions are replaced by stubs: {problem}; "
            "put the markers around whole statements"
        )


def _output_cell(cell: NotebookNode, source_text: str) -> NotebookNode:
    """A clean copy of ``cell`` with ``source_text``: no outputs, only tags (and read-only flags if locked)."""
    tags = _tags(cell)
    metadata: dict[str, Any] = {"tags": tags} if tags else {}
    if LOCKED_TAG in tags:
        metadata.update(editable=False, deletable=False)
    out = new_cell(str(cell.cell_type), source_text, metadata)
    if "attachments" in cell:
        out.attachments = cell.attachments
    out.id = cell.id
    return out


def _split(nb: NotebookNode, source: Path) -> tuple[list[NotebookNode], list[NotebookNode]]:
    template: list[NotebookNode] = []
    solution: list[NotebookNode] = []
    for index, cell in enumerate(nb.cells):
        where = f"{source}: cell {index} (id {cell.id!r})"
        template_text, solution_text = split_cell(str(cell.source), str(cell.cell_type), where)
        if LOCKED_TAG in _tags(cell) and template_text != solution_text:
            raise SolutionMarkerError(f"{where}: a cell tagged {LOCKED_TAG!r} cannot hold a solution region")
        if cell.cell_type == "code":
            _check_compiles(template_text, solution_text, where)
        template.append(_output_cell(cell, template_text))
        solution.append(_output_cell(cell, solution_text))
    return template, solution


def _notebook(
    source_nb: NotebookNode, cells: list[NotebookNode], kind: str, check_rubric: str | None = None
) -> NotebookNode:
    nb = new_notebook(cells)
    nb.metadata.update({k: v for k, v in source_nb.metadata.items() if k != "grader"})
    nb.metadata["grader"] = {"kind": kind, "locked": locked_checksums(nb)}
    if check_rubric is not None:
        nb.metadata["grader"][CHECK_RUBRIC_KEY] = check_rubric
    return nb


def generate(source: Path, *, check_rubric: str | None = None) -> tuple[NotebookNode, NotebookNode]:
    """``(template, solution)`` generated from the source notebook at ``source``.

    ``check_rubric``: the student rubric's YAML text (``grader.rubric.publish_rubric``), stored in both
    notebooks' ``metadata.grader.check_rubric`` so that ``grader check`` needs no other file.

    Raises :class:`grader.errors.AssignmentError` (:class:`SolutionMarkerError` for markers) naming the
    file, the cell index and id, and the line.
    """
    source_nb = _read(source)
    _check_layout(source_nb, source)
    template_cells, solution_cells = _split(source_nb, source)
    return (
        _notebook(source_nb, template_cells, "template", check_rubric),
        _notebook(source_nb, solution_cells, "solution", check_rubric),
    )


def write_assignment(
    source: Path, out_dir: Path | None = None, *, check_rubric: str | None = None
) -> tuple[Path, Path]:
    """Write ``template.ipynb`` and ``solution.ipynb`` generated from ``source`` into ``out_dir``
    (default: the source's folder); returns their paths. Nothing is written if generation fails.
    ``check_rubric``: see :func:`generate`."""
    out_dir = source.parent if out_dir is None else out_dir
    targets = (out_dir / TEMPLATE_NAME, out_dir / SOLUTION_NAME)
    if source.resolve() in {t.resolve() for t in targets}:
        raise AssignmentError(f"{source}: the source cannot be named {TEMPLATE_NAME} or {SOLUTION_NAME}")
    notebooks = generate(source, check_rubric=check_rubric)
    out_dir.mkdir(parents=True, exist_ok=True)
    for nb, path in zip(notebooks, targets, strict=True):
        write_notebook(nb, path)
    return targets
