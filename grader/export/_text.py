"""Feedback text shared by the LMS exports: what a student reads next to the grade.

Built from :func:`grader.render.student_feedback` (hidden criteria never appear), plus what people
decided on top of the score: the late penalty and how it was computed, and a TA's points with the
TA's reason. All student-derived text is escaped in the HTML form.
"""

from __future__ import annotations

from markupsafe import escape

from grader.export._scale import LmsGrade
from grader.records.graded import GradedSubmission
from grader.render import format_points, student_feedback

__all__ = ["NO_SUBMISSION", "feedback_html", "feedback_lines", "summary_lines"]

NO_SUBMISSION = "no submission"


def _late_line(g: GradedSubmission, headline: str) -> str:
    r = g.result
    note = r.lateness.note(r.late_penalty) if r.lateness is not None else ""
    return f"Late: {note}." if note and note not in headline else ""


def _override_lines(g: GradedSubmission) -> list[str]:
    return [
        f"{q.id} {q.title}: {format_points(q.points)}/{format_points(q.max_points)} set by a TA "
        f"(automatic: {format_points(q.override.auto_points)}): {q.override.reason}"
        for q in g.result.questions if q.override is not None
    ]


def _tail(g: GradedSubmission, lms: LmsGrade | None, extra_in_text: bool) -> list[str]:
    r, lines = g.result, []
    if lms is not None and extra_in_text and lms.extra is not None and r.extra_max:
        lines.append(f"Extra credit: {format_points(r.extra_points)}/{format_points(r.extra_max)} points "
                     "(recorded separately, not in this grade).")
    if lms is not None and lms.scale_note:
        lines.append(f"Grade: {lms.scale_note}.")
    return lines


def summary_lines(g: GradedSubmission) -> list[str]:
    """The headline, the late penalty (when the headline does not say it) and each TA's change."""
    headline = student_feedback(g.result).headline
    late = _late_line(g, headline)
    return [headline, *([late] if late else []), *(f"Changed by a TA: {line}" for line in _override_lines(g))]


def feedback_lines(g: GradedSubmission, lms: LmsGrade | None = None, *, extra_in_text: bool = False) -> list[str]:
    """The feedback as plain lines: headline, late penalty, TA's points, lost points, extra credit, scale."""
    fb = student_feedback(g.result)
    lines = [fb.headline]
    late = _late_line(g, fb.headline)
    lines += [late] if late else []
    lines += [f"Changed by a TA: {line}" for line in _override_lines(g)]
    lines += [f"{q.id} {q.title}: {format_points(q.points)}/{format_points(q.max_points)}"
              f"{' — ' + q.reason if q.reason else ''}" for q in fb.lost]
    return lines + _tail(g, lms, extra_in_text)


def feedback_html(g: GradedSubmission, lms: LmsGrade | None = None, *, extra_in_text: bool = False) -> str:
    """The feedback as Moodle stores it (HTML): headline, late penalty, TA's points, lost points as a list."""
    fb = student_feedback(g.result)
    parts = [f"<p>{escape(fb.headline)}</p>"]
    late = _late_line(g, fb.headline)
    parts += [f"<p>{escape(late)}</p>"] if late else []
    overrides = "".join(f"<li>{escape(line)}</li>" for line in _override_lines(g))
    parts += [f"<p>Changed by a TA:</p><ul>{overrides}</ul>"] if overrides else []
    items = "".join(
        f"<li>{escape(q.id)} {escape(q.title)}: {format_points(q.points)}/{format_points(q.max_points)}"
        f"{' — ' + str(escape(q.reason)) if q.reason else ''}</li>"
        for q in fb.lost
    )
    parts += [f"<ul>{items}</ul>"] if items else []
    parts += [f"<p>{escape(line)}</p>" for line in _tail(g, lms, extra_in_text)]
    return "".join(parts)
