"""The real pipeline (sandboxed kernels) through grade_batch and grade: trivial notebooks, minimal rubric."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest

from grader.api import grade
from grader.batch import grade_batch
from grader.prepare.secret import ClassSecret
from grader.rubric import load_rubric

RUBRIC = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"
pytestmark = pytest.mark.kernel


def trivial(answer: object) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(f"ANSWERS = {{'3.3': {answer!r}, '3.1': 'no'}}")]
    return nbformat.v4.new_notebook(cells=cells)


@pytest.fixture(scope="module")
def submissions(tmp_path_factory: pytest.TempPathFactory) -> Path:
    subs = tmp_path_factory.mktemp("subs")
    nbformat.write(trivial(0), subs / "right.ipynb")
    nbformat.write(trivial(2), subs / "wrong.ipynb")
    broken = trivial(0)
    broken.cells.insert(0, nbformat.v4.new_code_cell("1 / 0"))
    nbformat.write(broken, subs / "raises.ipynb")
    (subs / "empty.ipynb").write_bytes(b"")
    return subs


def comparable(out: Path) -> dict[str, object]:
    found = {}
    for path in sorted((out / "results").glob("*.json")):
        data = json.loads(path.read_text())
        data.pop("graded_at")
        data["execution"].pop("duration_s")
        for planned in ("threads", "cpu_time", "memory", "cgroup"):  # the slot plan splits cores and RAM
            data["execution"]["limits"].pop(planned, None)
        found[path.stem] = data
    return found


def test_one_and_two_slots_grade_identically(submissions: Path, tmp_path: Path) -> None:
    rubric = load_rubric(RUBRIC)
    secret = tmp_path / "class.secret"  # one class, one secret: the same hidden data for both runs
    ClassSecret.generate().write(secret)
    one = grade_batch(submissions, rubric, tmp_path / "one", jobs=1, secret=secret)
    two = grade_batch(submissions, rubric, tmp_path / "two", jobs=2, secret=secret)
    totals = {g.result.student_id: (g.result.status.value, g.result.total) for g in one.graded}
    assert totals == {"empty": ("invalid", 0.0), "raises": ("cell_error", 3.0), "right": ("graded", 3.0),
                      "wrong": ("graded", 1.0)}
    assert comparable(tmp_path / "one") == comparable(tmp_path / "two")
    assert [g.result.student_id for g in two.graded] == ["empty", "raises", "right", "wrong"]
    assert sorted(p.stem for p in (tmp_path / "two" / "executed").iterdir()) == ["raises", "right", "wrong"]
    again = grade_batch(submissions, RUBRIC, tmp_path / "two", jobs=2, secret=secret)
    assert again.fresh == [] and len(again.reused) == 4


def test_grade_one_notebook(submissions: Path, tmp_path: Path) -> None:
    result = grade(submissions / "right.ipynb", RUBRIC, profile="quick", cache_dir=tmp_path)
    assert (result.result.student_id, result.result.total, result.result.status.value) == ("right", 3.0, "graded")
    invalid = grade(submissions / "empty.ipynb", load_rubric(RUBRIC), cache_dir=tmp_path)
    assert invalid.result.status.value == "invalid" and "empty file (0 bytes)" in invalid.result.reason


def test_the_grade_command_reports_progress_counts_and_the_gradebook(submissions: Path, tmp_path: Path) -> None:
    """``grader grade`` as a TA types it, twice: the second run reuses every result."""
    import subprocess
    import sys

    out = tmp_path / "out"
    argv = [sys.executable, "-m", "grader", "grade", str(submissions), "--rubric", str(RUBRIC), "--out", str(out),
            "--jobs", "1"]
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    first = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert first.returncode == 0, first.stderr[-2000:]
    assert "4 students: 4 graded now, 0 reused" in first.stdout
    assert f"SQLite gradebook: {out / 'gradebook.db'} (run 1)" in first.stdout
    assert (out / "grades.csv").is_file() and (out / "reports" / "class_summary.html").is_file()
    second = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert second.returncode == 0, second.stderr[-2000:]
    assert "4 students: 0 graded now, 4 reused" in second.stdout
    assert "(run 2)" in second.stdout
