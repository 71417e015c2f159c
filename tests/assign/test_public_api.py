"""The public surface of grader.assign is pinned."""

from __future__ import annotations

import grader.assign


def test_public_names_are_pinned() -> None:
    assert grader.assign.__all__ == [
        "CHECK_RUBRIC_KEY",
        "CONTRACT_TAG",
        "LOCKED_TAG",
        "PARAMETERS_TAG",
        "LockedCellChange",
        "LockedChangeKind",
        "SolutionMarkerError",
        "generate",
        "locked_checksums",
        "normalise_source",
        "restore_locked",
        "source_sha256",
        "verify_locked",
        "write_assignment",
    ]


def test_every_public_name_exists() -> None:
    for name in grader.assign.__all__:
        assert hasattr(grader.assign, name), name


def test_marker_error_is_a_config_error() -> None:
    from grader.errors import AssignmentError, ConfigError

    assert issubclass(grader.assign.SolutionMarkerError, AssignmentError)
    assert issubclass(grader.assign.SolutionMarkerError, ConfigError)
