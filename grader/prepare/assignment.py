"""Load the rubric's ``data:`` section into ``AssignmentData`` (training files + hidden set).

Synthetic training data (the demo's embedded default) is generated deterministically into ``cache_dir``;
synthetic *hidden* data is generated from a seed derived from the class secret, so that no notebook can
regenerate it from the rubric's public seed. FASTA and table sources are read and validated with
``reference.enhancers`` readers. Problems raise
``AssignmentError`` naming the rubric and the file: they are harness misconfiguration, not a student's.
"""

from __future__ import annotations

import statistics
from pathlib import Path

from grader.errors import AssignmentError
from grader.prepare.data import AssignmentData, HiddenPool
from grader.prepare.secret import ClassSecret
from grader.rubric import DataSource, FastaData, Rubric, SyntheticData, TableData

__all__ = ["load_assignment_data"]

DEFAULT_SYNTHETIC_TRAIN = 1000
DEFAULT_SYNTHETIC_HIDDEN = 250


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
        raise AssignmentError(f"data source kind {source.kind!r} is not supported by this grader")
    pos = [s for s, y in zip(made.sequences, made.labels, strict=True) if y == 1]
    neg = [s for s, y in zip(made.sequences, made.labels, strict=True) if y == 0]
    return pos, neg, where


def _write_fasta(path: Path, prefix: str, sequences: list[str], where: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    text = "".join(f">{prefix}_{i:06d} from {where}\n{s}\n" for i, s in enumerate(sequences))
    path.write_text(text, encoding="ascii")
    return path


def load_assignment_data(rubric: Rubric, *, cache_dir: Path, secret: ClassSecret) -> AssignmentData:
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
    return AssignmentData(
        train_positive=_write_fasta(folder / "positive.fa", "pos", pos, where),
        train_negative=_write_fasta(folder / "negative.fa", "neg", neg, where),
        hidden=HiddenPool(tuple(hidden_pos), tuple(hidden_neg)),
        seq_len=int(statistics.median(lengths)),
        secret=secret,
        description=f"train: {where}; hidden: {hidden_where}",
    )
