"""Write every export of a class into one folder."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

from grader.export._canvas import write_canvas_csv
from grader.export._common import RosterEntry
from grader.export._gradebook import write_gradebook_csv
from grader.export._gradescope import write_gradescope
from grader.export._moodle import write_moodle_csv
from grader.records.graded import GradedSubmission

__all__ = ["write_exports"]


def write_exports(
    graded: Sequence[GradedSubmission],
    out_dir: Path,
    *,
    assignment: str,
    roster: Mapping[str, RosterEntry] | None = None,
    gradebook: Path | None = None,
) -> tuple[Path, ...]:
    """Write ``gradebook.csv`` (or ``gradebook``), ``points_possible.csv`` beside it, ``moodle.csv``,
    ``canvas.csv`` and ``gradescope/<student_id>/results.json`` under ``out_dir``; returns every path."""
    written = write_gradebook_csv(graded, gradebook or out_dir / "gradebook.csv")
    moodle = write_moodle_csv(graded, out_dir / "moodle.csv", roster=roster)
    canvas = write_canvas_csv(graded, out_dir / "canvas.csv", assignment=assignment, roster=roster)
    return (*written, moodle, canvas, *write_gradescope(graded, out_dir / "gradescope"))
