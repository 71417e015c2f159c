"""Kernels -> PFMs: the data-free softmax and the activation route on planted motifs."""

from __future__ import annotations

import numpy as np
import pytest

from reference.enhancers.encoding import one_hot
from reference.motifs.jaspar import fetch_matrix
from reference.motifs.pfm import activation_pfms, as_kernels, information_content, kernels_to_pfms, trim_pfm

HNF4A = fetch_matrix("MA0114.5").probabilities


def test_softmax_of_log_odds_recovers_the_frequencies() -> None:
    pwm = np.log(HNF4A / 0.25)
    np.testing.assert_allclose(kernels_to_pfms(pwm, temperature=1.0)[0], HNF4A, atol=1e-12)


def test_auto_temperature_is_scale_free() -> None:
    w = np.random.default_rng(0).normal(size=(3, 4, 8))
    np.testing.assert_allclose(kernels_to_pfms(w), kernels_to_pfms(10 * w))
    top = kernels_to_pfms(np.array([[[3.0], [0.0], [0.0], [0.0]]]))[0, :, 0]
    np.testing.assert_allclose(top, [0.9, 0.1 / 3, 0.1 / 3, 0.1 / 3])


def test_kernels_from_json_like_lists_are_validated() -> None:
    assert as_kernels([[[0.1, 0.2]] * 4]).shape == (1, 4, 2)
    with pytest.raises(ValueError, match=r"shape \(F, 4, K\).*got \(2, 3, 5\)"):
        as_kernels(np.zeros((2, 3, 5)))
    with pytest.raises(ValueError, match="temperature must be > 0"):
        kernels_to_pfms(np.zeros((1, 4, 2)), temperature=0.0)


def test_information_content_and_trimming() -> None:
    pfm = np.full((4, 5), 0.25)
    pfm[:, 2] = [1.0, 0.0, 0.0, 0.0]
    assert information_content(pfm).tolist() == [0.0, 0.0, 2.0, 0.0, 0.0]
    trimmed, left = trim_pfm(pfm)
    assert trimmed.shape == (4, 1) and left == 2


def test_activation_route_collects_the_planted_site() -> None:
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGT"), 60)) for _ in range(40)]
    seqs = [s[:20] + "CAAAGTCCA" + s[29:] if i % 2 else s for i, s in enumerate(seqs)]
    result = activation_pfms(np.log(HNF4A / 0.25)[None], one_hot(seqs), threshold=0.8)
    assert result.n_sites[0] >= 20
    consensus = "".join("ACGT"[i] for i in result.probabilities[0].argmax(axis=0))
    assert consensus in ("CAAAGTCCA", "TGGACTTTG")
