"""Read labelled DNA sequences: two FASTA files (positive, negative) or one CSV/TSV table.

Files may be plain or gzip-compressed (detected by content, not by name). Sequences are
upper-cased; the alphabet is A, C, G, T and N in any case. Every problem raises a
:class:`~.errors.DataError` subclass whose message names the file and, where there is one, the line:

- no records / an empty sequence: :class:`~.errors.EmptyInputError`
- all labels equal: :class:`~.errors.SingleClassError`
- a character outside ACGTN: :class:`~.errors.InvalidCharacterError` (file:line, column, character)
- the same id twice, within a file or across the two FASTA files: :class:`~.errors.DuplicateIdError`
- data before the first FASTA header, a missing column, a bad label: :class:`~.errors.FormatError`
- missing / unreadable / broken gzip / not UTF-8: :class:`~.errors.UnreadableFileError`

FASTA ids are the first word after ``>``; the rest of the header line is kept as the description.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from .errors import (
    DataError,
    DuplicateIdError,
    EmptyInputError,
    FormatError,
    InvalidCharacterError,
    SingleClassError,
    UnreadableFileError,
)

__all__ = ["FastaRecord", "SequenceSet", "read_fasta", "read_fasta_pair", "read_table"]

_INVALID: Final = re.compile(r"[^ACGTNacgtn]")
_LABELS: Final[dict[str, int]] = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}
_TSV_SUFFIXES: Final = {".tsv", ".tab", ".txt"}


@dataclass(frozen=True)
class FastaRecord:
    """One FASTA record: ``id`` (first header word), upper-case ``sequence``, header ``line`` number."""

    id: str
    sequence: str
    line: int
    description: str = ""


@dataclass(frozen=True, eq=False)
class SequenceSet:
    """Labelled sequences, all validated.

    Attributes:
        ids: one id per sequence, unique, shape (N,).
        sequences: upper-case strings over ACGTN, shape (N,); lengths may differ.
        labels: int64 array of 0/1, shape (N,); 1 = positive class.
        source: where the data came from (file names), for messages.
    """

    ids: tuple[str, ...]
    sequences: tuple[str, ...]
    labels: npt.NDArray[np.int64]
    source: str

    def __post_init__(self) -> None:
        if not self.sequences:
            raise EmptyInputError(f"{self.source}: no sequences")
        if not (len(self.ids) == len(self.sequences) == len(self.labels)):
            raise DataError(
                f"{self.source}: {len(self.ids)} ids, {len(self.sequences)} sequences, {len(self.labels)} labels"
            )
        _require_two_classes(self.labels, self.source)

    def __len__(self) -> int:
        return len(self.sequences)

    @property
    def lengths(self) -> npt.NDArray[np.int64]:
        """Sequence lengths, shape (N,)."""
        return np.fromiter((len(s) for s in self.sequences), dtype=np.int64, count=len(self.sequences))

    @property
    def n_positive(self) -> int:
        """Number of sequences labelled 1."""
        return int(self.labels.sum())

    def subset(self, indices: Sequence[int] | npt.NDArray[np.integer]) -> SequenceSet:
        """The sequences at ``indices`` (must still hold both classes)."""
        idx = np.asarray(indices, dtype=np.int64)
        return SequenceSet(
            tuple(self.ids[i] for i in idx),
            tuple(self.sequences[i] for i in idx),
            self.labels[idx],
            f"{self.source} (subset of {idx.size})",
        )


def _require_two_classes(labels: npt.NDArray[np.int64], source: str) -> None:
    present = sorted({int(v) for v in np.unique(labels)})
    if present not in ([0, 1], [0], [1]):
        raise DataError(f"{source}: labels must be 0 or 1, got values {present}")
    if len(present) == 1:
        raise SingleClassError(
            f"{source}: all {labels.size} sequences have label {present[0]}; need both 0 and 1"
        )


def _read_text(path: Path) -> str:
    try:
        raw = path.read_bytes()
        if raw[:2] == b"\x1f\x8b":
            raw = gzip.decompress(raw)
        return raw.decode("utf-8")
    except (OSError, EOFError, UnicodeDecodeError) as exc:
        raise UnreadableFileError(f"{path}: cannot read ({type(exc).__name__}: {exc})") from exc


def _check_alphabet(path: Path, line_no: int, text: str, record_id: str) -> None:
    bad = _INVALID.search(text)
    if bad:
        raise InvalidCharacterError(
            f"{path}:{line_no}: invalid character {bad.group()!r} at column {bad.start() + 1} "
            f"in sequence {record_id!r}; allowed: A, C, G, T, N (any case)"
        )


def _fasta_records(path: Path, lines: Iterable[str]) -> list[FastaRecord]:
    records: list[FastaRecord] = []
    header: tuple[str, str, int] | None = None
    chunks: list[str] = []
    for line_no, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith(">"):
            if header:
                records.append(_finish(path, header, chunks))
            words = line[1:].split(maxsplit=1)
            header, chunks = (words[0] if words else "", words[1] if len(words) > 1 else "", line_no), []
        elif header is None:
            raise FormatError(f"{path}:{line_no}: sequence data before the first '>' header")
        else:
            _check_alphabet(path, line_no, line, header[0])
            chunks.append(line)
    if header:
        records.append(_finish(path, header, chunks))
    return records


def _finish(path: Path, header: tuple[str, str, int], chunks: list[str]) -> FastaRecord:
    record_id, description, line_no = header
    if not record_id:
        raise FormatError(f"{path}:{line_no}: empty FASTA id after '>'")
    if not chunks:
        raise EmptyInputError(f"{path}:{line_no}: record {record_id!r} has an empty sequence")
    return FastaRecord(record_id, "".join(chunks).upper(), line_no, description)


def _check_unique(records: Sequence[tuple[str, str]]) -> None:
    """``records``: (id, 'file:line') pairs; raise on the first repeated id."""
    seen: dict[str, str] = {}
    for record_id, where in records:
        if record_id in seen:
            raise DuplicateIdError(f"{where}: duplicate id {record_id!r} (first seen at {seen[record_id]})")
        seen[record_id] = where


def read_fasta(path: str | Path) -> list[FastaRecord]:
    """Read one FASTA file (plain or gzip).

    Args:
        path: the file.

    Returns:
        Its records, in file order, with upper-case sequences.

    Raises:
        UnreadableFileError, FormatError, EmptyInputError, InvalidCharacterError, DuplicateIdError.
    """
    path = Path(path)
    records = _fasta_records(path, io.StringIO(_read_text(path)))
    if not records:
        raise EmptyInputError(f"{path}: no FASTA records (expected lines starting with '>')")
    _check_unique([(r.id, f"{path}:{r.line}") for r in records])
    return records


def read_fasta_pair(positive: str | Path, negative: str | Path) -> SequenceSet:
    """Read a positive (label 1) and a negative (label 0) FASTA file into one :class:`SequenceSet`.

    Ids must be unique across both files. Order: all positives, then all negatives.

    Example:
        >>> data = read_fasta_pair("train/liver.fa", "train/other.fa")  # doctest: +SKIP
    """
    pos, neg = read_fasta(positive), read_fasta(negative)
    _check_unique(
        [(r.id, f"{positive}:{r.line}") for r in pos] + [(r.id, f"{negative}:{r.line}") for r in neg]
    )
    records = pos + neg
    labels = np.concatenate([np.ones(len(pos), np.int64), np.zeros(len(neg), np.int64)])
    return SequenceSet(
        tuple(r.id for r in records), tuple(r.sequence for r in records), labels, f"{positive} + {negative}"
    )


def _delimiter(path: Path, text: str, delimiter: str | None) -> str:
    if delimiter is not None:
        return delimiter
    suffixes = [s.lower() for s in path.suffixes if s.lower() != ".gz"]
    if suffixes and suffixes[-1] == ".csv":
        return ","
    if suffixes and suffixes[-1] in _TSV_SUFFIXES:
        return "\t"
    return "\t" if "\t" in text.split("\n", 1)[0] else ","


def _column(path: Path, header: list[str], name: str, role: str) -> int:
    if name not in header:
        raise FormatError(f"{path}:1: no {role} column {name!r}; columns are {header}")
    return header.index(name)


def _label(path: Path, line_no: int, value: str) -> int:
    label = _LABELS.get(value.strip().lower())
    if label is None:
        raise FormatError(f"{path}:{line_no}: label {value!r} is not one of 0, 1, true, false")
    return label


def read_table(
    path: str | Path,
    *,
    sequence_column: str = "sequence",
    label_column: str = "label",
    id_column: str | None = None,
    delimiter: str | None = None,
) -> SequenceSet:
    """Read a CSV or TSV file (plain or gzip) with a header row into a :class:`SequenceSet`.

    Args:
        path: the file.
        sequence_column: column holding the sequences. Default "sequence".
        label_column: column holding labels 0/1 (also "true"/"false", "0.0"/"1.0"). Default "label".
        id_column: column holding unique ids; default none, ids are then ``"<file name>:<line>"``.
        delimiter: field separator; default by suffix (.csv -> ",", .tsv/.tab/.txt -> tab),
            else tab if the header line has one, else ",".

    Raises:
        UnreadableFileError, EmptyInputError, FormatError, InvalidCharacterError, DuplicateIdError,
        SingleClassError.
    """
    path = Path(path)
    text = _read_text(path)
    reader = csv.reader(io.StringIO(text), delimiter=_delimiter(path, text, delimiter))
    header = next(reader, None)
    if not header:
        raise EmptyInputError(f"{path}: empty file (expected a header row)")
    header = [h.strip() for h in header]
    cols = [_column(path, header, n, r) for n, r in ((sequence_column, "sequence"), (label_column, "label"))]
    id_col = None if id_column is None else _column(path, header, id_column, "id")
    ids, seqs, labels, lines = _table_rows(path, reader, cols[0], cols[1], id_col)
    _check_unique([(i, f"{path}:{n}") for i, n in zip(ids, lines, strict=True)])
    return SequenceSet(tuple(ids), tuple(seqs), np.asarray(labels, dtype=np.int64), str(path))


def _table_rows(
    path: Path, reader: Iterable[list[str]], seq_col: int, label_col: int, id_col: int | None
) -> tuple[list[str], list[str], list[int], list[int]]:
    """Parse data rows; returns ids, sequences, labels and line numbers (the header is line 1)."""
    ids: list[str] = []
    lines: list[int] = []
    seqs: list[str] = []
    labels: list[int] = []
    width = max(seq_col, label_col, id_col or 0) + 1
    for line_no, row in enumerate(reader, start=2):
        if not any(cell.strip() for cell in row):
            continue
        if len(row) < width:
            raise FormatError(f"{path}:{line_no}: row has {len(row)} fields, expected at least {width}")
        record_id = row[id_col].strip() if id_col is not None else f"{path.name}:{line_no}"
        sequence = row[seq_col].strip()
        if not sequence:
            raise EmptyInputError(f"{path}:{line_no}: empty sequence for {record_id!r}")
        _check_alphabet(path, line_no, sequence, record_id)
        ids.append(record_id)
        seqs.append(sequence.upper())
        labels.append(_label(path, line_no, row[label_col]))
        lines.append(line_no)
    if not seqs:
        raise EmptyInputError(f"{path}: no data rows after the header")
    return ids, seqs, labels, lines
