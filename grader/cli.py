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
RosterOption = Annotated[
    Path | None,
    typer.Option(
        exists=True, dir_okay=False,
        help="The LMS's own file as the roster: Moodle's grading worksheet or Canvas's gradebook export; "
        "writes exports/moodle_worksheet.csv or exports/canvas_gradebook.csv to upload.",
    ),
]
LmsAssignmentOption = Annotated[
    str | None,
    typer.Option(help="The Canvas assignment column to fill, e.g. 'Week 11 (4242)' (default: the one titled "
                 "like the rubric, or the only one)."),
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
        int | None, typer.Option(min=1, help="Parallel sandbox slots (default: K per GPU, else CPU cores).")
    ] = None,
    slots_per_gpu: Annotated[
        int | None,
        typer.Option(
            min=1, help="Kernels sharing one GPU, each held to GPU memory / K (default: from the GPU's memory "
            "and the cores; the plan is printed at the start).",
        ),
    ] = None,
    profile: Annotated[
        str,
        typer.Option(
            metavar="NAME", help="A profile under the rubric's profiles: (week11: quick, full, demo)."
        ),
    ] = "full",
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
    roster: RosterOption = None,
    submission_times: Annotated[
        Path | None,
        typer.Option(
            exists=True, dir_okay=False,
            help="Submission times for late penalties: Moodle's grading worksheet (its 'Last modified "
            "(submission)') or a CSV student_id,submitted_at (ISO 8601); against the rubric's due.",
        ),
    ] = None,
    timezone: Annotated[
        str | None,
        typer.Option(help="Time zone of times without one (IANA name, e.g. Europe/Berlin); Moodle's worksheet "
                     "needs it: the downloading account's time zone."),
    ] = None,
    locale: Annotated[
        str, typer.Option(help="Language of the Moodle worksheet's dates; only 'en' is read.")
    ] = "en",
    lms_assignment: LmsAssignmentOption = None,
) -> None:
    """Grade every notebook under SUBMISSIONS and write results, reports and a gradebook to OUT."""
    from grader.commands import LmsOptions, run_grade
    from grader.errors import GraderError

    mode = SandboxMode.AUTO.value if unsandboxed else (sandbox.value if sandbox else None)
    try:
        run_grade(
            submissions, rubric, out, jobs=jobs, profile=profile, sandbox=mode, template=template,
            force=force, scheduler=scheduler, cluster=cluster, secret=secret, slots_per_gpu=slots_per_gpu,
            lms=LmsOptions(roster, submission_times, timezone, locale, lms_assignment),
        )
    except GraderError as exc:
        _fail(str(exc))


@app.command()
def check(
    notebook: Annotated[Path, typer.Argument(dir_okay=False, help="The saved notebook file to check.")],
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric", "-r", exists=True, dir_okay=False,
            help="A (student) rubric; default: the one the course's template carries in its metadata.",
        ),
    ] = None,
    html: Annotated[
        Path | None, typer.Option(dir_okay=False, help="Also write the verdict as HTML to this file.")
    ] = None,
) -> None:
    """Self-check a notebook before submitting: quick profile, public criteria only; exit 1 unless ready."""
    from grader.commands import run_check
    from grader.errors import GraderError

    try:
        code = run_check(notebook, rubric, html)
    except GraderError as exc:
        _fail(str(exc))
    raise typer.Exit(code)


@app.command()
def rescore(
    out: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A graded output folder.")],
    rubric: RubricOption,
) -> None:
    """Re-score a graded class under a (changed) rubric from cached evidence, without re-execution."""
    from grader.commands import run_rescore
    from grader.errors import GraderError

    try:
        run_rescore(out, rubric)
    except GraderError as exc:
        _fail(str(exc))


@app.command()
def report(
    out: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A graded output folder.")],
    template: TemplateOption = None,
    roster: RosterOption = None,
    lms_assignment: LmsAssignmentOption = None,
) -> None:
    """Re-render every report, the class summary and the exports from stored results."""
    from grader.commands import LmsOptions, run_report
    from grader.errors import GraderError

    try:
        run_report(out, template, LmsOptions(roster, lms_assignment=lms_assignment))
    except GraderError as exc:
        _fail(str(exc))


@app.command()
def review(
    out: Annotated[Path, typer.Argument(exists=True, file_okay=False, help="A graded output folder.")],
    port: Annotated[int, typer.Option(min=1, max=65535, help="The port on 127.0.0.1 to serve on.")] = 8765,
    ta: Annotated[
        str | None, typer.Option("--ta", help="Your name, recorded with every change (default: the OS user).")
    ] = None,
) -> None:
    """Serve the review app on 127.0.0.1: the class, each student, overrides, late days, review marks."""
    from grader.errors import GraderError
    from grader.review import run_review

    try:
        run_review(out, port=port, ta=ta, echo=lambda line: typer.echo(line))
    except GraderError as exc:
        _fail(str(exc))


@rubric_app.command("check")
def rubric_check(path: ExistingFile) -> None:
    """Validate a rubric and print its questions and points."""
    from grader.commands import run_rubric_check
    from grader.errors import GraderError

    try:
        run_rubric_check(path)
    except GraderError as exc:
        _fail(str(exc))


@rubric_app.command("publish")
def rubric_publish(
    path: ExistingFile,
    out: Annotated[Path, typer.Option("--out", "-o", dir_okay=False, help="Where to write the student rubric.")],
) -> None:
    """Write the student rubric: what the self-check needs, without keys, feedback or hidden data."""
    from grader.commands import run_rubric_publish
    from grader.errors import GraderError

    try:
        run_rubric_publish(path, out)
    except GraderError as exc:
        _fail(str(exc))


@rubric_app.command("diff")
def rubric_diff(
    old: ExistingFile,
    new: ExistingFile,
    results: Annotated[Path, typer.Option(exists=True, file_okay=False, help="A graded output folder.")],
) -> None:
    """List whose grade would change, and by how much, if NEW replaced OLD."""
    from grader.commands import run_rubric_diff
    from grader.errors import GraderError

    try:
        run_rubric_diff(old, new, results)
    except GraderError as exc:
        _fail(str(exc))


@app.command()
def assign(
    source: ExistingFile,
    rubric: Annotated[
        Path | None,
        typer.Option(
            "--rubric", "-r", exists=True, dir_okay=False,
            help="The full rubric: its student version (`grader rubric publish`) goes into the template's "
            "metadata, so `grader check` needs no other file.",
        ),
    ] = None,
) -> None:
    """Generate the student template and the solution from one source notebook."""
    from grader.commands import run_assign
    from grader.errors import GraderError

    try:
        run_assign(source, rubric)
    except GraderError as exc:
        _fail(str(exc))


def main() -> None:
    """Entry point of the ``grader`` console script."""
    app()
