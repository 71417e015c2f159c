"""The expression pack as the grader uses it: its rubric loads (API and ``grader rubric check``), its
epilogue collects MODEL's scores of the hidden rows (run in-process as the kernel would), the generic
hidden evaluator measures them, and its report panel renders into the student report."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from assignments.expression import PACK
from grader.packs import load_pack
from grader.prepare.secret import ClassSecret
from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.graded import GradedSubmission
from grader.render import render_student_report
from grader.rubric import Rubric, publish_rubric
from grader.score import score_submission
from tests.packs.expression.conftest import ROOT, RUBRIC, Constant, evidence, prepare, train

ANSWERS: dict[str, object] = {"2.1": "lasso", "2.2": 120}


class Margin:
    """A model with ``decision_function`` only (e.g. an SVM): the epilogue uses its margins."""

    def __init__(self, model: object) -> None:
        self.model = model

    def decision_function(self, rows: object) -> object:
        return self.model.decision_function(rows)  # type: ignore[attr-defined]


def test_the_rubric_names_the_pack_and_uses_only_generic_kinds(rubric: Rubric) -> None:
    assert rubric.assignment == "expression" and rubric.pack() is PACK is load_pack("expression")
    assert rubric.max_points == 10 and [q.points for q in rubric.questions] == [2, 4, 2, 2]
    assert {c.kind for q in rubric.questions for c in q.criteria} == {"artifact", "metric", "choice", "number"}
    assert rubric.hidden_auc_threshold == 0.80
    assert "data" in publish_rubric(rubric) and "n_per_class: 150" not in publish_rubric(rubric)  # no hidden split


def test_grader_rubric_check_accepts_the_rubric() -> None:
    run = subprocess.run([sys.executable, "-m", "grader", "rubric", "check", str(RUBRIC)], cwd=ROOT,
                         capture_output=True, text=True, timeout=120, check=False)
    assert run.returncode == 0, run.stdout + run.stderr
    assert "is valid" in run.stdout


def test_the_epilogue_scores_the_hidden_rows_with_model(
    rubric: Rubric, secret: ClassSecret, tmp_path: Path
) -> None:
    data = prepare(rubric, secret, tmp_path)
    data.stage(tmp_path)
    model = train(tmp_path)
    trained = evidence(data, model, tmp_path, ANSWERS)
    assert trained.collected.answers["2.1"].value == "lasso"
    assert trained.hidden.is_ok and trained.hidden.value is not None
    assert trained.hidden.value.n == 300 and trained.hidden.value.roc_auc > 0.85
    margins = evidence(data, Margin(model), tmp_path, ANSWERS).hidden.value
    assert margins is not None and margins.roc_auc == pytest.approx(trained.hidden.value.roc_auc)
    constant = evidence(data, Constant(), tmp_path, ANSWERS).hidden.value
    assert constant is not None and constant.roc_auc == pytest.approx(0.5)


def test_a_model_that_cannot_score_is_an_invalid_item_with_its_reason(
    rubric: Rubric, secret: ClassSecret, tmp_path: Path
) -> None:
    data = prepare(rubric, secret, tmp_path)
    got = evidence(data, object(), tmp_path, ANSWERS)
    item = got.collected.item("hidden_predictions")
    assert not item.is_ok and "neither predict_proba nor decision_function" in item.reason
    assert not got.hidden.is_ok
    unset = evidence(data, None, tmp_path, ANSWERS)
    assert unset.collected.item("hidden_predictions").status.value == "missing"


def _graded(rubric: Rubric, secret: ClassSecret, tmp_path: Path, model: object) -> GradedSubmission:
    data = prepare(rubric, secret, tmp_path)
    data.stage(tmp_path)
    measured = evidence(data, model, tmp_path, ANSWERS)
    record = ExecutionRecord(status=ExecStatus.OK, epilogue_ran=True)
    result = score_submission(rubric, measured, record, student_id="s1", source="s1.ipynb")
    return GradedSubmission(result=result, execution=record, evidence=measured)


def test_the_panel_draws_the_hidden_roc_curve_in_the_student_report(
    rubric: Rubric, secret: ClassSecret, tmp_path: Path
) -> None:
    graded = _graded(rubric, secret, tmp_path, None)
    page = render_student_report(graded, pack=PACK, course="ML4B", assignment="Expression classifier")
    assert "Assignment 1 · Your classifier on the hidden samples" in page
    assert "Not evaluated on the hidden samples" in page and "ROC on the hidden samples" not in page
    graded = _graded(rubric, secret, tmp_path, train(tmp_path))  # on the table the first call staged
    page = render_student_report(graded, pack=PACK, course="ML4B", assignment="Expression classifier")
    auc = graded.evidence.hidden.value.roc_auc if graded.evidence.hidden.value else -1.0
    assert "ROC on the hidden samples" in page and f"your MODEL (AUC {auc:.3f})" in page
    assert re.search(r"Figures your notebook drew when re-run</th><td class=\"num tone-warn\">0<", page)
    assert graded.result.question("1.2").points == 4 and graded.result.question("1.1").points == 0
