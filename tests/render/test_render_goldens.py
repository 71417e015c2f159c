"""Golden reports: rendered pages compared with tests/goldens after normalising volatile text.

Regenerate with ``UPDATE_GOLDENS=1 pytest tests/render/test_render_goldens.py`` and review the diff.
"""

from __future__ import annotations

import difflib
import os
import re
from pathlib import Path

import pytest

from assignments.week11.reference_data import ReferenceData
from grader.integrity import SimilarityReport
from grader.integrity.similarity import SimilarPair
from grader.records.graded import GradedSubmission
from grader.render import render_class_summary, render_student_report
from tests.render import samples

GOLDENS = Path(__file__).resolve().parents[1] / "goldens"
UPDATE = os.environ.get("UPDATE_GOLDENS") == "1"
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?")
_TMP_PATH = re.compile(r"/(tmp|var/folders)/[^\s\"'<]*")


def normalise(text: str) -> str:
    """``text`` with timestamps and temporary paths replaced by placeholders."""
    return _TMP_PATH.sub("<PATH>", _TIMESTAMP.sub("<TIMESTAMP>", text))


def check_golden(name: str, text: str) -> None:
    """Compare ``text`` with ``tests/goldens/<name>`` (or write it when ``UPDATE_GOLDENS=1``)."""
    path = GOLDENS / name
    actual = normalise(text)
    if UPDATE:
        path.write_text(actual, encoding="utf-8")
        return
    if not path.is_file():
        pytest.fail(f"{path} is missing; create it with UPDATE_GOLDENS=1 and review it")
    expected = path.read_text(encoding="utf-8")
    if actual != expected:
        diff = "".join(list(difflib.unified_diff(expected.splitlines(True), actual.splitlines(True),
                                                 str(path), "rendered"))[:60])
        pytest.fail(f"{name} differs from its golden (UPDATE_GOLDENS=1 regenerates it):\n{diff}")


NAMES = {"course": "Machine Learning for Bioinformatics", "assignment": "Week 11 · Neural Network Architectures"}


@pytest.mark.parametrize("scenario", ["full_marks", "wrong_answers", "timeout", "cell_error"])
def test_student_report_golden(scenario: str, scenarios: dict[str, GradedSubmission], reference: ReferenceData) -> None:
    html = render_student_report(scenarios[scenario], prepared=samples.prepared(reference), **NAMES)
    check_golden(f"{scenario}.report.html", html)


def test_class_summary_golden(scenarios: dict[str, GradedSubmission]) -> None:
    pair = SimilarPair("s_full", "s_mismatch", 0.93, 0.9, 412, "class SkipBlock(nn.Module):\n    ...",
                       "class ResidualUnit(nn.Module):\n    ...")
    similarity = SimilarityReport((pair,), tuple(sorted(g.result.student_id for g in scenarios.values())), (),
                                  True, 0.5)
    html = render_class_summary(list(scenarios.values()), similarity=similarity, auc_threshold=0.75,
                                gap_metrics=("cv_roc_auc", "hidden_model_roc_auc"), **NAMES)
    check_golden("class_summary.html", html)


def test_normalise_replaces_timestamps_and_tmp_paths() -> None:
    assert normalise("at 2024-06-24T10:15:00+00:00 in /tmp/pytest-1/out/x.html") == "at <TIMESTAMP> in <PATH>"
