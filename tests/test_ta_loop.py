"""The TA's loop through the real CLI: grade, override, report, rescore; what the TA and students receive.

A class of four trivial notebooks (the minimal batch rubric) is graded with ``grader grade`` in real
sandboxed kernels; two of them carry the same student code. Then an override is set in the SQLite
gradebook (as the review app does) and every file users receive is checked after ``grader report``, after
``grader rescore`` with a changed rubric, and a partial regrade under another rubric is refused.
"""

from __future__ import annotations

import csv
import json
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from starlette.testclient import TestClient

from grader.review import Secrets, create_app
from grader.store.gradebook import list_runs, open_gradebook, set_override

RUBRIC = Path(__file__).parent / "fixtures" / "batch" / "minimal.yaml"
pytestmark = pytest.mark.kernel

# Student code long enough for winnowed fingerprints (k = 25 normalised characters) to find a copy.
SHARED_CODE = '''
def one_step(x0, lr, grad):
    """One gradient-descent step, written out by hand."""
    history = []
    x = list(x0)
    for i, g in enumerate(grad):
        x[i] = x[i] - lr * g
        history.append((i, x[i], g))
    total = sum(abs(v) for v in x)
    if total > 1000:
        raise ValueError("diverged: " + str(total))
    return x, history


def separable(points, labels):
    """Brute-force check over a grid of lines."""
    for a in range(-5, 6):
        for b in range(-5, 6):
            for c in range(-5, 6):
                side = [a * p[0] + b * p[1] + c > 0 for p in points]
                if all(s == bool(l) for s, l in zip(side, labels)):
                    return True
    return False


x1, steps = one_step([1.0, 2.0], 0.5, [2.0, 4.0])
XNOR = separable([(0, 0), (0, 1), (1, 0), (1, 1)], [1, 0, 0, 1])
'''


def notebook(answer: object, code: str) -> nbformat.NotebookNode:
    cells = [nbformat.v4.new_code_cell(code),
             nbformat.v4.new_code_cell(f"ANSWERS = {{'3.3': {answer!r}, '3.1': 'no'}}")]
    return nbformat.v4.new_notebook(cells=cells)


def grader(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    env = {"COLUMNS": "200", "PATH": "/usr/bin:/bin"}
    run = subprocess.run([sys.executable, "-m", "grader", *args], capture_output=True, text=True, timeout=600,
                         env=env, check=False)
    if check:
        assert run.returncode == 0, run.stdout[-2000:] + run.stderr[-2000:]
    return run


@pytest.fixture(scope="module")
def graded_class(tmp_path_factory: pytest.TempPathFactory) -> Path:
    subs = tmp_path_factory.mktemp("subs")
    nbformat.write(notebook(0, SHARED_CODE), subs / "ada.ipynb")
    nbformat.write(notebook(0, SHARED_CODE.replace("history", "log")), subs / "bob.ipynb")  # a renamed copy
    nbformat.write(notebook(2, "x1 = 0.0  # my own answer\nprint(x1)"), subs / "cy.ipynb")
    out = tmp_path_factory.mktemp("out")
    grader("grade", str(subs), "--rubric", str(RUBRIC), "--out", str(out), "--jobs", "1")
    return out


def rows(path: Path) -> dict[str, dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as f:
        return {r["student_id"]: r for r in csv.DictReader(f)}


def test_similar_code_is_compared_and_flagged_on_the_cli_path(graded_class: Path) -> None:
    html = (graded_class / "reports" / "class_summary.html").read_text(encoding="utf-8")
    assert "3 notebooks compared" in html and "without an executed notebook" not in html
    assert "ada ↔ bob" in html
    pairs = json.loads((graded_class / "reports" / "similarity.json").read_text(encoding="utf-8"))["pairs"]
    assert [(p["first"], p["second"]) for p in pairs] == [("ada", "bob")]
    # the review app over the same folder: the pair is a flag in the table and side by side on the page
    secrets = Secrets(port=8765, token="t" * 40, csrf="c" * 40)
    with TestClient(create_app(graded_class, secrets=secrets, ta="ann"), base_url="http://127.0.0.1:8765") as app:
        table = app.get(f"/t/{secrets.token}/?flag=similar").text
        assert 'class="flag flag-similar"' in table and ">ada<" in table and ">bob<" in table
        assert ">cy<" not in table
        page = app.get(f"/t/{secrets.token}/s/ada").text
        assert "bob" in page and "def one_step(x0, lr, grad):" in page


def test_an_override_reaches_every_file_users_receive_and_survives_a_rescore(
    graded_class: Path, tmp_path: Path
) -> None:
    assert rows(graded_class / "grades.csv")["cy"]["total"] == "1"
    with open_gradebook(graded_class / "gradebook.db") as db:
        set_override(db, "cy", "3.3", 1.5, grader="ta-ann", reason="sign error only; method right")
    grader("report", str(graded_class))

    grades = rows(graded_class / "grades.csv")
    assert (grades["cy"]["3.3"], grades["cy"]["total"]) == ("1.5", "2.5")
    report = (graded_class / "reports" / "students" / "cy.html").read_text(encoding="utf-8")
    assert "sign error only; method right" in report and "Adjusted by a TA" in report
    gradescope = json.loads((graded_class / "exports" / "gradescope" / "cy" / "results.json").read_text())
    assert gradescope["score"] == 2.5
    for export in sorted((graded_class / "exports").glob("*.csv")):
        cy_lines = [line for line in export.read_text(encoding="utf-8-sig").splitlines() if "cy" in line]
        assert cy_lines and all("2.5" in line for line in cy_lines), (export.name, cy_lines)
    summary = (graded_class / "reports" / "class_summary.html").read_text(encoding="utf-8")
    assert "Points set by a TA" in summary

    changed = tmp_path / "changed.yaml"
    changed.write_text(RUBRIC.read_text().replace("max_points: 3", "max_points: 4").replace(
        "    points: 1\n", "    points: 2\n"), encoding="utf-8")
    grader("rescore", str(graded_class), "--rubric", str(changed))
    grades = rows(graded_class / "grades.csv")
    assert (grades["cy"]["3.3"], grades["cy"]["total"]) == ("1.5", "3.5")  # 3.1 now worth 2; override kept
    assert grades["ada"]["total"] == "4"
    runs = list_runs(graded_class / "gradebook.db")
    assert runs[-1].info.backend == "rescore" and runs[-1].info.rubric_sha256 != runs[0].info.rubric_sha256


def test_a_partial_regrade_under_another_rubric_is_refused(graded_class: Path, tmp_path: Path) -> None:
    one = tmp_path / "one"
    one.mkdir()
    nbformat.write(notebook(0, "x = 1"), one / "dee.ipynb")
    other = tmp_path / "other.yaml"
    other.write_text(RUBRIC.read_text().replace("id: batch_minimal", "id: batch_other"), encoding="utf-8")
    run = grader("grade", str(one), "--rubric", str(other), "--out", str(graded_class), "--jobs", "1", check=False)
    assert run.returncode == 2
    message = " ".join(run.stderr.split())
    assert "rubric 'batch_minimal@" in message and "rubric 'batch_other@" in message
    assert "--force" in message and f"grader rescore {graded_class}" in message
