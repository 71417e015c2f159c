"""Batch stage: grade many submissions in parallel (local workers or Dask), resumably."""

from grader.batch.run import BatchOutcome, grade_batch
from grader.batch.slots import default_jobs

__all__ = ["BatchOutcome", "default_jobs", "grade_batch"]
