"""The TA's path through the CLI: a Moodle download graded with --roster and --submission-times, then the
worksheet a TA uploads is checked (grade on Moodle's scale, late penalty in grade and feedback)."""

from __future__ import annotations

import csv
import io
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).parents[1]
LMS = ROOT / "fixtures" / "lms"
pytestmark = pytest.mark.kernel

RUBRIC_TAIL = """
due: 2026-12-04T23:59:00+01:00
late_penalty: {per_day: 0.1, max_fraction: 0.5}
"""


def notebook(answer: int) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(f"ANSWERS = {{'3.3': {answer!r}, '3.1': 'no'}}")]
    return nbformat.v4.new_notebook(cells=cells)


def test_grade_with_roster_and_submission_times(tmp_path: Path) -> None:
    subs = tmp_path / "download"
    for folder, answer in (("Ada Lovelace_10001_assignsubmission_file_", 0),
                           ("José Núñez_10003_assignsubmission_file_", 0),
                           ("Grace Hopper_10005_assignsubmission_file_", 2)):
        (subs / folder).mkdir(parents=True)
        nbformat.write(notebook(answer), subs / folder / "week11.ipynb")
    rubric = tmp_path / "rubric.yaml"
    rubric.write_text((ROOT / "fixtures" / "batch" / "minimal.yaml").read_text(encoding="utf-8") + RUBRIC_TAIL,
                      encoding="utf-8")
    worksheet = tmp_path / "worksheet.csv"  # as downloaded from Moodle, next to the download
    shutil.copyfile(LMS / "moodle_worksheet.csv", worksheet)
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "grader", "grade", str(subs), "--rubric", str(rubric), "--out", str(out),
            "--jobs", "1", "--roster", str(worksheet), "--submission-times", str(worksheet),
            "--timezone", "Europe/Berlin"]
    run = subprocess.run(argv, capture_output=True, text=True, timeout=600, check=False,
                         env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    assert "moodle_worksheet.csv" in run.stdout

    uploaded = (out / "exports" / "moodle_worksheet.csv").read_bytes()
    rows = {r[0]: r for r in csv.reader(io.StringIO(uploaded.decode("utf-8-sig"), newline=""))}
    assert rows["Participant 10001"][4] == "10.00"  # 3/3 on Moodle's maximum of 10
    assert rows["Participant 10003"][4] == "9.00"  # 3/3 minus 10% (one started day late), rescaled
    feedback = rows["Participant 10003"][10]
    assert "submitted 0.4 days late" in feedback and "-10% = -0.3 points" in feedback
    assert "worksheet.csv row 3" in feedback  # where the time came from
    assert rows["Participant 10021"][4] == "" and rows["Participant 10021"][10] == "no submission"
    readme = (out / "exports" / "README.txt").read_text(encoding="utf-8")
    assert "Grace Hopper (10005)" in readme and "Zoë Ødegård-Łukasz (10021)" in readme

    worksheet.unlink()  # the roster was kept in OUT/lms/: a later report writes the upload file again
    report = subprocess.run([sys.executable, "-m", "grader", "report", str(out)], capture_output=True, text=True,
                            timeout=600, check=False, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert report.returncode == 0, report.stderr[-2000:]
    assert (out / "exports" / "moodle_worksheet.csv").read_bytes() == uploaded

    bad = tmp_path / "times.csv"
    bad.write_text("student_id,submitted_at\n99999,2026-12-05T09:30:00+01:00\n", encoding="utf-8")
    again = subprocess.run([*argv[:-6], "--submission-times", str(bad)], capture_output=True, text=True,
                           timeout=600, check=False, env={"COLUMNS": "200", "PATH": "/usr/bin:/bin"})
    assert again.returncode == 2 and "times.csv row 2: student id '99999'" in again.stderr
