"""Gradescope autograder ``results.json``, one per submission, from the student-facing view.

Format (Gradescope's autograder specification, "Output format" of the autograder docs: a
``results.json`` the autograder writes to ``/autograder/results/``): ``score``, ``execution_time`` (s),
``output``, ``visibility`` and ``tests[{score, max_score, name, number, output, tags, visibility}]``.
Only the file is exported, for Gradescope's API or for reading: no autograder zip, because
Gradescope's container cannot run this grader's sandbox, and the hidden labels would sit beside the
student's code there. ``score`` is the effective grade plus extra credit (Gradescope shows a score
above the maximum as extra credit); ``output`` says the late penalty and each TA's change. Built from
:func:`grader.render.student_feedback`, so hidden criteria appear only as their points and a neutral
line; a question that is hidden as a whole gets test visibility ``after_published``.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from grader.export._common import final_grade
from grader.export._text import summary_lines
from grader.records.adjust import OverrideNote
from grader.records.graded import GradedSubmission
from grader.render import QuestionFeedback, format_points, safe_file_stem, student_feedback
from grader.store.files import write_atomic

__all__ = ["gradescope_results", "write_gradescope"]


def _test_output(q: QuestionFeedback) -> str:
    """A test's output text: the reason points were lost, then one line per criterion."""
    lines = [q.reason] if q.reason and q.lost else []
    for f in q.findings:
        mark = "✓" if f.passed else "✗"
        pts = f" ({format_points(f.points)}/{format_points(f.max_points)})" if f.max_points else ""
        lines.append(f"{mark} {f.label}{pts}: {f.message}")
    return "\n".join(lines) or q.status_label


def _test(q: QuestionFeedback, override: OverrideNote | None) -> dict[str, Any]:
    """One question as a Gradescope test (a TA's points say so, with the TA's reason)."""
    output = _test_output(q)
    if override is not None:
        output = f"Set by a TA (automatic: {format_points(override.auto_points)}): {override.reason}\n{output}"
    tags = [q.status.value] + (["extra credit"] if q.extra_credit else [])
    return {
        "score": q.points,
        "max_score": q.max_points,
        "name": f"{q.id} {q.title}",
        "number": q.id,
        "output": output,
        "tags": tags,
        "visibility": "after_published" if q.hidden else "visible",
    }


def gradescope_results(graded: GradedSubmission) -> dict[str, Any]:
    """The ``results.json`` object for one submission (score = points + extra credit)."""
    fb = student_feedback(graded.result)
    overrides = {q.id: q.override for q in graded.result.questions if q.override is not None}
    return {
        "score": final_grade(graded.result),
        "execution_time": round(graded.execution.duration_s),
        "output": "\n".join(summary_lines(graded)),
        "visibility": "visible",
        "tests": [_test(q, overrides.get(q.id)) for q in fb.questions],
    }


def write_gradescope(graded: Sequence[GradedSubmission], out_dir: Path) -> tuple[Path, ...]:
    """Write ``out_dir/<student_id>/results.json`` for each submission; returns the paths."""
    paths = []
    for g in sorted(graded, key=lambda g: g.result.student_id):
        path = out_dir / safe_file_stem(g.result.student_id) / "results.json"
        paths.append(write_atomic(path, json.dumps(gradescope_results(g), indent=2, ensure_ascii=False) + "\n", durable=False))
    return tuple(paths)
