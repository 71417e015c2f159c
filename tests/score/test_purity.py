"""Scoring is a pure function: deterministic, no I/O, no mutation, and light to import."""

from __future__ import annotations

import builtins
import json
import pathlib
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

import grader.score
from grader.rubric import Rubric, load_rubric
from grader.score import score_submission, self_check

from ._records import died, ran, week11_correct

ROOT = Path(__file__).resolve().parents[2]
EXPORTS = [
    "DiffSummary",
    "GradeChange",
    "QuestionChange",
    "diff_results",
    "effective_result",
    "not_run_reason",
    "score_question",
    "score_submission",
    "self_check",
    "summarize_diff",
]


@pytest.fixture(scope="module")
def week11() -> Rubric:
    return load_rubric(ROOT / "rubrics" / "week11.yaml")


def test_public_surface_is_pinned() -> None:
    assert grader.score.__all__ == EXPORTS
    assert all(getattr(grader.score, name) is not None for name in EXPORTS)


def test_same_input_same_output(week11: Rubric) -> None:
    for ev, ex in (
        (week11_correct(), ran()),
        (week11_correct(answer_values={}), ran()),
        (week11_correct(), died()),
    ):
        first = score_submission(week11, ev, ex, student_id="s", source="s", late_days=1.2)
        second = score_submission(week11, ev, ex, student_id="s", source="s", late_days=1.2)
        assert first == second and first.model_dump_json() == second.model_dump_json()


def test_inputs_are_not_mutated(week11: Rubric) -> None:
    ev, ex = week11_correct(), ran()
    before = (week11.model_dump_json(), ev.model_dump_json(), ex.model_dump_json())
    score_submission(week11, ev, ex, student_id="s", source="s")
    self_check(week11, ev, ex, student_id="s", source="s")
    assert (week11.model_dump_json(), ev.model_dump_json(), ex.model_dump_json()) == before


def test_no_io_while_scoring(week11: Rubric, monkeypatch: pytest.MonkeyPatch) -> None:
    score_submission(week11, week11_correct(), ran(), student_id="s", source="s")  # warm lazy imports

    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError(f"I/O during scoring: {args}")

    monkeypatch.setattr(builtins, "open", refuse)
    for name in ("open", "read_text", "read_bytes", "write_text", "write_bytes"):
        monkeypatch.setattr(pathlib.Path, name, refuse)
    result = score_submission(week11, week11_correct(), ran(), student_id="s", source="s")
    assert result.total == 15.0


def test_importing_stays_light() -> None:
    """No ML stack and no YAML parser until they are needed (numpy: first gradient check; yaml: first load)."""
    code = (
        "import sys, grader.rubric, grader.score\n"
        "from grader.rubric import load_rubric\n"
        "from grader.score import score_submission, diff_results\n"
        "heavy = ('torch', 'matplotlib', 'lightning', 'sklearn', 'numpy', 'yaml')\n"
        "print(sorted(m for m in heavy if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []


def test_scoring_needs_no_torch_or_matplotlib() -> None:
    code = (
        "import sys\n"
        "from assignments.week11.records import GradientData\n"
        "from grader.records.collected import CollectedRecord, Item\n"
        "from grader.records.evidence import Evidence\n"
        "from grader.records.execution import ExecStatus, ExecutionRecord\n"
        "from grader.rubric import load_rubric\n"
        "from grader.score import score_submission\n"
        "g = GradientData(magnitudes={'baseline': [1e-9, 1.0], 'skip': [0.1, 1.0], 'BN': [1.0, 0.9], "
        "'ReLU': [0.0, 1.0], 'ELU': [1.0, 0.1]})\n"
        "ev = Evidence(collected=CollectedRecord(answers={'1.2': Item.ok('BN')}, gradients=Item.ok(g)))\n"
        "ex = ExecutionRecord(status=ExecStatus.OK, epilogue_ran=True)\n"
        "r = score_submission(load_rubric('rubrics/week11.yaml'), ev, ex, student_id='s', source='s')\n"
        "assert r.question('1.2').findings[1].passed, r.question('1.2').reason\n"
        "print(sorted(m for m in ('torch', 'matplotlib', 'lightning', 'sklearn') if m in sys.modules))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert json.loads(out.stdout.replace("'", '"')) == []
