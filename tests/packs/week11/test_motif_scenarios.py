"""Question 2.6 end to end (epilogue on real models, figures of an executed notebook, JASPAR, scoring).

2.6 asks the student to visualise the first-layer kernels as motifs. The points need both the student's own
figure below the "### 2.6" heading and liver motifs among the first-layer weights of the model the grader
scored (``FOLD_MODELS[0]``); an array handed over in ``FIRST_LAYER_KERNELS`` is never read.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any, cast

import nbformat
import numpy as np
import pytest
from nbformat import NotebookNode

from assignments.week11.items import FIRST_LAYER_KERNELS
from assignments.week11.motifs import match_motifs
from grader.collect.epilogue import epilogue_source
from grader.collect.notebook import figures
from grader.collect.parse import parse_record, read_record_file
from grader.packs import load_pack
from grader.records.evidence import Evidence
from grader.records.execution import ExecStatus, ExecutionRecord
from grader.records.result import Finding, QuestionResult
from grader.rubric import Rubric, load_rubric
from grader.score import score_submission

ROOT = Path(__file__).resolve().parents[3]
A1_PLOT, A26_CELL = "a1-plot", "a2-motifs"
PNG = {"image/png": "iVBORw0KGgo=", "text/plain": "<Figure>"}


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(ROOT / "rubrics/week11.yaml")


def _executed(motif_cell_output: NotebookNode) -> NotebookNode:
    """The solution notebook as re-executed: a figure in 1.1, and ``motif_cell_output`` in the 2.6 cell."""
    nb = cast(NotebookNode, nbformat.read(ROOT / "assignments/week11/solution.ipynb", as_version=4))  # type: ignore[no-untyped-call]
    for cell in nb.cells:
        if cell.get("id") == A1_PLOT:
            cell.outputs = [_figure()]
        if cell.get("id") == A26_CELL:
            cell.outputs = [motif_cell_output]
    return nb


def _finding(q: QuestionResult, criterion: str) -> Finding:
    return next(f for f in q.findings if f.criterion == criterion)


def _figure() -> NotebookNode:
    return NotebookNode(output_type="display_data", data=PNG, metadata={})  # type: ignore[no-untyped-call]


def _raised() -> NotebookNode:
    return NotebookNode(output_type="error", ename="NotImplementedError", evalue="", traceback=[])  # type: ignore[no-untyped-call]


def _grade_26(rubric: Rubric, nb: NotebookNode, namespace: dict[str, Any], workdir: Path) -> QuestionResult:
    cwd = os.getcwd()
    os.chdir(workdir)
    try:
        exec(compile(epilogue_source(load_pack("week11")), "<epilogue>", "exec"), namespace)
    finally:
        os.chdir(cwd)
    data, why = read_record_file(workdir / "grader_record.json")
    assert data is not None, why
    collected = parse_record(data, load_pack("week11").items, figures=figures(nb))
    evidence = Evidence(collected=collected, motifs=match_motifs(FIRST_LAYER_KERNELS.read(collected)))
    run = ExecutionRecord(status=ExecStatus.CELL_ERROR, epilogue_ran=True, cell_errors=(25,))
    return score_submission(rubric, evidence, run, student_id="s", source="s.ipynb").question("2.6")


def _jaspar_log_odds(ids: tuple[str, ...], width: int = 15) -> np.ndarray:
    """Public JASPAR matrices as log-odds kernels, centred in ``width`` columns (what a student could paste)."""
    from reference.motifs import fetch_matrix

    out = np.zeros((len(ids), 4, width))
    for i, matrix_id in enumerate(ids):
        p = np.asarray(fetch_matrix(matrix_id).probabilities)[:, :width]
        left = (width - p.shape[1]) // 2
        out[i, :, left : left + p.shape[1]] = np.log(p / 0.25)
    return out


def test_optional_cell_left_unanswered_earns_nothing_despite_a_good_cnn(
    week11: Rubric, synthetic_cnn: tuple[Any, float], tmp_path: Path
) -> None:
    model, auc = synthetic_cnn
    q = _grade_26(week11, _executed(_raised()), {"FOLD_MODELS": [model]}, tmp_path)
    assert auc > 0.75 and (q.points, q.max_points) == (0.0, 5.0)
    motif, logos = (_finding(q, c) for c in ("liver_motif", "logos_drawn"))
    assert motif.status.value == "passed", "the model alone does have liver motifs"
    assert logos.status.value == "missing"
    assert "0 figure(s) in section 'Assignment 2 · 2.6'" in logos.message
    assert "['Assignment 1 · 1.1']" in logos.message


def test_jaspar_pasted_into_first_layer_kernels_earns_nothing(
    week11: Rubric, calibration: Any, quick_notebook: dict[str, Any], tmp_path: Path
) -> None:
    pasted = _jaspar_log_odds(("MA0114.5", "MA0047.4", "MA0102.5", "MA0046.3"))  # HNF4A FOXA2 CEBPA HNF1A
    untrained = calibration.untrained_model(quick_notebook, "w9", 0)
    namespace = {"FOLD_MODELS": [untrained], "FIRST_LAYER_KERNELS": pasted}
    q = _grade_26(week11, _executed(_figure()), namespace, tmp_path)
    assert q.points == 0.0
    assert _finding(q, "logos_drawn").status.value == "passed"
    assert _finding(q, "liver_motif").status.value == "failed"


def test_a_real_solution_earns_the_extra_points(
    week11: Rubric, synthetic_cnn: tuple[Any, float], tmp_path: Path
) -> None:
    model, _ = synthetic_cnn
    q = _grade_26(
        week11, _executed(_figure()), {"FOLD_MODELS": [model], "FIRST_LAYER_KERNELS": None}, tmp_path
    )
    assert (q.points, q.status.value) == (5.0, "passed"), q.reason
