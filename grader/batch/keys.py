"""Resume keys: a result is reused only when everything that decided it is byte-for-byte the same.

``submission_key = sha256(KEY_SCHEMA, context_key, student_id, submission sha256, problem, late_days
[, lateness])``
with ``context_key = sha256(rubric file sha256, assignment files sha256, grader version, options)``:

- the rubric: the SHA-256 of the file's bytes (``Rubric.origin``), or of its canonical JSON when it was
  not loaded from a file;
- the assignment: the training files' bytes, the labelled hidden pool, the sequence length, the class
  secret's fingerprint (the secret and the submission's bytes decide its hidden order);
- the grader version (``grader.__version__``);
- every ``GradeOptions`` field (profile, seed, sandbox mode, the locked-cell template, ...) except
  ``slot`` and ``work_root``; nor the number of jobs: they change where a notebook runs, not its grade.
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

from grader.packs import digest_parts

if TYPE_CHECKING:
    from grader.discover.submissions import Submission
    from grader.packs import AssignmentData
    from grader.pipeline import GradeOptions
    from grader.records.adjust import Lateness
    from grader.rubric import Rubric

__all__ = ["KEY_SCHEMA", "assignment_sha256", "context_key", "options_sha256", "rubric_sha256", "submission_key"]

KEY_SCHEMA = "grader-batch-key/1"
_WHERE = frozenset({"slot", "work_root"})


def rubric_sha256(rubric: Rubric) -> str:
    """SHA-256 of the rubric file's bytes, or of the rubric's canonical JSON when it has no file."""
    return rubric.sha256


def assignment_sha256(data: AssignmentData) -> str:
    """The pack data's ``fingerprint()``: SHA-256 over everything in it that decides a grade (for week11:
    the training files' bytes, the labelled hidden pool, ``seq_len`` and the class secret's fingerprint,
    which with the submission's bytes decides each hidden order)."""
    return data.fingerprint()


def options_sha256(options: GradeOptions) -> str:
    """SHA-256 of every option except those that only say where a notebook runs (``slot``, ``work_root``)."""
    chosen = {f.name: getattr(options, f.name) for f in dataclasses.fields(options) if f.name not in _WHERE}
    return digest_parts([json.dumps(chosen, sort_keys=True, default=str)])


def context_key(*, rubric: str, assignment: str, grader_version: str, options: str) -> str:
    """The part of every submission's key shared by a whole batch (all arguments are hashes)."""
    return digest_parts([KEY_SCHEMA, rubric, assignment, grader_version, options])


def submission_key(
    context: str, submission: Submission, late_days: float = 0.0, lateness: Lateness | None = None
) -> str:
    """The resume key of one submission under a batch's ``context`` key.

    ``lateness`` (submission times from the LMS, a late mark) is part of the key when given, so a changed
    submission time regrades the student; without it the key is what it was before lateness existed.
    """
    parts = [context, submission.student_id, submission.sha256, submission.problem or "", repr(float(late_days))]
    if lateness is not None:
        parts.append(lateness.model_dump_json())
    return digest_parts(parts)
