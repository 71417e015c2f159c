"""Find every student's submission in a folder, a zip file, or LMS downloads (Moodle, Canvas).

Policy (every student who submitted something appears in the output):

- One notebook per student is graded. With several, a readable one wins over one that cannot be
  graded, then the latest Canvas upload, then the first path in sort order
  (``grader.discover.duplicates``); the others are listed as skipped duplicates, and the graded
  submission's notes name each of them and the part of the rule that decided.
- A notebook that cannot be graded (empty, over 50 MiB, not JSON, not a notebook, nbformat other than
  3 or 4) is *graded as INVALID* with that reason, without starting a kernel, so the student still gets
  a row, 0 points and an explanation.
- A student (an LMS name, or a top-level folder) with files but no notebook is graded as INVALID,
  "no notebook submitted", naming the files found.
- Other files (PDFs, scripts, data) are listed as skipped, with the student they belong to.
- Only the top level of what the TA points at (the folder, or the zip of a class download) carries
  LMS names. Everything below a top-level entry belongs to the student of that entry, whatever its
  names say: a student's folder or zip holding ``Other_55555_assignsubmission_file_/...`` is still
  that student's, with a note naming the ids it seems to carry.
- Archives are extracted safely (``grader.discover.archive``) under one size budget for the whole
  class; a member with an unsafe name (absolute, ``..``) is listed as skipped and belongs to no one.
  A zip given as the submissions root is looked into as if it were a folder; a zip inside the
  submissions folder is one student's upload, named by the zip. Archives nest at most two deep.
- Ignored silently: hidden files and folders, ``.ipynb_checkpoints``, ``__MACOSX``, ``Thumbs.db``,
  ``desktop.ini``, and the output folder when it lies inside the submissions folder.

Names: see ``grader.discover.names``.
"""

from __future__ import annotations

import dataclasses
import hashlib
import tempfile
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from grader.discover.archive import DEFAULT_LIMITS, ArchiveLimits, Budget, extract_archive
from grader.discover.duplicates import duplicate_notes
from grader.discover.names import LmsName, fallback_id, parse_lms_name
from grader.discover.probe import Probe, probe_notebook
from grader.errors import SubmissionInputError

__all__ = ["Discovery", "Skipped", "Submission", "discover", "student_id_for"]

_JUNK = frozenset({".ipynb_checkpoints", "__MACOSX", "Thumbs.db", "desktop.ini"})
_NOTEBOOK = ".ipynb"
_ARCHIVE = ".zip"


@dataclass(frozen=True)
class Submission:
    """One student's notebook and the id the grade is filed under.

    ``path``: a readable copy (for archive members, the extracted file). ``origin``: where a TA finds it
    in what was handed in (``download.zip/Name_1_assignsubmission_file_/nb.ipynb``). ``problem``: set
    when the file cannot be graded; the submission is then recorded as INVALID with this reason.
    ``sha256``: the file's content hash (part of the resume key).
    """

    student_id: str
    path: Path
    display_name: str = ""
    origin: str = ""
    sha256: str = ""
    late: bool = False
    problem: str | None = None
    notes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Skipped:
    """A file that was not graded, and why; ``student_id`` when it belongs to a student."""

    path: Path
    reason: str
    student_id: str | None = None


@dataclass(frozen=True)
class Discovery:
    """What ``discover`` found: submissions sorted by student id, skipped files sorted by path."""

    submissions: tuple[Submission, ...]
    skipped: tuple[Skipped, ...]


@dataclass(frozen=True)
class _Found:
    """A file below the submissions root: its logical path, where it came from, a readable copy."""

    parts: tuple[str, ...]
    origin: str
    file: Path | None
    size: int = 0
    problem: str | None = None

    @property
    def is_notebook(self) -> bool:
        return self.parts[-1].lower().endswith(_NOTEBOOK)


@dataclass
class _Walk:
    staging: Path
    limits: ArchiveLimits
    exclude: frozenset[Path]
    budget: Budget
    found: list[_Found] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _stem(name: str) -> str:
    return name.rsplit(".", 1)[0] if "." in name.lstrip(".") else name


def _ignored(name: str) -> bool:
    return name.startswith(".") or name in _JUNK


def _lms_at(parts: tuple[str, ...], index: int) -> LmsName | None:
    """The LMS reading of ``parts[index]`` (a file by its name without extension)."""
    return parse_lms_name(parts[index] if index < len(parts) - 1 else _stem(parts[index]))


def _lms_of(parts: tuple[str, ...]) -> LmsName | None:
    """The LMS name of the top-level entry ``parts[0]``; names further down are the student's own."""
    return _lms_at(parts, 0) if parts else None


def student_id_for(path: Path, root: Path) -> tuple[str, str]:
    """``(student_id, display_name)`` for a file at ``path`` under the submissions folder ``root``."""
    parts = path.relative_to(root).parts
    lms = _lms_of(parts)
    return (lms.student_id, lms.display_name) if lms else (fallback_id(parts), "")


def _walk_archive(walk: _Walk, archive: Path, parts: tuple[str, ...], origin: str, depth: int) -> None:
    """Add an archive's members: the submissions root (depth 0) is transparent, others are a folder."""
    if depth > walk.limits.depth:
        walk.found.append(_Found(parts, origin, None, problem="archive nested too deeply; not opened"))
        return
    try:
        folder, members = extract_archive(archive, walk.staging, limits=walk.limits, budget=walk.budget)
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        walk.found.append(_Found(parts, origin, archive, problem=f"not a readable zip archive ({exc})"))
        return
    prefix = parts[:-1] if depth == 0 else (*parts[:-1], _stem(parts[-1]))
    for member in members:
        where = f"{origin}/{member.name}"
        if not member.parts:
            walk.skipped.append(Skipped(Path(where), member.problem or "unusable name in archive"))
            continue
        if any(_ignored(p) for p in member.parts):
            continue
        inner = (*prefix, *member.parts)
        file = None if member.file is None else folder / member.file
        if file is not None and member.parts[-1].lower().endswith(_ARCHIVE):
            _walk_archive(walk, file, inner, where, depth + 1)
        else:
            walk.found.append(_Found(inner, where, file, member.size, member.problem))


def _walk_folder(walk: _Walk, folder: Path, parts: tuple[str, ...], origin: str) -> None:
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if _ignored(entry.name) or entry.resolve() in walk.exclude:
            continue
        inner, where = (*parts, entry.name), f"{origin}/{entry.name}"
        if entry.is_dir():
            if entry.is_symlink():
                walk.skipped.append(Skipped(Path(where), "linked folder; not followed"))
            else:
                _walk_folder(walk, entry, inner, where)
        elif entry.name.lower().endswith(_ARCHIVE):
            _walk_archive(walk, entry, inner, where, 1)
        elif entry.is_file():
            walk.found.append(_Found(inner, where, entry, entry.stat().st_size))


def _probe(found: _Found) -> Probe:
    if found.file is None or found.problem is not None:
        digest = hashlib.sha256(f"{'/'.join(found.parts)}\0{found.size}".encode()).hexdigest()
        return Probe(digest, found.size, found.problem or "not extracted")
    return probe_notebook(found.file)


def _attachment(found: _Found) -> int:
    lms = _lms_of(found.parts)
    return lms.attachment if lms else 0


def _kept_first(candidates: list[tuple[_Found, Probe]]) -> list[tuple[_Found, Probe]]:
    """``duplicates.RULE``: readable notebooks first, then the latest Canvas upload, then path order."""

    def key(item: tuple[_Found, Probe]) -> tuple[bool, int, tuple[str, ...]]:
        return item[1].problem is not None, -_attachment(item[0]), item[0].parts

    return sorted(candidates, key=key)


def _why_kept(kept: tuple[_Found, Probe], runner_up: tuple[_Found, Probe]) -> str:
    """The part of ``duplicates.RULE`` that ranked ``kept`` before ``runner_up``."""
    if kept[1].problem is None and runner_up[1].problem is not None:
        return "only notebook that can be graded"
    first, second = _attachment(kept[0]), _attachment(runner_up[0])
    if first != second:
        return f"latest Canvas upload (attachment id {first} > {second})"
    return "first in path order"


def _foreign_lms_note(sid: str, items: list[_Found]) -> str | None:
    """A note when names below the top level look like other students' LMS names (never read as such)."""
    ids = sorted({
        lms.student_id for f in items for i in range(1, len(f.parts))
        if (lms := _lms_at(f.parts, i)) is not None and lms.student_id != sid
    })
    if not ids:
        return None
    return (
        f"names inside this submission look like an LMS download (student id {', '.join(ids)}); "
        "they count as this student's files: only the top level of the folder or zip given to the "
        "grader is read for LMS names"
    )


def _student_notebooks(sid: str, notebooks: list[_Found]) -> tuple[Submission, list[Skipped]]:
    ranked = _kept_first([(f, _probe(f)) for f in notebooks])
    (kept, probe), others = ranked[0], ranked[1:]
    lms = _lms_of(kept.parts)
    notes = [n for n in (probe.note,) if n]
    if lms is not None and lms.late:
        notes.append("the LMS marked this submission late")
    why = _why_kept(ranked[0], ranked[1]) if others else ""
    if others:
        notes += duplicate_notes(why, [f.origin for f, _ in others])
    skipped = [
        Skipped(Path(f.origin), f"{p.problem + '; ' if p.problem else ''}duplicate: {kept.origin} is graded, "
                f"the {why}", sid)
        for f, p in others
    ]
    submission = Submission(
        sid, kept.file or Path(kept.origin), lms.display_name if lms else "", kept.origin, probe.sha256,
        bool(lms and lms.late), probe.problem, tuple(notes),
    )
    return submission, skipped


def _no_notebook(sid: str, files: list[_Found]) -> Submission:
    listing = ", ".join(f.parts[-1] + (f" ({f.problem})" if f.problem else "") for f in files)
    digest = hashlib.sha256("\n".join(f"{'/'.join(f.parts)}\0{f.size}" for f in files).encode()).hexdigest()
    lms = _lms_of(files[0].parts)
    problem = f"no notebook (.ipynb) submitted; found: {listing}"
    return Submission(
        sid, files[0].file or Path(files[0].origin), lms.display_name if lms else "", files[0].origin,
        digest, bool(lms and lms.late), problem,
    )


def _group(found: list[_Found]) -> tuple[dict[str, list[_Found]], list[Skipped]]:
    """Files by student; loose non-notebook files at the top of a plain folder belong to no one."""
    students: dict[str, list[_Found]] = {}
    loose: list[Skipped] = []
    for item in found:
        lms = _lms_of(item.parts)
        if lms is None and len(item.parts) == 1 and not item.is_notebook:
            loose.append(Skipped(Path(item.origin), item.problem or "not a notebook (.ipynb)"))
            continue
        sid = lms.student_id if lms else fallback_id(item.parts)
        students.setdefault(sid, []).append(item)
    return students, loose


def _submissions(found: list[_Found]) -> tuple[list[Submission], list[Skipped]]:
    students, skipped = _group(found)
    submissions: list[Submission] = []
    for sid, items in students.items():
        notebooks = [f for f in items if f.is_notebook]
        others = [f for f in items if not f.is_notebook]
        if notebooks:
            submission, duplicates = _student_notebooks(sid, notebooks)
            skipped += duplicates
            skipped += [Skipped(Path(f.origin), f.problem or "not a notebook (.ipynb)", sid) for f in others]
        else:
            submission = _no_notebook(sid, others)
        foreign = _foreign_lms_note(sid, items)
        if foreign is not None:
            submission = dataclasses.replace(submission, notes=(*submission.notes, foreign))
        submissions.append(submission)
    return submissions, skipped


def discover(
    root: Path,
    *,
    staging: Path | None = None,
    exclude: Sequence[Path] = (),
    limits: ArchiveLimits = DEFAULT_LIMITS,
) -> Discovery:
    """Every student's submission under ``root`` (a folder, a zip file or one notebook).

    ``staging``: where archives are extracted (default: ``grader-extracted`` in the temporary folder);
    ``exclude``: folders to leave out (the output folder). ``limits.total_bytes`` caps what all archives
    under ``root`` extract together. Never raises for a bad submission; raises ``SubmissionInputError``
    only when ``root`` itself cannot be read.
    """
    walk = _Walk(
        staging or Path(tempfile.gettempdir()) / "grader-extracted", limits,
        frozenset(p.resolve() for p in (*exclude, *([staging] if staging else []))), Budget(limits.total_bytes),
    )
    try:
        if root.is_dir():
            _walk_folder(walk, root, (), str(root))
        elif root.is_file() and root.name.lower().endswith(_ARCHIVE):
            _walk_archive(walk, root, (root.name,), str(root), 0)
        elif root.is_file():
            walk.found.append(_Found((root.name,), str(root), root, root.stat().st_size))
        else:
            raise SubmissionInputError(f"{root}: no such folder, zip file or notebook")
    except OSError as exc:
        raise SubmissionInputError(f"{root}: cannot read the submissions ({exc})") from exc
    submissions, skipped = _submissions(walk.found)
    return Discovery(
        tuple(sorted(submissions, key=lambda s: s.student_id)),
        tuple(sorted([*walk.skipped, *skipped], key=lambda s: (str(s.path), s.reason))),
    )
