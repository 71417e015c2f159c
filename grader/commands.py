"""What each ``grader`` command does, with rich output. The CLI module only parses arguments."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from nbformat import NotebookNode
from rich.console import Console
from rich.table import Table

from grader.records.graded import GradedSubmission
from grader.score import GradeChange

if TYPE_CHECKING:
    from grader.discover.lms_files import Roster
    from grader.export import ExtraCredit

__all__ = [
    "LmsOptions",
    "run_assign",
    "run_check",
    "run_grade",
    "run_report",
    "run_rescore",
    "run_rubric_check",
    "run_rubric_diff",
    "run_rubric_publish",
]

console = Console(highlight=False)


def _line(graded: GradedSubmission) -> str:
    r = graded.result
    extra = f" +{r.extra_points:g} extra" if r.extra_max else ""
    why = f"  ({r.reason})" if r.reason else ""
    return f"{r.student_id:<14} {r.total:>5g}/{r.max_points:g}{extra:<10} {r.status.value:<12}{why}"


def _read_template(template: Path | None) -> NotebookNode | None:
    if template is None:
        return None
    import nbformat

    nb: NotebookNode = nbformat.read(template, as_version=4)  # type: ignore[no-untyped-call]
    return nb


def run_grade(
    submissions: Path,
    rubric_path: Path,
    out: Path,
    *,
    jobs: int | None,
    profile: str,
    sandbox: str | None,
    template: Path | None = None,
    force: bool = False,
    scheduler: str | None = None,
    cluster: str | None = None,
    secret: Path | None = None,
    slots_per_gpu: int | None = None,
    lms: LmsOptions | None = None,
) -> None:
    """Grade a folder, write results and reports, print one line per student and where things are.

    ``lms``: the LMS files (roster, submission times) and how to read them; both are read before any
    notebook runs, so a bad file stops here.
    """
    from grader.batch import grade_batch
    from grader.discover.times import read_submission_times
    from grader.pipeline import GradeOptions
    from grader.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    rubric.profile(profile)  # a name the rubric lacks stops here, before any notebook runs
    lms = lms or LmsOptions()
    times = None if lms.submission_times is None else read_submission_times(
        lms.submission_times, due=rubric.due, timezone=lms.timezone, locale=lms.locale)
    exports = _LmsExports.load(out, lms, extra_credit=rubric.export.extra_credit, rubric_title=rubric.title)
    options = GradeOptions(profile=profile, sandbox=sandbox, template=_read_template(template))
    outcome = grade_batch(
        submissions, rubric, out, options=options, jobs=jobs, console=console, force=force,
        scheduler=scheduler, cluster=cluster, secret=secret, slots_per_gpu=slots_per_gpu,
        submission_times=times,
    )
    _render(out, template, exports)
    console.print(f"\n{len(outcome.graded)} submissions in {out}")
    if outcome.gradebook is not None:
        console.print(f"  SQLite gradebook: {outcome.gradebook} (run {outcome.run_id})")


@dataclass(frozen=True)
class LmsOptions:
    """The LMS files given on the command line: ``--roster``, ``--submission-times`` (read with
    ``--timezone`` and ``--locale``) and ``--lms-assignment`` (the Canvas column to fill)."""

    roster: Path | None = None
    submission_times: Path | None = None
    timezone: str | None = None
    locale: str = "en"
    lms_assignment: str | None = None


@dataclass(frozen=True)
class _LmsExports:
    """A read roster and how its exports are made (the rubric's extra-credit rule and title)."""

    roster: Roster
    lms_assignment: str | None
    extra_credit: ExtraCredit
    rubric_title: str

    @classmethod
    def load(
        cls, out: Path, lms: LmsOptions, *, extra_credit: ExtraCredit | None = None, rubric_title: str | None = None
    ) -> _LmsExports | None:
        """The roster given now, else the one ``out`` was graded with (``OUT/lms/``); a given one is kept
        there. ``extra_credit``/``rubric_title``: the rubric's (``None``: as recorded)."""
        from grader.discover.lms_files import read_roster
        from grader.export import choose_canvas_column, resolve_lms_settings, save_lms_settings

        settings = resolve_lms_settings(out, roster=lms.roster, lms_assignment=lms.lms_assignment,
                                        extra_credit=extra_credit, rubric_title=rubric_title)
        if settings is None:
            return None
        roster = read_roster(settings.roster)
        if roster.lms == "canvas":  # a column that cannot be chosen stops here, before any notebook runs
            choose_canvas_column(roster, wanted=settings.lms_assignment, rubric_title=settings.rubric_title)
        if lms.roster is not None:
            settings = save_lms_settings(out, lms.roster, settings)
        return cls(roster, settings.lms_assignment, settings.extra_credit, settings.rubric_title)


def _render(out: Path, template: Path | None = None, lms: _LmsExports | None = None) -> None:
    from grader.publish import publish

    if lms is None:
        summary = publish(out, template_notebook=template)
    else:
        summary = publish(out, template_notebook=template, roster=lms.roster, lms_assignment=lms.lms_assignment,
                          extra_credit=lms.extra_credit, rubric_title=lms.rubric_title)
        name = "moodle_worksheet.csv" if lms.roster.lms == "moodle" else "canvas_gradebook.csv"
        console.print(f"  LMS upload:    {out / 'exports' / name} (from {lms.roster.path}; see exports/README.txt)")
    for note in summary.notes:
        console.print(f"[yellow]note[/] {note}")
    console.print(f"  reports:       {out / 'reports' / 'students'}/<student>.html ({len(summary.student_reports)})")
    console.print(f"  class summary: {summary.class_summary}")
    console.print(f"  gradebook:     {out / 'grades.csv'}   exports: {out / 'exports'}/")
    console.print(f"  results:       {out / 'results'}/<student>.json   (rendered in {summary.seconds:.1f} s)")


def run_report(out: Path, template: Path | None = None, lms: LmsOptions | None = None) -> None:
    """Re-render reports and exports from stored results only, with the LMS roster given now (``lms``)
    or the one the folder was graded with."""
    _render(out, template, _LmsExports.load(out, lms or LmsOptions()))


def run_check(notebook: Path, rubric_path: Path | None, html_out: Path | None = None) -> int:
    """Student self-check: quick profile, public criteria, sandbox if available. Returns an exit code."""
    from grader.selfcheck import self_check

    return self_check(notebook, rubric_path, console=console, html_out=html_out)


def run_rubric_publish(path: Path, out: Path) -> None:
    """Write the student rubric of ``path`` (``grader.rubric.publish_rubric``) to ``out``."""
    from grader.rubric import load_rubric, publish_rubric

    out.write_text(publish_rubric(load_rubric(path)), encoding="utf-8")
    console.print(f"wrote {out}: the student rubric of {path} (no keys, feedback or hidden data)")


def run_rescore(out: Path, rubric_path: Path) -> None:
    """Re-score stored evidence under ``rubric_path`` and print whose grade changed."""
    from grader.rescore import rescore_folder

    changes = rescore_folder(out, rubric_path)
    _print_changes(changes)
    _render(out)


def _print_changes(changes: list[GradeChange]) -> None:
    table = Table("student", "old", "new", "change", "questions", title="Grade changes")
    for c in changes:
        moved = ", ".join(f"{q.id} {q.delta:+g}" for q in c.questions if q.delta)
        old = "-" if c.old_total is None else f"{c.old_total:g}"
        new = "-" if c.new_total is None else f"{c.new_total:g}"
        table.add_row(c.student_id, old, new, f"{c.delta:+g}", moved)
    console.print(table if changes else "No grade changes.")


def run_rubric_check(path: Path) -> None:
    """Validate a rubric and print its questions."""
    from grader.rubric import load_rubric

    rubric = load_rubric(path)
    table = Table("question", "title", "points", "criteria", title=f"{path} is valid")
    for q in rubric.questions:
        extra = " (extra)" if q.extra_credit else ""
        table.add_row(q.id, q.title, f"{q.points:g}{extra}", ", ".join(c.kind for c in q.criteria))
    console.print(table)


def run_rubric_diff(old: Path, new: Path, results: Path) -> None:
    """Show the grade changes NEW would make relative to OLD on the stored evidence."""
    from grader.rescore import diff_folder

    _print_changes(diff_folder(results, old, new))


def run_assign(source: Path, rubric_path: Path | None = None) -> None:
    """Write template.ipynb and solution.ipynb next to ``source``; with ``rubric_path``, the template
    carries the student rubric in ``metadata.grader.check_rubric``."""
    from grader.assign import write_assignment

    check_rubric = None
    if rubric_path is not None:
        from grader.rubric import load_rubric, publish_rubric

        check_rubric = publish_rubric(load_rubric(rubric_path))
    written = write_assignment(source, source.parent, check_rubric=check_rubric)
    for path in written:
        console.print(f"wrote {path}")
