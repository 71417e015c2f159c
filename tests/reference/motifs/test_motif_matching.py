"""JASPAR matching over both strands and offsets, planted-motif recovery and liver families."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from reference.enhancers.encoding import one_hot
from reference.enhancers.model import EnhancerCNN
from reference.enhancers.synthetic import make_synthetic
from reference.motifs.compare import match_jaspar, pfm_similarity
from reference.motifs.families import family_of, liver_families
from reference.motifs.jaspar import JasparMatrix, fetch_matrix, load_jaspar
from reference.motifs.pfm import activation_pfms, kernels_to_pfms


@pytest.fixture(scope="module")
def jaspar() -> tuple[JasparMatrix, ...]:
    return load_jaspar()


def test_jaspar_is_loaded_once(jaspar: tuple[JasparMatrix, ...]) -> None:
    assert load_jaspar() is jaspar and len(jaspar) > 500
    assert all(m.probabilities.shape[0] == 4 for m in jaspar[:20])


def test_similarity_is_strand_and_offset_aware() -> None:
    hnf4a = fetch_matrix("MA0114.5").probabilities
    score, offset, strand, overlap = pfm_similarity(hnf4a[::-1, ::-1], hnf4a)
    assert (round(score, 6), offset, strand, overlap) == (1.0, 0, "-", 9)
    padded = np.hstack([np.full((4, 3), 0.25), hnf4a])
    assert pfm_similarity(padded, hnf4a)[1] == -3


def _planted_pfm(factor: str) -> np.ndarray:
    made = make_synthetic(300, seed=0)
    windows = []
    for seq, sites in zip(made.data.sequences, made.sites, strict=True):
        for site in sites:
            if site.factor == factor:
                width = fetch_matrix(site.matrix_id).length
                window = one_hot([seq[site.start : site.start + width]])[0]
                windows.append(window[::-1, ::-1] if site.strand == "-" else window)
    return np.sum(windows, axis=0)


def test_planted_hnf4a_instances_match_hnf4(jaspar: tuple[JasparMatrix, ...]) -> None:
    top = match_jaspar(_planted_pfm("HNF4A"), matrices=jaspar)
    assert top[0].name.upper() in ("HNF4A", "HNF4G")
    assert top[0].score > 0.9


def test_kernel_tuned_to_hnf4a_recovers_it_from_synthetic_data(jaspar: tuple[JasparMatrix, ...]) -> None:
    kernel = np.log(fetch_matrix("MA0114.5").probabilities / 0.25)[None]
    positives = make_synthetic(150, seed=3).data.sequences[:150]
    pfm = activation_pfms(kernel, one_hot(list(positives)), threshold=0.7).probabilities[0]
    assert match_jaspar(pfm, top=1, matrices=jaspar)[0].name.upper() in ("HNF4A", "HNF4G")
    assert match_jaspar(kernels_to_pfms(kernel)[0], top=1, matrices=jaspar)[0].name.upper() in (
        "HNF4A",
        "HNF4G",
    )


def test_liver_families(jaspar: tuple[JasparMatrix, ...]) -> None:
    pfms = [
        fetch_matrix("MA0047.4").probabilities,
        fetch_matrix("MA0102.5").probabilities,
        fetch_matrix("MA0140.3").probabilities,
    ]
    report = liver_families(pfms, matrices=jaspar)
    assert report.recovered == ("FOXA", "CEBP")
    assert report.hits["FOXA"] is not None and report.hits["FOXA"].pfm_index == 0
    assert family_of("Ddit3::Cebpa") == "CEBP" and family_of("GATA1::TAL1") is None


def test_random_kernels_recover_no_family(jaspar: tuple[JasparMatrix, ...]) -> None:
    torch.manual_seed(0)
    kernels = EnhancerCNN().first_layer_kernels()
    pfms = [p for w in kernels for p in kernels_to_pfms(w)]
    assert liver_families(pfms, matrices=jaspar).recovered == ()


def test_bad_query_shape() -> None:
    with pytest.raises(ValueError, match=r"pfm must have shape \(4, K\).*got \(3, 5\)"):
        match_jaspar(np.zeros((3, 5)), matrices=[])


def _column_pcc(a: np.ndarray, b: np.ndarray) -> float:
    """Pearson correlation of two 4-vectors; 0 when either is flat."""
    a, b = a - a.mean(), b - b.mean()
    norm = float(np.linalg.norm(a) * np.linalg.norm(b))
    return float(a @ b) / norm if norm > 1e-12 else 0.0


def _naive_best(query: np.ndarray, target: np.ndarray, min_overlap: int) -> tuple[float, int, str, int]:
    """The module docstring's definition, one offset and strand at a time (independent of the vectorised code)."""
    best: tuple[float, int, str, int] = (-np.inf, 0, "+", 0)
    for strand, t in (("+", target), ("-", target[::-1, ::-1])):
        for offset in range(-(query.shape[1] - 1), t.shape[1]):
            pairs = [(i, i + offset) for i in range(query.shape[1]) if 0 <= i + offset < t.shape[1]]
            if len(pairs) < min(min_overlap, query.shape[1], t.shape[1]):
                continue
            score = float(np.mean([_column_pcc(query[:, i], t[:, j]) for i, j in pairs]))
            if score > best[0] + 1e-12:
                best = (score, offset, strand, len(pairs))
    return best


def test_all_queries_at_once_equal_the_definition(jaspar: tuple[JasparMatrix, ...]) -> None:
    """Queries of different widths in one call give, per query and matrix, the naive best (score, offset,
    strand, overlap); the top matches are those of the naive scores."""
    from reference.motifs.compare import match_jaspar_many

    rng = np.random.default_rng(0)
    queries = [rng.dirichlet(np.ones(4), size=w).T for w in (4, 7, 12)] + [
        fetch_matrix("MA0114.5").probabilities
    ]
    targets = jaspar[:25]
    found = match_jaspar_many(queries, top=len(targets), trim_ic=0.0, matrices=targets)
    for query, matches in zip(queries, found, strict=True):
        naive = {m.matrix_id: _naive_best(query, m.probabilities, 6) for m in targets}
        assert [m.matrix_id for m in matches] == sorted(naive, key=lambda k: (-naive[k][0], k))
        for m in matches:
            score, offset, strand, overlap = naive[m.matrix_id]
            assert (m.offset, m.strand, m.overlap) == (offset, strand, overlap)
            assert m.score == pytest.approx(score, abs=1e-9)
