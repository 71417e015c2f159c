"""Score stage: a pure function from (rubric, evidence, execution) to a :class:`SubmissionResult`.

``score_submission`` grades; ``self_check`` scores the rubric's public view for students;
``diff_results`` compares two sets of results (``grader rescore``, ``grader rubric diff``).
"""

from __future__ import annotations

from grader.score._diff import DiffSummary, GradeChange, QuestionChange, diff_results, summarize_diff
from grader.score._score import not_run_reason, score_question, score_submission, self_check
from grader.score.effective import effective_result

__all__ = [
    "DiffSummary",
    "GradeChange",
    "QuestionChange",
    "diff_results",
    "effective_result",
    "not_run_reason",
    "score_question",
    "score_submission",
    "self_check",
    "summarize_diff",
]
