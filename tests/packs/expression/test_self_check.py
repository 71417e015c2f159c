"""``grader check`` on the expression notebooks in a student's install (no ``reference``): the pack's
``self_check_data`` reads the notebook's own ``TRAIN_CSV``, the solution is ready to submit and the
untouched template names what is missing. The verdict is read, not printed (its table is the CLI's)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from rich.console import Console

from grader.execute import sandbox_available
from grader.prepare.secret import ClassSecret
from grader.rubric import Rubric
from grader.selfcheck import _run
from grader.selfcheck._verdict import Verdict
from tests.packs.expression.conftest import ROOT, prepare

pytestmark = [pytest.mark.slow, pytest.mark.kernel]


def _check(name: str, tmp_path: Path, rubric: Rubric, monkeypatch: pytest.MonkeyPatch) -> Verdict:
    ok, why = sandbox_available()
    if not ok:
        pytest.skip(f"the sandbox is not available here: {why}")
    monkeypatch.setattr(_run, "has_reference", lambda: False)  # as in a student's install
    prepare(rubric, ClassSecret(bytes(32)), tmp_path).stage(tmp_path)  # the course's table, handed out
    notebook = tmp_path / "expression.ipynb"
    shutil.copyfile(ROOT / "assignments/expression" / name, notebook)
    return _run.run_self_check(notebook, None, console=Console(file=io.StringIO()))


def test_the_solution_is_ready_to_submit(tmp_path: Path, rubric: Rubric, monkeypatch: pytest.MonkeyPatch) -> None:
    verdict = _check("solution.ipynb", tmp_path, rubric, monkeypatch)
    assert verdict.passed, (verdict.headline, verdict.problems, verdict.rows)
    assert {r.question: r.status for r in verdict.rows}["1.1"] == "passed"


def test_the_template_names_model_and_the_answers(
    tmp_path: Path, rubric: Rubric, monkeypatch: pytest.MonkeyPatch
) -> None:
    verdict = _check("template.ipynb", tmp_path, rubric, monkeypatch)
    assert not verdict.passed
    assert any(line.startswith("MODEL never set: NotImplementedError") for line in verdict.unset), verdict.unset
