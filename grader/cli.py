"""The ``grader`` command: a thin typed shell over the Python API.

Heavy modules (torch, nbclient, matplotlib) are imported inside the commands, so ``grader --help``
starts fast.
"""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

__all__ = ["app", "main"]

app = typer.Typer(
    name="grader",
    help="Grade machine-learning notebooks in a sandbox, against YAML rubrics, with measured evidence.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
rubric_app = typer.Typer(help="Validate rubrics and preview the effect of a change.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")


class Profile(StrEnum):
    QUICK = "quick"
    FULL = "full"


class SandboxMode(StrEnum):
    REQUIRED = "required"
    AUTO = "auto"
    OFF = "off"


ExistingFile = Annotated[Path, typer.Argument(exists=True, dir_okay=False, readable=True)]
TemplateOption = Annotated[
    Path | None,
    typer.Option(
        exists=True, dir_okay=False, help="The student template: locked-cell checks, similarity without it."
    ),
]
RubricOption = Annotated[
    Path, typer.Option("--rubric", "-r", exists=True, dir_okay=False, help="The YAML rubric.")
]


def _fail(message: str) -> None:
    typer.secho(f"error: {message}", fg=typer.colors.RED, err=True)
    raise typer.Exit(2)


@app.command()
def grade(
    submissions: Annotated[
        Path, typer.Argument(exists=True, help="A folder, zip file or LMS download of submissions.")
    ],
    rubric: RubricOption,
    out: Annotated[Path, typer.Option("--out", "-o", help="Output folder for results and reports.")],
    jobs: Annotated[
        int | None, typer.Option(min=1, help="Parallel sandbox slots (default: GPUs, else CPU cores).")
    ] = None,
    profile: Annotated[Profile, typer.Option(help="Training profile from the rubric.")] = Profile.FULL,
    sandbox: Annotated[SandboxMode | None, typer.Option(help="Override the rubric's sandbox mode.")] = None,
    unsandboxed: Annotated[
        bool, typer.Option(help="Allow grading without bubblewrap (recorded in every result).")
    ] = False,
    template: TemplateOption = None,
    force: Annotated[bool, typer.Option(help="Regrade even submissions graded before with the same inputs.")] = False,
    scheduler: Annotated[
        str | None, typer.Option(help="A Dask scheduler address (tcp://host:8786) to grade on.")
    ] = None,
    cluster: Annotated[
        str | None, typer.Option(help="Start a cluster to grade on: 'local' or 'slurm' (see docs/cluster.md).")
    ] = None,
    secret: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False,
            help="The class secret (64 hex digits, mode 0600) that hides the hidden data's labels; "
            "default OUT/class.secret, made on first use.",
        ),
    ] = None,
) -> None:
    """Grade every notebook under SUBMISSIONS and write results, reports and a gradebook to OUT."""
    from grader.errors import GraderError
    from grader.main import run_grade

    mode = SandboxMode.AUTO.value if unsandboxed else (sandbox.value if sandbox else None)
    try:
        run_grade(
            submissions, rubric, out, jobs=jobs, profile=profile.value, sandbox=mode, template=template,
            force=force, scheduler=scheduler, cluster=cluster, secret=secret,
        )
    except GraderError as exc:
        _fail(str(exc))


@app.command()
def check(
    notebook: ExistingFile,
    rubric: Annotated[Path | None, typer.Option("--rubric", "-r", exists=True, dir_okay=False)] = None,
) -> None:
    """Self-check a notebook before submitting: quick profile, public criteria only."""
    from grader.errors import GraderError
    from grader.main import run_check

    try:
        code = run_check(notebook, rubric)
    except GraderError as exc:
        _fail(str(exc))
    raise typer.Exit(code)


@app.command()
def rescore(
    out: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A graded output folder.")],
    rubric: RubricOption,
) -> None:
    """Re-score a graded class under a (changed) rubric from cached evidence, without re-execution."""
    from grader.errors import GraderError
    from grader.main import run_rescore

    try:
        run_rescore(out, rubric)
    except GraderError as exc:
        _fail(str(exc))


@app.command()
def report(
    out: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A graded output folder.")],
    template: TemplateOption = None,
) -> None:
    """Re-render every report, the class summary and the exports from stored results."""
    from grader.errors import GraderError
    from grader.main import run_report

    try:
        run_report(out, template)
    except GraderError as exc:
        _fail(str(exc))


@rubric_app.command("check")
def rubric_check(path: ExistingFile) -> None:
    """Validate a rubric and print its questions and points."""
    from grader.errors import GraderError
    from grader.main import run_rubric_check

    try:
        run_rubric_check(path)
    except GraderError as exc:
        _fail(str(exc))


@rubric_app.command("diff")
def rubric_diff(
    old: ExistingFile,
    new: ExistingFile,
    results: Annotated[Path, typer.Option(exists=True, file_okay=False, help="A graded output folder.")],
) -> None:
    """List whose grade would change, and by how much, if NEW replaced OLD."""
    from grader.errors import GraderError
    from grader.main import run_rubric_diff

    try:
        run_rubric_diff(old, new, results)
    except GraderError as exc:
        _fail(str(exc))


@app.command()
def assign(source: ExistingFile) -> None:
    """Generate the student template and the solution from one source notebook."""
    from grader.errors import GraderError
    from grader.main import run_assign

    try:
        run_assign(source)
    except GraderError as exc:
        _fail(str(exc))


def main() -> None:
    """Entry point of the ``grader`` console script."""
    app()
