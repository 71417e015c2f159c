"""Geometry of sequence logos, drawn as inline SVG from the glyphs in :mod:`grader.render._glyphs`.

Two kinds, both from a matrix of shape ``(4, width)`` with rows in A, C, G, T order:

- :func:`weight_logo` for a first-layer convolution kernel: per position the weights are centred
  (mean over the four bases subtracted); positive parts stack above the baseline, negative below.
  Centring keeps what a kernel can distinguish and drops the per-position offset it cannot.
- :func:`information_logo` for a position frequency or count matrix (JASPAR): letter height is the
  base's probability times the column's information content, 0 to 2 bits.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from grader.render._glyphs import BASE_COLORS

__all__ = ["Letter", "Logo", "information_logo", "reverse_complement", "weight_logo"]

BASES = "ACGT"
_COLUMN_PX = 13.0
_HEIGHT_PX = 56.0
_PAD = 3.0
_MIN_LETTER_PX = 0.75


@dataclass(frozen=True, slots=True)
class Letter:
    """One stretched glyph: base ``base`` filling the box ``(x, y, width, height)`` in pixels."""

    base: str
    x: float
    y: float
    width: float
    height: float
    color: str


@dataclass(frozen=True, slots=True)
class Logo:
    """A complete logo in pixels; ``baseline`` is the y of the zero line."""

    width: float
    height: float
    baseline: float
    letters: tuple[Letter, ...]
    y_label: str
    caption: str


def _check(matrix: Sequence[Sequence[float]], who: str) -> None:
    """Raise ``ValueError`` unless ``matrix`` has four rows of equal, non-zero length."""
    lengths = {len(row) for row in matrix}
    if len(matrix) != 4 or len(lengths) != 1 or 0 in lengths:
        raise ValueError(f"{who}: expected a (4, width) matrix in A, C, G, T order, got row lengths {sorted(lengths)}")


def _stack(heights: Sequence[tuple[str, float]], x: float, baseline: float, scale: float, up: bool) -> list[Letter]:
    """Letters for one column's ``(base, height)`` pairs, the largest farthest from the baseline."""
    letters = []
    offset = 0.0
    for base, h in sorted(heights, key=lambda bh: bh[1]):
        px = h * scale
        if px >= _MIN_LETTER_PX:
            y = baseline - offset - px if up else baseline + offset
            letters.append(Letter(base, round(x, 1), round(y, 2), _COLUMN_PX - 1, round(px, 2), BASE_COLORS[base]))
        offset += px
    return letters


def weight_logo(kernel: Sequence[Sequence[float]], caption: str = "") -> Logo:
    """A logo of a convolution kernel of shape ``(4, width)``: centred weights, above and below zero."""
    _check(kernel, "weight_logo")
    width = len(kernel[0])
    columns: list[list[tuple[str, float]]] = []
    for j in range(width):
        values = [float(kernel[i][j]) for i in range(4)]
        mean = sum(values) / 4
        columns.append([(BASES[i], values[i] - mean) for i in range(4)])
    up = max(sum(h for _, h in c if h > 0) for c in columns)
    down = max(sum(-h for _, h in c if h < 0) for c in columns)
    scale = (_HEIGHT_PX - 2 * _PAD) / ((up + down) or 1.0)
    baseline = _PAD + up * scale
    letters: list[Letter] = []
    for j, col in enumerate(columns):
        x = _PAD + j * _COLUMN_PX
        letters += _stack([(b, h) for b, h in col if h > 0], x, baseline, scale, up=True)
        letters += _stack([(b, -h) for b, h in col if h < 0], x, baseline, scale, up=False)
    return Logo(2 * _PAD + width * _COLUMN_PX, _HEIGHT_PX, round(baseline, 2), tuple(letters), "weight", caption)


def information_logo(matrix: Sequence[Sequence[float]], caption: str = "") -> Logo:
    """An information-content logo (0-2 bits) of a count or frequency matrix of shape ``(4, width)``."""
    _check(matrix, "information_logo")
    width = len(matrix[0])
    scale = (_HEIGHT_PX - 2 * _PAD) / 2.0
    baseline = _HEIGHT_PX - _PAD
    letters: list[Letter] = []
    for j in range(width):
        counts = [max(matrix[i][j], 0.0) for i in range(4)]
        total = sum(counts) or 1.0
        probs = [c / total for c in counts]
        info = 2.0 + sum(p * math.log2(p) for p in probs if p > 0)
        heights = [(BASES[i], probs[i] * info) for i in range(4)]
        letters += _stack(heights, _PAD + j * _COLUMN_PX, baseline, scale, up=True)
    return Logo(2 * _PAD + width * _COLUMN_PX, _HEIGHT_PX, baseline, tuple(letters), "bits", caption)


def reverse_complement(matrix: Sequence[Sequence[float]]) -> tuple[tuple[float, ...], ...]:
    """The ``(4, width)`` matrix of the reverse-complement strand (columns reversed, A<->T, C<->G)."""
    _check(matrix, "reverse_complement")
    return tuple(tuple(reversed(matrix[3 - i])) for i in range(4))
