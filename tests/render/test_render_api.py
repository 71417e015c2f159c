"""The public names of grader.render, grader.export, grader.integrity and grader.publish are pinned (and sorted)."""

from __future__ import annotations

import grader.export
import grader.integrity
import grader.publish
import grader.render


def test_render_public_names() -> None:
    assert grader.render.__all__ == [
        "FindingFeedback",
        "PreparedPanels",
        "QuestionFeedback",
        "StudentFeedback",
        "format_points",
        "prepare_panels",
        "render_class_summary",
        "render_student_report",
        "safe_file_stem",
        "student_feedback",
    ]


def test_export_public_names() -> None:
    assert grader.export.__all__ == [
        "ExtraCredit",
        "LmsGrade",
        "LmsSettings",
        "RosterEntry",
        "choose_canvas_column",
        "final_grade",
        "gradescope_results",
        "lms_grade",
        "load_lms_settings",
        "resolve_lms_settings",
        "save_lms_settings",
        "write_canvas_csv",
        "write_canvas_gradebook",
        "write_exports",
        "write_gradebook_csv",
        "write_gradescope",
        "write_moodle_csv",
        "write_moodle_worksheet",
    ]


def test_integrity_and_publish_public_names() -> None:
    assert grader.integrity.__all__ == [
        "SimilarPair", "SimilarityReport", "find_similar_code", "integrity_report", "student_code",
    ]
    assert grader.publish.__all__ == [
        "PublishSummary", "class_pack", "executed_notebook", "load_class", "load_similarity", "publish",
        "stored_results",
    ]


def test_every_public_name_exists() -> None:
    for module in (grader.render, grader.export, grader.integrity, grader.publish):
        assert all(hasattr(module, name) for name in module.__all__)
