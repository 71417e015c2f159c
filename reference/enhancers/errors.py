"""Errors raised when sequence data cannot be used. Every message names the file (and line).

Tree::

    ValueError
    └── DataError                  any problem with the input data
        ├── EmptyInputError        no records, or a record with an empty sequence
        ├── SingleClassError       all sequences carry the same label
        ├── InvalidCharacterError  a character outside A, C, G, T, N (case-insensitive)
        ├── DuplicateIdError       the same sequence id twice (within or across files)
        ├── LengthMismatchError    unequal lengths under the length policy "equal"
        ├── FormatError            malformed FASTA (data before a header) or CSV/TSV (column, label)
        └── UnreadableFileError    missing, unreadable, bad gzip or not text  (also an OSError)
"""

from __future__ import annotations

__all__ = [
    "DataError",
    "DuplicateIdError",
    "EmptyInputError",
    "FormatError",
    "InvalidCharacterError",
    "LengthMismatchError",
    "SingleClassError",
    "UnreadableFileError",
]


class DataError(ValueError):
    """Sequence data that cannot be used; the message names the file, line and bad value."""


class EmptyInputError(DataError):
    """A file holds no records, or a record has an empty sequence."""


class SingleClassError(DataError):
    """All sequences carry the same label, so no classifier can be trained or evaluated."""


class InvalidCharacterError(DataError):
    """A sequence holds a character outside A, C, G, T, N (case-insensitive)."""


class DuplicateIdError(DataError):
    """Two records share an id."""


class LengthMismatchError(DataError):
    """Sequences differ in length and the length policy forbids padding or cropping."""


class FormatError(DataError):
    """A FASTA file has data before its first header, or a CSV/TSV file lacks a column or has a bad row/label."""


class UnreadableFileError(DataError, OSError):
    """A file is missing, unreadable, a broken gzip stream or not UTF-8 text."""
