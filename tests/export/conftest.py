"""Scenario fixtures for the export tests (built in Python by :mod:`tests.render.samples`)."""

from __future__ import annotations

import pytest

from grader.records.graded import GradedSubmission
from tests.render import samples


@pytest.fixture(scope="session")
def scenarios() -> dict[str, GradedSubmission]:
    """Every sample scenario by name."""
    return {name: factory() for name, factory in samples.SCENARIOS.items()}


@pytest.fixture(scope="session")
def graded(scenarios: dict[str, GradedSubmission]) -> list[GradedSubmission]:
    """All scenarios as one class."""
    return list(scenarios.values())
