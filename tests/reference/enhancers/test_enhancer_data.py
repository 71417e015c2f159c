"""Readers for FASTA pairs and CSV/TSV tables, plain and gzip, and every data error message."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np
import pytest

from reference.enhancers.data import read_fasta, read_fasta_pair, read_table
from reference.enhancers.errors import (
    DataError,
    DuplicateIdError,
    EmptyInputError,
    FormatError,
    InvalidCharacterError,
    SingleClassError,
    UnreadableFileError,
)


def _write(path: Path, text: str, *, gz: bool = False) -> Path:
    path.write_bytes(gzip.compress(text.encode()) if gz else text.encode())
    return path


@pytest.mark.parametrize("gz", [False, True])
def test_fasta_pair_plain_and_gzip(tmp_path: Path, gz: bool) -> None:
    pos = _write(tmp_path / "liver.fa", ">a chr1:1-4 liver\nACgt\nNN\n\n>b\nTTTT\n", gz=gz)
    neg = _write(tmp_path / "other.fa.gz", ">c\nGGGG\n", gz=gz)
    data = read_fasta_pair(pos, neg)
    assert data.ids == ("a", "b", "c")
    assert data.sequences == ("ACGTNN", "TTTT", "GGGG")
    assert data.labels.tolist() == [1, 1, 0]
    assert read_fasta(pos)[0].description == "chr1:1-4 liver"


@pytest.mark.parametrize(("suffix", "sep"), [(".csv", ","), (".tsv", "\t"), (".tsv.gz", "\t")])
def test_tables(tmp_path: Path, suffix: str, sep: str) -> None:
    text = (
        sep.join(["name", "sequence", "label"])
        + "\n"
        + "\n".join(sep.join(row) for row in [("s1", "acgt", "1"), ("s2", "CCCC", "0"), ("s3", "GG", "true")])
    )
    path = _write(tmp_path / f"data{suffix}", text + "\n", gz=suffix.endswith(".gz"))
    data = read_table(path, id_column="name")
    assert data.ids == ("s1", "s2", "s3") and data.sequences[0] == "ACGT"
    assert data.labels.tolist() == [1, 0, 1]
    assert read_table(path).ids[0] == f"data{suffix}:2"


def test_empty_file(tmp_path: Path) -> None:
    path = _write(tmp_path / "empty.fa", "\n\n")
    with pytest.raises(EmptyInputError, match=r"empty\.fa: no FASTA records"):
        read_fasta(path)


def test_empty_sequence_names_line(tmp_path: Path) -> None:
    path = _write(tmp_path / "x.fa", ">a\nACGT\n>b\n>c\nAC\n")
    with pytest.raises(EmptyInputError, match=r"x\.fa:3: record 'b' has an empty sequence"):
        read_fasta(path)


def test_one_class_only(tmp_path: Path) -> None:
    path = _write(tmp_path / "t.csv", "sequence,label\nACGT,1\nCCCC,1\n")
    with pytest.raises(SingleClassError, match=r"t\.csv: all 2 sequences have label 1"):
        read_table(path)


def test_invalid_character_names_file_line_column(tmp_path: Path) -> None:
    path = _write(tmp_path / "bad.fa", ">a\nACGT\nACXT\n")
    with pytest.raises(
        InvalidCharacterError, match=r"bad\.fa:3: invalid character 'X' at column 3 in sequence 'a'"
    ):
        read_fasta(path)
    table = _write(tmp_path / "bad.tsv", "sequence\tlabel\nAC-T\t1\n")
    with pytest.raises(InvalidCharacterError, match=r"bad\.tsv:2: invalid character '-'"):
        read_table(table)


def test_duplicate_ids_within_and_across_files(tmp_path: Path) -> None:
    dup = _write(tmp_path / "dup.fa", ">a\nAC\n>a\nGT\n")
    with pytest.raises(DuplicateIdError, match=r"dup\.fa:3: duplicate id 'a' \(first seen at .*dup\.fa:1\)"):
        read_fasta(dup)
    pos, neg = _write(tmp_path / "p.fa", ">x\nAC\n"), _write(tmp_path / "n.fa", ">y\nAC\n>x\nGG\n")
    with pytest.raises(DuplicateIdError, match=r"n\.fa:3: duplicate id 'x' \(first seen at .*p\.fa:1\)"):
        read_fasta_pair(pos, neg)


def test_unreadable_files(tmp_path: Path) -> None:
    with pytest.raises(UnreadableFileError, match=r"missing\.fa: cannot read \(FileNotFoundError"):
        read_fasta(tmp_path / "missing.fa")
    broken = tmp_path / "broken.fa.gz"
    broken.write_bytes(gzip.compress(b">a\nACGT\n")[:12])
    with pytest.raises(UnreadableFileError, match=r"broken\.fa\.gz: cannot read"):
        read_fasta(broken)
    binary = tmp_path / "binary.fa"
    binary.write_bytes(b">a\n\xff\xfe\n")
    with pytest.raises(UnreadableFileError, match="UnicodeDecodeError"):
        read_fasta(binary)
    assert issubclass(UnreadableFileError, OSError) and issubclass(UnreadableFileError, DataError)


def test_format_errors(tmp_path: Path) -> None:
    with pytest.raises(FormatError, match=r"x\.fa:1: sequence data before the first '>' header"):
        read_fasta(_write(tmp_path / "x.fa", "ACGT\n>a\nAC\n"))
    with pytest.raises(FormatError, match=r"no label column 'label'; columns are \['sequence', 'class'\]"):
        read_table(_write(tmp_path / "c.csv", "sequence,class\nAC,1\n"))
    with pytest.raises(FormatError, match=r"l\.csv:3: label 'maybe' is not one of"):
        read_table(_write(tmp_path / "l.csv", "sequence,label\nAC,1\nGG,maybe\n"))


def test_subset_keeps_validation(tmp_path: Path) -> None:
    data = read_table(_write(tmp_path / "t.csv", "sequence,label\nAC,1\nGG,0\nTT,1\n"))
    assert data.subset(np.array([0, 1])).sequences == ("AC", "GG")
    with pytest.raises(SingleClassError):
        data.subset([0, 2])
    assert data.lengths.tolist() == [2, 2, 2] and data.n_positive == 2 and len(data) == 3
