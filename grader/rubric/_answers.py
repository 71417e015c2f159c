"""Read students' answers the way they really write them, and say why when an answer cannot be read.

Choices: ``"Incorrect"``, ``"incorrect "``, ``False``, ``"[x] Incorrect"``, ``"Correct: [ ] Incorrect: [x]"``,
``"**Batch Norm**"``, ``"batchnorm"``, ``"BN"`` are compared after :func:`choice_key` (case, spaces,
``_``/``-``, markdown, quotes and a trailing full stop do not matter). Numbers: ``0``, ``0.0``, ``"42."``,
``" 42 "``, ``"x_1 = 0"``, ``"x1=0"``, ``"$x_1 = 0$"``, ``"0,5"`` (decimal comma), ``"-1/2"``; ``"forty-two"``
and ``True`` are unreadable. Nothing here raises for a student's answer.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from fractions import Fraction

from grader.records.collected import Scalar

__all__ = ["Unreadable", "choice_key", "read_choice", "read_number"]

_TICKED = re.compile(r"\[\s*[xX✓✔✗×]\s*\]")
_EMPTY_BOX = re.compile(r"\[\s*\]")
_BOX_FIRST = re.compile(r"[\s\-*•]*\[")
_DECORATION = re.compile(r"[*`\"'“”‘’$]")
_SEPARATORS = re.compile(r"[\s_\-]+")
_EDGES = " .!?:;,-()"
_DECIMAL = re.compile(r"^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$")
_DECIMAL_COMMA = re.compile(r"^[+-]?\d+,\d+$")
_FRACTION = re.compile(r"^[+-]?\d+\s*/\s*\d+$")


@dataclass(frozen=True, slots=True)
class Unreadable:
    """Why an answer could not be read (shown to the student)."""

    reason: str


def _ticked_label(text: str) -> str | Unreadable:
    """The label of the one ticked box in ``text``.

    A line that starts with a box (``- [x] Incorrect``) labels boxes by the words after them; otherwise
    (``Correct: [ ] Incorrect: [x]``) by the words before them.
    """
    boxes = list(_TICKED.finditer(text))
    if len(boxes) > 1:
        return Unreadable(f"{len(boxes)} boxes are ticked in {text!r}; tick exactly one")
    box = boxes[0]
    line_start = text.rfind("\n", 0, box.start()) + 1
    box_first = _BOX_FIRST.match(text, line_start) is not None
    return _segment_after(text, box.end()) if box_first else _segment_before(text, box.start())


def _segment_after(text: str, start: int) -> str:
    stop = re.compile(r"\[|\n").search(text, start)
    return text[start : stop.start()] if stop else text[start:]


def _segment_before(text: str, end: int) -> str:
    starts = [m.end() for m in re.finditer(r"\]|\n", text[:end])]
    return text[starts[-1] if starts else 0 : end]


def choice_key(value: Scalar) -> str | Unreadable:
    """A comparison key for a choice answer or alias: lower case, no spaces, no markdown.

    Examples: ``"[x] Batch-Norm."`` -> ``"batchnorm"``; ``False`` -> ``"false"``.
    """
    if value is None:
        return Unreadable("the answer is empty (None)")
    if isinstance(value, bool):
        return "true" if value else "false"
    text = unicodedata.normalize("NFKC", value if isinstance(value, str) else f"{value:g}")
    if _TICKED.search(text):
        label = _ticked_label(text)
        if isinstance(label, Unreadable):
            return label
        text = label
    text = _EMPTY_BOX.sub(" ", text).lstrip(" -•\t")
    text = _SEPARATORS.sub(" ", _DECORATION.sub("", text).casefold()).strip(_EDGES)
    return text.replace(" ", "") or Unreadable(f"the answer {value!r} is empty")


def read_choice(value: Scalar, table: Mapping[str, str]) -> str | Unreadable:
    """The option ``value`` names, given ``table`` (choice key -> option), or why it names none."""
    key = choice_key(value)
    if isinstance(key, Unreadable):
        return key
    if key in table:
        return table[key]
    options = sorted(set(table.values()))
    return Unreadable(f"could not match {value!r} to an option; expected one of {options}")


def _number_text(text: str) -> str:
    text = unicodedata.normalize("NFKC", text).replace("−", "-").strip().strip("$").strip()
    if "=" in text:
        text = text.rsplit("=", 1)[1]
    return text.strip().strip("$").strip()


def _parse_number(text: str) -> float | None:
    if _DECIMAL.match(text):
        return float(text)
    if _DECIMAL_COMMA.match(text):
        return float(text.replace(",", "."))
    if _FRACTION.match(text):
        top, bottom = (int(p) for p in text.replace(" ", "").split("/"))
        return float(Fraction(top, bottom)) if bottom else None
    return None


def read_number(value: Scalar) -> float | Unreadable:
    """The number ``value`` states, or why it states none.

    Examples: ``"x_1 = 0"`` -> 0.0; ``"42."`` -> 42.0; ``"forty-two"`` -> ``Unreadable(...)``.
    """
    if value is None:
        return Unreadable("the answer is empty (None)")
    if isinstance(value, bool):
        return Unreadable(f"expected a number, got {value!r} (a yes/no value)")
    if isinstance(value, int | float):
        number: float | None = float(value)
    else:
        number = _parse_number(_number_text(value))
    if number is None:
        return Unreadable(f"could not read {value!r} as a number")
    if not math.isfinite(number):
        return Unreadable(f"expected a finite number, got {value!r}")
    return number
