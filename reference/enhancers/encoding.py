"""One-hot encoding of DNA, with explicit policies for N and for unequal lengths.

Layout: float32 arrays of shape (N, 4, L), channel order A, C, G, T.

Policy for N: **an all-zero column** (no base is asserted). Padding uses the same all-zero column,
so the model sees padding and N alike; ``decode_one_hot`` maps an all-zero column back to "N".

Policy for unequal lengths (``length`` argument of :func:`encode`, never silent, always recorded in
the returned :class:`LengthReport`):

- ``"max"`` (default): pad every sequence to the longest, centred (no information lost);
- ``"median"``: pad shorter and crop longer sequences to the median length, both centred;
- an ``int``: pad or crop to exactly that length, centred;
- ``"equal"``: require equal lengths, else raise :class:`~.errors.LengthMismatchError`.

Centred means: pad ``(L - n) // 2`` zero columns on the left and the rest on the right; crop
keeps ``seq[(n - L) // 2 : (n - L) // 2 + L]``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import numpy.typing as npt

from .data import SequenceSet
from .errors import DataError, InvalidCharacterError, LengthMismatchError

__all__ = [
    "ALPHABET",
    "EncodedSet",
    "LengthPolicy",
    "LengthReport",
    "decode_one_hot",
    "encode",
    "fit_lengths",
    "one_hot",
    "reverse_complement",
]

ALPHABET: Final = "ACGT"
LengthPolicy = int | Literal["max", "median", "equal"]
FloatArray = npt.NDArray[np.float32]


def _lookup_table() -> FloatArray:
    table = np.full((256, 4), np.nan, dtype=np.float32)
    for char in "Nn":
        table[ord(char)] = 0.0
    for i, base in enumerate(ALPHABET):
        table[ord(base)] = table[ord(base.lower())] = np.eye(4, dtype=np.float32)[i]
    return table


_TABLE: Final = _lookup_table()


@dataclass(frozen=True)
class LengthReport:
    """What :func:`fit_lengths` did.

    Attributes:
        policy: the ``length`` argument as given ("max", "median", "equal" or the int).
        target_length: the common length L after fitting.
        min_length, max_length: input length range.
        n_padded: sequences made longer; n_cropped: sequences made shorter.
    """

    policy: str
    target_length: int
    min_length: int
    max_length: int
    n_padded: int
    n_cropped: int


@dataclass(frozen=True, eq=False)
class EncodedSet:
    """A one-hot encoded :class:`~.data.SequenceSet`.

    Attributes:
        x: float32, shape (N, 4, L), order A, C, G, T; N and padding are all-zero columns.
        y: int64 labels, shape (N,).
        ids: sequence ids, shape (N,).
        report: how lengths were made equal.
    """

    x: FloatArray
    y: npt.NDArray[np.int64]
    ids: tuple[str, ...]
    report: LengthReport


def _target(lengths: npt.NDArray[np.int64], length: LengthPolicy) -> int:
    if isinstance(length, bool) or not isinstance(length, int | str):
        raise ValueError(f"fit_lengths: length must be an int, 'max', 'median' or 'equal', got {length!r}")
    if isinstance(length, int):
        if length < 1:
            raise ValueError(f"fit_lengths: length must be >= 1, got {length}")
        return length
    if length == "max" or length == "equal":
        return int(lengths.max())
    if length == "median":
        return int(np.median(lengths))
    raise ValueError(
        f"fit_lengths: unknown length policy {length!r}; expected an int, 'max', 'median' or 'equal'"
    )


def _fit_one(seq: str, target: int) -> str:
    n = len(seq)
    if n >= target:
        start = (n - target) // 2
        return seq[start : start + target]
    left = (target - n) // 2
    return "N" * left + seq + "N" * (target - n - left)


def fit_lengths(sequences: Sequence[str], length: LengthPolicy = "max") -> tuple[list[str], LengthReport]:
    """Pad (with N) or crop every sequence to one length, centred.

    Args:
        sequences: N strings over ACGTN.
        length: "max" (default), "median", "equal" or an int; see the module docstring.

    Returns:
        The fitted sequences (N strings of length L) and a :class:`LengthReport`.

    Raises:
        LengthMismatchError: ``length="equal"`` and lengths differ (names the first offender).
    """
    if not sequences:
        raise DataError("fit_lengths: no sequences")
    lengths = np.fromiter((len(s) for s in sequences), dtype=np.int64, count=len(sequences))
    target = _target(lengths, length)
    if length == "equal" and int(lengths.min()) != target:
        i = int(np.argmin(lengths))
        raise LengthMismatchError(
            f"fit_lengths: sequence {i} has length {lengths[i]}, others up to {target}; "
            "choose length='max', 'median' or an int to pad/crop"
        )
    fitted = [s if len(s) == target else _fit_one(s, target) for s in sequences]
    report = LengthReport(
        str(length),
        target,
        int(lengths.min()),
        int(lengths.max()),
        int((lengths < target).sum()),
        int((lengths > target).sum()),
    )
    return fitted, report


def one_hot(sequences: Sequence[str]) -> FloatArray:
    """One-hot encode equal-length sequences with one table lookup (no per-base Python loop).

    Args:
        sequences: N strings of equal length L over ACGTN (any case).

    Returns:
        float32 array of shape (N, 4, L), channel order A, C, G, T; N gives an all-zero column.

    Raises:
        LengthMismatchError: lengths differ (use :func:`fit_lengths` or :func:`encode`).
        InvalidCharacterError: a character outside ACGTN.

    Example:
        >>> one_hot(["ACGTN"])[0].astype(int).tolist()
        [[1, 0, 0, 0, 0], [0, 1, 0, 0, 0], [0, 0, 1, 0, 0], [0, 0, 0, 1, 0]]
    """
    if not sequences:
        return np.zeros((0, 4, 0), dtype=np.float32)
    width = len(sequences[0])
    bad = next((i for i, s in enumerate(sequences) if len(s) != width), None)
    if bad is not None:
        raise LengthMismatchError(
            f"one_hot: sequence {bad} has length {len(sequences[bad])}, sequence 0 has {width}; "
            "pad or crop first with fit_lengths() or encode(length=...)"
        )
    codes = np.frombuffer("".join(sequences).encode("latin-1", errors="replace"), dtype=np.uint8)
    encoded = _TABLE[codes]
    if np.isnan(encoded[:, 0]).any():
        pos = int(np.flatnonzero(np.isnan(encoded[:, 0]))[0])
        raise InvalidCharacterError(
            f"one_hot: sequence {pos // width} has {chr(codes[pos])!r} at position {pos % width + 1}; allowed: ACGTN"
        )
    return np.ascontiguousarray(encoded.reshape(len(sequences), width, 4).transpose(0, 2, 1))


def decode_one_hot(x: npt.NDArray[np.floating]) -> list[str]:
    """Invert :func:`one_hot`: (N, 4, L) -> N strings; all-zero columns become "N".

    Columns need not be exactly one-hot: each becomes its arg-max base unless it is all zero.
    """
    array = np.asarray(x)
    if array.ndim != 3 or array.shape[1] != 4:
        raise ValueError(f"decode_one_hot: expected shape (N, 4, L), got {array.shape}")
    letters = np.frombuffer(b"ACGTN", dtype=np.uint8)
    index = np.where(np.abs(array).sum(axis=1) == 0, 4, array.argmax(axis=1))
    return [row.tobytes().decode("ascii") for row in letters[index]]


def reverse_complement(x: npt.NDArray[np.float32]) -> FloatArray:
    """Reverse complement of one-hot sequences, shape (..., 4, L) -> (..., 4, L).

    With order A, C, G, T the complement reverses the channel axis and the strand reverses the
    length axis; all-zero (N/padding) columns stay all-zero.
    """
    array = np.asarray(x)
    if array.ndim < 2 or array.shape[-2] != 4:
        raise ValueError(f"reverse_complement: expected shape (..., 4, L), got {array.shape}")
    return np.ascontiguousarray(array[..., ::-1, ::-1])


def encode(data: SequenceSet, length: LengthPolicy = "max") -> EncodedSet:
    """One-hot encode a :class:`~.data.SequenceSet` after making lengths equal.

    Args:
        data: validated sequences and labels.
        length: length policy, default "max" (centred padding to the longest); see module docstring.

    Returns:
        An :class:`EncodedSet` with ``x`` of shape (N, 4, L) and the :class:`LengthReport`.
    """
    fitted, report = fit_lengths(data.sequences, length)
    return EncodedSet(one_hot(fitted), data.labels.copy(), data.ids, report)
