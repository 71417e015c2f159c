"""Resume keys change with every input that decides a grade, and with nothing else."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from grader.batch.keys import assignment_sha256, context_key, options_sha256, submission_key
from grader.discover.submissions import Submission

from . import fakes


def sub(**changes: object) -> Submission:
    base = Submission("alice", Path("a.ipynb"), origin="a.ipynb", sha256="s1")
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def test_submission_key_depends_on_content_not_location() -> None:
    key = submission_key("ctx", sub())
    assert submission_key("ctx", sub(path=Path("elsewhere/a.ipynb"), origin="x.zip/a.ipynb")) == key
    assert submission_key("ctx", sub(notes=("a note",))) == key
    assert submission_key("ctx", sub(sha256="s2")) != key
    assert submission_key("ctx", sub(student_id="bob")) != key
    assert submission_key("ctx", sub(problem="empty file")) != key
    assert submission_key("ctx2", sub()) != key
    assert submission_key("ctx", sub(), late_days=1.0) != key


def test_submission_key_changes_with_the_lms_submission_time() -> None:
    from grader.records.adjust import Lateness

    on_time = Lateness(late_days=0.0, submitted_at="2026-12-04T18:12:00+01:00", source="t.csv row 2")
    late = on_time.model_copy(update={"late_days": 0.4, "submitted_at": "2026-12-05T09:30:00+01:00"})
    key = submission_key("ctx", sub(), 0.0, on_time)
    assert submission_key("ctx", sub(), 0.0, late) != key
    assert submission_key("ctx", sub(), 0.0, Lateness(marked_late_without_time=True)) != key
    assert submission_key("ctx", sub(), 0.0, None) == submission_key("ctx", sub())


def test_context_key_parts() -> None:
    base = {"rubric": "r", "assignment": "a", "grader_version": "0.1.0", "options": "o"}
    key = context_key(**base)
    for name in base:
        assert context_key(**{**base, name: "changed"}) != key


def test_options_ignore_where_a_notebook_runs() -> None:
    options = fakes.FakeOptions()
    assert options_sha256(dataclasses.replace(options, slot=5)) == options_sha256(options)
    assert options_sha256(dataclasses.replace(options, profile="quick")) != options_sha256(options)


def test_assignment_hash_reads_file_contents(tmp_path: Path) -> None:
    data = fakes.context(tmp_path).data
    first = assignment_sha256(data)
    assert assignment_sha256(fakes.context(tmp_path / "copy").data) == first
    data.train_positive.write_text(">a\nACGA\n")
    assert assignment_sha256(data) != first
