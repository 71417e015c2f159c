"""A pack's report panels, its review facts and the class summary's gap metrics: the generic code draws
what the pack and the rubric name, and knows no assignment of its own."""

from __future__ import annotations

from pathlib import Path

from grader.packs import load_pack
from grader.publish import publish
from grader.records.graded import GradedSubmission
from grader.render import prepare_panels, render_student_report
from grader.render._summary import build_class_summary
from grader.review.pages import build_student_page
from grader.store.gradebook import GRADEBOOK_FILE, RunInfo, open_gradebook, start_run, upsert_result
from tests.render.samples import full_marks
from tests.render.test_metric_flag import _with
from tests.toy_pack import registered, toy_pack


def test_a_packs_panel_is_prepared_once_per_class_and_drawn_from_its_own_template(tmp_path: Path) -> None:
    made: list[int] = []
    pack = toy_pack(tmp_path, made)
    graded = [full_marks("s_a"), full_marks("s_b")]
    prepared, notes = prepare_panels(pack, graded, cache_dir=None)
    pages = [render_student_report(g, pack=pack, prepared=prepared) for g in graded]
    assert made == [2] and notes == ("toy data: made",)
    assert '<section class="card" id="toy"><h2>Toy panel</h2><p>s_a in a class of 2</p></section>' in pages[0]
    for page in pages:  # Week 11's panels belong to its pack, not to the report
        assert 'id="gradients"' not in page and 'id="kernels"' not in page and 'id="execution"' in page


def test_week11s_report_has_its_three_panels_in_order() -> None:
    page = render_student_report(full_marks("s_w"))
    ids = [p.id for p in load_pack("week11").panels]
    assert ids == ["gradients", "classifier", "kernels"]
    assert page.index('id="questions"') < page.index('id="gradients"') < page.index('id="classifier"') \
        < page.index('id="kernels"') < page.index('id="execution"')


def test_the_review_facts_are_the_packs_items_and_measurements(tmp_path: Path) -> None:
    pack = toy_pack(tmp_path, [])
    page = build_student_page(full_marks("s_a"), None, [], pack=pack)
    assert [(f.label, f.value) for f in page.evidence if f.label.startswith("toy")] == [
        ("toy item", "not collected"), ("toy measure", "not evaluated"),
    ]
    week11 = [f.label for f in build_student_page(full_marks("s_a"), None, []).evidence]
    assert week11[:7] == ["gradients", "cross-validation", "kernel sweep", "hidden predictions",
                          "first-layer kernels", "hidden-set evaluation", "motif matches"]


def test_the_gap_flag_compares_the_metrics_it_is_given() -> None:
    g = _with((0.95, 0.96, 0.95, 0.94, 0.96), 0.70, (0.68, 0.67, 0.69, 0.68, 0.68))

    def flags(gap_metrics: tuple[str, str]) -> list[str]:
        summary = build_class_summary([g], similarity=None, course="c", assignment="a", report_href=None,
                                      metric_gap=0.1, gap_metrics=gap_metrics)
        return [f.detail for f in summary.flags if "hidden set (gap" in f.detail]

    (default,) = flags(("cv_roc_auc", "hidden_model_roc_auc"))
    assert default.startswith("CV ROC-AUC 0.952 ± 0.008 reported over 5 fold(s), 0.680 ± 0.007")
    (ensemble,) = flags(("cv_roc_auc", "hidden_roc_auc"))  # the ensemble's value, a single number
    assert ", 0.700 for the same models" in ensemble
    assert flags(("no_such_metric", "hidden_roc_auc")) == []


def test_grader_report_draws_the_panels_of_the_pack_the_latest_run_recorded(
    out_dir: Path, tmp_path: Path, scenarios: dict[str, GradedSubmission]
) -> None:
    made: list[int] = []
    db = out_dir / GRADEBOOK_FILE
    with open_gradebook(db) as conn:  # a run recorded before gradebook schema 3 (no pack): Week 11's
        run = start_run(conn, RunInfo(rubric_sha256="r1", grader_version="test"))
        for graded in scenarios.values():
            upsert_result(conn, run, graded)
    week11 = publish(out_dir).student_reports[0].read_text(encoding="utf-8")
    assert 'id="gradients"' in week11 and 'id="toy"' not in week11
    with registered(toy_pack(tmp_path / "templates", made)), open_gradebook(db) as conn:
        start_run(conn, RunInfo(rubric_sha256="r2", grader_version="test", assignment="toy"))
        summary = publish(out_dir)
    page = summary.student_reports[0].read_text(encoding="utf-8")
    assert made == [len(summary.student_reports)]
    assert '<h2>Toy panel</h2>' in page and 'id="gradients"' not in page and 'id="kernels"' not in page
