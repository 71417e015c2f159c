"""CSV files as an LMS wrote them, read so that they can be written back changed in a few cells only.

An LMS's importer is pickier than a spreadsheet: Moodle matches its own column names, Canvas its own
header rows. So a roster is never re-serialised: :class:`RawCsv` keeps the decoded text and, for every
cell, where it sits in that text; :meth:`RawCsv.replaced` swaps the text of chosen cells and leaves
every other byte as downloaded (encoding, byte-order mark, quoting, line ends, column order).

Rows are numbered as a spreadsheet shows them: the header is row 1. A row is one CSV record (a quoted
cell may span lines).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from grader.errors import LmsFileError

__all__ = ["Cell", "RawCsv", "quote_cell", "read_raw_csv"]

_BOM = "\ufeff"
_ENCODINGS = ("utf-8", "cp1252")


@dataclass(frozen=True, slots=True)
class Cell:
    """One cell: its value and where its raw text (quotes included) starts and ends in the file's text."""

    value: str
    start: int
    end: int


@dataclass(frozen=True)
class RawCsv:
    """A CSV file as read: decoded text (without BOM), how it was stored, and every row's cells."""

    path: Path
    text: str
    encoding: str
    bom: bool
    delimiter: str
    newline: str
    rows: tuple[tuple[Cell, ...], ...]

    def values(self, row: int) -> list[str]:
        """The values of spreadsheet row ``row`` (1 = the header)."""
        return [c.value for c in self.rows[row - 1]]

    def where(self, row: int) -> str:
        """``"<file> row <n>"`` for messages."""
        return f"{self.path} row {row}"

    def replaced(self, cells: Mapping[tuple[int, int], str]) -> bytes:
        """The file's bytes with cell ``(row, column)`` (row 1 = header, column 0-based) set to each value.

        A new value is quoted when it needs it (:func:`quote_cell`); everything else is kept as read.
        Raises ``LmsFileError`` for a cell the file does not have.
        """
        spans: list[tuple[int, int, str]] = []
        for (row, column), value in cells.items():
            if not 1 <= row <= len(self.rows) or not 0 <= column < len(self.rows[row - 1]):
                raise LmsFileError(f"{self.where(row)}: has no column {column + 1} to fill")
            cell = self.rows[row - 1][column]
            spans.append((cell.start, cell.end, quote_cell(value, self.delimiter)))
        parts, at = [], 0
        for start, end, raw in sorted(spans):
            parts += [self.text[at:start], raw]
            at = end
        parts.append(self.text[at:])
        text = (_BOM if self.bom else "") + "".join(parts)
        return text.encode(self.encoding, errors="xmlcharrefreplace")


def quote_cell(value: str, delimiter: str = ",") -> str:
    """``value`` as CSV cell text: quoted (with inner quotes doubled) when it holds a delimiter, quote,
    line break or leading/trailing space, else as is."""
    if any(ch in value for ch in (delimiter, '"', "\n", "\r")) or value != value.strip():
        return '"' + value.replace('"', '""') + '"'
    return value


def _decode(path: Path, data: bytes) -> tuple[str, str, bool]:
    """``(text, encoding, bom)``: UTF-8 (with or without BOM), else Windows-1252 (a spreadsheet's save)."""
    bom = data.startswith(b"\xef\xbb\xbf")
    body = data[3:] if bom else data
    for encoding in _ENCODINGS if not bom else ("utf-8",):
        try:
            return body.decode(encoding), encoding, bom
        except UnicodeDecodeError:
            continue
    raise LmsFileError(f"{path}: neither UTF-8 nor Windows-1252 text; download the file from the LMS again")


def _newline(text: str) -> str:
    index = text.find("\n")
    return "\r\n" if index > 0 and text[index - 1] == "\r" else "\n"


def _delimiter(text: str) -> str:
    """``,`` unless the header line has semicolons and no commas (Canvas's "semicolon" export setting)."""
    first = text.split("\n", 1)[0]
    return ";" if ";" in first and "," not in first else ","


def _quoted(path: Path, text: str, i: int, row: int) -> tuple[str, int]:
    """The value of the quoted cell whose opening quote is at ``i``, and the index after its closing quote."""
    parts, i = [], i + 1
    while True:
        j = text.find('"', i)
        if j < 0:
            raise LmsFileError(f"{path} row {row}: a quoted cell is never closed (a broken CSV file)")
        parts.append(text[i:j])
        if text.startswith('""', j):
            parts.append('"')
            i = j + 2
            continue
        return "".join(parts), j + 1


def _tokenize(path: Path, text: str, delimiter: str) -> list[tuple[Cell, ...]]:
    """Every record of ``text`` as cells with their spans (RFC 4180; ``\\n`` or ``\\r\\n`` line ends)."""
    rows: list[tuple[Cell, ...]] = []
    cells: list[Cell] = []
    i, n = 0, len(text)
    stops = (delimiter, "\r", "\n")
    while i < n or cells:
        start = i
        if i < n and text[i] == '"':
            value, i = _quoted(path, text, i, len(rows) + 1)
            if i < n and text[i] not in stops:
                raise LmsFileError(f"{path} row {len(rows) + 1}: text after a closing quote (a broken CSV file)")
        else:
            j = i
            while j < n and text[j] not in stops:
                j += 1
            value, i = text[i:j], j
        cells.append(Cell(value, start, i))
        if i < n and text[i] == delimiter:
            i += 1
            if i == n:  # a trailing delimiter: one more empty cell
                cells.append(Cell("", i, i))
            else:
                continue
        rows.append(tuple(cells))
        cells = []
        if i < n and text[i] == "\r":
            i += 1
        if i < n and text[i] == "\n":
            i += 1
    return rows


def read_raw_csv(path: Path) -> RawCsv:
    """Read ``path`` keeping how it is stored; raises ``LmsFileError`` naming the file when it cannot."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LmsFileError(f"{path}: cannot read ({exc.strerror or exc})") from exc
    text, encoding, bom = _decode(path, data)
    delimiter = _delimiter(text)
    rows = _tokenize(path, text, delimiter)
    if not rows:
        raise LmsFileError(f"{path}: the file is empty")
    return RawCsv(path, text, encoding, bom, delimiter, _newline(text), tuple(rows))
