"""The student's self-check: ``grader check NOTEBOOK`` in a terminal, ``grader.check()`` in a notebook.

``self_check`` runs the saved notebook in the quick profile against the public view of the rubric
(the student rubric the template carries, or ``--rubric``) and prints a verdict that is green only when
the grader will be able to grade everything; ``check`` does the same from inside a running kernel, in a
separate process, and returns HTML.
"""

from __future__ import annotations

from grader.selfcheck._kernel import CheckResult, check, find_notebook, load_ipython_extension
from grader.selfcheck._run import (
    CHECK_RUBRIC_KEY,
    DEFAULT_RUBRIC,
    find_rubric,
    run_self_check,
    self_check,
)
from grader.selfcheck._verdict import Verdict, verdict

__all__ = [
    "CHECK_RUBRIC_KEY",
    "DEFAULT_RUBRIC",
    "CheckResult",
    "Verdict",
    "check",
    "find_notebook",
    "find_rubric",
    "load_ipython_extension",
    "run_self_check",
    "self_check",
    "verdict",
]
