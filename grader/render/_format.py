"""Small text helpers shared by the report builders and the exports (no I/O)."""

from __future__ import annotations

import re

__all__ = ["format_points", "safe_file_stem", "strip_ansi"]

_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]")
_UNSAFE = re.compile(r"[^A-Za-z0-9._@+-]")


def format_points(value: float, digits: int = 2) -> str:
    """Points as short decimal text: ``2.0 -> "2"``, ``1.5 -> "1.5"``, ``1/3 -> "0.33"``.

    Rounded to ``digits`` decimals (default 2), trailing zeros dropped, never ``"-0"``.

    >>> [format_points(x) for x in (2.0, 1.5, 1 / 3, -0.0001)]
    ['2', '1.5', '0.33', '0']
    >>> format_points(1 / 3, digits=4)
    '0.3333'
    """
    text = f"{round(value, digits):.{digits}f}".rstrip("0").rstrip(".")
    return "0" if text in {"-0", ""} else text


def strip_ansi(text: str) -> str:
    r"""``text`` without ANSI colour codes (IPython tracebacks carry them).

    >>> strip_ansi("\x1b[0;31mValueError\x1b[0m: bad")
    'ValueError: bad'
    """
    return _ANSI.sub("", text)


def safe_file_stem(student_id: str) -> str:
    """A file name stem for ``student_id``: letters, digits and ``._@+-`` kept, anything else ``_``.

    >>> safe_file_stem("s01/../x y")
    's01_.._x_y'
    """
    stem = _UNSAFE.sub("_", student_id).strip(".")
    return stem or "_"
