"""Fixtures for the reference-solution tests: shared data location and small synthetic sets."""

from __future__ import annotations

from pathlib import Path

import pytest

SHARED_DATA = Path(__file__).resolve().parents[2].parent / "shared/data/enhancers/liver_vs_other"


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real liver_vs_other folder (train/, hidden/); skips when ../shared is absent."""
    if not (SHARED_DATA / "train/liver.fa").is_file():
        pytest.skip(f"real data not available: {SHARED_DATA} is absent (needs the ../shared checkout)")
    return SHARED_DATA
