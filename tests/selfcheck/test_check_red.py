"""``grader check`` is never falsely green: real kernels, the minimal rubric, one scenario per failure."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from typer.testing import CliRunner

from grader.cli import app

RUBRIC = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"
WIDE = {"COLUMNS": "250"}
pytestmark = pytest.mark.kernel


def _notebook(tmp_path: Path, *sources: str, name: str = "nb.ipynb") -> Path:
    cells = [nbformat.v4.new_markdown_cell("# My notebook")]
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    path = tmp_path / name
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


def _check(path: Path, *extra: str) -> tuple[int, str]:
    result = CliRunner().invoke(app, ["check", str(path), "--rubric", str(RUBRIC), *extra], env=WIDE)
    return result.exit_code, re.sub(r"\s+", " ", result.output)


def test_a_complete_notebook_is_green(tmp_path: Path) -> None:
    code, out = _check(_notebook(tmp_path, "ANSWERS = {'3.3': 0, '3.1': 'no'}"))
    assert code == 0, out
    assert "All public checks pass" in out


def test_a_question_decided_by_hidden_checks_prints_at_grading(tmp_path: Path) -> None:
    """Every status has a style: one without (``at grading``) once printed ``[]at grading[/]``, which rich
    refused, so ``grader check`` crashed on a notebook that was ready to submit."""
    rubric = tmp_path / "hidden.yaml"
    rubric.write_text(RUBRIC.read_text(encoding="utf-8").replace(
        "        expected: incorrect", "        expected: incorrect\n        visibility: hidden"), encoding="utf-8")
    path = _notebook(tmp_path, "ANSWERS = {'3.3': 0, '3.1': 'no'}")
    result = CliRunner().invoke(app, ["check", str(path), "--rubric", str(rubric)], env=WIDE)
    out = re.sub(r"\s+", " ", result.output)
    assert result.exit_code == 0, out
    assert "3.1 XNOR linearly separable? " in out and "at grading" in out and "All public checks pass" in out


def test_the_answer_typo_names_the_cell_the_error_and_the_name(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "ANSWERS = {}", "x = 1", "ANSWER['3.3'] = 0", "ANSWERS['3.1'] = 'no'")
    code, out = _check(path)
    assert code == 1, out
    # cell 3 of the student's notebook (the grader's seed and parameters cells are not counted)
    assert ("ANSWERS[\"3.3\"] never set: NameError in cell 3: name 'ANSWER' is not defined "
            "(did you mean ANSWERS?)") in out
    assert "Not ready" in out


def test_every_failing_cell_is_listed_in_the_students_numbering(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "ANSWERS = {'3.3': 0, '3.1': 'no'}", "1 / 0", "int('x')")
    code, out = _check(path)
    assert "cell 2: ZeroDivisionError: division by zero" in out
    assert "cell 3: ValueError: invalid literal for int() with base 10: 'x'" in out
    assert code == 0, out  # everything was collected: failing cells are listed, but cost nothing


def test_os_exit_is_red_and_given_answers_say_why_they_were_not_graded(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "ANSWERS = {'3.3': 0}\nANSWERS['3.1'] = 'Incorrect'", "import os\nos._exit(1)")
    code, out = _check(path)
    assert code == 1, out
    assert "nothing could be collected: the kernel died in cell 2" in out
    assert "answered 'Incorrect', not graded: the kernel died in cell 2" in out
    assert "All public checks pass" not in out


def test_a_corrupt_file_is_red_without_a_false_sandbox_claim(tmp_path: Path) -> None:
    path = tmp_path / "broken.ipynb"
    path.write_text('{"cells": [', encoding="utf-8")
    code, out = _check(path)
    assert code == 1, out
    assert "not a notebook: broken.ipynb: not valid notebook JSON" in out
    assert "bubblewrap" not in out


def test_a_text_file_is_red(tmp_path: Path) -> None:
    path = tmp_path / "notes.ipynb"
    path.write_text("print('hello')\n", encoding="utf-8")
    code, out = _check(path)
    assert code == 1 and "not a notebook" in out, out


def test_markup_in_code_and_messages_is_shown_as_written(tmp_path: Path) -> None:
    path = _notebook(
        tmp_path,
        "ANSWERS = {'3.3': 0, '3.1': 'no'}",
        'X_SEQ = {}\nprint("[/]")\nraise KeyError("X_SEQ[sample] [/] [bold]")',
    )
    code, out = _check(path)
    assert code == 0, out  # every item was collected; the failing cell is listed
    assert "Traceback" not in out and "MarkupError" not in out, out
    assert "X_SEQ[sample] [/] [bold]" in out
    assert 'print("[/]")' in out


def test_missing_training_data_is_red(tmp_path: Path) -> None:
    rubric = tmp_path / "fasta.yaml"
    text = RUBRIC.read_text(encoding="utf-8").replace(
        "train: {kind: synthetic, seed: 0, n_per_class: 20}",
        "train: {kind: fasta, positive: data/pos.fa, negative: data/neg.fa}",
    )
    rubric.write_text(text, encoding="utf-8")
    path = _notebook(tmp_path, "ANSWERS = {'3.3': 0, '3.1': 'no'}")
    result = CliRunner().invoke(app, ["check", str(path), "--rubric", str(rubric)], env=WIDE)
    out = re.sub(r"\s+", " ", result.output)
    assert result.exit_code == 1, out
    assert "the training data could not be loaded" in out and "pos.fa" in out


def test_html_verdict_escapes_notebook_text(tmp_path: Path) -> None:
    path = _notebook(tmp_path, "ANSWERS = {'3.1': 'no'}", "raise ValueError('<script>x</script>')")
    html_out = tmp_path / "check.html"
    code, _ = _check(path, "--html", str(html_out))
    page = html_out.read_text(encoding="utf-8")
    assert code == 1
    assert "<script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page
    assert "ANSWERS[&quot;3.3&quot;] never set" in page
