"""grader.publish.publish over a graded OUT folder: every page and export written, nothing re-run, errors named."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.errors import RenderError, StoreError
from grader.publish import publish
from grader.records.graded import GradedSubmission
from grader.render._pdf import pdf_available
from grader.store.files import write_result


def test_publish_writes_reports_summary_and_exports(
    out_dir: Path, template_notebook: Path, scenarios: dict[str, GradedSubmission]
) -> None:
    summary = publish(out_dir, template_notebook=template_notebook)
    ids = sorted(g.result.student_id for g in scenarios.values())
    assert [p.name for p in summary.student_reports] == [f"{sid}.html" for sid in ids]
    assert all(p.is_file() and p.stat().st_size > 10_000 for p in summary.student_reports)
    assert summary.class_summary == out_dir / "reports" / "class_summary.html"
    names = {p.relative_to(out_dir).as_posix() for p in summary.exports}
    assert {"grades.csv", "points_possible.csv", "exports/moodle.csv", "exports/canvas.csv"} <= names
    assert {f"exports/gradescope/{sid}/results.json" for sid in ids} <= names
    assert [(p.first, p.second) for p in summary.similarity.pairs] == [("s_full", "s_mismatch")]
    assert any("cached" in note for note in summary.notes) and summary.pdfs == ()
    html = summary.class_summary.read_text(encoding="utf-8")
    assert "s_full ↔ s_mismatch" in html and 'href="students/s_cellerr.html"' in html


def test_publish_is_repeatable_and_reads_only_results(out_dir: Path) -> None:
    first = publish(out_dir)
    before = {p: p.read_bytes() for p in first.student_reports}
    second = publish(out_dir)
    assert {p: p.read_bytes() for p in second.student_reports} == before
    assert not list((out_dir / "reports").rglob(".*.tmp-*"))


def test_publish_without_results_names_the_folder(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="no results/ folder"):
        publish(tmp_path)


def test_publish_names_a_corrupt_result(out_dir: Path) -> None:
    (out_dir / "results" / "broken.json").write_text(json.dumps({"result": {}}), encoding="utf-8")
    with pytest.raises(StoreError, match=r"broken\.json"):
        publish(out_dir)


def test_colliding_report_names_raise(out_dir: Path, scenarios: dict[str, GradedSubmission]) -> None:
    base = scenarios["full_marks"]
    for sid in ("a b", "a_b"):
        write_result(out_dir, base.model_copy(update={"result": base.result.model_copy(update={"student_id": sid})}))
    with pytest.raises(RenderError, match="both map to report file"):
        publish(out_dir)


@pytest.mark.skipif(pdf_available(), reason="weasyprint is installed; the missing-weasyprint error cannot occur")
def test_pdf_without_weasyprint_says_how_to_get_it(out_dir: Path) -> None:
    with pytest.raises(RenderError, match="pip install weasyprint"):
        publish(out_dir, pdf=True)


@pytest.mark.skipif(not pdf_available(), reason="weasyprint is not installed (optional PDF output)")
def test_pdf_is_written_when_weasyprint_is_available(out_dir: Path) -> None:
    summary = publish(out_dir, pdf=True)
    assert all(p.read_bytes().startswith(b"%PDF") for p in summary.pdfs)
