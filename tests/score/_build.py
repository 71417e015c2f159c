"""Small rubrics for scoring tests: the builders of tests/rubric/_build.py, not a copy of them."""

from tests.rubric._build import METHODS, TRUTH, dump, question, rubric, rubric_data

__all__ = ["METHODS", "TRUTH", "dump", "question", "rubric", "rubric_data"]
