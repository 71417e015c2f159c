"""Fixtures shared with the render tests (the template the students started from)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.render._notebooks import TEMPLATE_CELLS, notebook


@pytest.fixture
def template_notebook(tmp_path: Path) -> Path:
    """The template notebook the students started from."""
    path = tmp_path / "template.ipynb"
    path.write_text(json.dumps(notebook([(c, []) for c in TEMPLATE_CELLS])), encoding="utf-8")
    return path
