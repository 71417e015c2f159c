"""Submission times from the LMS, turned into each student's :class:`~grader.records.adjust.Lateness`.

Two file formats (``grader grade ... --submission-times FILE``), told apart by the header:

- Moodle's grading worksheet (see :mod:`grader.discover.lms_files`): the time is the column
  ``Last modified (submission)``, written by Moodle's ``userdate()`` as text in the *downloading user's*
  language and time zone, e.g. ``Friday, 4 December 2026, 11:59 PM`` (``-``: nothing submitted). The
  text carries no zone, so ``timezone`` (an IANA name such as ``Europe/Berlin``: the Moodle profile's
  time zone of whoever downloaded it) is required; ``locale`` names the language of the dates. Only
  English (``en``) is read: Moodle's other language packs write other month names and other column
  names; switch the Moodle profile's language to English before downloading. Rows of students who did
  not submit, or whose submission the grader did not find, are left out.
- A plain CSV with the header ``student_id,submitted_at``: one row per student, ``submitted_at`` in ISO
  8601 (``2026-12-05T09:30:00+01:00``); a time without an offset is read in ``timezone`` and is an
  error without one. Every ``student_id`` must be among the discovered submissions.

Late days are ``(submitted - due) / 1 day`` against the rubric's ``due`` (never below 0). The late
policy is left empty: scoring fills it in from the rubric.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from grader.discover.lms_csv import RawCsv, read_raw_csv
from grader.discover.lms_files import find_columns, moodle_participant
from grader.errors import LmsFileError
from grader.records.adjust import Lateness

__all__ = [
    "CANVAS_LATE_SOURCE",
    "LOCALES",
    "SubmissionTimes",
    "late_days",
    "lateness_for",
    "parse_moodle_time",
    "read_submission_times",
    "resolve_timezone",
]

LOCALES = ("en",)
"""Languages whose Moodle date text this module reads."""
CANVAS_LATE_SOURCE = "Canvas file name (_late_)"
_MOODLE_TIME = "Last modified (submission)"
_MONTHS = {
    "en": {m: i for i, m in enumerate(
        ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october",
         "november", "december"), start=1)},
}
_DATE = re.compile(
    r"^(?:[^\W\d_]+,\s*)?(?P<day>\d{1,2})\.?\s+(?P<month>[^\W\d_]+)\.?\s+(?P<year>\d{4}),?\s+"
    r"(?P<hour>\d{1,2}):(?P<minute>\d{2})(?::(?P<second>\d{2}))?\s*(?P<ampm>[AaPp]\.?[Mm]\.?)?$"
)


@dataclass(frozen=True)
class SubmissionTimes:
    """Lateness by student id, read from ``path``.

    ``strict``: every student id must be among the discovered submissions (plain CSV); a Moodle worksheet
    lists the whole class, so its other students are ignored. ``rows``: each student's row, for messages.
    """

    path: Path
    lateness: Mapping[str, Lateness]
    rows: Mapping[str, int] = field(default_factory=dict)
    strict: bool = True

    def check_students(self, submitted: Iterable[str]) -> None:
        """Raise ``LmsFileError`` naming the file and row of the first student id not in ``submitted``
        (a whole-class worksheet: when none of its students is in ``submitted``)."""
        known = set(submitted)
        if not self.strict:
            if self.lateness and not known & set(self.lateness):
                raise LmsFileError(
                    f"{self.path}: none of its {len(self.lateness)} students with a submission time is among the "
                    f"discovered submissions (e.g. {sorted(known)[:5]}); is it the worksheet of this assignment?"
                )
            return
        for sid, row in sorted(self.rows.items(), key=lambda item: item[1]):
            if sid not in known:
                raise LmsFileError(
                    f"{self.path} row {row}: student id {sid!r} is not among the discovered submissions "
                    f"({len(known)} found, e.g. {sorted(known)[:5]})"
                )


def resolve_timezone(name: str | None, *, needed_for: str) -> ZoneInfo:
    """The IANA time zone ``name``; ``LmsFileError`` saying why it is needed when missing or unknown."""
    if not name:
        raise LmsFileError(f"{needed_for}: give the time zone of these times with --timezone (e.g. Europe/Berlin)")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise LmsFileError(f"--timezone {name!r} is not an IANA time zone name (e.g. Europe/Berlin, UTC)") from exc


def _check_locale(locale: str, path: Path) -> str:
    lang = locale.replace("-", "_").split("_")[0].lower()
    if lang not in _MONTHS:
        raise LmsFileError(
            f"{path}: --locale {locale!r} is not supported; the grader reads Moodle dates in {list(LOCALES)} only. "
            "Set your Moodle profile's language to English and download the worksheet again"
        )
    return lang


def parse_moodle_time(text: str, *, tz: ZoneInfo, locale: str = "en") -> dt.datetime | None:
    """Moodle's ``userdate()`` text (``"Friday, 4 December 2026, 11:59 PM"``) in ``tz``; ``None`` for ``-``.

    Raises ``ValueError`` when the text is not such a date.
    """
    text = " ".join(text.split())
    if text in ("", "-"):
        return None
    match = _DATE.match(text)
    month = _MONTHS[locale].get(match["month"].lower()) if match else None
    if match is None or month is None:
        raise ValueError(f"{text!r} is not a Moodle date like 'Friday, 4 December 2026, 11:59 PM'")
    hour = int(match["hour"])
    if match["ampm"]:
        if not 1 <= hour <= 12:
            raise ValueError(f"{text!r}: hour {hour} with AM/PM")
        hour = hour % 12 + (12 if match["ampm"][0].lower() == "p" else 0)
    try:
        return dt.datetime(int(match["year"]), month, int(match["day"]), hour, int(match["minute"]),
                           int(match["second"] or 0), tzinfo=tz)
    except ValueError as exc:
        raise ValueError(f"{text!r}: {exc}") from exc


def late_days(submitted: dt.datetime, due: dt.datetime) -> float:
    """Days from ``due`` to ``submitted`` (0 when on time), to the second."""
    return max(0.0, round((submitted - due).total_seconds() / 86400.0, 6))


def _lateness(submitted: dt.datetime, due: dt.datetime, source: str) -> Lateness:
    return Lateness(
        late_days=late_days(submitted, due), submitted_at=submitted.isoformat(timespec="seconds"),
        due=due.isoformat(timespec="seconds"), source=source,
    )


def _filled_rows(csv: RawCsv) -> Iterator[tuple[int, list[str]]]:
    """``(row number, cells)`` of every data row that is not blank (row 1 is the header)."""
    for row in range(2, len(csv.rows) + 1):
        values = csv.values(row)
        if any(v.strip() for v in values):
            yield row, values


def _read_moodle(csv: RawCsv, due: dt.datetime, tz: ZoneInfo | None, locale: str) -> SubmissionTimes:
    at = find_columns(csv, ("Identifier", _MOODLE_TIME), what="the Moodle grading worksheet")
    out: dict[str, Lateness] = {}
    rows: dict[str, int] = {}
    for row, values in _filled_rows(csv):
        sid = moodle_participant(csv, row, values[at["Identifier"]])
        text = values[at[_MOODLE_TIME]] if at[_MOODLE_TIME] < len(values) else ""
        if text.strip() in ("", "-"):
            continue
        zone = tz or resolve_timezone(None, needed_for=f"{csv.where(row)}: Moodle writes {_MOODLE_TIME!r} without a zone")
        try:
            submitted = parse_moodle_time(text, tz=zone, locale=locale)
        except ValueError as exc:
            raise LmsFileError(f"{csv.where(row)}: {_MOODLE_TIME}: {exc}") from exc
        if submitted is not None:
            out[sid] = _lateness(submitted, due, f"Moodle worksheet {csv.path.name} row {row}")
            rows[sid] = row
    return SubmissionTimes(csv.path, out, rows, strict=False)


def _iso(csv: RawCsv, row: int, text: str, tz: ZoneInfo | None) -> dt.datetime:
    try:
        when = dt.datetime.fromisoformat(text.strip())
    except ValueError as exc:
        raise LmsFileError(
            f"{csv.where(row)}: submitted_at {text!r} is not an ISO 8601 time like 2026-12-05T09:30:00+01:00"
        ) from exc
    if when.tzinfo is None:
        zone = tz or resolve_timezone(None, needed_for=f"{csv.where(row)}: submitted_at {text!r} has no offset")
        when = when.replace(tzinfo=zone)
    return when


def _read_plain(csv: RawCsv, due: dt.datetime, tz: ZoneInfo | None) -> SubmissionTimes:
    at = find_columns(csv, ("student_id", "submitted_at"), what="a submission times file")
    out: dict[str, Lateness] = {}
    rows: dict[str, int] = {}
    for row, values in _filled_rows(csv):
        if len(values) <= max(at.values()):
            raise LmsFileError(f"{csv.where(row)}: {len(values)} cells; expected student_id,submitted_at")
        sid = values[at["student_id"]].strip()
        if sid in rows:
            raise LmsFileError(f"{csv.where(row)}: student id {sid!r} again (first in row {rows[sid]})")
        submitted = _iso(csv, row, values[at["submitted_at"]], tz)
        out[sid] = _lateness(submitted, due, f"{csv.path.name} row {row}")
        rows[sid] = row
    return SubmissionTimes(csv.path, out, rows, strict=True)


def read_submission_times(
    path: Path, *, due: dt.datetime | None, timezone: str | None = None, locale: str = "en"
) -> SubmissionTimes:
    """Read ``path`` (a Moodle grading worksheet or ``student_id,submitted_at``) against the deadline ``due``.

    Raises ``LmsFileError`` naming the file and row: no ``due`` in the rubric, a missing column, a time
    that does not parse, a time without a zone and no ``timezone``, an unknown ``locale`` or time zone.
    """
    if due is None:
        raise LmsFileError(f"{path}: submission times need the rubric's `due` (e.g. due: 2026-12-04T23:59:00+01:00)")
    tz = resolve_timezone(timezone, needed_for=str(path)) if timezone else None
    csv = read_raw_csv(path)
    header = [h.strip().lower() for h in csv.values(1)]
    if "identifier" in header:
        return _read_moodle(csv, due, tz, _check_locale(locale, path))
    if "student_id" in header or "submitted_at" in header:
        return _read_plain(csv, due, tz)
    raise LmsFileError(
        f"{path}: not a submission times file. Expected Moodle's grading worksheet (with the column "
        f"{_MOODLE_TIME!r}) or a CSV with the header student_id,submitted_at; row 1 is {csv.values(1)[:6]}"
    )


def lateness_for(sid: str, times: SubmissionTimes | None, *, marked_late: bool) -> Lateness | None:
    """A student's lateness: from ``times`` when given there, else a Canvas late mark without a time."""
    if times is not None and sid in times.lateness:
        return times.lateness[sid]
    if marked_late:
        return Lateness(marked_late_without_time=True, source=CANVAS_LATE_SOURCE)
    return None
