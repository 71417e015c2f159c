"""Student ids from the names LMS downloads give files and folders.

- Moodle, a folder per student: ``Full Name_12345_assignsubmission_file_/week11.ipynb`` -> ``12345``;
  older Moodle, flat files: ``Full Name_12345_assignsubmission_file_week11.ipynb`` -> ``12345``.
- Canvas, flat files: ``lastfirst_12345_67890_week11.ipynb`` -> ``12345`` (``67890`` is the attachment id),
  late ones ``lastfirst_late_12345_67890_week11.ipynb`` -> ``12345``, marked late.
- Anything else: a notebook directly in the submissions folder is named by its file name, one in a
  sub-folder by that top-level folder; ids are reduced to ``[A-Za-z0-9_.-]``.

Only the top-level component of a path (relative to the folder or zip the TA points at) is read for an
LMS name: names further down are whatever the student put in their upload and never decide the student.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["LmsName", "fallback_id", "parse_lms_name", "safe_id"]

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_(?P<plugin>[a-z]+)(?:_(?P<rest>.*))?$")
_CANVAS = re.compile(
    r"^(?P<name>[a-z][a-z0-9-]*?)(?P<late>_late)?_(?P<id>\d+)_(?P<attachment>\d+)_(?P<rest>.+)$",
    re.IGNORECASE,
)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class LmsName:
    """What an LMS file or folder name says: the student, a display name, lateness, the upload order.

    ``attachment`` is Canvas's attachment id (later uploads have larger ids); 0 for Moodle.
    """

    lms: str
    student_id: str
    display_name: str
    late: bool = False
    attachment: int = 0


def parse_lms_name(name: str) -> LmsName | None:
    """The LMS reading of one file or folder name (a file's name without its extension), if any.

    >>> parse_lms_name("Ada Lovelace_12345_assignsubmission_file_").student_id
    '12345'
    >>> parse_lms_name("lovelaceada_late_12345_67890_week11").late
    True
    >>> parse_lms_name("week11") is None
    True
    """
    moodle = _MOODLE.match(name)
    if moodle:
        return LmsName("moodle", moodle["id"], moodle["name"])
    canvas = _CANVAS.match(name)
    if canvas:
        return LmsName(
            "canvas", canvas["id"], canvas["name"], late=canvas["late"] is not None,
            attachment=int(canvas["attachment"]),
        )
    return None


def safe_id(text: str) -> str:
    """``text`` reduced to ``[A-Za-z0-9_.-]`` (no dots or underscores at the ends), or ``"unnamed"``.

    >>> safe_id("Ada Lovelace (2)")
    'Ada_Lovelace_2'
    """
    return _UNSAFE.sub("_", text).strip("_.") or "unnamed"


def fallback_id(parts: tuple[str, ...]) -> str:
    """The id of a file at ``parts`` (relative to the submissions folder) that carries no LMS name.

    >>> fallback_id(("alice.ipynb",)), fallback_id(("bob", "week11", "nb.ipynb"))
    ('alice', 'bob')
    """
    if len(parts) == 1:
        name = parts[0]
        return safe_id(name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name)
    return safe_id(parts[0])
