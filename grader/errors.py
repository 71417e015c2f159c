"""The grader's exceptions: one module, one tree.

Exceptions are raised only when the *harness* is misconfigured or misused (a bad rubric, a missing
template, an unwritable output folder). What goes wrong *inside a submission* (a cell error, a timeout,
a dead kernel, a missing answer) is never raised: it is recorded as data (``ExecStatus``,
``ItemStatus``, ``QuestionStatus``) so that one broken notebook never stops a batch.

    GraderError
    ├── ConfigError                 a configuration file is invalid
    │   ├── RubricError             rubrics/*.yaml: names the file, the key path and the bad value
    │   │   ├── RubricVersionError  written for another schema version
    │   │   └── PackError           the rubric's assignment pack is missing or invalid (grader.packs)
    │   ├── AssignmentError         the assignment's files or data are missing or invalid
    │   └── LmsFileError            an LMS file (roster, submission times) is not what it should be: names file and row
    ├── SandboxError                the sandbox cannot be set up on this machine
    │   └── SandboxUnavailableError bubblewrap or user namespaces are missing
    ├── SubmissionInputError        a submissions folder or file cannot be read at all
    ├── StoreError                  results or the gradebook cannot be read or written
    └── RenderError                 a report template is broken (StrictUndefined, missing template)
"""

from __future__ import annotations

__all__ = [
    "AssignmentError",
    "ConfigError",
    "GraderError",
    "LmsFileError",
    "PackError",
    "RenderError",
    "RubricError",
    "RubricVersionError",
    "SandboxError",
    "SandboxUnavailableError",
    "StoreError",
    "SubmissionInputError",
]


class GraderError(Exception):
    """Base class of every exception the grader raises on purpose."""


class ConfigError(GraderError):
    """A configuration file is invalid."""


class RubricError(ConfigError):
    """A rubric file is invalid; the message names the file, the key path and the bad value."""


class RubricVersionError(RubricError):
    """A rubric was written for a schema version this grader does not read."""


class PackError(RubricError):
    """The assignment pack a rubric names cannot be used; the message names the rubric, the
    ``assignment:`` key, the packs found and the closest name."""


class AssignmentError(ConfigError):
    """The assignment's files or data are missing or invalid."""


class LmsFileError(ConfigError):
    """An LMS file (a roster, submission times) is malformed; the message names the file and the row."""


class SandboxError(GraderError):
    """The sandbox cannot be set up."""


class SandboxUnavailableError(SandboxError):
    """bubblewrap or user namespaces are not available on this machine."""


class SubmissionInputError(GraderError):
    """A submissions folder or file cannot be read at all."""


class StoreError(GraderError):
    """Results or the gradebook cannot be read or written."""


class RenderError(GraderError):
    """A report template is broken."""
