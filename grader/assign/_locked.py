"""Locked cells: checksums in the template, tamper detection in a submission, and restoring the originals.

A cell tagged ``locked`` (provided code, the contract cell, the ``parameters`` cell) is identified by its
cell id. The template stores ``metadata.grader.locked[cell_id] = sha256(normalised source)``; a submission
is compared with the *reference* template the grader holds, never with the metadata the student's file
carries (a student can edit that too).
"""

from __future__ import annotations

import copy
import hashlib
from enum import StrEnum
from typing import Any

from nbformat import NotebookNode

from grader._model import Frozen
from grader.errors import AssignmentError

__all__ = [
    "LOCKED_TAG",
    "LockedCellChange",
    "LockedChangeKind",
    "locked_checksums",
    "normalise_source",
    "restore_locked",
    "source_sha256",
    "verify_locked",
]

LOCKED_TAG = "locked"
_PREVIEW = 80


class LockedChangeKind(StrEnum):
    """What happened to a locked cell: its source, type or tags changed, it is gone, or it moved."""

    MODIFIED = "modified"
    DELETED = "deleted"
    MOVED = "moved"


class LockedCellChange(Frozen):
    """One locked cell that differs from the reference template.

    ``template_index`` is the cell's position in the template; ``index`` its position in the checked
    notebook (None when it was deleted). ``detail`` says what changed, for a human reader.
    """

    cell_id: str
    kind: LockedChangeKind
    detail: str
    template_index: int
    index: int | None = None


def normalise_source(source: str | list[str]) -> str:
    """``source`` with ``\\n`` line ends, no trailing spaces and no leading or trailing blank lines.

    >>> normalise_source("\\nx = 1   \\r\\ny = 2\\n\\n")
    'x = 1\\ny = 2'
    """
    text = "".join(source) if isinstance(source, list) else source
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(line.rstrip() for line in lines).strip("\n")


def source_sha256(source: str | list[str]) -> str:
    """Hex SHA-256 of :func:`normalise_source` of ``source`` (UTF-8).

    >>> source_sha256("x = 1\\r\\n") == source_sha256("x = 1")
    True
    """
    return hashlib.sha256(normalise_source(source).encode("utf-8")).hexdigest()


def _tags(cell: NotebookNode) -> list[str]:
    return [str(tag) for tag in cell.get("metadata", {}).get("tags", [])]


def locked_checksums(nb: NotebookNode) -> dict[str, str]:
    """``{cell_id: sha256}`` of the cells of ``nb`` tagged ``locked``, in notebook order."""
    return {str(cell.get("id")): source_sha256(cell.source) for cell in nb.cells if LOCKED_TAG in _tags(cell)}


def _expected(template: NotebookNode) -> list[tuple[int, NotebookNode, str]]:
    """``(template_index, cell, sha)`` of each locked cell; metadata checksums must match the cells."""
    stored: dict[str, Any] = template.get("metadata", {}).get("grader", {}).get("locked") or {}
    by_id = {str(cell.get("id")): (index, cell) for index, cell in enumerate(template.cells)}
    if not stored:
        stored = locked_checksums(template)
    expected: list[tuple[int, NotebookNode, str]] = []
    for cell_id, sha in stored.items():
        if cell_id not in by_id:
            raise AssignmentError(
                f"reference template: metadata.grader.locked names cell {cell_id!r}, which it lacks"
            )
        index, cell = by_id[cell_id]
        if source_sha256(cell.source) != sha:
            raise AssignmentError(
                f"reference template: cell {index} ({cell_id!r}) does not match its checksum in "
                "metadata.grader.locked; regenerate the template with grader.assign.write_assignment"
            )
        expected.append((index, cell, str(sha)))
    return sorted(expected, key=lambda item: item[0])


def _locate(nb: NotebookNode, cell_id: str, sha: str) -> tuple[int | None, bool]:
    """Index of the cell with ``cell_id`` in ``nb`` (by_id True), else of a cell with the same source."""
    for index, cell in enumerate(nb.cells):
        if str(cell.get("id")) == cell_id:
            return index, True
    for index, cell in enumerate(nb.cells):
        if source_sha256(cell.source) == sha:
            return index, False
    return None, False


def _clip(line: str) -> str:
    return repr(line if len(line) <= _PREVIEW else line[: _PREVIEW - 1] + "…")


def _first_difference(expected: str, found: str) -> str:
    """Where ``found`` first departs from ``expected`` (both normalised), as ``line N: ...``."""
    want, have = expected.split("\n"), found.split("\n")
    for number, (a, b) in enumerate(zip(want, have, strict=False), start=1):
        if a != b:
            return f"line {number}: expected {_clip(a)}, found {_clip(b)}"
    number = min(len(want), len(have)) + 1
    if len(want) > len(have):
        return f"line {number}: expected {_clip(want[number - 1])}, found the end of the cell"
    return f"line {number}: unexpected {_clip(have[number - 1])}"


def _modification(original: NotebookNode, cell: NotebookNode, sha: str) -> str | None:
    """What differs between a locked ``original`` and the submitted ``cell`` with the same id, or None."""
    if cell.cell_type != original.cell_type:
        return f"cell type changed from {original.cell_type} to {cell.cell_type}"
    if source_sha256(cell.source) != sha:
        diff = _first_difference(normalise_source(original.source), normalise_source(cell.source))
        return f"source differs from the template, {diff}"
    removed = sorted(set(_tags(original)) - set(_tags(cell)))
    return f"tags removed: {', '.join(removed)}" if removed else None


def _out_of_order(positions: list[int]) -> set[int]:
    """Indices into ``positions`` outside one longest increasing run of them (the cells that moved)."""
    length = [1] * len(positions)
    previous = [-1] * len(positions)
    for i, position in enumerate(positions):
        for j in range(i):
            if positions[j] < position and length[j] + 1 > length[i]:
                length[i], previous[i] = length[j] + 1, j
    keep: set[int] = set()
    i = max(range(len(positions)), key=length.__getitem__, default=-1)
    while i >= 0:
        keep.add(i)
        i = previous[i]
    return set(range(len(positions))) - keep


def _change(
    cell_id: str, kind: LockedChangeKind, detail: str, template_index: int, index: int | None
) -> LockedCellChange:
    return LockedCellChange(
        cell_id=cell_id, kind=kind, detail=detail, template_index=template_index, index=index
    )


def verify_locked(nb: NotebookNode, reference_template: NotebookNode) -> list[LockedCellChange]:
    """Every locked cell of ``reference_template`` that ``nb`` changed, deleted or moved, in template order.

    Cells are matched by id, or (when the id is gone, e.g. an old nbformat) by identical source. A cell
    counts as moved when it falls outside the longest run of locked cells still in the template's order.
    Raises :class:`grader.errors.AssignmentError` when the template contradicts its own checksums.
    """
    changes: list[LockedCellChange] = []
    located: list[tuple[int, str, int]] = []
    for template_index, original, sha in _expected(reference_template):
        cell_id = str(original.get("id"))
        index, by_id = _locate(nb, cell_id, sha)
        if index is None:
            detail = f"locked cell {template_index} ({cell_id!r}) of the template is missing"
            changes.append(_change(cell_id, LockedChangeKind.DELETED, detail, template_index, None))
            continue
        located.append((template_index, cell_id, index))
        what = _modification(original, nb.cells[index], sha) if by_id else None
        if what is not None:
            detail = f"cell {index} ({cell_id!r}): {what}"
            changes.append(_change(cell_id, LockedChangeKind.MODIFIED, detail, template_index, index))
    for k in sorted(_out_of_order([index for _, _, index in located])):
        template_index, cell_id, index = located[k]
        detail = f"cell {index} ({cell_id!r}) is out of the template's order of locked cells"
        changes.append(_change(cell_id, LockedChangeKind.MOVED, detail, template_index, index))
    return sorted(changes, key=lambda change: change.template_index)


def _pristine(cell: NotebookNode) -> NotebookNode:
    """A copy of a template cell with no outputs, ready to run."""
    fresh = copy.deepcopy(cell)
    if fresh.cell_type == "code":
        fresh.outputs = []
        fresh.execution_count = None
    return fresh


def _insert_position(nb: NotebookNode, template: NotebookNode, template_index: int) -> int:
    """Right after the nearest earlier template cell that ``nb`` still has (by id), else 0."""
    positions = {str(cell.get("id")): index for index, cell in enumerate(nb.cells)}
    for earlier in reversed(template.cells[:template_index]):
        position = positions.get(str(earlier.get("id")))
        if position is not None:
            return position + 1
    return 0


def restore_locked(nb: NotebookNode, template: NotebookNode) -> NotebookNode:
    """A copy of ``nb`` with every modified locked cell replaced by the template's (outputs cleared) and
    every deleted one re-inserted after its nearest surviving predecessor. Moved cells stay where they are
    (reported by :func:`verify_locked`, not moved back). ``nb`` itself is not changed."""
    restored = copy.deepcopy(nb)
    originals = {str(cell.get("id")): cell for cell in template.cells}
    for change in verify_locked(restored, template):
        original = _pristine(originals[change.cell_id])
        if change.kind is LockedChangeKind.MODIFIED:
            positions = [i for i, cell in enumerate(restored.cells) if str(cell.get("id")) == change.cell_id]
            restored.cells[positions[0]] = original
        elif change.kind is LockedChangeKind.DELETED:
            restored.cells.insert(_insert_position(restored, template, change.template_index), original)
    return restored
