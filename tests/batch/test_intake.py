"""Intake through the batch: a student's zip with LMS names, duplicates in the class summary, staged files.

The fast tests use the stand-in grading steps (``fakes``); the last one runs ``grader grade`` as a TA
types it, with real sandboxed kernels.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import nbformat
import pytest

from grader.batch.run import EXTRACTED_DIR
from grader.errors import SandboxUnavailableError
from grader.render import render_class_summary
from grader.store.files import read_results

from . import fakes

RUBRIC = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"


def fake_notebook(points: float, **spec: object) -> bytes:
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x = 1", id="c1")])
    nb.metadata["fake"] = {"points": points, **spec}
    return json.dumps(nb, sort_keys=True).encode()


def make_zip(entries: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in entries.items():
            zf.writestr(name, data)
    return buffer.getvalue()


def hostile_class(folder: Path, real: bytes, forged: bytes) -> Path:
    """A plain folder: student 55555's notebook and Mallory's zip that poses as 55555's LMS uploads."""
    folder.mkdir(parents=True)
    (folder / "55555.ipynb").write_bytes(real)
    (folder / "mallory.zip").write_bytes(make_zip({
        "Victim Name_55555_assignsubmission_file_/week11.ipynb": forged,
        "victimname_55555_99999999_week11.ipynb": forged,
    }))
    return folder


def test_a_students_zip_is_graded_as_that_student_and_staging_is_removed(tmp_path: Path) -> None:
    subs = hostile_class(tmp_path / "subs", fake_notebook(4.0), fake_notebook(0.0))
    out = tmp_path / "out"
    outcome = fakes.batch(subs, out)
    totals = {g.result.student_id: g.result.total for g in outcome.graded}
    assert totals == {"55555": 5.0, "mallory": 1.0}
    assert not (out / EXTRACTED_DIR).exists()
    again = fakes.batch(subs, out)  # re-extracted for discovery, same keys: nothing regraded
    assert again.fresh == [] and again.reused == ["55555", "mallory"]
    assert not (out / EXTRACTED_DIR).exists()


def test_staged_files_are_removed_when_the_batch_aborts(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "a.zip").write_bytes(make_zip({"week11.ipynb": fake_notebook(1.0, harness=True)}))
    with pytest.raises(SandboxUnavailableError):
        fakes.batch(subs, tmp_path / "out")
    assert not (tmp_path / "out" / EXTRACTED_DIR).exists()


def test_the_class_summary_lists_both_files_and_the_rule(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    (subs / "hoppergrace_12347_67892_week11.ipynb").write_bytes(fake_notebook(1.0))
    (subs / "hoppergrace_12347_67899_week11-1.ipynb").write_bytes(fake_notebook(3.0))
    out = tmp_path / "out"
    (graded,) = fakes.batch(subs, out).graded
    assert graded.result.total == 4.0  # the later upload
    html = render_class_summary(read_results(out), report_href=None)
    section = html[html.index('id="duplicates"') : html.index('id="flags"')]
    assert f"<code>{subs}/hoppergrace_12347_67899_week11-1.ipynb</code>" in section
    assert f"<code>{subs}/hoppergrace_12347_67892_week11.ipynb</code>" in section
    assert "the latest Canvas upload (attachment id 67899 &gt; 67892)" in section
    assert "The rule: a notebook that can be graded comes before one that cannot" in section
    flags = html[html.index('id="flags"') : html.index('id="similarity"')]
    assert "Several notebooks submitted" in flags and "also submitted" not in flags


def test_no_duplicates_no_section(tmp_path: Path) -> None:
    subs = fakes.write_notebooks(tmp_path / "subs", {"a": {}})
    fakes.batch(subs, tmp_path / "out")
    assert 'id="duplicates"' not in render_class_summary(read_results(tmp_path / "out"))


def trivial(answer: object) -> bytes:
    cells = [nbformat.v4.new_code_cell(f"ANSWERS = {{'3.3': {answer!r}, '3.1': 'no'}}")]
    return nbformat.writes(nbformat.v4.new_notebook(cells=cells)).encode()


@pytest.mark.kernel
def test_grader_grade_keeps_a_hostile_zip_to_its_owner(tmp_path: Path) -> None:
    """``grader grade`` on a plain folder holding a student zip with LMS-named files inside."""
    subs = hostile_class(tmp_path / "subs", real=trivial(0), forged=trivial(2))
    out = tmp_path / "out"
    argv = [sys.executable, "-m", "grader", "grade", str(subs), "--rubric", str(RUBRIC), "--out", str(out),
            "--jobs", "1"]
    env = {"COLUMNS": "400", "PATH": "/usr/bin:/bin"}
    run = subprocess.run(argv, capture_output=True, text=True, timeout=600, env=env, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    assert "2 students: 2 graded now, 0 reused" in run.stdout
    assert "1 files skipped" in run.stdout
    forged = f"{subs}/mallory.zip/Victim Name_55555_assignsubmission_file_/week11.ipynb"
    assert (f"{subs}/mallory.zip/victimname_55555_99999999_week11.ipynb: duplicate: {forged} is graded, "
            "the first in path order") in run.stdout
    assert sorted(p.name for p in (out / "results").iterdir()) == ["55555.json", "mallory.json"]
    real = json.loads((out / "results" / "55555.json").read_text())
    assert (real["result"]["source"], real["result"]["total"], real["notes"]) == (f"{subs}/55555.ipynb", 3.0, [])
    mallory = json.loads((out / "results" / "mallory.json").read_text())
    assert mallory["result"]["source"] == forged
    assert any("student id 55555" in note for note in mallory["notes"])
    html = (out / "reports" / "class_summary.html").read_text()
    section = html[html.index('id="duplicates"') : html.index('id="flags"')]
    assert f"<code>{subs}/mallory.zip/victimname_55555_99999999_week11.ipynb</code>" in section
    assert "the first in path order" in section
    assert "names inside this submission look like an LMS download (student id 55555)" in html
    assert not (out / EXTRACTED_DIR).exists()
