"""Find submissions in a folder and derive student ids from LMS download names.

Layouts understood:
- Moodle: ``Full Name_12345_assignsubmission_file_/anything.ipynb`` -> ``12345``
- Canvas: ``lastfirst_12345_67890_week11.ipynb`` (``lastfirst_LATE_12345_...`` too) -> ``12345``
- anything else: the file (or folder) name, reduced to ``[A-Za-z0-9_.-]``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from grader.errors import SubmissionInputError

__all__ = ["Skipped", "Submission", "discover", "student_id_for"]

_MOODLE = re.compile(r"^(?P<name>.+?)_(?P<id>\d+)_assignsubmission_[a-z]+_?$")
_CANVAS = re.compile(r"^(?P<name>[a-z]+)(?:_late)?_(?P<id>\d+)_\d+_.+$", re.IGNORECASE)
_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class Submission:
    """One student's notebook and the id the grade is filed under."""

    student_id: str
    path: Path
    display_name: str = ""


@dataclass(frozen=True)
class Skipped:
    """A file that was not graded, and why."""

    path: Path
    reason: str


def student_id_for(path: Path, root: Path) -> tuple[str, str]:
    """``(student_id, display_name)`` for a notebook at ``path`` under the submissions ``root``."""
    rel = path.relative_to(root)
    for part in rel.parts[:-1]:
        moodle = _MOODLE.match(part)
        if moodle:
            return moodle["id"], moodle["name"]
    canvas = _CANVAS.match(path.stem)
    if canvas:
        return canvas["id"], canvas["name"]
    top = rel.parts[0] if len(rel.parts) > 1 else path.stem
    return _UNSAFE.sub("_", Path(top).stem).strip("_") or "unnamed", ""


def discover(root: Path) -> tuple[list[Submission], list[Skipped]]:
    """All ``*.ipynb`` under ``root`` (checkpoints ignored), sorted by student id; duplicates skipped."""
    if not root.is_dir():
        raise SubmissionInputError(f"{root}: not a folder of submissions")
    found: dict[str, Submission] = {}
    skipped: list[Skipped] = []
    for path in sorted(root.rglob("*.ipynb")):
        if ".ipynb_checkpoints" in path.parts or any(p.startswith(".") for p in path.relative_to(root).parts):
            continue
        sid, name = student_id_for(path, root)
        if sid in found:
            skipped.append(Skipped(path, f"a second notebook for student {sid} (kept {found[sid].path.name})"))
            continue
        found[sid] = Submission(sid, path, name)
    return sorted(found.values(), key=lambda s: s.student_id), skipped
