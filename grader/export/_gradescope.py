"""Gradescope autograder ``results.json``, one per submission, from the student-facing view.

Format (Gradescope's autograder specification): ``score``, ``execution_time`` (s), ``output``,
``visibility`` and ``tests[{score, max_score, name, number, output, tags, visibility}]``. Built from
:func:`grader.render.student_feedback`, so hidden criteria appear only as their points and a neutral
line; a question that is hidden as a whole gets test visibility ``after_published``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.export._common import final_grade
from grader.records.graded import GradedSubmission
from grader.render import QuestionFeedback, format_points, safe_file_stem, student_feedback, write_derived

__all__ = ["gradescope_results", "write_gradescope"]


def _test_output(q: QuestionFeedback) -> str:
    """A test's output text: the reason points were lost, then one line per criterion."""
    lines = [q.reason] if q.reason and q.lost else []
    for f in q.findings:
        mark = "✓" if f.passed else "✗"
        pts = f" ({format_points(f.points)}/{format_points(f.max_points)})" if f.max_points else ""
        lines.append(f"{mark} {f.label}{pts}: {f.message}")
    return "\n".join(lines) or q.status_label


def _test(q: QuestionFeedback) -> dict[str, Any]:
    """One question as a Gradescope test."""
    tags = [q.status.value] + (["extra credit"] if q.extra_credit else [])
    return {
        "score": q.points,
        "max_score": q.max_points,
        "name": f"{q.id} {q.title}",
        "number": q.id,
        "output": _test_output(q),
        "tags": tags,
        "visibility": "after_published" if q.hidden else "visible",
    }


def gradescope_results(graded: GradedSubmission) -> dict[str, Any]:
    """The ``results.json`` object for one submission (score = points + extra credit)."""
    fb = student_feedback(graded.result)
    return {
        "score": final_grade(graded.result),
        "execution_time": round(graded.result.execution.duration_s),
        "output": fb.headline,
        "visibility": "visible",
        "tests": [_test(q) for q in fb.questions],
    }


def write_gradescope(graded: Sequence[GradedSubmission], out_dir: Path) -> tuple[Path, ...]:
    """Write ``out_dir/<student_id>/results.json`` for each submission; returns the paths."""
    paths = []
    for g in sorted(graded, key=lambda g: g.result.student_id):
        path = out_dir / safe_file_stem(g.result.student_id) / "results.json"
        paths.append(write_derived(path, json.dumps(gradescope_results(g), indent=2, ensure_ascii=False) + "\n"))
    return tuple(paths)
