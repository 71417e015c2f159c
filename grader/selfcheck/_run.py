"""``grader check``: run a notebook in the quick profile and say whether it is ready to submit.

The rubric is the one given with ``--rubric``, else the student rubric the template carries in
``metadata.grader.check_rubric`` (``grader assign --rubric``), else ``rubrics/week11.yaml`` in a
clone of the repository. Only its public view is used. Red (exit 1) for a file that is no notebook,
missing training data, a run whose collection cells did not run in a live kernel, or a regular item not
collected; see :mod:`grader.selfcheck._verdict`.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from nbformat import NotebookNode
from rich.console import Console
from rich.markup import escape

from grader.assign import CHECK_RUBRIC_KEY
from grader.errors import AssignmentError, ConfigError
from grader.packs import DEFAULT_ASSIGNMENT, AssignmentData
from grader.prepare.notebook import NotebookReadFailure, read_notebook
from grader.rubric import Rubric, load_rubric, parse_rubric, public_view
from grader.selfcheck._data import has_reference, without_reference_rules
from grader.selfcheck._show import print_verdict, verdict_html
from grader.selfcheck._verdict import Verdict, verdict, verdict_without_run

__all__ = ["CHECK_RUBRIC_KEY", "DEFAULT_RUBRIC", "find_rubric", "run_self_check", "self_check"]

DEFAULT_RUBRIC = Path("rubrics/week11.yaml")


def find_rubric(notebook: Path, nb: NotebookNode | None, rubric_path: Path | None) -> Rubric:
    """The rubric to check ``notebook`` against (see the module docstring), as its public view.

    Raises:
        ConfigError: no rubric anywhere; RubricError: the one found is invalid.
    """
    if rubric_path is not None:
        return public_view(load_rubric(rubric_path))
    text = nb.metadata.get("grader", {}).get(CHECK_RUBRIC_KEY) if nb is not None else None
    if isinstance(text, str) and text.strip():
        where = f"{notebook}: metadata.grader.{CHECK_RUBRIC_KEY}"
        return public_view(parse_rubric(_named(text), source=where, base_dir=notebook.resolve().parent))
    if DEFAULT_RUBRIC.is_file():
        return public_view(load_rubric(DEFAULT_RUBRIC))
    raise ConfigError(
        f"{notebook}: no rubric to check against: the notebook carries none in metadata.grader.{CHECK_RUBRIC_KEY} "
        "(the course's template does; start from it) and no --rubric PATH was given"
    )


def _named(text: str) -> str:
    """A template's embedded rubric, with ``assignment: week11`` when it names no pack: templates made before
    rubrics named their pack were all Week 11's, and students keep the template they downloaded."""
    return text if re.search(r"^assignment\s*:", text, flags=re.MULTILINE) else f"assignment: {DEFAULT_ASSIGNMENT}\n{text}"


def _data(notebook: Path, nb: NotebookNode, rubric: Rubric, cache: Path) -> AssignmentData:
    """The rubric's data in a TA's install, with a throw-away secret (the self-check scores no hidden
    criterion and keeps no secret); the pack's ``self_check_data`` (the notebook's own) in a student's."""
    from grader.prepare.secret import ClassSecret

    pack = rubric.pack()
    if has_reference():
        return pack.data(rubric, cache_dir=cache, secret=ClassSecret.generate())
    if pack.self_check_data is None:
        raise AssignmentError(f"assignment {pack.name!r} can be checked only where the course's data is installed")
    return pack.self_check_data(notebook, nb)


def _graded_verdict(notebook: Path, nb: NotebookNode, rubric: Rubric, console: Console) -> Verdict:
    from grader.pipeline import GradeOptions, grade_notebook

    # The student rubric has no hidden data: the training data stands in, so the hand-in of models is still exercised.
    data_spec = rubric.data.model_copy(update={"hidden": rubric.data.hidden or rubric.data.train})
    runnable = rubric.model_copy(update={"data": data_spec})
    if not has_reference():  # a student's install: the notebook's own data; rules that need reference wait
        runnable = without_reference_rules(runnable)
    with tempfile.TemporaryDirectory(prefix="grader-check-") as cache:
        try:
            data = _data(notebook, nb, runnable, Path(cache))
        except AssignmentError as exc:
            return verdict_without_run(str(notebook), f"the training data could not be loaded: {exc}")
        options = GradeOptions(profile="quick", sandbox="auto", self_check=True)
        console.print(f"Running {escape(str(notebook))} (quick profile); this trains your models and takes a while...")
        graded = grade_notebook(notebook, runnable, data, student_id="self-check", options=options)
    return verdict(graded, runnable, nb)


def run_self_check(notebook: Path, rubric_path: Path | None, *, console: Console) -> Verdict:
    """Check the saved file ``notebook``; never raises for a broken notebook (the verdict says why).

    Raises:
        ConfigError: no rubric could be found, or the one given is invalid.
    """
    nb = read_notebook(notebook)
    if isinstance(nb, NotebookReadFailure):
        return verdict_without_run(str(notebook), f"not a notebook: {nb.reason}")
    return _graded_verdict(notebook, nb, find_rubric(notebook, nb, rubric_path), console)


def self_check(notebook: Path, rubric_path: Path | None, *, console: Console, html_out: Path | None = None) -> int:
    """Self-check ``notebook``, print the verdict (and write it as HTML to ``html_out``); 0 when green, else 1."""
    result = run_self_check(notebook, rubric_path, console=console)
    print_verdict(result, console)
    if html_out is not None:
        html_out.write_text(verdict_html(result), encoding="utf-8")
    return result.exit_code
