"""The public surface is small and pinned; every name resolves; importing it stays light."""

from __future__ import annotations

import subprocess
import sys

import grader


def test_public_names_are_pinned() -> None:
    assert grader.__all__ == [
        "BatchOutcome",
        "GradedSubmission",
        "Rubric",
        "SubmissionResult",
        "__version__",
        "check",
        "grade",
        "grade_batch",
        "load_ipython_extension",
        "load_rubric",
    ]


def test_every_public_name_resolves() -> None:
    for name in grader.__all__:
        assert getattr(grader, name) is not None, name


def test_import_grader_and_cli_do_not_load_heavy_modules() -> None:
    code = (
        "import sys, grader, grader.cli\n"
        "heavy = [m for m in ('torch', 'nbclient', 'matplotlib', 'sklearn') if m in sys.modules]\n"
        "print(','.join(heavy))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


def test_cli_help_lists_the_commands() -> None:
    out = subprocess.run([sys.executable, "-m", "grader", "--help"], capture_output=True, text=True, check=True)
    for command in ("grade", "check", "rescore", "report", "rubric", "assign"):
        assert command in out.stdout
