"""The closing summary a TA reads: every skipped file shows whose it was, brackets and all."""

from __future__ import annotations

from pathlib import Path

from rich.console import Console

from grader.batch.progress import BatchSummary, Reporter
from grader.discover.submissions import Skipped


def test_a_skipped_file_names_its_student_in_brackets() -> None:
    console = Console(record=True, width=200, color_system=None)
    skipped = [Skipped(Path("subs/mallory/second.ipynb"), "duplicate of [first.ipynb]", "mallory")]
    Reporter(console).finish([], skipped, BatchSummary(0, 0, 0, 1, 1.0, 1, "inline"))
    assert "skipped [mallory] subs/mallory/second.ipynb: duplicate of [first.ipynb]" in console.export_text()
