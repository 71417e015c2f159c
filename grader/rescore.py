"""Re-score stored evidence under a (changed) rubric: no notebook is re-executed.

Every graded submission keeps its ``Evidence`` and ``ExecutionRecord`` (in the gradebook and in
``OUT/results/<id>.json``); scoring is a pure function of those, the rubric and the stored lateness, so a
new rubric gives new grades in milliseconds. ``rescore_folder`` records the new results in the gradebook
as a new run (``backend = "rescore"``): the gradebook stays the one source of truth, and the TAs'
overrides, late days and review marks (kept apart from results) still apply to the new scores.
"""

from __future__ import annotations

from pathlib import Path

from grader._version import __version__
from grader.publish import stored_results
from grader.records.graded import GradedSubmission
from grader.rubric import Rubric, load_rubric
from grader.score import GradeChange, diff_results, score_submission
from grader.store.files import lock_out_dir, write_result
from grader.store.gradebook import (
    GRADEBOOK_FILE,
    RunCounts,
    RunInfo,
    finish_run,
    open_gradebook,
    report_fields,
    start_run,
    transaction,
    upsert_result,
)

__all__ = ["diff_folder", "rescore", "rescore_folder"]


def rescore(graded: GradedSubmission, rubric: Rubric) -> GradedSubmission:
    """``graded`` with its result recomputed under ``rubric`` from the stored evidence, run and lateness."""
    old = graded.result
    result = score_submission(
        rubric, graded.evidence, graded.execution, student_id=old.student_id, source=old.source,
        lateness=old.lateness,
    )
    # cache_key "" : the result no longer belongs to the inputs the batch keyed it by, so a later
    # `grader grade` with the old rubric regrades it instead of reusing a result scored under the new one.
    return graded.model_copy(update={"result": result, "cache_key": ""})


def _record(out_dir: Path, rubric: Rubric, after: list[GradedSubmission]) -> None:
    """Store ``after`` as result files and as a new gradebook run."""
    info = RunInfo(rubric_id=rubric.rubric_id, rubric_sha256=rubric.sha256, grader_version=__version__,
                   profile="", backend="rescore", jobs=1, n_submissions=len(after), **report_fields(rubric))
    with open_gradebook(out_dir / GRADEBOOK_FILE) as db:
        run_id = start_run(db, info)
        with transaction(db):  # the new run's results land together, or not at all
            for graded in after:
                write_result(out_dir, graded)
                upsert_result(db, run_id, graded)
        finish_run(db, run_id, RunCounts(graded=len(after)))


def rescore_folder(out_dir: Path, rubric_path: Path) -> list[GradeChange]:
    """Re-score every current result of ``out_dir`` under ``rubric_path``, store them, return what changed."""
    rubric = load_rubric(rubric_path)
    with lock_out_dir(out_dir):
        before = stored_results(out_dir)
        after = [rescore(g, rubric) for g in before]
        _record(out_dir, rubric, after)
    return diff_results([g.result for g in before], [g.result for g in after])


def diff_folder(out_dir: Path, old_path: Path, new_path: Path) -> list[GradeChange]:
    """Grade changes if ``new_path`` replaced ``old_path``, on the stored evidence (nothing written)."""
    old, new = load_rubric(old_path), load_rubric(new_path)
    stored = stored_results(out_dir)
    return diff_results([rescore(g, old).result for g in stored], [rescore(g, new).result for g in stored])
