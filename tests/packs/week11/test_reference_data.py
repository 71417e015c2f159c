"""Reference material: packaged, cached or computed gradient profiles; JASPAR matrices when available."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from assignments.week11.reference_data import CACHE_NAME, GradientReference, canonical_method, load_reference


def test_cached_profiles_are_read_without_running_the_study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assignments.week11.reference_data._packaged_profiles", lambda: None)
    monkeypatch.setattr("assignments.week11.reference_data._computed_profiles", lambda: pytest.fail("study was run"))
    cached = GradientReference({"baseline": (1e-6, 1e-3)}, "cached study")
    (tmp_path / CACHE_NAME).write_text(cached.to_json(), encoding="utf-8")
    ref = load_reference(cache_dir=tmp_path)
    assert ref.gradients is not None and ref.gradients.source == "cached study"
    assert dict(ref.gradients.profiles) == {"baseline": (1e-6, 1e-3)}


def test_computed_profiles_are_cached(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    computed = GradientReference({"skip": (0.1, 0.2)}, "computed")
    monkeypatch.setattr("assignments.week11.reference_data._packaged_profiles", lambda: None)
    monkeypatch.setattr("assignments.week11.reference_data._computed_profiles", lambda: computed)
    assert load_reference(cache_dir=tmp_path).gradients == computed
    assert json.loads((tmp_path / CACHE_NAME).read_text(encoding="utf-8"))["profiles"] == {"skip": [0.1, 0.2]}


def test_without_a_study_there_is_no_reference_and_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assignments.week11.reference_data._packaged_profiles", lambda: None)
    monkeypatch.setattr("assignments.week11.reference_data._computed_profiles", lambda: None)
    ref = load_reference()
    assert ref.gradients is None and "no reference panel" in ref.notes[0]


def test_method_spellings_map_to_canonical_names() -> None:
    assert canonical_method("Batch Norm") == "batch_norm" and canonical_method("BN") == "batch_norm"
    assert canonical_method("<b>bold</b>") is None


@pytest.mark.slow
@pytest.mark.skipif(importlib.util.find_spec("torch") is None, reason="torch is not installed")
def test_the_real_reference_study_gives_five_profiles(tmp_path: Path) -> None:
    ref = load_reference(cache_dir=tmp_path)
    assert ref.gradients is not None
    assert set(ref.gradients.profiles) == {"baseline", "skip", "batch_norm", "relu", "elu"}


@pytest.mark.skipif(importlib.util.find_spec("pyjaspar") is None, reason="pyjaspar is not installed")
def test_jaspar_matrices_come_from_reference_motifs(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("assignments.week11.reference_data.gradient_reference", lambda cache_dir: (None, "none"))
    ref = load_reference(["MA0114.4", "MA9999.1"])
    matrix = ref.motifs["MA0114.4"]
    assert len(matrix) == 4 and all(abs(sum(col) - 1) < 1e-9 for col in zip(*matrix, strict=True))
    assert "MA9999.1" not in ref.motifs and "not in the JASPAR release: MA9999.1" in ref.notes[1]
