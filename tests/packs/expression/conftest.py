"""Fixtures of the expression pack's tests: its rubric, data from a fixed class secret, and evidence made by
running the pack's real epilogue in-process (tests/collect/_epilogue.py) on models trained here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from assignments.expression import PACK
from assignments.expression.data import ExpressionData
from grader.collect.parse import parse_record
from grader.prepare.secret import ClassSecret
from grader.records.evidence import Evidence
from grader.rubric import Rubric, load_rubric
from tests.collect._epilogue import run_epilogue

ROOT = Path(__file__).resolve().parents[3]
RUBRIC = ROOT / "assignments/expression/rubric.yaml"
SUBMISSION = "ab" * 32
"""A submission's SHA-256 (it decides the hidden order)."""


class Constant:
    """A "model" that gives every sample the same score."""

    def predict_proba(self, rows: Any) -> list[list[float]]:
        return [[0.5, 0.5] for _ in rows]


@pytest.fixture(scope="session")
def rubric() -> Rubric:
    return load_rubric(RUBRIC)


@pytest.fixture(scope="session")
def secret() -> ClassSecret:
    return ClassSecret(bytes(range(32)))


def prepare(rubric: Rubric, secret: ClassSecret, tmp: Path) -> ExpressionData:
    data = PACK.data(rubric, cache_dir=tmp, secret=secret)
    assert isinstance(data, ExpressionData)
    return data


def train(workdir: Path) -> Any:
    """The solution's model, fitted on the staged ``data/train.csv``."""
    table = np.loadtxt(workdir / "data" / "train.csv", delimiter=",", skiprows=1)
    model = make_pipeline(StandardScaler(), LogisticRegression(C=1.0))
    return model.fit(table[:, :-1], table[:, -1].astype(int))


def evidence(data: ExpressionData, model: object, workdir: Path, answers: dict[str, object]) -> Evidence:
    """What the grader measures of ``model`` on one submission's hidden rows (epilogue run here)."""
    hidden = data.hidden_for(SUBMISSION)
    hidden.write(workdir)
    raw = run_epilogue(PACK, {"ANSWERS": answers, "MODEL": model}, workdir)
    collected = parse_record(raw, PACK.items, n_hidden=len(hidden.labels))
    measured = {e.name: e(collected, hidden.labels) for e in PACK.evaluators}
    return Evidence(collected=collected, measurements=measured)
