"""A sandboxed, measuring grader for machine-learning notebooks.

    >>> import grader
    >>> grader.__all__
    ['BatchOutcome', 'GradedSubmission', 'Rubric', 'SubmissionResult', '__version__', 'check', 'grade', 'grade_batch', 'load_ipython_extension', 'load_rubric']

``grade(notebook, rubric)`` grades one notebook, ``grade_batch(folder, rubric, out_dir)`` a class;
``load_rubric(path)`` parses a YAML rubric once into typed objects. In a notebook, ``grader.check()``
self-checks the saved notebook in a fresh kernel (``%load_ext grader`` adds ``%grader_check``).
Names load on first use, so
``import grader`` stays cheap (the CLI starts fast).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader._lazy import lazy_names

if TYPE_CHECKING:
    from grader.api import BatchOutcome, grade, grade_batch
    from grader.records.graded import GradedSubmission
    from grader.records.result import SubmissionResult
    from grader.rubric import Rubric, load_rubric
    from grader.selfcheck import check, load_ipython_extension

from grader._version import __version__

__all__ = [
    "BatchOutcome",
    "GradedSubmission",
    "Rubric",
    "SubmissionResult",
    "__version__",
    "check",
    "grade",
    "grade_batch",
    "load_ipython_extension",
    "load_rubric",
]

_WHERE: dict[str, str] = {
    "BatchOutcome": "grader.api",
    "GradedSubmission": "grader.records.graded",
    "Rubric": "grader.rubric",
    "SubmissionResult": "grader.records.result",
    "check": "grader.selfcheck",
    "grade": "grader.api",
    "grade_batch": "grader.api",
    "load_ipython_extension": "grader.selfcheck",
    "load_rubric": "grader.rubric",
}


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
