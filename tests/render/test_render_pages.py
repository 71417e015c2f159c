"""What the student report and the class summary contain, and that templates are strict and escaped."""

from __future__ import annotations

import re

import pytest

from assignments.week11.reference_data import ReferenceData
from grader.errors import RenderError
from grader.integrity import SimilarityReport
from grader.records.graded import GradedSubmission
from grader.render import render_class_summary, render_student_report
from grader.render._environment import render_template
from tests.render import samples


def test_full_marks_report_shows_points_evidence_and_the_sandbox(
    scenarios: dict[str, GradedSubmission], reference: ReferenceData
) -> None:
    html = render_student_report(scenarios["full_marks"], prepared=samples.prepared(reference))
    assert "No points were lost" in html
    assert 'class="score-big">15<span class="of"> / 15' in html
    assert "Your GRADIENTS" in html and "Reference study (median)" in html
    assert "ROC on the hidden set" in html and "Precision-recall on the hidden set" in html
    assert "0.811 ± 0.006" in html  # reported CV ROC-AUC beside the measured value
    assert "HNF4A · MA0114.4" in html and "MA0114.4 <span" in html  # kernel match with its JASPAR logo
    assert "Limits in force" in html and "6 GiB" in html and "Sandboxed" in html


def test_lost_points_are_listed_with_reasons(scenarios: dict[str, GradedSubmission]) -> None:
    html = render_student_report(scenarios["wrong_answers"])
    lost = html.split('id="lost"')[1].split("</section>")[0]
    assert lost.count("<li>") == 5  # 1.2, 2.5, 2.6 (extra), 3.1, 3.4
    assert "hidden checks: 2 point(s) not awarded" in lost
    assert "reported mean ROC-AUC 0.710 &lt; 0.75" in lost


def test_failed_run_shows_the_failing_cell_output_and_traceback(scenarios: dict[str, GradedSubmission]) -> None:
    html = render_student_report(scenarios["cell_error"])
    assert "Cell 17 failed" in html and "EnhancerCNN(kernel_size=9)" in html
    assert "(fc): Linear(3136, 1)" in html
    assert "mat1 and mat2 shapes cannot be multiplied" in html
    assert "\x1b" not in html and "[0;31m" not in html  # ANSI codes stripped


def test_dead_kernel_names_the_limit(scenarios: dict[str, GradedSubmission]) -> None:
    html = render_student_report(scenarios["dead_kernel"])
    assert "Kernel died" in html and "memory limit 6 GiB reached" in html and "Kernel exit code" in html
    assert "No gradient data" in html and "No first-layer kernels" in html


def test_report_without_reference_has_no_reference_panel(scenarios: dict[str, GradedSubmission]) -> None:
    html = render_student_report(scenarios["full_marks"])
    assert "Reference study (median)" not in html
    assert "No reference profiles are available" in html


def test_student_strings_are_escaped_not_interpreted(scenarios: dict[str, GradedSubmission]) -> None:
    html = render_student_report(scenarios["hostile_strings"])
    assert "<script>" not in html and "<b>bold</b>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;{{ 7*7 }}" in html
    assert "&lt;b&gt;bold&lt;/b&gt; &amp; {{x}}" in html


def test_pages_are_self_contained(scenarios: dict[str, GradedSubmission], reference: ReferenceData) -> None:
    pages = [render_student_report(g, prepared=samples.prepared(reference)) for g in scenarios.values()]
    pages.append(render_class_summary(list(scenarios.values())))
    for html in pages:
        assert not re.search(r"""(src|href)\s*=\s*["'](https?:|//)""", html)
        assert "<script" not in html and "<link" not in html
        assert "default-src 'none'" in html


def test_class_summary_lists_failures_flags_and_pairs(scenarios: dict[str, GradedSubmission]) -> None:
    graded = list(scenarios.values())
    html = render_class_summary(graded, similarity=SimilarityReport((), ("a", "b"), (), True, 0.5),
                                gap_metrics=("cv_roc_auc", "hidden_model_roc_auc"))
    failures = html.split('id="failures"')[1].split("</section>")[0]
    assert all(sid in failures for sid in ("s_timeout", "s_dead", "s_cellerr"))
    assert "cell 23 exceeded the 600 s cell time limit" in failures
    flags = html.split('id="flags"')[1].split("</section>")[0]
    assert "Reported metric far from measured" in flags and "CV ROC-AUC 0.9" in flags
    assert "Saved output not reproduced" in flags and "Locked cells edited" in flags and "cell-load-data" in flags
    assert "2 notebooks compared" in html and 'href="students/s_full.html"' in html
    assert "Total points (extra credit not included)" in html and "ROC-AUC on the hidden set" in html


def test_class_summary_per_question_rates(scenarios: dict[str, GradedSubmission]) -> None:
    html = render_class_summary([scenarios["full_marks"], scenarios["wrong_answers"]], report_href=None)
    row = html.split('<span class="qid">3.1</span>')[1].split("</tr>")[0]
    assert "50% (1/2)" in row and "1.00" in row
    assert "<a href" not in html


def test_a_missing_template_variable_raises_render_error() -> None:
    with pytest.raises(RenderError, match=r"student_report\.html\.j2.*'r' is undefined"):
        render_template("student_report.html.j2")


def test_a_missing_template_raises_render_error() -> None:
    with pytest.raises(RenderError, match="not found in grader/render/templates"):
        render_template("nope.html.j2")


def test_self_check_report_says_what_is_checked_at_grading(scenarios: dict[str, GradedSubmission]) -> None:
    html = render_student_report(scenarios["self_check"])
    assert "Self-check</span>" in html and "Points not yet earned" in html and "Checked at grading" in html
    assert "checked when the submission is graded" in html and '<span class="mark">…</span>' in html


def test_a_failing_collection_step_and_lost_files_are_reported(scenarios: dict[str, GradedSubmission]) -> None:
    from grader.records.execution import CellFailure

    graded = scenarios["full_marks"]
    failure = CellFailure(cell_index=50, source_preview="score(FOLD_MODELS)", ename="ValueError",
                          evalue="expected (N,) scores, got (N, 2)")
    execution = graded.execution.model_copy(update={"epilogue_failure": failure, "files_not_copied": 3})
    html = render_student_report(graded.model_copy(update={"execution": execution}))
    assert "raised ValueError: expected (N,) scores, got (N, 2)" in html and "Files not copied back" in html
