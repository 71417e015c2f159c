"""Publish a graded class: effective grades from the gradebook -> reports, class summary, exports.

The SQLite gradebook (``OUT/gradebook.db``) is the one source of truth: :func:`load_class` takes each
student's current stored result from it and applies the TAs' decisions (overrides, late days, review
marks) with :func:`grader.score.effective_result`; :func:`publish` renders every page and export from
exactly those. Nothing is re-executed or re-scored here. Writes::

    OUT/reports/class_summary.html          instructors: distributions, failures, flags
    OUT/reports/students/<student_id>.html  one self-contained page per student
    OUT/reports/students/<student_id>.pdf   only with pdf=True (needs weasyprint)
    OUT/reports/similarity.json             the similar-code pairs (read by the review app)
    OUT/grades.csv                          the gradebook: one row per student, one column per question
    OUT/exports/...                         points possible, Moodle, Canvas, Gradescope (grader.export)
"""

from __future__ import annotations

import dataclasses
import json
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from grader.discover.lms_files import Roster, names_from_roster, read_roster
from grader.errors import RenderError, StoreError
from grader.export import ExtraCredit, RosterEntry, resolve_lms_settings, write_exports
from grader.integrity import SimilarityReport, SimilarPair, find_similar_code
from grader.packs import DEFAULT_ASSIGNMENT, AssignmentPack, load_pack
from grader.records.adjust import Adjustments
from grader.records.graded import GradedSubmission
from grader.render import (
    prepare_panels,
    render_class_summary,
    render_student_report,
    safe_file_stem,
)
from grader.render._pdf import require_pdf, write_pdf
from grader.score import effective_result
from grader.store.files import EXECUTED_DIR, executed_path, read_result, read_results, write_atomic
from grader.store.gradebook import GRADEBOOK_FILE, RunInfo, adjustments, current_results, list_runs

__all__ = [
    "PublishSummary",
    "class_pack",
    "executed_notebook",
    "load_class",
    "load_similarity",
    "publish",
    "stored_results",
]

REPORTS = "reports"
STUDENTS = "students"
CLASS_SUMMARY = "class_summary.html"
GRADES_CSV = "grades.csv"
SIMILARITY_JSON = "similarity.json"


@dataclass(frozen=True, slots=True)
class PublishSummary:
    """What :func:`publish` wrote, and notes on what it could not draw."""

    out_dir: Path
    student_reports: tuple[Path, ...]
    class_summary: Path
    exports: tuple[Path, ...]
    pdfs: tuple[Path, ...]
    similarity: SimilarityReport
    notes: tuple[str, ...]
    seconds: float


def stored_results(out_dir: Path) -> list[GradedSubmission]:
    """Each student's current stored (automatic) result: from the gradebook, or (no gradebook, an OUT
    folder from before it) the results files. No adjustments applied: :func:`load_class` does that."""
    db = out_dir / GRADEBOOK_FILE
    if not db.is_file():
        return read_results(out_dir)
    graded = []
    for current in current_results(db):
        stored = current.graded or read_result(out_dir, current.student_id)
        if stored is None:
            raise StoreError(
                f"{db}: student {current.student_id!r} has no stored result (run {current.run_id}); "
                f"regrade them: grader grade ... --out {out_dir} --force"
            )
        graded.append(stored)
    return graded


def load_class(out_dir: Path, *, names: Mapping[str, str] | None = None) -> list[GradedSubmission]:
    """The class's effective results (overrides, late days and review marks applied), by student id.

    ``names``: student names by id from an LMS roster; they win over names taken from file names
    (Canvas's file names carry only a lower-case slug such as ``lovelaceada``).
    """
    db = out_dir / GRADEBOOK_FILE
    decided = adjustments(db) if db.is_file() else {}
    out = []
    for graded in stored_results(out_dir):
        sid = graded.result.student_id
        effective = effective_result(graded, decided.get(sid, Adjustments()))
        if names and names.get(sid):
            effective = effective.model_copy(update={"student_name": names[sid]})
        out.append(effective)
    return sorted(out, key=lambda g: g.result.student_id)


def executed_notebook(out_dir: Path, graded: GradedSubmission) -> Path | None:
    """The executed notebook of ``graded``: ``OUT/executed/<id>.ipynb`` or the recorded path, if present.

    The recorded path is relative to ``OUT/executed/`` (or absolute).
    """
    default = executed_path(out_dir, graded.result.student_id)
    if default.is_file():
        return default
    recorded = graded.execution.executed_notebook
    if not recorded:
        return None
    path = Path(recorded)
    candidates = [path] if path.is_absolute() else [out_dir / EXECUTED_DIR / path, out_dir / path]
    return next((c for c in candidates if c.is_file()), None)


@dataclass(frozen=True, slots=True)
class _Lms:
    """The roster and export settings one publish uses."""

    roster: Roster | Mapping[str, RosterEntry] | None
    names: dict[str, str]
    lms_assignment: str | None
    extra_credit: ExtraCredit
    rubric_title: str


def _lms(
    out_dir: Path, roster: Roster | Mapping[str, RosterEntry] | None, lms_assignment: str | None,
    extra_credit: ExtraCredit | None, rubric_title: str | None,
) -> _Lms:
    """The roster given, else the one kept in ``OUT/lms/``; settings given win over recorded ones."""
    if roster is None:
        saved = resolve_lms_settings(out_dir, lms_assignment=lms_assignment, extra_credit=extra_credit,
                                     rubric_title=rubric_title)
        if saved is not None:
            roster = read_roster(saved.roster)
            lms_assignment, extra_credit, rubric_title = saved.lms_assignment, saved.extra_credit, saved.rubric_title
    if isinstance(roster, Roster):
        names = names_from_roster(roster)
    else:
        names = {sid: entry.name for sid, entry in (roster or {}).items() if entry.name}
    return _Lms(roster, names, lms_assignment, extra_credit or "separate", rubric_title or "")


def _latest_run(out_dir: Path) -> RunInfo:
    """What the latest run recorded (how to name the class); empty fields without a gradebook."""
    db = out_dir / GRADEBOOK_FILE
    runs = list_runs(db) if db.is_file() else []
    return runs[-1].info if runs else RunInfo(rubric_sha256="", grader_version="")


def _gap_metrics(run: RunInfo) -> tuple[str, str] | None:
    """The (reported, measured) metrics the run's rubric compares (``RunInfo.gap_metrics``), if any."""
    names = run.gap_metrics.split()
    return (names[0], names[1]) if len(names) == 2 else None


def class_pack(out_dir: Path) -> AssignmentPack:
    """The assignment pack of the class graded in ``out_dir``: the latest run's."""
    return _run_pack(_latest_run(out_dir))


def _run_pack(run: RunInfo) -> AssignmentPack:
    """The pack ``run`` recorded; a folder without a gradebook (an empty ``RunInfo``) is Week 11's
    (``DEFAULT_ASSIGNMENT``), as every run before gradebook schema 3 was."""
    return load_pack(run.assignment or DEFAULT_ASSIGNMENT)


def _check_unique_stems(graded: Sequence[GradedSubmission]) -> None:
    """Raise ``RenderError`` when two student ids would share a report file name."""
    seen: dict[str, str] = {}
    for g in graded:
        sid = g.result.student_id
        stem = safe_file_stem(sid)
        if stem in seen and seen[stem] != sid:
            raise RenderError(f"student ids {seen[stem]!r} and {sid!r} both map to report file {stem!r}.html")
        seen[stem] = sid


def _notebooks(out_dir: Path, graded: Sequence[GradedSubmission]) -> dict[str, Path]:
    """Each student's executed notebook (students without one are compared as unavailable)."""
    out = {}
    for g in graded:
        path = executed_notebook(out_dir, g)
        out[g.result.student_id] = path if path is not None else executed_path(out_dir, g.result.student_id)
    return out


def _write_similarity(out_dir: Path, report: SimilarityReport) -> Path:
    text = json.dumps(dataclasses.asdict(report), indent=1)
    return write_atomic(out_dir / REPORTS / SIMILARITY_JSON, text, durable=False)


def load_similarity(out_dir: Path) -> SimilarityReport | None:
    """The similar-code pairs the last :func:`publish` found (``None`` before the first, or unreadable)."""
    try:
        data = json.loads((out_dir / REPORTS / SIMILARITY_JSON).read_text(encoding="utf-8"))
        return SimilarityReport(
            pairs=tuple(SimilarPair(**pair) for pair in data["pairs"]), compared=tuple(data["compared"]),
            unavailable=tuple(data["unavailable"]), template_used=bool(data["template_used"]),
            threshold=float(data["threshold"]),
        )
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return None


def publish(
    out_dir: Path,
    *,
    template_notebook: Path | None = None,
    pdf: bool = False,
    course: str | None = None,
    assignment: str | None = None,
    roster: Roster | Mapping[str, RosterEntry] | None = None,
    lms_assignment: str | None = None,
    extra_credit: ExtraCredit | None = None,
    rubric_title: str | None = None,
    similarity_threshold: float = 0.5,
    metric_gap: float = 0.1,
) -> PublishSummary:
    """(Re)render the reports, the class summary and the exports of ``out_dir`` from its effective grades.

    Nothing is re-executed. ``template_notebook`` lets code similarity ignore the provided template
    code; ``pdf`` also writes a PDF per student (needs weasyprint; ``RenderError`` before anything is
    written otherwise). ``roster``: the LMS's own file as read by
    :func:`grader.discover.lms_files.read_roster` (or ids mapped to :class:`grader.export.RosterEntry`);
    without one, the roster the folder was graded with (``OUT/lms/``, kept by ``grader grade --roster``)
    is used, so every publish rewrites the LMS upload file with the current grades.
    ``lms_assignment`` names the Canvas column (e.g. ``"Week 11 (4242)"``); ``extra_credit`` and
    ``rubric_title``: the rubric's export rule and title (default: as recorded with the roster).
    ``course``/``assignment``: how the pages name the class (default: the rubric's ``report`` section and
    ``title``, as recorded with the latest run). A reported CV ROC-AUC more than ``metric_gap`` from the
    hidden-set value is flagged; code pairs are flagged from ``similarity_threshold``.
    """
    if pdf:
        require_pdf()
    start = time.perf_counter()
    lms = _lms(out_dir, roster, lms_assignment, extra_credit, rubric_title)
    run = _latest_run(out_dir)
    course = course if course is not None else run.course
    assignment = assignment if assignment is not None else run.assignment_title
    graded = load_class(out_dir, names=lms.names)
    _check_unique_stems(graded)
    pack = _run_pack(run)
    prepared, notes = prepare_panels(pack, graded, cache_dir=out_dir / REPORTS / ".cache")
    students_dir = out_dir / REPORTS / STUDENTS
    reports, pdfs = [], []
    for g in graded:
        html = render_student_report(g, pack=pack, prepared=prepared, course=course, assignment=assignment)
        path = write_atomic(students_dir / f"{safe_file_stem(g.result.student_id)}.html", html, durable=False)
        reports.append(path)
        if pdf:
            pdfs.append(write_pdf(html, path.with_suffix(".pdf")))
    similarity = find_similar_code(_notebooks(out_dir, graded), template_notebook=template_notebook,
                                   threshold=similarity_threshold)
    _write_similarity(out_dir, similarity)
    summary_html = render_class_summary(graded, similarity=similarity, course=course, assignment=assignment,
                                        report_href=f"{STUDENTS}/{{stem}}.html", metric_gap=metric_gap,
                                        auc_threshold=run.auc_threshold, gap_metrics=_gap_metrics(run))
    summary = write_atomic(out_dir / REPORTS / CLASS_SUMMARY, summary_html, durable=False)
    exports = write_exports(graded, out_dir / "exports", assignment=lms.lms_assignment or assignment or "grade",
                            roster=lms.roster, gradebook=out_dir / GRADES_CSV, extra_credit=lms.extra_credit,
                            lms_assignment=lms.lms_assignment, rubric_title=lms.rubric_title)
    return PublishSummary(out_dir, tuple(reports), summary, exports, tuple(pdfs), similarity, notes,
                          round(time.perf_counter() - start, 3))
