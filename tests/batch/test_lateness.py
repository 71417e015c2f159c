"""Submission times and Canvas late marks reach the grading step, key the resume, and are checked."""

from __future__ import annotations

from pathlib import Path

import pytest

from grader.discover.times import SubmissionTimes
from grader.errors import LmsFileError
from grader.records.adjust import Lateness

from . import fakes

CANVAS = {"lovelaceada_late_20001_900001_week11": {"points": 3}, "nunezjose_20003_900002_week11": {"points": 4}}


def times(days: float) -> SubmissionTimes:
    late = Lateness(late_days=days, submitted_at="2026-12-05T09:30:00+01:00", source="times.csv row 2")
    return SubmissionTimes(Path("times.csv"), {"20003": late}, {"20003": 2})


def test_lateness_reaches_the_result_and_a_changed_time_regrades(tmp_path: Path) -> None:
    subs = fakes.write_notebooks(tmp_path / "subs", CANVAS)
    first = fakes.batch(subs, tmp_path / "out", times=times(1.0))
    by_id = {g.result.student_id: g.result.lateness for g in first.graded}
    marked = by_id["20001"]
    assert marked is not None and marked.marked_late_without_time  # _late_ in the name, no time given
    assert by_id["20003"] is not None and by_id["20003"].late_days == 1.0
    again = fakes.batch(subs, tmp_path / "out", times=times(1.0))
    assert again.fresh == [] and again.reused == ["20001", "20003"]
    moved = fakes.batch(subs, tmp_path / "out", times=times(2.0))
    assert moved.fresh == ["20003"] and moved.reused == ["20001"]


def test_an_unknown_student_in_the_times_stops_the_batch(tmp_path: Path) -> None:
    subs = fakes.write_notebooks(tmp_path / "subs", CANVAS)
    unknown = SubmissionTimes(Path("times.csv"), {"99999": Lateness(late_days=1.0)}, {"99999": 2})
    with pytest.raises(LmsFileError, match=r"times.csv row 2: student id '99999' is not among"):
        fakes.batch(subs, tmp_path / "out", times=unknown)
