"""Discover stage: find each student's notebook in a folder, a zip file or an LMS download."""

from grader.discover.archive import ArchiveLimits
from grader.discover.submissions import Discovery, Skipped, Submission, discover, student_id_for

__all__ = ["ArchiveLimits", "Discovery", "Skipped", "Submission", "discover", "student_id_for"]
