"""The expression data follows the class secret: the same secret gives the same bytes, another secret other
genes, weights and rows; a class that regenerates the data at home (without the secret) stays at chance on
the hidden set, whether it uses its regenerated weights as a model or its regenerated rows as a lookup table
(mirrors tests/prepare/test_hidden_cheat.py for Week 11)."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pytest
from sklearn.metrics import roc_auc_score

from assignments.expression import kernel_epilogue
from assignments.expression.data import (
    HIDDEN_CSV,
    ExpressionSource,
    gene_model,
    hidden_rows,
    read_table,
    self_check_data,
    training_rows,
)
from grader.errors import AssignmentError
from grader.prepare.secret import ClassSecret
from grader.rubric import Rubric, parse_rubric
from tests.packs.expression.conftest import RUBRIC, SUBMISSION, prepare

HOME_SECRETS = 20
"""Guessed secrets a hostile class tries (each an independent draw of genes and weights)."""


def test_the_same_secret_gives_the_same_data_and_another_secret_other_data(
    rubric: Rubric, secret: ClassSecret, tmp_path: Path
) -> None:
    data, again = prepare(rubric, secret, tmp_path), prepare(rubric, secret, tmp_path)
    assert data.train_csv == again.train_csv and data.hidden == again.hidden
    assert data.fingerprint() == again.fingerprint() and data.with_files(data.files()) == data
    other = prepare(rubric, ClassSecret(bytes(32)), tmp_path)
    assert other.train_csv != data.train_csv and other.hidden != data.hidden
    assert other.fingerprint() != data.fingerprint()
    assert gene_model(secret, 20, 5).weights != gene_model(ClassSecret(bytes(32)), 20, 5).weights


def test_the_rubrics_sizes_balanced_classes_and_staged_files_without_hidden_labels(
    rubric: Rubric, secret: ClassSecret, tmp_path: Path
) -> None:
    data = prepare(rubric, secret, tmp_path)
    assert data.stage(tmp_path) == {"TRAIN_CSV": "data/train.csv"}
    names, rows = read_table(tmp_path / "data" / "train.csv")
    assert len(names) == 20 and len(rows) == 600 and sum(label for _, label in rows) == 300
    hidden = data.hidden_for(SUBMISSION)
    assert len(hidden.labels) == 300 and sum(hidden.labels.values()) == 150
    hidden.write(tmp_path)
    lines = (tmp_path / HIDDEN_CSV).read_text().splitlines()
    assert lines[0] == ",".join(["id", *names]) and len(lines) == 301
    assert all(len(line.split(",")) == 21 for line in lines)  # id and genes: no label column
    assert [line.split(",")[0] for line in lines[1:]] == [i for i, _ in hidden.rows]
    assert data.hidden_for("cd" * 32).rows != hidden.rows  # another submission, another order


def test_the_epilogue_reads_the_file_the_data_writes() -> None:
    assert kernel_epilogue._EXPRESSION_HIDDEN_CSV == HIDDEN_CSV


def test_regenerated_weights_as_a_model_stay_at_chance_on_the_hidden_set(secret: ClassSecret) -> None:
    source = ExpressionSource(n_per_class=150)
    x, y = hidden_rows(secret, source)
    true = gene_model(secret, 20, 5)
    oracle = roc_auc_score(y, ((x - true.baseline) / true.spread) @ np.asarray(true.weights))
    assert oracle > 0.85  # the secret's own weights separate the classes...
    guesses = []
    for k in range(HOME_SECRETS):  # ...weights regenerated with any other secret do not
        home = gene_model(ClassSecret(bytes([k + 1]) * 32), 20, 5)
        guesses.append(roc_auc_score(y, ((x - home.baseline) / home.spread) @ np.asarray(home.weights)))
    assert abs(float(np.mean(guesses)) - 0.5) < 0.1  # sd of one guess ~0.1, of the mean ~0.02


def test_regenerated_rows_as_a_lookup_table_know_no_hidden_sample(secret: ClassSecret) -> None:
    source = ExpressionSource(n_per_class=150)
    x, y = hidden_rows(secret, source)
    home_x, home_y = hidden_rows(ClassSecret(bytes(32)), source)
    table = {tuple(row): int(label) for row, label in zip(home_x.tolist(), home_y.tolist(), strict=True)}
    scores = [table.get(tuple(row), 0.5) for row in x.tolist()]
    assert roc_auc_score(y, scores) == 0.5  # not one hidden row was known
    train_x, _ = training_rows(secret, ExpressionSource(n_per_class=300))
    assert not {tuple(r) for r in train_x.tolist()} & {tuple(r) for r in x.tolist()}  # no hidden row in training


def test_a_rubric_whose_hidden_genes_differ_from_trainings_is_refused(tmp_path: Path, secret: ClassSecret) -> None:
    text = RUBRIC.read_text().replace("hidden: {kind: expression, n_per_class: 150, genes: 20",
                                      "hidden: {kind: expression, n_per_class: 150, genes: 30")
    changed = parse_rubric(text, source="changed.yaml")
    with pytest.raises(AssignmentError, match=r"changed.yaml: data.hidden: genes 30"):
        prepare(changed, secret, tmp_path)


def test_self_check_data_is_the_notebooks_own_table(rubric: Rubric, secret: ClassSecret, tmp_path: Path) -> None:
    import nbformat

    nb = nbformat.read(RUBRIC.parent / "template.ipynb", as_version=4)  # type: ignore[no-untyped-call]
    with pytest.raises(AssignmentError, match=r"TRAIN_CSV = 'data/train.csv': no file at"):
        self_check_data(tmp_path / "expression.ipynb", nb)
    prepare(rubric, secret, tmp_path).stage(tmp_path)
    data = self_check_data(tmp_path / "expression.ipynb", nb)
    assert data.train_csv == (tmp_path / "data" / "train.csv").read_text()
    assert len(data.hidden_for(SUBMISSION).labels) == 100
    (tmp_path / "data" / "train.csv").write_text("GENE01,label\n1.0,2\n")
    bad_row = re.escape("train.csv: line 2: expected 1 numbers and a label 0 or 1")
    with pytest.raises(AssignmentError, match=bad_row):
        self_check_data(tmp_path / "expression.ipynb", nb)


def test_the_table_handed_to_students_is_the_one_every_sandbox_gets(
    rubric: Rubric, secret: ClassSecret, tmp_path: Path
) -> None:
    from assignments.expression.__main__ import main

    (tmp_path / "class.secret").write_text(secret.key.hex() + "\n")
    (tmp_path / "class.secret").chmod(0o600)
    main([str(RUBRIC), str(tmp_path / "class.secret"), str(tmp_path / "train.csv")])
    assert (tmp_path / "train.csv").read_text() == prepare(rubric, secret, tmp_path).train_csv
