"""What each ``grader`` command does, with rich output. The CLI module only parses arguments."""

from __future__ import annotations

from pathlib import Path

from nbformat import NotebookNode
from rich.console import Console
from rich.table import Table

from grader.records.graded import GradedSubmission
from grader.score import GradeChange

__all__ = [
    "run_assign",
    "run_check",
    "run_grade",
    "run_report",
    "run_rescore",
    "run_rubric_check",
    "run_rubric_diff",
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
) -> None:
    """Grade a folder, write results and reports, print one line per student and where things are."""
    from grader.batch import grade_batch
    from grader.pipeline import GradeOptions
    from grader.rubric import load_rubric

    rubric = load_rubric(rubric_path)
    options = GradeOptions(profile=profile, sandbox=sandbox, template=_read_template(template))
    outcome = grade_batch(
        submissions, rubric, out, options=options, jobs=jobs, console=console, force=force,
        scheduler=scheduler, cluster=cluster, secret=secret,
    )
    _render(out, template)
    console.print(f"\n{len(outcome.graded)} submissions in {out}")
    if outcome.gradebook is not None:
        console.print(f"  SQLite gradebook: {outcome.gradebook} (run {outcome.run_id})")


def _render(out: Path, template: Path | None = None) -> None:
    from grader.render import render_all

    summary = render_all(out, template_notebook=template)
    for note in summary.notes:
        console.print(f"[yellow]note[/] {note}")
    console.print(f"  reports:       {out / 'reports' / 'students'}/<student>.html ({len(summary.student_reports)})")
    console.print(f"  class summary: {summary.class_summary}")
    console.print(f"  gradebook:     {out / 'grades.csv'}   exports: {out / 'exports'}/")
    console.print(f"  results:       {out / 'results'}/<student>.json   (rendered in {summary.seconds:.1f} s)")


def run_report(out: Path, template: Path | None = None) -> None:
    """Re-render reports and exports from stored results only."""
    _render(out, template)


def run_check(notebook: Path, rubric_path: Path | None) -> int:
    """Student self-check: quick profile, public criteria, sandbox if available. Returns an exit code."""
    from grader.selfcheck import self_check

    return self_check(notebook, rubric_path, console=console)


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


def run_assign(source: Path) -> None:
    """Write template.ipynb and solution.ipynb next to ``source``."""
    from grader.assign import write_assignment

    written = write_assignment(source, source.parent)
    for path in written:
        console.print(f"wrote {path}")
