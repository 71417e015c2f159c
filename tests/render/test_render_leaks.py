"""No hidden criterion (message, criterion name, key) reaches any student-facing file."""

from __future__ import annotations

from pathlib import Path

from grader.publish import publish as render_all
from grader.records.graded import GradedSubmission
from grader.records.result import Visibility
from tests.render import samples


def _hidden_strings(graded: list[GradedSubmission]) -> set[str]:
    """Every hidden finding's message and criterion name, plus the samples' sentinels."""
    found = set(samples.HIDDEN_SENTINELS)
    for g in graded:
        for q in g.result.questions:
            for f in q.findings:
                if f.visibility is Visibility.HIDDEN:
                    found |= {f.message, f.criterion}
    return found


def test_hidden_strings_exist_in_the_fixtures(scenarios: dict[str, GradedSubmission]) -> None:
    # Guard against a vacuous pass: the fixtures really carry hidden messages with keys in them.
    hidden = _hidden_strings(list(scenarios.values()))
    assert any("expected 'Batch Norm'" in s for s in hidden) and len(hidden) > 10


def test_no_hidden_string_in_student_facing_files(out_dir: Path, scenarios: dict[str, GradedSubmission]) -> None:
    summary = render_all(out_dir)
    student_facing = [*summary.student_reports, out_dir / "exports" / "moodle.csv",
                      *(out_dir / "exports" / "gradescope").rglob("results.json")]
    assert len(student_facing) == 2 * len(scenarios) + 1
    hidden = _hidden_strings(list(scenarios.values()))
    leaks = [(p.name, s) for p in student_facing for s in hidden if s in p.read_text(encoding="utf-8")]
    assert leaks == []
