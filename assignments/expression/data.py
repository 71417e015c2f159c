"""The expression classifier's data: gene-expression-like tables generated from the class secret.

Everything that decides a label comes from the class secret (``OUT/class.secret``), which never enters a
sandbox: which genes carry the signal and with what weights (``secret.seed("expression-genes")``), the
training rows (``"expression-train"``) and the hidden rows (``"expression-hidden"``). A student who runs
this module at home, with any other secret, gets other genes, other weights and other rows, so neither a
regenerated model nor a lookup table of regenerated rows beats chance on the hidden set
(tests/packs/expression/test_data.py).

The rubric's ``data:`` names the kind ``expression`` (:class:`ExpressionSource`, registered for this pack
only). ``stage`` writes ``data/train.csv`` (a header of gene names and ``label``, one row per sample);
``HiddenTable.write`` writes ``hidden/features.csv`` (``id`` and the genes, no label) after the student's
cells, under opaque ids, in an order the secret and the submission's bytes decide. The labels stay in the
grader. ``self_check_data`` is a student install's stand-in: the notebook's own ``TRAIN_CSV``.

The course hands students the training table the grader will stage: ``python -m assignments.expression
RUBRIC SECRET OUT.csv`` writes it (``__main__.py``; the same bytes as in every sandbox of that class).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from nbformat import NotebookNode
from numpy.typing import NDArray
from pydantic import Field, Strict

from grader._ast import parse_python
from grader.errors import AssignmentError
from grader.packs import digest_parts
from grader.prepare.data import opaque_order
from grader.prepare.secret import ClassSecret
from grader.rubric import DATA_SOURCES, DataSource

__all__ = [
    "HIDDEN_CSV",
    "TRAIN_CSV",
    "ExpressionData",
    "ExpressionSource",
    "GeneModel",
    "HiddenTable",
    "gene_model",
    "hidden_rows",
    "prepare_data",
    "read_table",
    "self_check_data",
    "training_rows",
]

TRAIN_CSV = "data/train.csv"
HIDDEN_CSV = "hidden/features.csv"
"""Where the hidden rows are written (no labels); the kernel epilogue repeats it and a test keeps them equal."""
NOISE_SD = 1.2
"""Label noise on the latent score (whose sd is about 2.6): the best possible ROC-AUC is about 0.94."""
SELF_CHECK_HIDDEN = 100
"""Rows of the notebook's own table the self-check reuses as its stand-in hidden set."""
_Count = Annotated[int, Strict(), Field(ge=1, le=100_000)]


@DATA_SOURCES.register("expression", owner="expression")
class ExpressionSource(DataSource):
    """Expression rows generated from the class secret: ``n_per_class`` samples per class over ``genes``
    genes, of which ``informative`` decide the label. Train and hidden must agree on the genes."""

    kind: Literal["expression"] = "expression"
    n_per_class: _Count = 300
    genes: Annotated[int, Strict(), Field(ge=2, le=200)] = 20
    informative: Annotated[int, Strict(), Field(ge=1, le=200)] = 5


@dataclass(frozen=True)
class GeneModel:
    """What the secret decides about the genes: baseline log2 expression and spread per gene, and the
    weights of the latent score (zero for uninformative genes)."""

    names: tuple[str, ...]
    baseline: tuple[float, ...]
    spread: tuple[float, ...]
    weights: tuple[float, ...] = field(repr=False)


def gene_model(secret: ClassSecret, genes: int, informative: int) -> GeneModel:
    """The genes of a class: ``informative`` of ``genes`` carry weights of random sign and size 1.0 to 1.3."""
    rng = np.random.default_rng(secret.seed("expression-genes", str(genes), str(informative)))
    weights = np.zeros(genes)
    chosen = rng.choice(genes, size=min(informative, genes), replace=False)
    weights[chosen] = rng.choice([-1.0, 1.0], size=len(chosen)) * rng.uniform(1.0, 1.3, size=len(chosen))
    return GeneModel(
        names=tuple(f"GENE{i + 1:02d}" for i in range(genes)),
        baseline=tuple(float(v) for v in rng.uniform(4.0, 12.0, size=genes).round(2)),
        spread=tuple(float(v) for v in rng.uniform(0.5, 1.5, size=genes).round(2)),
        weights=tuple(float(w) for w in weights),
    )


def _rows(model: GeneModel, n_per_class: int, seed: int) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """``n_per_class`` rows of each class, shuffled: log2 expression ``(2 n, genes)`` and labels ``(2 n,)``.

    Latent standardised values share one factor (co-expression); the label is the sign of their weighted
    sum plus noise, drawn until both classes have ``n_per_class`` rows.
    """
    rng = np.random.default_rng(seed)
    w, genes = np.asarray(model.weights), len(model.weights)
    kept: dict[int, list[NDArray[np.float64]]] = {0: [], 1: []}
    while min(len(v) for v in kept.values()) < n_per_class:
        z = 0.3 * rng.normal(size=(4 * n_per_class, 1)) + np.sqrt(0.91) * rng.normal(size=(4 * n_per_class, genes))
        y = (z @ w + rng.normal(scale=NOISE_SD, size=len(z)) > 0).astype(int)
        for label in (0, 1):
            kept[label].extend(z[y == label])
    z = np.array(kept[0][:n_per_class] + kept[1][:n_per_class])
    labels = np.array([0] * n_per_class + [1] * n_per_class, dtype=np.int64)
    order = rng.permutation(len(z))
    x = (np.asarray(model.baseline) + np.asarray(model.spread) * z[order]).round(3)
    return x, labels[order]


def training_rows(secret: ClassSecret, source: ExpressionSource) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The class's training rows and labels."""
    model = gene_model(secret, source.genes, source.informative)
    return _rows(model, source.n_per_class, secret.seed("expression-train", str(source.n_per_class)))


def hidden_rows(secret: ClassSecret, source: ExpressionSource) -> tuple[NDArray[np.float64], NDArray[np.int64]]:
    """The class's hidden rows and labels (same genes as the training rows, other samples)."""
    model = gene_model(secret, source.genes, source.informative)
    return _rows(model, source.n_per_class, secret.seed("expression-hidden", str(source.n_per_class)))


def _table(names: Sequence[str], rows: Sequence[Sequence[float]], first: Sequence[str] = (),
           last: Sequence[int] = ()) -> str:
    """CSV text: a header of ``names`` and one line per row, ``first`` and ``last`` columns around it."""
    header = ([("id",)] if first else []) + [tuple(names)] + ([("label",)] if last else [])
    lines = [",".join(part for group in header for part in group)]
    for i, row in enumerate(rows):
        cells = ([first[i]] if first else []) + [f"{v:.3f}" for v in row] + ([str(last[i])] if last else [])
        lines.append(",".join(cells))
    return "\n".join(lines) + "\n"


@dataclass(frozen=True)
class HiddenTable:
    """One submission's hidden rows under opaque ids, and their labels (which never enter the sandbox)."""

    names: tuple[str, ...]
    rows: tuple[tuple[str, tuple[float, ...]], ...]
    labels: Mapping[str, int] = field(repr=False)

    def write(self, workdir: Path) -> None:
        """Write ``hidden/features.csv``: ``id`` and the genes, no label."""
        path = workdir / HIDDEN_CSV
        path.parent.mkdir(parents=True, exist_ok=True)
        text = _table(self.names, [x for _, x in self.rows], first=[i for i, _ in self.rows])
        path.write_text(text, encoding="ascii")
        path.parent.chmod(0o755)
        path.chmod(0o644)


@dataclass(frozen=True)
class ExpressionData:
    """The pack's ``grader.packs.AssignmentData``: the training table's text, the labelled hidden rows
    (grader side only) and the secret that orders them per submission."""

    names: tuple[str, ...]
    train_csv: str = field(repr=False)
    hidden: tuple[tuple[tuple[float, ...], int], ...] = field(repr=False)
    secret: ClassSecret = field(repr=False)
    description: str = ""

    def stage(self, workdir: Path) -> dict[str, str]:
        """Write ``data/train.csv`` into ``workdir``; the notebook parameter that names it."""
        path = workdir / TRAIN_CSV
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(self.train_csv, encoding="ascii")
        path.parent.chmod(0o755)
        path.chmod(0o644)
        return {"TRAIN_CSV": TRAIN_CSV}

    def hidden_for(self, submission_sha256: str) -> HiddenTable:
        """The hidden rows one submission sees, in an order only the secret and its bytes decide."""
        rows, labels = opaque_order(self.hidden, seed=self.secret.seed("hidden-order", submission_sha256))
        return HiddenTable(self.names, rows, labels)

    def parameters(self, profile: Any) -> dict[str, str | int | float | bool | None]:
        """None: the data decides no notebook parameter besides ``TRAIN_CSV``."""
        return {}

    def fingerprint(self) -> str:
        """SHA-256 over the training table, the labelled hidden rows and the secret's fingerprint."""
        return digest_parts(["expression", self.train_csv, repr(self.hidden), self.secret.fingerprint()])

    def files(self) -> dict[str, Path]:
        """None: the data is generated, a Dask worker needs no file."""
        return {}

    def with_files(self, paths: Mapping[str, Path]) -> ExpressionData:
        """The same data (it reads no file)."""
        return self


def _labelled(x: NDArray[np.float64], y: NDArray[np.int64]) -> tuple[tuple[tuple[float, ...], int], ...]:
    return tuple((tuple(float(v) for v in row), int(label)) for row, label in zip(x, y, strict=True))


def _sources(rubric: Any) -> tuple[ExpressionSource, ExpressionSource]:
    """The rubric's train and hidden sources, checked: both ``kind: expression`` on the same genes."""
    origin = rubric.origin.path if rubric.origin else "the rubric"
    train, hidden = rubric.data.train, rubric.data.hidden
    if hidden is None:
        raise AssignmentError(f"{origin}: data.hidden is required to evaluate the students' models")
    for key, source in (("train", train), ("hidden", hidden)):
        if not isinstance(source, ExpressionSource):
            raise AssignmentError(f"{origin}: data.{key}: kind {source.kind!r}; assignment expression reads "
                                  "only kind 'expression'")
    if (train.genes, train.informative) != (hidden.genes, hidden.informative):
        raise AssignmentError(
            f"{origin}: data.hidden: genes {hidden.genes}, informative {hidden.informative} differ from "
            f"data.train's ({train.genes}, {train.informative}); the hidden rows need the training genes"
        )
    return train, hidden


def prepare_data(rubric: Any, *, cache_dir: Path, secret: ClassSecret) -> ExpressionData:
    """The rubric's data generated from ``secret`` (nothing is cached: a few hundred rows take milliseconds).

    Raises:
        AssignmentError: the rubric has no hidden split, or its sources are not both ``kind: expression``
            on the same genes.
    """
    train, hidden = _sources(rubric)
    names = gene_model(secret, train.genes, train.informative).names
    x, y = training_rows(secret, train)
    hx, hy = hidden_rows(secret, hidden)
    return ExpressionData(
        names=names,
        train_csv=_table(names, x.tolist(), last=y.tolist()),
        hidden=_labelled(hx, hy),
        secret=secret,
        description=(f"expression rows from the class secret: {len(y)} training and {len(hy)} hidden samples, "
                     f"{train.genes} genes"),
    )


def _parameter(nb: NotebookNode, name: str) -> str | None:
    """The string constant the ``parameters`` cell assigns to ``name``, if any."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = parse_python(str(cell.source))
            except SyntaxError:
                return None
            for node in tree.body:
                if (isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant)
                        and isinstance(node.value.value, str)
                        and any(isinstance(t, ast.Name) and t.id == name for t in node.targets)):
                    return node.value.value
    return None


def read_table(path: Path) -> tuple[tuple[str, ...], tuple[tuple[tuple[float, ...], int], ...]]:
    """The gene names and labelled rows of a training table (``data/train.csv``'s format).

    Raises:
        AssignmentError: the file is missing or not such a table (the message names the file and line).
    """
    try:
        lines = [line for line in path.read_text(encoding="ascii").splitlines() if line.strip()]
    except (OSError, UnicodeDecodeError) as exc:
        raise AssignmentError(f"{path}: cannot read the training table: {exc}") from exc
    header = lines[0].split(",") if lines else []
    if len(header) < 2 or header[-1] != "label":
        raise AssignmentError(f"{path}: line 1: expected gene names and a last column 'label', got {header[:3]}")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split(",")
        try:
            values, label = tuple(float(v) for v in cells[:-1]), int(cells[-1])
        except ValueError:
            values, label = (), -1
        if len(cells) != len(header) or label not in (0, 1):
            raise AssignmentError(f"{path}: line {number}: expected {len(header) - 1} numbers and a label 0 or 1")
        rows.append((values, label))
    return tuple(header[:-1]), tuple(rows)


def self_check_data(notebook: Path, nb: NotebookNode) -> ExpressionData:
    """The notebook's own ``TRAIN_CSV`` (relative to its folder) as the self-check's data in a student
    install: the table is staged as is, and its first :data:`SELF_CHECK_HIDDEN` rows stand in for the
    hidden set (the self-check scores no hidden criterion).

    Raises:
        AssignmentError: the parameters cell sets no ``TRAIN_CSV``, or the file is missing or malformed.
    """
    given = _parameter(nb, "TRAIN_CSV")
    if given is None:
        raise AssignmentError(f"{notebook}: its parameters cell sets no TRAIN_CSV, so there is no training data")
    path = Path(given) if Path(given).is_absolute() else notebook.parent / given
    if not path.is_file():
        raise AssignmentError(f"TRAIN_CSV = {given!r}: no file at {path}; put the course's training table there")
    names, rows = read_table(path)
    if len({label for _, label in rows[:SELF_CHECK_HIDDEN]}) < 2:
        raise AssignmentError(f"{path}: its first {SELF_CHECK_HIDDEN} rows hold one class only")
    return ExpressionData(
        names=names,
        train_csv=path.read_text(encoding="ascii"),
        hidden=rows[:SELF_CHECK_HIDDEN],
        secret=ClassSecret.generate(),
        description=f"train: {path.name} (the notebook's own data)",
    )

