"""The reference study reproduces the ground truth: BN flat, baseline vanishing, ReLU zeros."""

from __future__ import annotations

import pytest

from reference.gradients.evidence import summarize_all, supported
from reference.gradients.study import StudyConfig, reference_profiles


def test_default_study_supports_batch_norm_only() -> None:
    study = reference_profiles()
    verdict = supported("batch_norm", study.profiles, zero_fractions=study.zero_fractions)
    assert verdict.supported
    assert verdict.supported_methods == ("batch_norm",)
    spans = {s.method: s.uniformity for s in summarize_all(study.profiles)}
    assert spans["baseline"] > 10 and spans["batch_norm"] < 0.6


def test_profiles_have_one_value_per_hidden_layer_and_are_cached() -> None:
    study = reference_profiles(StudyConfig(depth=20))
    assert all(len(v) == 20 for v in study.profiles.values())
    assert reference_profiles(StudyConfig(depth=20)) is study


def test_activation_gradients_favour_skip() -> None:
    study = reference_profiles()
    assert supported("skip", study.activation_profiles).supported


def test_config_is_validated() -> None:
    with pytest.raises(ValueError, match="unknown 'orthogonal'"):
        StudyConfig(init="orthogonal")
