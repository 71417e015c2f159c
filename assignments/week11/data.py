"""Week 11's data: enhancer sequences as FASTA files in, hidden sequences as an unlabelled FASTA later.

``prepare_data`` (``PACK.prepare_data``) loads the rubric's ``data:`` section: synthetic training data
(the demo's embedded default) is generated deterministically into ``cache_dir``; synthetic *hidden* data
is generated from a seed derived from the class secret, so that no notebook can regenerate it from the
rubric's public seed. FASTA and table sources are read and validated with ``reference.enhancers``
readers. ``self_check_data`` (``PACK.self_check_data``) is a student install's stand-in: the FASTA
files the notebook's own ``parameters`` cell names. Problems raise ``AssignmentError`` naming the rubric
or notebook and the file: they are setup problems, not a student's.

Training sequences are copied into each sandbox's work directory before the student's cells run. The
hidden held-out sequences are written only after the student's cells finished, without labels, under
opaque ids, in an order that only the class secret and the submission's bytes decide
(``FastaData.hidden_for``); the labels stay in the grader process.
"""

from __future__ import annotations

import ast
import hashlib
import json
import shutil
import statistics
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from nbformat import NotebookNode

from assignments.week11.sources import FastaData, SyntheticData, TableData
from grader._ast import parse_python
from grader.errors import AssignmentError
from grader.packs import digest_parts
from grader.prepare.data import opaque_order
from grader.prepare.secret import ClassSecret

if TYPE_CHECKING:  # grader.rubric imports this pack while it loads (its metrics read the pack's items)
    from grader.rubric import DataSource, Rubric

__all__ = [
    "FASTA_PARAMETERS",
    "HIDDEN_FASTA",
    "TRAIN_NEGATIVE",
    "TRAIN_POSITIVE",
    "EnhancerData",
    "HiddenPool",
    "HiddenSet",
    "prepare_data",
    "self_check_data",
]

TRAIN_POSITIVE = "data/train/positive.fa"
TRAIN_NEGATIVE = "data/train/negative.fa"
HIDDEN_FASTA = "hidden/sequences.fa"
"""Where the hidden sequences are written (no labels) right before the epilogue runs; the kernel
epilogue repeats it and a test keeps the two equal."""
FASTA_PARAMETERS = ("POSITIVE_FASTA", "NEGATIVE_FASTA")
"""The notebook parameters that name the training files."""
DEFAULT_SYNTHETIC_TRAIN = 1000
DEFAULT_SYNTHETIC_HIDDEN = 250
SELF_CHECK_HIDDEN = 250
"""Sequences per class the self-check reuses as its stand-in hidden set."""


@dataclass(frozen=True)
class HiddenSet:
    """Hidden sequences under opaque ids, and their labels (which never enter the sandbox)."""

    sequences: tuple[tuple[str, str], ...]
    labels: dict[str, int] = field(repr=False)

    @classmethod
    def from_labelled(cls, positives: list[str], negatives: list[str], *, seed: int) -> HiddenSet:
        """Shuffle ``positives`` (label 1) and ``negatives`` (label 0) and give them opaque ids."""
        sequences, labels = opaque_order([(s, 1) for s in positives] + [(s, 0) for s in negatives], seed=seed)
        return cls(sequences=sequences, labels=labels)

    def write(self, workdir: Path) -> None:
        """Write the unlabelled FASTA to ``workdir/hidden/sequences.fa``."""
        path = workdir / HIDDEN_FASTA
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f">{i}\n{s}\n" for i, s in self.sequences), encoding="ascii")
        path.parent.chmod(0o755)
        path.chmod(0o644)


@dataclass(frozen=True)
class HiddenPool:
    """The labelled hidden sequences before any order is chosen (grader side only)."""

    positives: tuple[str, ...] = field(repr=False)
    negatives: tuple[str, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.positives) + len(self.negatives)

    def ordered(self, seed: int) -> HiddenSet:
        """The pool shuffled by ``seed`` under opaque ids (see ``HiddenSet.from_labelled``)."""
        return HiddenSet.from_labelled(list(self.positives), list(self.negatives), seed=seed)


def _file_sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@dataclass(frozen=True)
class EnhancerData:
    """Week 11's ``grader.packs.AssignmentData``: where the training FASTA files are (grader side), the
    hidden pool, the data's median sequence length and the class secret."""

    train_positive: Path
    train_negative: Path
    hidden: HiddenPool
    seq_len: int
    secret: ClassSecret = field(repr=False)
    description: str = ""

    def hidden_for(self, submission_sha256: str) -> HiddenSet:
        """The hidden set one submission sees: its order from the class secret and the submission's bytes.

        The same bytes always get the same order (reruns and resume keys agree); no notebook can compute
        it, since the secret never enters a sandbox.
        """
        return self.hidden.ordered(self.secret.seed("hidden-order", submission_sha256))

    def files(self) -> dict[str, Path]:
        """The training FASTA files (what a Dask worker on another machine is sent)."""
        return {"train_positive": self.train_positive, "train_negative": self.train_negative}

    def with_files(self, paths: Mapping[str, Path]) -> EnhancerData:
        """The same data reading the training files at ``paths`` (the names of :meth:`files`)."""
        return replace(self, train_positive=paths["train_positive"], train_negative=paths["train_negative"])

    def stage(self, workdir: Path) -> dict[str, str]:
        """Copy the training files into ``workdir``; return the notebook parameters that point at them."""
        for src, rel in ((self.train_positive, TRAIN_POSITIVE), (self.train_negative, TRAIN_NEGATIVE)):
            dst = workdir / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            dst.chmod(0o644)
        for d in (workdir / "data", workdir / "data/train"):
            d.chmod(0o755)
        return dict(zip(FASTA_PARAMETERS, (TRAIN_POSITIVE, TRAIN_NEGATIVE), strict=True))

    def parameters(self, profile: Any) -> dict[str, str | int | float | bool | None]:
        """``SEQ_LEN``: the profile's ``seq_len``, else the data's median length."""
        return {"SEQ_LEN": getattr(profile, "seq_len", None) or self.seq_len}

    def fingerprint(self) -> str:
        """SHA-256 over the training files' bytes, the labelled hidden pool, ``seq_len`` and the class
        secret's fingerprint (which, with the submission's bytes, decides each hidden order)."""
        hidden = json.dumps([self.hidden.positives, self.hidden.negatives])
        return digest_parts(
            [
                _file_sha256(self.train_positive), _file_sha256(self.train_negative), hidden, str(self.seq_len),
                self.secret.fingerprint(),
            ]
        )


def _read(source: DataSource, default_n: int, secret: ClassSecret | None) -> tuple[list[str], list[str], str]:
    """Positive and negative sequences of ``source`` and a description of where they came from.

    ``secret``: for hidden data; a synthetic source's seed is then mixed with it (HMAC), never used alone.
    """
    from reference.enhancers.data import read_fasta_pair, read_table
    from reference.enhancers.synthetic import make_synthetic

    if isinstance(source, SyntheticData):
        seed = source.seed if secret is None else secret.seed("synthetic-hidden", str(source.seed))
        made = make_synthetic(source.n_per_class or default_n, seed=seed).data
        where = "synthetic data (seed from the class secret)" if secret else f"synthetic data (seed {source.seed})"
    elif isinstance(source, FastaData):
        made, where = read_fasta_pair(source.positive, source.negative), f"{source.positive} + {source.negative}"
    elif isinstance(source, TableData):
        made = read_table(source.path, sequence_column=source.sequence_column, label_column=source.label_column)
        where = str(source.path)
    else:
        raise AssignmentError(f"data source kind {source.kind!r} is not supported by assignment week11")
    pos = [s for s, y in zip(made.sequences, made.labels, strict=True) if y == 1]
    neg = [s for s, y in zip(made.sequences, made.labels, strict=True) if y == 0]
    return pos, neg, where


def _write_fasta(path: Path, prefix: str, sequences: list[str], where: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f">{prefix}_{i:06d} from {where}\n{s}\n" for i, s in enumerate(sequences))
    path.write_text(text, encoding="ascii")
    return path


def prepare_data(rubric: Rubric, *, cache_dir: Path, secret: ClassSecret) -> EnhancerData:
    """Materialise the rubric's training data under ``cache_dir`` and build the hidden pool.

    ``secret``: the class secret (``grader.prepare.secret.class_secret``) that decides the synthetic hidden
    data and every submission's hidden order.

    Raises:
        AssignmentError: a data file is missing or invalid, or the rubric has no hidden split.
    """
    from reference.enhancers.errors import DataError

    origin = rubric.origin.path if rubric.origin else "the rubric"
    if rubric.data.hidden is None:
        raise AssignmentError(f"{origin}: data.hidden is required to evaluate the students' models")
    try:
        pos, neg, where = _read(rubric.data.train, DEFAULT_SYNTHETIC_TRAIN, None)
        hidden_pos, hidden_neg, hidden_where = _read(rubric.data.hidden, DEFAULT_SYNTHETIC_HIDDEN, secret)
    except (DataError, OSError) as exc:
        raise AssignmentError(f"{origin}: data: {exc}") from exc
    folder = cache_dir / "train"
    lengths = [len(s) for s in pos + neg]
    return EnhancerData(
        train_positive=_write_fasta(folder / "positive.fa", "pos", pos, where),
        train_negative=_write_fasta(folder / "negative.fa", "neg", neg, where),
        hidden=HiddenPool(tuple(hidden_pos), tuple(hidden_neg)),
        seq_len=int(statistics.median(lengths)),
        secret=secret,
        description=f"train: {where}; hidden: {hidden_where}",
    )


def _notebook_parameters(nb: NotebookNode) -> dict[str, str]:
    """String constants assigned in the cell tagged ``parameters``."""
    for cell in nb.cells:
        if cell.get("cell_type") == "code" and "parameters" in cell.get("metadata", {}).get("tags", []):
            try:
                tree = parse_python(str(cell.source))
            except SyntaxError:
                return {}
            return {
                t.id: n.value.value
                for n in tree.body if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant)
                and isinstance(n.value.value, str)
                for t in n.targets if isinstance(t, ast.Name)
            }
    return {}


def _read_fasta(path: Path) -> list[str]:
    records: list[list[str]] = []
    for line in path.read_text(encoding="ascii", errors="replace").splitlines():
        line = line.strip()
        if line.startswith(">"):
            records.append([])
        elif line and records:
            records[-1].append(line.upper())
    return ["".join(r) for r in records if r]


def self_check_data(notebook: Path, nb: NotebookNode) -> EnhancerData:
    """The notebook's own training FASTA files (``POSITIVE_FASTA``, ``NEGATIVE_FASTA`` of its parameters
    cell, relative to the notebook's folder) as the self-check's data in a student install (no
    ``reference`` package, so no readers or synthetic generator). The sequences stand in for the hidden
    set too (the self-check scores no hidden criterion).

    Raises:
        AssignmentError: a name is not set, a file is missing or holds no sequence.
    """
    params = _notebook_parameters(nb)
    paths: list[Path] = []
    for name in FASTA_PARAMETERS:
        if name not in params:
            raise AssignmentError(f"{notebook}: its parameters cell sets no {name}, so there is no training data")
        path = Path(params[name]) if Path(params[name]).is_absolute() else notebook.parent / params[name]
        if not path.is_file():
            raise AssignmentError(
                f"{name} = {params[name]!r}: no file at {path}; put the course's training data there"
            )
        paths.append(path)
    pos, neg = _read_fasta(paths[0]), _read_fasta(paths[1])
    if not pos or not neg:
        raise AssignmentError(f"{paths[0] if not pos else paths[1]}: no FASTA sequence in it")
    return EnhancerData(
        train_positive=paths[0],
        train_negative=paths[1],
        hidden=HiddenPool(tuple(pos[:SELF_CHECK_HIDDEN]), tuple(neg[:SELF_CHECK_HIDDEN])),
        seq_len=int(statistics.median(len(s) for s in pos + neg)),
        secret=ClassSecret.generate(),
        description=f"train: {paths[0].name} + {paths[1].name} (the notebook's own data)",
    )
