"""Scenario fixtures for the render tests: graded submissions, reference data, and a graded OUT folder.

Submissions come from :mod:`grader.render.samples` (built in Python, no notebook is run). ``out_dir``
writes them as ``OUT/results/*.json`` with executed notebooks whose student code is distinct, except
that ``s_mismatch`` copied ``s_full``'s code with renamed variables.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from grader.records.graded import GradedSubmission
from grader.render import ReferenceData, samples
from grader.render._reference import CACHE_NAME
from grader.store.files import executed_path, write_result

from ._notebooks import TEMPLATE_CELLS, executed_notebook, notebook


@pytest.fixture(scope="session")
def reference() -> ReferenceData:
    """Fixed reference data (profiles and JASPAR-like matrices; no torch, no pyjaspar)."""
    return samples.reference_data()


@pytest.fixture(scope="session")
def scenarios() -> dict[str, GradedSubmission]:
    """Every sample scenario by name."""
    return {name: factory() for name, factory in samples.SCENARIOS.items()}


@pytest.fixture
def template_notebook(tmp_path: Path) -> Path:
    """The template notebook the students started from."""
    path = tmp_path / "template.ipynb"
    path.write_text(json.dumps(notebook([(c, []) for c in TEMPLATE_CELLS])), encoding="utf-8")
    return path


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
