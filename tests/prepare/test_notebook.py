"""Preparation: saved outputs are dropped, grader cells are tagged, injected once, and recorded."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from nbformat import NotebookNode

from grader.prepare.notebook import (
    EPILOGUE_TAG,
    PARAMETERS_TAG,
    SEED_TAG,
    NotebookReadFailure,
    inject_cells,
    parameters_source,
    read_notebook,
    strip_outputs,
)


def _nb(with_parameters: bool = True) -> NotebookNode:
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("SEED = 1\nPROFILE = 'full'")
    params.metadata["tags"] = ["parameters"]
    work = nbformat.v4.new_code_cell("print('ROC-AUC: 0.99')")
    work.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ROC-AUC: 0.99\n")]
    work.execution_count = 3
    nb.cells = [nbformat.v4.new_markdown_cell("# Week 11"), *([params] if with_parameters else []), work]
    return nb


def _tags(nb: NotebookNode) -> list[str]:
    return [(c.metadata.get("tags") or ["-"])[0] for c in nb.cells]


def test_strip_outputs_drops_saved_evidence_without_touching_the_input() -> None:
    nb = _nb()
    clean = strip_outputs(nb)
    assert all(c.outputs == [] and c.execution_count is None for c in clean.cells if c.cell_type == "code")
    assert nb.cells[-1].outputs, "the caller's notebook must not be mutated"


def test_injection_order_and_idempotence() -> None:
    once = inject_cells(_nb(), seed_source="s", parameters="p", epilogue="e")
    assert _tags(once) == [SEED_TAG, "-", "parameters", PARAMETERS_TAG, "-", EPILOGUE_TAG]
    twice = inject_cells(once, seed_source="s", parameters="p", epilogue="e")
    assert twice == once
    assert once.metadata["grader"]["injected"] == sorted([EPILOGUE_TAG, PARAMETERS_TAG, SEED_TAG])
    nbformat.validate(once)


def test_parameters_go_after_the_seed_without_a_parameters_cell() -> None:
    nb = inject_cells(_nb(with_parameters=False), seed_source="s", parameters="p", epilogue="e")
    assert _tags(nb)[:2] == [SEED_TAG, PARAMETERS_TAG]


def test_student_cell_cannot_impersonate_a_grader_cell_by_id() -> None:
    nb = _nb()
    nb.cells[-1].id = EPILOGUE_TAG
    out = inject_cells(nb, seed_source="s", parameters="p", epilogue="e")
    assert len({c.id for c in out.cells}) == len(out.cells)
    assert out.cells[-1].source == "e"


def test_parameters_source_is_valid_python_and_sorted() -> None:
    src = parameters_source({"SEED": 3, "DATA": "data/train.fa", "N": None})
    ns: dict[str, object] = {}
    exec(src, ns)
    assert (ns["SEED"], ns["DATA"], ns["N"]) == (3, "data/train.fa", None)
    assert src.index("DATA") < src.index("SEED")
    with pytest.raises(ValueError, match="not a valid Python identifier"):
        parameters_source({"bad-name": 1})


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "student.ipynb: empty file (0 bytes)"),
        (b"{not json", "student.ipynb: not valid notebook JSON"),
        (b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}', "student.ipynb: no code cells"),
        (b'{"nbformat": 4, "nbformat_minor": 5, "cells": "x", "metadata": {}}', "not a notebook: no 'cells' list"),
        (b'{"nbformat": 4, "nbformat_minor": 5, "cells": [{"cell_type": "code"}], "metadata": {}}',
         "student.ipynb: not a valid nbformat 4 notebook"),
        (b'{"nbformat": 5, "nbformat_minor": 0, "cells": [], "metadata": {}}', "nbformat version 5; the grader reads 4"),
        (b"[" * 5000 + b"]" * 5000, "student.ipynb: not valid notebook JSON"),
        (b"\xff\xfe\x00garbage", "student.ipynb: not a notebook: not UTF-8 text"),
    ],
)
def test_unreadable_notebooks_say_why(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "student.ipynb"
    path.write_bytes(content)
    failure = read_notebook(path)
    assert isinstance(failure, NotebookReadFailure)
    assert reason in failure.reason and "student.ipynb" in failure.reason


def test_valid_notebook_reads(tmp_path: Path) -> None:
    path = tmp_path / "ok.ipynb"
    nbformat.write(_nb(), path)
    assert not isinstance(read_notebook(path), NotebookReadFailure)
