"""Outlines of the letters A, C, G and T for sequence logos (DejaVu Sans Bold).

Extracted once from ``matplotlib.textpath.TextPath`` at size 100 and stored here as SVG path data in a
box of ``width x height`` with the origin at the top left, so that rendering needs neither matplotlib
nor a font. Each glyph is stretched to its logo cell with ``preserveAspectRatio="none"``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["BASE_COLORS", "GLYPHS", "Glyph"]


@dataclass(frozen=True, slots=True)
class Glyph:
    """One letter's outline: SVG path ``d`` inside a ``width x height`` box."""

    width: float
    height: float
    d: str


GLYPHS: dict[str, Glyph] = {
    "A": Glyph(
        76.9,
        72.9,
        "M53.4 59.6L24.0 59.6L19.4 72.9L0.5 72.9L27.5 0.0L49.9 0.0L76.9 72.9L58.0 72.9L53.4 59.6Z"
        "M28.7 46.1L48.7 46.1L38.7 17.1L28.7 46.1Z",
    ),
    "C": Glyph(
        67.0,
        75.6,
        "M67.0 70.2Q61.8 72.9 56.2 74.3Q50.6 75.6 44.5 75.6Q26.3 75.6 15.6 65.5Q5.0 55.3 5.0 37.8"
        "Q5.0 20.4 15.6 10.2Q26.3 0.0 44.5 0.0Q50.6 0.0 56.2 1.4Q61.8 2.7 67.0 5.4L67.0 20.5"
        "Q61.8 16.9 56.7 15.3Q51.6 13.6 46.0 13.6Q35.9 13.6 30.2 20.1Q24.4 26.5 24.4 37.8"
        "Q24.4 49.1 30.2 55.6Q35.9 62.0 46.0 62.0Q51.6 62.0 56.7 60.4Q61.8 58.7 67.0 55.1L67.0 70.2Z",
    ),
    "G": Glyph(
        74.7,
        75.6,
        "M74.7 68.8Q67.7 72.2 60.1 73.9Q52.5 75.6 44.5 75.6Q26.3 75.6 15.6 65.5Q5.0 55.3 5.0 37.8"
        "Q5.0 20.2 15.8 10.1Q26.7 0.0 45.5 0.0Q52.8 0.0 59.4 1.4Q66.1 2.7 72.0 5.4L72.0 20.5"
        "Q65.9 17.0 59.9 15.3Q53.9 13.6 47.8 13.6Q36.6 13.6 30.5 19.9Q24.4 26.2 24.4 37.8"
        "Q24.4 49.4 30.3 55.7Q36.1 62.0 46.9 62.0Q49.9 62.0 52.4 61.7Q54.9 61.3 56.9 60.5"
        "L56.9 46.3L45.4 46.3L45.4 33.7L74.7 33.7L74.7 68.8Z",
    ),
    "T": Glyph(
        67.7,
        72.9,
        "M0.5 0.0L67.7 0.0L67.7 14.2L43.5 14.2L43.5 72.9L24.7 72.9L24.7 14.2L0.5 14.2L0.5 0.0Z",
    ),
}

BASE_COLORS: dict[str, str] = {"A": "#109648", "C": "#255c99", "G": "#f7b32b", "T": "#d62839"}
"""The conventional nucleotide colours (A green, C blue, G amber, T red)."""
