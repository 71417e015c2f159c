"""Several notebooks from one student: the rule that picks the graded one, and the notes that say so.

Discovery never drops a notebook silently. The graded submission carries these notes (stored in
``results/<id>.json``, shown in the student's report and the class summary):

- ``also submitted <where> (not graded)``: one per other notebook, ``where`` as in the submission's
  ``origin``;
- then ``several notebooks submitted; graded the <why>``: ``why`` is the part of ``RULE`` that decided,
  e.g. ``latest Canvas upload (attachment id 67899 > 67892)`` or ``first in path order``.

``read_duplicates`` reads them back (the class summary lists both files and the rule).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

__all__ = ["RULE", "Duplicates", "duplicate_notes", "is_duplicate_note", "read_duplicates"]

RULE = (
    "a notebook that can be graded comes before one that cannot, then the latest Canvas upload "
    "(the largest attachment id), then the first path in sort order (Moodle and plain folders carry no "
    "upload time)"
)
_CHOSEN = "several notebooks submitted; graded the "
_OTHER = ("also submitted ", " (not graded)")


@dataclass(frozen=True)
class Duplicates:
    """What the notes of one graded submission say about the notebooks not graded.

    ``why``: the part of ``RULE`` that picked the graded one (``""`` in results from a grader that did
    not record it). ``not_graded``: where each other notebook came from.
    """

    why: str
    not_graded: tuple[str, ...]


def duplicate_notes(why: str, not_graded: Sequence[str]) -> list[str]:
    """The notes for a submission graded because of ``why`` over the notebooks at ``not_graded``.

    >>> duplicate_notes("first in path order", ["a/old.ipynb"])
    ['also submitted a/old.ipynb (not graded)', 'several notebooks submitted; graded the first in path order']
    """
    return [*(f"{_OTHER[0]}{where}{_OTHER[1]}" for where in not_graded), _CHOSEN + why]


def is_duplicate_note(note: str) -> bool:
    """Whether ``note`` is one that ``duplicate_notes`` writes.

    >>> [is_duplicate_note(n) for n in (*duplicate_notes("first in path order", ["x"]), "late")]
    [True, True, False]
    """
    return note.startswith(_CHOSEN) or _is_other(note)


def _is_other(note: str) -> bool:
    return note.startswith(_OTHER[0]) and note.endswith(_OTHER[1]) and len(note) > len(_OTHER[0]) + len(_OTHER[1])


def read_duplicates(notes: Sequence[str]) -> Duplicates | None:
    """The duplicates that ``notes`` record, or ``None`` when the student handed in one notebook.

    >>> read_duplicates(duplicate_notes("first in path order", ["a/old.ipynb"]))
    Duplicates(why='first in path order', not_graded=('a/old.ipynb',))
    """
    why = next((n.removeprefix(_CHOSEN) for n in notes if n.startswith(_CHOSEN)), "")
    others = tuple(n[len(_OTHER[0]) : -len(_OTHER[1])] for n in notes if _is_other(n))
    return Duplicates(why, others) if others else None
