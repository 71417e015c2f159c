"""Week 11's rubric ``data:`` kinds: enhancer sequences as ``synthetic`` (generated from a seed), ``fasta``
(two files) or ``table`` (a CSV/TSV with a sequence and a label column). Registered with the pack as owner,
so only an ``assignment: week11`` rubric may name them; ``data.py`` turns them into the grading data.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Literal

from pydantic import Strict, ValidationInfo, field_validator

from grader.rubric._base import Count, Positive, Text
from grader.rubric._sections import DATA_SOURCES, DataSource, resolve_path

__all__ = ["FastaData", "SyntheticData", "TableData"]


@DATA_SOURCES.register("synthetic", owner="week11")
class SyntheticData(DataSource):
    """Sequences generated from ``seed`` (no files; used by the demo and tests)."""

    kind: Literal["synthetic"] = "synthetic"
    seed: Count
    n_per_class: Positive | None = None


@DATA_SOURCES.register("fasta", owner="week11")
class FastaData(DataSource):
    """Two FASTA files: ``positive`` (label 1) and ``negative`` (label 0)."""

    kind: Literal["fasta"] = "fasta"
    positive: Path
    negative: Path

    @field_validator("positive", "negative")
    @classmethod
    def _relative_to_rubric(cls, path: Path, info: ValidationInfo) -> Path:
        return resolve_path(path, info)


@DATA_SOURCES.register("table", owner="week11")
class TableData(DataSource):
    """A CSV/TSV file with a sequence column and a label column; ``positive_label`` marks label 1."""

    kind: Literal["table"] = "table"
    path: Path
    sequence_column: Text = "sequence"
    label_column: Text = "label"
    positive_label: Annotated[str, Strict()] | Annotated[int, Strict()] = 1

    @field_validator("path")
    @classmethod
    def _relative_to_rubric(cls, path: Path, info: ValidationInfo) -> Path:
        return resolve_path(path, info)
