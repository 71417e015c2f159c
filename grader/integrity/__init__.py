"""Integrity stage: observations worth a human look, never points.

- ``notebook``: one submission against its re-execution and the template (saved outputs that re-execution
  did not reproduce, edited locked cells, the fingerprint of the student's own code): ``integrity_report``.
- ``similarity``: MOSS-style similarity of the code students wrote, across the class: ``find_similar_code``.
- ``normalise``: Python source normalised as copydetect does it (used by ``similarity``).
"""

from grader.integrity.notebook import integrity_report
from grader.integrity.similarity import SimilarityReport, SimilarPair, find_similar_code, student_code

__all__ = ["SimilarPair", "SimilarityReport", "find_similar_code", "integrity_report", "student_code"]
