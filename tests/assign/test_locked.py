"""Locked cells: checksums, tamper detection against the reference template, restoring the originals."""

from __future__ import annotations

import copy

import nbformat
import pytest
from nbformat import NotebookNode

from grader.assign import (
    LOCKED_TAG,
    LockedCellChange,
    LockedChangeKind,
    locked_checksums,
    normalise_source,
    restore_locked,
    source_sha256,
    verify_locked,
)
from grader.errors import AssignmentError

from ._notebooks import SOLUTION, TEMPLATE


@pytest.fixture(scope="module")
def template() -> NotebookNode:
    return nbformat.read(TEMPLATE, as_version=4)


@pytest.fixture
def submission() -> NotebookNode:
    """A fresh copy of the solution, standing in for a student's file."""
    return nbformat.read(SOLUTION, as_version=4)


def _cell(nb: NotebookNode, cell_id: str) -> NotebookNode:
    return next(c for c in nb.cells if c.get("id") == cell_id)


def _kinds(changes: list[LockedCellChange]) -> list[tuple[str, LockedChangeKind]]:
    return [(c.cell_id, c.kind) for c in changes]


def test_normalisation_ignores_line_ends_trailing_spaces_and_outer_blank_lines() -> None:
    assert normalise_source("\n\nx = 1   \r\ny = 2\t\n\n") == "x = 1\ny = 2"
    assert normalise_source(["x = 1\n", "y = 2"]) == "x = 1\ny = 2"
    assert source_sha256("x = 1\r\n") == source_sha256("x = 1")
    assert source_sha256("x = 1") != source_sha256("x = 2")
    assert len(source_sha256("")) == 64


def test_locked_checksums_follow_the_tag(template: NotebookNode) -> None:
    sums = locked_checksums(template)
    assert list(sums)[:3] == ["contract", "parameters", "setup"]
    assert all(LOCKED_TAG in _cell(template, cell_id).metadata["tags"] for cell_id in sums)


def test_untouched_template_and_solution_pass(template: NotebookNode, submission: NotebookNode) -> None:
    assert verify_locked(template, template) == []
    assert verify_locked(submission, template) == []


def test_whitespace_only_edits_are_not_tampering(template: NotebookNode, submission: NotebookNode) -> None:
    cell = _cell(submission, "a2-cv")
    cell.source = "\n" + cell.source.replace("\n", "   \r\n") + "\n\n"
    assert verify_locked(submission, template) == []


def test_a_modified_locked_cell_is_reported_with_its_first_changed_line(
    template: NotebookNode, submission: NotebookNode
) -> None:
    cell = _cell(submission, "a2-cv")
    cell.source = cell.source.replace("roc_auc_score(labels, scores)", "1.0")
    (change,) = verify_locked(submission, template)
    assert (change.cell_id, change.kind) == ("a2-cv", LockedChangeKind.MODIFIED)
    index = submission.cells.index(cell)
    assert change.index == index and change.template_index == index
    assert change.detail.startswith(f"cell {index} ('a2-cv'): source differs from the template, line ")
    assert "result.roc_auc.append(float(1.0))" in change.detail


def test_a_deleted_locked_cell_is_reported(template: NotebookNode, submission: NotebookNode) -> None:
    submission.cells = [c for c in submission.cells if c.get("id") != "parameters"]
    (change,) = verify_locked(submission, template)
    assert (change.cell_id, change.kind, change.index) == ("parameters", LockedChangeKind.DELETED, None)
    assert "locked cell 2 ('parameters') of the template is missing" in change.detail


def test_a_moved_locked_cell_is_reported(template: NotebookNode, submission: NotebookNode) -> None:
    setup = _cell(submission, "setup")
    submission.cells.remove(setup)
    submission.cells.append(setup)
    (change,) = verify_locked(submission, template)
    assert (change.cell_id, change.kind) == ("setup", LockedChangeKind.MOVED)
    assert (
        change.detail
        == f"cell {len(submission.cells) - 1} ('setup') is out of the template's order of locked cells"
    )


def test_removed_tags_and_changed_cell_types_count_as_modified(
    template: NotebookNode, submission: NotebookNode
) -> None:
    _cell(submission, "parameters").metadata["tags"] = [LOCKED_TAG]
    setup = _cell(submission, "a2-logo")
    setup.cell_type = "raw"
    changes = verify_locked(submission, template)
    assert _kinds(changes) == [
        ("parameters", LockedChangeKind.MODIFIED),
        ("a2-logo", LockedChangeKind.MODIFIED),
    ]
    assert changes[0].detail.endswith("tags removed: parameters")
    assert changes[1].detail.endswith("cell type changed from code to raw")


def test_cells_that_lost_their_ids_are_matched_by_source(
    template: NotebookNode, submission: NotebookNode
) -> None:
    for number, cell in enumerate(submission.cells):
        cell.id = f"renamed-{number}"
    assert verify_locked(submission, template) == []


def test_the_submissions_own_metadata_is_never_trusted(
    template: NotebookNode, submission: NotebookNode
) -> None:
    cell = _cell(submission, "a2-cv")
    cell.source += "\nCVResult.mean_roc_auc = property(lambda self: 1.0)"
    submission.metadata["grader"]["locked"]["a2-cv"] = source_sha256(cell.source)
    assert _kinds(verify_locked(submission, template)) == [("a2-cv", LockedChangeKind.MODIFIED)]


def test_a_template_that_contradicts_its_checksums_is_a_config_error(template: NotebookNode) -> None:
    broken = copy.deepcopy(template)
    _cell(broken, "setup").source += "\n# edited after generation"
    with pytest.raises(AssignmentError, match=r"cell 3 \('setup'\) does not match its checksum"):
        verify_locked(broken, broken)
    broken = copy.deepcopy(template)
    broken.metadata["grader"]["locked"]["ghost"] = "0" * 64
    with pytest.raises(AssignmentError, match="names cell 'ghost', which it lacks"):
        verify_locked(template, broken)


def test_a_template_without_metadata_falls_back_to_the_locked_tags(
    template: NotebookNode, submission: NotebookNode
) -> None:
    bare = copy.deepcopy(template)
    del bare.metadata["grader"]
    _cell(submission, "setup").source = "import os"
    assert _kinds(verify_locked(submission, bare)) == [("setup", LockedChangeKind.MODIFIED)]


def test_restore_puts_back_modified_and_deleted_cells_and_keeps_student_work(
    template: NotebookNode, submission: NotebookNode
) -> None:
    cv = _cell(submission, "a2-cv")
    cv.source = "def cross_validate(*args, **kwargs):\n    return None"
    cv.outputs = [nbformat.v4.new_output("stream", name="stdout", text="ROC-AUC: 0.99\n")]
    cv.execution_count = 7
    submission.cells = [c for c in submission.cells if c.get("id") not in {"parameters", "a2-logo"}]
    student = _cell(submission, "a2-cnn").source
    before = nbformat.writes(submission)

    restored = restore_locked(submission, template)

    assert nbformat.writes(submission) == before, "restore_locked must not change its input"
    assert verify_locked(restored, template) == []
    assert [c.id for c in restored.cells] == [c.id for c in template.cells]
    assert _cell(restored, "a2-cv").source == _cell(template, "a2-cv").source
    assert _cell(restored, "a2-cv").outputs == [] and _cell(restored, "a2-cv").execution_count is None
    assert _cell(restored, "a2-cnn").source == student
    assert "parameters" in _cell(restored, "parameters").metadata["tags"]
    nbformat.validate(restored)


def test_restore_reinserts_at_the_start_when_nothing_before_survives(template: NotebookNode) -> None:
    bare = nbformat.v4.new_notebook()
    restored = restore_locked(bare, template)
    assert [c.id for c in restored.cells] == list(locked_checksums(template))
