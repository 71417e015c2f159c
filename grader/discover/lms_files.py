"""Rosters from the LMS's own files: Moodle's grading worksheet and Canvas's gradebook export.

Where the shapes come from (each checked against the LMS's source):

- **Moodle** "Download grading worksheet" (Assignment -> View all submissions -> Grading action;
  ``mod/assign/feedback/offline/locallib.php: download_grades`` writes ``mod/assign/gradingtable.php``
  as CSV). Columns, in order: ``Identifier`` ("Participant N"), ``Full name``, the identity fields
  (``Email address``), ``Status``, [``Team``, ``Marker``], ``Grade``, ``Maximum Grade``, [``Marking
  workflow state``], ``Grade can be changed``, ``Last modified (submission)``, one column per submission
  text field (``Online text``), ``Last modified (grade)``, one column per feedback text field
  (``Feedback comments``). Times are ``userdate()`` text in the downloading user's language and time
  zone ("Friday, 4 December 2026, 11:59 PM", ``-`` when none); grades are ``format_float`` with the
  grade item's decimals in the user's language ("12.50", "12,50"). The upload
  (``importgradeslib.php``) finds ``Identifier``, ``Grade`` and ``Last modified (grade)`` by their
  names, reads the number after the "Participant " prefix, skips an empty grade and any grade above the
  assignment's maximum, and updates each feedback column found by its name.
- The number in "Participant N" is ``assign::get_uniqueid_for_user()``: the row id in
  ``assign_user_mapping`` for this assignment, not the Moodle user id, with or without blind marking.
  The submission download names each student's folder ``<Full name>_<N>_assignsubmission_file_`` with
  the same ``get_uniqueid_for_user()`` (``locallib.php: download_submissions``), so the grader's
  student id for a Moodle download (``grader.discover.names``) *is* N, and a worksheet row maps to it
  through N. (With blind marking the folder is ``Participant_<N>_...`` and the name is hidden.)
- **Canvas** "Export" of the gradebook (``lib/gradebook_exporter.rb``): header ``Student``, ``ID``,
  [``SIS User ID``], ``SIS Login ID``, [``Integration ID``], [``Root Account``], ``Section``, custom
  columns, one column per assignment headed ``"<title> (<assignment id>)"``, then read-only totals.
  Then, when an assignment posts grades manually, a row with empty student cells and ``Manual Posting``
  under those assignments (older Canvas: ``Muted``), then ``"    Points Possible"`` with each
  column's maximum; then one row per student, ``Student`` being "Last, First". The ``ID`` is Canvas's
  user id: the number a Canvas submission download puts in each file name
  (``lastfirst_<user id>_<attachment id>_<file>``), i.e. the grader's student id.

:func:`read_roster` detects which of the two a file is from its header.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from grader.discover.lms_csv import RawCsv, read_raw_csv
from grader.errors import LmsFileError

__all__ = [
    "CANVAS_STUDENT_COLUMNS",
    "MOODLE_REQUIRED",
    "LmsColumn",
    "Roster",
    "RosterStudent",
    "find_columns",
    "moodle_participant",
    "names_from_roster",
    "parse_number",
    "read_roster",
]

MOODLE_REQUIRED = ("Identifier", "Grade", "Maximum Grade", "Last modified (grade)")
"""Columns a Moodle worksheet must have (the upload needs Identifier, Grade, Last modified (grade)).
``Full name`` and ``Email address`` are missing when blind marking hides identities."""
CANVAS_STUDENT_COLUMNS = ("Student", "ID", "SIS User ID", "SIS Login ID", "Section")
_CANVAS_INFO = frozenset({*CANVAS_STUDENT_COLUMNS, "LastName", "FirstName", "Integration ID", "Root Account"})
_CANVAS_TOTALS = re.compile(r"(Current|Final|Unposted Current|Unposted Final|Override) (Score|Points|Grade)")
_CANVAS_ASSIGNMENT = re.compile(r"^(?P<title>.*) \((?P<id>\d+)\)$")
_PARTICIPANT = re.compile(r"^\D*?(?P<n>\d+)\s*$")
Lms = Literal["moodle", "canvas"]


@dataclass(frozen=True)
class RosterStudent:
    """One student as the LMS lists them. ``row``: the spreadsheet row (header = 1).

    ``student_id``: the grader's id for this student (Moodle: N of "Participant N"; Canvas: ``ID``).
    ``lms_id``: the LMS's own key as written (``"Participant 12345"``, Canvas ``ID``).
    ``submitted``: Moodle's "Last modified (submission)" text (``"-"`` when none; empty for Canvas).
    """

    student_id: str
    name: str
    row: int
    lms_id: str
    email: str = ""
    sis_user_id: str = ""
    sis_login_id: str = ""
    section: str = ""
    submitted: str = ""


@dataclass(frozen=True)
class LmsColumn:
    """A grade column of the roster: its header, 0-based index and maximum (``None``: not given)."""

    header: str
    index: int
    points_possible: float | None


@dataclass(frozen=True)
class Roster:
    """An LMS roster file: which LMS, the file as read, its students and grade columns.

    Moodle: ``columns`` is the one ``Grade`` column (its maximum from ``Maximum Grade``), ``feedback``
    the ``Feedback comments`` column (``None`` when the feedback comments plugin is off).
    Canvas: ``columns`` are the assignment columns (``"Week 11 (4242)"``), ``first_student_row`` the
    row after ``Points Possible``. ``decimal``: the decimal separator the file's numbers use.
    """

    lms: Lms
    csv: RawCsv
    students: tuple[RosterStudent, ...]
    columns: tuple[LmsColumn, ...]
    header: tuple[str, ...]
    first_student_row: int
    feedback: int | None = None
    decimal: str = "."

    @property
    def path(self) -> Path:
        return self.csv.path

    def by_id(self) -> dict[str, RosterStudent]:
        """Students by the grader's student id."""
        return {s.student_id: s for s in self.students}


def parse_number(text: str, decimal: str = ".") -> float | None:
    """``"12.50"``/``"12,50"`` (with ``decimal=","``) as a float; ``None`` for an empty cell or ``-``."""
    cleaned = text.strip().replace(" ", "").replace("\u00a0", "")
    if cleaned in ("", "-"):
        return None
    if decimal != ".":
        cleaned = cleaned.replace(".", "").replace(decimal, ".")
    try:
        return float(cleaned)
    except ValueError:
        return None


def find_columns(csv: RawCsv, wanted: tuple[str, ...], *, what: str) -> dict[str, int]:
    """Each of ``wanted``'s 0-based index in the header (names compared without case and outer spaces).

    Raises ``LmsFileError`` naming the file, row 1, the missing columns and the columns found.
    """
    header = [h.strip().lower() for h in csv.values(1)]
    found = {name: header.index(name.lower()) for name in wanted if name.lower() in header}
    missing = [name for name in wanted if name not in found]
    if missing:
        raise LmsFileError(
            f"{csv.where(1)}: {what} has no column {', '.join(repr(m) for m in missing)}; "
            f"its columns are {csv.values(1)}"
        )
    return found


def moodle_participant(csv: RawCsv, row: int, identifier: str) -> str:
    """The N of Moodle's "Participant N" (any language's prefix) as the grader's student id."""
    match = _PARTICIPANT.match(identifier.strip())
    if match is None:
        raise LmsFileError(
            f"{csv.where(row)}: Identifier {identifier!r} is not Moodle's \"Participant <number>\""
        )
    return str(int(match["n"]))


def _cell(values: list[str], index: int | None) -> str:
    return values[index].strip() if index is not None and index < len(values) else ""


def _blank(values: list[str]) -> bool:
    return not any(v.strip() for v in values)


def _decimal(text: str) -> str:
    """The decimal separator a number cell like ``"15,00"`` uses (``.`` when it has none)."""
    return "," if re.fullmatch(r"\s*\d+,\d+\s*", text) else "."


def _moodle(csv: RawCsv) -> Roster:
    at = find_columns(csv, MOODLE_REQUIRED, what="the Moodle grading worksheet")
    header = [h.strip().lower() for h in csv.values(1)]
    optional = {name: header.index(name.lower()) if name.lower() in header else None
                for name in ("Full name", "Email address", "Feedback comments", "Last modified (submission)")}
    students, maximum, decimal = [], None, "."
    for row in range(2, len(csv.rows) + 1):
        values = csv.values(row)
        if _blank(values):
            continue
        sid = moodle_participant(csv, row, values[at["Identifier"]])
        if maximum is None and _cell(values, at["Maximum Grade"]):
            decimal = _decimal(_cell(values, at["Maximum Grade"]))
            maximum = parse_number(_cell(values, at["Maximum Grade"]), decimal)
        students.append(RosterStudent(
            sid, _cell(values, optional["Full name"]), row, _cell(values, at["Identifier"]),
            email=_cell(values, optional["Email address"]),
            submitted=_cell(values, optional["Last modified (submission)"]),
        ))
    column = LmsColumn(csv.values(1)[at["Grade"]], at["Grade"], maximum)
    return Roster("moodle", csv, tuple(students), (column,), tuple(csv.values(1)), 2,
                  optional["Feedback comments"], decimal)


def _canvas_columns(header: list[str], possible: list[str]) -> tuple[LmsColumn, ...]:
    columns = []
    for index, name in enumerate(header):
        if name.strip() in _CANVAS_INFO or _CANVAS_TOTALS.search(name) or not _CANVAS_ASSIGNMENT.match(name.strip()):
            continue
        columns.append(LmsColumn(name.strip(), index, parse_number(_cell(possible, index))))
    return tuple(columns)


def _canvas(csv: RawCsv) -> Roster:
    at = find_columns(csv, ("Student", "ID", "SIS Login ID", "Section"), what="the Canvas gradebook export")
    header = csv.values(1)
    optional = {name: header.index(name) if name in header else None for name in ("SIS User ID",)}
    possible_row = next((r for r in range(2, min(len(csv.rows), 4) + 1)
                         if csv.values(r)[0].strip() == "Points Possible"), None)
    if possible_row is None:
        raise LmsFileError(
            f"{csv.path}: a Canvas gradebook export has a \"    Points Possible\" row within its first rows; "
            "this file has none (export the gradebook from Canvas: Grades -> Export -> Export Entire Gradebook)"
        )
    students = []
    for row in range(possible_row + 1, len(csv.rows) + 1):
        values = csv.values(row)
        if _blank(values):
            continue
        canvas_id = _cell(values, at["ID"])
        if not canvas_id.isdigit():
            raise LmsFileError(f"{csv.where(row)}: ID {canvas_id!r} is not a Canvas user id (a number)")
        students.append(RosterStudent(
            canvas_id, _cell(values, at["Student"]), row, canvas_id,
            sis_user_id=_cell(values, optional["SIS User ID"]), sis_login_id=_cell(values, at["SIS Login ID"]),
            section=_cell(values, at["Section"]),
        ))
    columns = _canvas_columns(header, csv.values(possible_row))
    return Roster("canvas", csv, tuple(students), columns, tuple(header), possible_row + 1)


def read_roster(path: Path) -> Roster:
    """The roster in ``path``: a Moodle grading worksheet or a Canvas gradebook export, told by its header.

    Raises ``LmsFileError`` naming the file (and the row) when it is neither, or is malformed.
    """
    csv = read_raw_csv(path)
    header = [h.strip() for h in csv.values(1)]
    if "Identifier" in header or "Full name" in header:
        return _moodle(csv)
    if header[:1] in (["Student"], ["LastName"]) and "ID" in header:
        return _canvas(csv)
    raise LmsFileError(
        f"{path}: not a roster this grader reads. Expected Moodle's grading worksheet (header starting "
        "\"Identifier\",\"Full name\",...; Assignment -> View all submissions -> Download grading worksheet, "
        "with the Moodle language set to English) or Canvas's gradebook export (header starting "
        f"\"Student\",\"ID\",...); row 1 is {csv.values(1)[:6]}"
    )


def names_from_roster(roster: Roster) -> dict[str, str]:
    """Each student's name by the grader's student id (Canvas: "Last, First" as Canvas writes it)."""
    return {s.student_id: s.name for s in roster.students if s.name}
