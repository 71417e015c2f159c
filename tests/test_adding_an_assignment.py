"""docs/adding-an-assignment.md stays true: its example pack, written out as the page shows it, loads by name
and grades a model on data only the grader holds (the epilogue runs here in-process, as in
tests/collect/test_pack_epilogue.py; the kernel path is the Week 11 pack's tests)."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from grader import packs
from grader.collect.parse import parse_record
from grader.packs import AssignmentPack, load_pack
from grader.prepare.secret import ClassSecret
from grader.records.evidence import Evidence
from tests.collect._epilogue import run_epilogue

PAGE = Path(__file__).parents[1] / "docs" / "adding-an-assignment.md"
BLOCK = re.compile(r"```python\n# (assignments/toy/[a-z_]+\.py)[^\n]*\n(.*?)```", re.S)


def _blocks() -> dict[str, str]:
    return {path: code for path, code in BLOCK.findall(PAGE.read_text(encoding="utf-8"))}


@pytest.fixture
def toy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[AssignmentPack]:
    """The page's pack written under tmp/assignments/toy/ and put on sys.path (``assignments`` is a
    namespace package, so it joins the real packs)."""
    root = tmp_path / "packs"
    for path, code in _blocks().items():
        (root / path).parent.mkdir(parents=True, exist_ok=True)
        (root / path).write_text(code, encoding="utf-8")
    monkeypatch.syspath_prepend(str(root))
    monkeypatch.setenv(packs.PACKS_ENV, str(root / "assignments"))  # a pack outside the checkout: trusted by name
    monkeypatch.setattr(packs, "_PACKS", dict(packs._PACKS))  # the toy pack leaves the registry afterwards
    yield load_pack("toy")
    for name in [m for m in sys.modules if m == "assignments.toy" or m.startswith("assignments.toy.")]:
        del sys.modules[name]


def _train(workdir: Path) -> LogisticRegression:
    table = np.loadtxt(workdir / "data" / "train.csv", delimiter=",")
    return LogisticRegression().fit(table[:, :-1], table[:, -1].astype(int))


class _Constant:
    def predict_proba(self, rows: list[list[float]]) -> list[list[float]]:
        return [[0.5, 0.5] for _ in rows]


def _grade(pack: AssignmentPack, model: object, workdir: Path, secret: ClassSecret) -> Evidence:
    hidden = pack.data(None, cache_dir=workdir, secret=secret).hidden_for("ab" * 32)
    hidden.write(workdir)
    ns: dict[str, Any] = {"ANSWERS": {"1.1": "logistic"}, "MODEL": model}
    raw = run_epilogue(pack, ns, workdir)
    collected = parse_record(raw, pack.items, n_hidden=len(hidden.labels))
    measured = {e.name: e(collected, hidden.labels) for e in pack.evaluators}
    return Evidence(collected=collected, measurements=measured)


def test_the_pages_example_pack_is_complete() -> None:
    assert set(_blocks()) == {"assignments/toy/kernel_epilogue.py", "assignments/toy/data.py",
                              "assignments/toy/__init__.py"}


def test_the_example_pack_grades_a_model_on_hidden_rows_only_the_grader_labels(
    toy: AssignmentPack, tmp_path: Path
) -> None:
    secret = ClassSecret.generate()
    work = tmp_path / "work"
    work.mkdir()
    data = toy.data(None, cache_dir=tmp_path, secret=secret)
    assert data.stage(work) == {"TRAIN_CSV": "data/train.csv"}
    assert len((work / "data" / "train.csv").read_text().splitlines()) == 200
    trained = _grade(toy, _train(work), work, secret)
    assert trained.collected.answers["1.1"].value == "logistic"
    assert trained.hidden.is_ok and trained.hidden.value is not None
    assert trained.hidden.value.n == 100 and trained.hidden.value.roc_auc > 0.85
    constant = _grade(toy, _Constant(), work, secret)
    assert constant.hidden.value is not None and constant.hidden.value.roc_auc == pytest.approx(0.5)
    hidden = (work / "hidden" / "features.csv").read_text()
    assert hidden.count("\n") == 100 and not re.search(r",[01]$", hidden, re.M)  # ids and features, no labels


def test_the_example_datas_resume_key_follows_the_secret(toy: AssignmentPack, tmp_path: Path) -> None:
    secret = ClassSecret.generate()
    data = toy.data(None, cache_dir=tmp_path, secret=secret)
    assert data.fingerprint() == toy.data(None, cache_dir=tmp_path, secret=secret).fingerprint()
    assert data.fingerprint() != toy.data(None, cache_dir=tmp_path, secret=ClassSecret.generate()).fingerprint()
    assert data.with_files(data.files()) == data
