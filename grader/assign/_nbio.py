"""Typed wrappers around the few nbformat calls this package makes (nbformat ships no type hints)."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any, cast

import nbformat
from nbformat import NotebookNode

__all__ = ["new_cell", "new_notebook", "read_notebook", "write_notebook"]

_FACTORIES = {
    "code": nbformat.v4.new_code_cell,
    "markdown": nbformat.v4.new_markdown_cell,
    "raw": nbformat.v4.new_raw_cell,
}


def read_notebook(path: Path) -> NotebookNode:
    """The notebook at ``path`` as nbformat 4, validated (``ValueError``/``ValidationError`` otherwise)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. MissingIDFieldWarning: ids are checked by the caller
        nb = cast(NotebookNode, nbformat.read(path, as_version=4))  # type: ignore[no-untyped-call]
    nbformat.validate(nb)
    return nb


def write_notebook(nb: NotebookNode, path: Path) -> None:
    """Write ``nb`` to ``path`` (nbformat's canonical JSON: sorted keys, one-space indent)."""
    nbformat.write(nb, path)  # type: ignore[no-untyped-call]


def new_cell(cell_type: str, source: str, metadata: dict[str, Any]) -> NotebookNode:
    """A fresh nbformat 4 cell of ``cell_type`` ("code", "markdown" or "raw") without outputs."""
    factory = _FACTORIES[cell_type]
    return cast(NotebookNode, factory(source, metadata=metadata))  # type: ignore[no-untyped-call]


def new_notebook(cells: list[NotebookNode]) -> NotebookNode:
    """A fresh nbformat 4 notebook holding ``cells``."""
    return cast(NotebookNode, nbformat.v4.new_notebook(cells=cells))  # type: ignore[no-untyped-call]
