"""Submissions whose *content* breaks the grader's readers get their own status, never a harness failure.

Before the depth caps and the unreadable-message handling, each of these was a "grader error", retried on
every batch: deeply nested notebook metadata (RecursionError in nbformat), a kernel message nested 5,000
deep (RecursionError in the client), a kernel whose ``json`` was patched (every message ``{}``: "Duplicate
Signature"), and a grader record nested 5,000 deep (RecursionError in the collector).
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from grader.batch import grade_batch

pytestmark = pytest.mark.kernel
ROOT = Path(__file__).resolve().parents[2]
HOSTILE = ROOT / "tests" / "fixtures" / "notebooks" / "hostile"
RUBRIC = ROOT / "tests" / "fixtures" / "batch" / "minimal.yaml"


def _deep_metadata_notebook(path: Path, depth: int) -> None:
    cell = {"cell_type": "code", "id": "c1", "metadata": {}, "source": "ANSWERS = {'3.3': 0}", "outputs": [],
            "execution_count": None}
    doc = json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": {"x": None}, "cells": [cell]})
    path.write_text(doc.replace('"x": null', '"x": ' + '{"a": ' * depth + "{}" + "}" * depth))


def test_content_that_breaks_a_parser_is_the_submissions_status_not_a_grader_error(tmp_path: Path) -> None:
    subs = tmp_path / "subs"
    subs.mkdir()
    for name in ("deep_output_message", "patch_json_duplicate_signature", "deep_grader_record"):
        shutil.copyfile(HOSTILE / f"{name}.ipynb", subs / f"{name}.ipynb")
    _deep_metadata_notebook(subs / "deep_metadata.ipynb", 900)  # json reads it; nbformat recursed
    shutil.copyfile(HOSTILE / "control_well_behaved.ipynb", subs / "control.ipynb")

    outcome = grade_batch(subs, RUBRIC, tmp_path / "out", jobs=1)
    results = {g.result.student_id: g.result for g in outcome.graded}
    runs = {g.result.student_id: g.execution for g in outcome.graded}

    assert outcome.failed == [] and sorted(outcome.fresh) == sorted(results)
    deep_meta = results["deep_metadata"]
    assert deep_meta.status.value == "invalid" and "nested 903 levels deep; the limit is 64" in deep_meta.reason
    for sid, what, first_line in (
        ("deep_output_message", "JsonTooDeepError", "from IPython.display import display"),
        ("patch_json_duplicate_signature", "", "import json"),
    ):
        execution = runs[sid]
        assert execution.status.value == "cell_error", (sid, execution.reason)
        assert "the kernel sent a message the grader cannot read" in execution.reason and what in execution.reason
        assert execution.failure is not None and execution.failure.source_preview.startswith(first_line)
    record = results["deep_grader_record"]
    assert runs["deep_grader_record"].status.value == "ok"
    reason = record.question("3.3").reason
    assert "no answer to 3.3 could be collected: the grader record is not valid JSON: JSON nested 5000" in reason
    assert runs["control"].status.value == "ok"
