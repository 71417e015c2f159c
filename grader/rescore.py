"""Re-score stored evidence under a (changed) rubric: no notebook is re-executed.

Every graded submission keeps its ``Evidence`` and ``ExecutionRecord`` in ``OUT/results/<id>.json``;
scoring is a pure function of those and the rubric, so a new rubric gives new grades in milliseconds.
"""

from __future__ import annotations

from pathlib import Path

from grader.records.graded import GradedSubmission
from grader.rubric import Rubric, load_rubric
from grader.score import GradeChange, diff_results, score_submission
from grader.store.files import read_results, write_result

__all__ = ["diff_folder", "rescore", "rescore_folder"]


def rescore(graded: GradedSubmission, rubric: Rubric) -> GradedSubmission:
    """``graded`` with its result recomputed under ``rubric`` from the stored evidence."""
    old = graded.result
    result = score_submission(
        rubric, graded.evidence, old.execution, student_id=old.student_id, source=old.source
    )
    # cache_key "" : the result no longer belongs to the inputs the batch keyed it by, so a later
    # `grader grade` with the old rubric regrades it instead of reusing a result scored under the new one.
    return graded.model_copy(update={"result": result, "cache_key": ""})


def rescore_folder(out_dir: Path, rubric_path: Path) -> list[GradeChange]:
    """Re-score every result in ``out_dir`` under ``rubric_path``, store them, return what changed."""
    rubric = load_rubric(rubric_path)
    before = read_results(out_dir)
    after = [rescore(g, rubric) for g in before]
    for graded in after:
        write_result(out_dir, graded)
    return diff_results([g.result for g in before], [g.result for g in after])


def diff_folder(out_dir: Path, old_path: Path, new_path: Path) -> list[GradeChange]:
    """Grade changes if ``new_path`` replaced ``old_path``, on the stored evidence (nothing written)."""
    old, new = load_rubric(old_path), load_rubric(new_path)
    stored = read_results(out_dir)
    return diff_results([rescore(g, old).result for g in stored], [rescore(g, new).result for g in stored])
