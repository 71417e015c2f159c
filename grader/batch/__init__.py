"""Batch stage: grade many submissions."""

from grader.batch.run import BatchOutcome, grade_batch

__all__ = ["BatchOutcome", "grade_batch"]
