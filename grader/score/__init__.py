"""Score stage: a pure function from (rubric, evidence, execution) to a :class:`SubmissionResult`.

``score_submission`` grades; ``self_check`` scores the rubric's public view for students;
``diff_results`` compares two sets of results (``grader rescore``, ``grader rubric diff``).

Public names are imported on first use (PEP 562), so ``import grader.score`` costs almost nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from grader._lazy import lazy_names

if TYPE_CHECKING:
    from grader.records.result import (
        Finding,
        FindingStatus,
        QuestionResult,
        QuestionStatus,
        SubmissionResult,
        SubmissionStatus,
        Visibility,
    )
    from grader.score._diff import DiffSummary, GradeChange, QuestionChange, diff_results, summarize_diff
    from grader.score._score import not_run_reason, score_question, score_submission, self_check
    from grader.score.effective import effective_result

__all__ = [
    "DiffSummary",
    "Finding",
    "FindingStatus",
    "GradeChange",
    "QuestionChange",
    "QuestionResult",
    "QuestionStatus",
    "SubmissionResult",
    "SubmissionStatus",
    "Visibility",
    "diff_results",
    "effective_result",
    "not_run_reason",
    "score_question",
    "score_submission",
    "self_check",
    "summarize_diff",
]

_WHERE: dict[str, str] = {
    "DiffSummary": "grader.score._diff",
    "Finding": "grader.records.result",
    "FindingStatus": "grader.records.result",
    "GradeChange": "grader.score._diff",
    "QuestionChange": "grader.score._diff",
    "QuestionResult": "grader.records.result",
    "QuestionStatus": "grader.records.result",
    "SubmissionResult": "grader.records.result",
    "SubmissionStatus": "grader.records.result",
    "Visibility": "grader.records.result",
    "diff_results": "grader.score._diff",
    "effective_result": "grader.score.effective",
    "not_run_reason": "grader.score._score",
    "score_question": "grader.score._score",
    "score_submission": "grader.score._score",
    "self_check": "grader.score._score",
    "summarize_diff": "grader.score._diff",
}


__getattr__, __dir__ = lazy_names(__name__, _WHERE, __all__)
