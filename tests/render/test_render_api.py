"""The public names of grader.render and grader.export are pinned (and sorted)."""

from __future__ import annotations

import grader.export
import grader.render


def test_render_public_names() -> None:
    assert grader.render.__all__ == [
        "FindingFeedback",
        "GradientReference",
        "QuestionFeedback",
        "ReferenceData",
        "RenderSummary",
        "SimilarPair",
        "SimilarityReport",
        "StudentFeedback",
        "find_similar_code",
        "format_points",
        "load_reference",
        "render_all",
        "render_class_summary",
        "render_student_report",
        "safe_file_stem",
        "student_feedback",
        "write_derived",
    ]


def test_export_public_names() -> None:
    assert grader.export.__all__ == [
        "RosterEntry",
        "final_grade",
        "gradescope_results",
        "write_canvas_csv",
        "write_exports",
        "write_gradebook_csv",
        "write_gradescope",
        "write_moodle_csv",
    ]


def test_every_public_name_exists() -> None:
    for module in (grader.render, grader.export):
        assert all(hasattr(module, name) for name in module.__all__)
