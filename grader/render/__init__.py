"""Pages from graded results: a feedback page per student and a class summary (``grader.publish`` writes them).

Rendering reads :class:`~grader.records.graded.GradedSubmission` objects and never re-runs or re-scores
anything. Templates live in ``grader/render/templates`` (jinja2, ``StrictUndefined``, autoescaping);
charts and sequence logos are inline SVG, so each page is one self-contained HTML file.

Student-facing output goes through :func:`student_feedback`, the one place where hidden criteria are
reduced to their point outcome.
"""

from __future__ import annotations

from grader.render._feedback import FindingFeedback, QuestionFeedback, StudentFeedback, student_feedback
from grader.render._format import format_points, safe_file_stem
from grader.render._pages import PreparedPanels, prepare_panels, render_class_summary, render_student_report

__all__ = [
    "FindingFeedback",
    "PreparedPanels",
    "QuestionFeedback",
    "StudentFeedback",
    "format_points",
    "prepare_panels",
    "render_class_summary",
    "render_student_report",
    "safe_file_stem",
    "student_feedback",
]
