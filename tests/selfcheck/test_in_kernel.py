"""``grader.check()`` and ``%grader_check`` from a real ipykernel started by nbclient."""

from __future__ import annotations

import os
import time
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

from grader.rubric import load_rubric, publish_rubric

RUBRIC = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"
pytestmark = pytest.mark.kernel


def _target(tmp_path: Path) -> Path:
    """A student's saved notebook with the ANSWER typo; it carries its student rubric, like the template."""
    cells = [nbformat.v4.new_code_cell(s) for s in ("ANSWERS = {}", "ANSWER['3.3'] = 0", "ANSWERS['3.1'] = 'no'")]
    nb = nbformat.v4.new_notebook(cells=cells)
    nb.metadata["grader"] = {"check_rubric": publish_rubric(load_rubric(RUBRIC))}
    path = tmp_path / "week11.ipynb"
    nbformat.write(nb, path)
    an_hour_ago = time.time() - 3600
    os.utime(path, (an_hour_ago, an_hour_ago))
    return path


def _html(cell: nbformat.NotebookNode) -> str:
    return "".join(o["data"].get("text/html", "") for o in cell.outputs if o.get("output_type") == "execute_result")


def test_check_finds_the_session_notebook_and_returns_the_html_verdict(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _target(tmp_path)
    monkeypatch.setenv("JPY_SESSION_NAME", "week11.ipynb")  # JupyterLab: the path below the server's root
    sources = ("import grader\nfirst = grader.check()\nfirst", "x = 1", "grader.check()",
               "%grader_check week11.ipynb", "first.passed, first.exit_code")
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    NotebookClient(nb, timeout=600, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    first, later, magic = _html(nb.cells[0]), _html(nb.cells[2]), _html(nb.cells[3])
    assert f"Checking the saved file {tmp_path / 'week11.ipynb'}" in first
    assert "ANSWERS[&quot;3.3&quot;] never set: NameError in cell 1: name &#x27;ANSWER&#x27; is not defined" in first
    assert "did you mean ANSWERS?" in first and "Not ready" in first
    assert "older than this kernel" not in first  # nothing ran in this kernel before the check
    assert "older than this kernel&#x27;s last run" in later  # cells ran after the file was saved
    assert "never set" in magic
    assert nb.cells[4].outputs[0]["data"]["text/plain"] == "(False, 1)"


def test_check_without_a_notebook_file_says_how_to_name_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("import grader\ngrader.check()")])
    NotebookClient(nb, timeout=120, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}).execute()
    assert "call grader.check(&quot;path/to/notebook.ipynb&quot;)" in _html(nb.cells[0])
