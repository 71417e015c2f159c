"""The Python API, with no course-directory layout: grade one notebook, or a batch.

>>> from grader.api import grade  # doctest: +SKIP
>>> result = grade(Path("alice.ipynb"), Path("rubrics/week11.yaml"), profile="quick")  # doctest: +SKIP
>>> result.result.total, result.result.status  # doctest: +SKIP

The CLI (``grader grade``) is a thin layer over ``grade_batch``.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING

from grader.batch import BatchOutcome, grade_batch
from grader.batch.slots import slot_lease
from grader.batch.worker import pipeline_fail
from grader.discover.probe import probe_notebook
from grader.discover.submissions import Submission, student_id_for
from grader.records.execution import ExecStatus
from grader.records.graded import GradedSubmission

if TYPE_CHECKING:
    from grader.rubric import Rubric

__all__ = ["BatchOutcome", "GradedSubmission", "default_cache_dir", "grade", "grade_batch"]


def default_cache_dir() -> Path:
    """Where ``grade`` keeps prepared assignment data: ``$XDG_CACHE_HOME/nbgrade-ml`` (``~/.cache/...``)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "nbgrade-ml"


def _submission(notebook: Path, student_id: str | None) -> Submission:
    probe = probe_notebook(notebook)
    sid = student_id or student_id_for(notebook, notebook.parent)[0]
    return Submission(sid, notebook, origin=str(notebook), sha256=probe.sha256, problem=probe.problem)


def grade(
    notebook: Path,
    rubric: Path | Rubric,
    *,
    profile: str = "full",
    student_id: str | None = None,
    seed: int = 0,
    sandbox: str | None = None,
    late_days: float = 0.0,
    executed_dir: Path | None = None,
    cache_dir: Path | None = None,
    secret: Path | None = None,
) -> GradedSubmission:
    """Grade one notebook against ``rubric`` (a file or a loaded ``Rubric``) and return the full record.

    ``profile``: the rubric's training profile (``"quick"`` or ``"full"``). ``student_id``: defaults to
    what the file name says (an LMS name's id, else the file name). ``sandbox``: override the rubric's
    mode (``"required"``, ``"auto"``, ``"off"``). ``executed_dir``: keep the executed notebook there.
    ``cache_dir``: prepared assignment data (default ``default_cache_dir()``). ``secret``: the class
    secret file; by default ``cache_dir/class.secret``, made on first use (``grade_batch`` explains it).

    Never raises for a broken notebook (the result says INVALID, TIMEOUT, ... with a reason); raises
    ``GraderError`` when the rubric, the assignment data or the sandbox is unusable. Safe to call from
    several threads or processes at once: each call leases its own sandbox slot.
    """
    from grader.pipeline import GradeOptions, grade_notebook
    from grader.prepare.secret import class_secret
    from grader.rubric import Rubric, load_rubric

    loaded = rubric if isinstance(rubric, Rubric) else load_rubric(rubric)
    sub = _submission(notebook, student_id)
    if sub.problem is not None:
        return pipeline_fail(sub, loaded, ExecStatus.INVALID, sub.problem)
    cache = cache_dir or default_cache_dir()
    data = loaded.pack().data(loaded, cache_dir=cache, secret=class_secret(cache, secret))
    with slot_lease() as slot:
        options = GradeOptions(profile=profile, seed=seed, sandbox=sandbox, slot=slot)
        return grade_notebook(
            notebook, loaded, data, student_id=sub.student_id, options=options, executed_dir=executed_dir,
            late_days=late_days,
        )
