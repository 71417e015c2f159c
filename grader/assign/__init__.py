"""Assignment authoring: one source notebook -> the student template and the solution; locked-cell checks.

    template, solution = generate(Path("assignments/week11/source.ipynb"))
    write_assignment(Path("assignments/week11/source.ipynb"))  # writes template.ipynb, solution.ipynb
    changes = verify_locked(submission, template)               # [] when no provided cell was touched
    runnable = restore_locked(submission, template)             # the provided cells put back

Marker syntax and stub rules: :mod:`grader.assign._markers`; checksums: :mod:`grader.assign._locked`.
"""

from __future__ import annotations

from grader.assign._generate import CHECK_RUBRIC_KEY, CONTRACT_TAG, PARAMETERS_TAG, generate, write_assignment
from grader.assign._locked import (
    LOCKED_TAG,
    LockedCellChange,
    LockedChangeKind,
    locked_checksums,
    normalise_source,
    restore_locked,
    source_sha256,
    verify_locked,
)
from grader.assign._markers import SolutionMarkerError

__all__ = [
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
