"""Scenario fixtures for the render tests: graded submissions, reference data, and a graded OUT folder.

Submissions come from :mod:`tests.render.samples` (built in Python, no notebook is run). ``out_dir``
writes them as ``OUT/results/*.json`` with executed notebooks whose student code is distinct, except
that ``s_mismatch`` copied ``s_full``'s code with renamed variables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assignments.week11.reference_data import CACHE_NAME, ReferenceData
from grader.records.graded import GradedSubmission
from grader.store.files import executed_path, write_result
from tests.render import samples

from ._notebooks import executed_notebook


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    """Fixed reference data (profiles and JASPAR-like matrices; no torch, no pyjaspar)."""
    return samples.reference_data()


@pytest.fixture(scope="session")
def scenarios() -> dict[str, GradedSubmission]:
    """Every sample scenario by name."""
    return {name: factory() for name, factory in samples.SCENARIOS.items()}


from tests.integrity.conftest import template_notebook  # noqa: E402, F401 - shared fixture


@pytest.fixture
def out_dir(tmp_path: Path, scenarios: dict[str, GradedSubmission], reference: ReferenceData) -> Path:
    """A graded OUT folder: every scenario's result and executed notebook, and a cached gradient reference."""
    out = tmp_path / "out"
    for graded in scenarios.values():
        write_result(out, graded)
        path = executed_path(out, graded.result.student_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(executed_notebook(graded.result.student_id)), encoding="utf-8")
    assert reference.gradients is not None
    cache = out / "reports" / ".cache" / CACHE_NAME
    cache.parent.mkdir(parents=True)
    cache.write_text(reference.gradients.to_json(), encoding="utf-8")
    return out
