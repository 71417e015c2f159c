"""The public names of the reference package are pinned, sorted (ruff RUF022 order) and importable."""

from __future__ import annotations

import importlib

import pytest

PUBLIC = {
    "reference.gradients": [
        "COUNTERMEASURES",
        "DeepMLP",
        "EvidenceError",
        "EvidenceParams",
        "GradientProfile",
        "INITS",
        "METHODS",
        "MethodSummary",
        "StudyConfig",
        "StudyResult",
        "Verdict",
        "build_mlp",
        "canonical_method",
        "gradient_profile",
        "hidden_linears",
        "plot_profiles",
        "preserved_state",
        "reference_profiles",
        "sdlog",
        "summarize",
        "summarize_all",
        "supported",
        "uniformity",
    ],
    "reference.gradients.evidence": [
        "COUNTERMEASURES",
        "EvidenceError",
        "EvidenceParams",
        "METHODS",
        "MethodSummary",
        "Verdict",
        "ZERO_PRONE",
        "canonical_method",
        "evidence_problem",
        "sdlog",
        "summarize",
        "summarize_all",
        "supported",
        "uniformity",
    ],
    "reference.enhancers": [
        "ALPHABET",
        "BatchIndexSampler",
        "CNNConfig",
        "CVResult",
        "DataError",
        "DuplicateIdError",
        "EmptyInputError",
        "EncodedSet",
        "EnhancerCNN",
        "EnhancerDataModule",
        "FastaRecord",
        "Fold",
        "FoldResult",
        "FormatError",
        "InvalidCharacterError",
        "KmerCVResult",
        "LIVER_MOTIFS",
        "LengthMismatchError",
        "LengthPolicy",
        "LengthReport",
        "OTHER_MOTIFS",
        "PlantedSite",
        "SequenceSet",
        "SingleClassError",
        "SweepRow",
        "SyntheticConfig",
        "SyntheticSet",
        "TensorBatches",
        "TrainConfig",
        "UnreadableFileError",
        "canonical_kmer_counts",
        "cross_validate",
        "decode_one_hot",
        "encode",
        "fit_lengths",
        "kernel_size_sweep",
        "kmer_cross_validate",
        "kmer_fit_predict",
        "make_synthetic",
        "one_hot",
        "read_fasta",
        "read_fasta_pair",
        "read_table",
        "resolve_device",
        "reverse_complement",
        "roc_pr_auc",
        "stratified_folds",
        "strand_max_pool",
        "train_model",
        "write_synthetic_dataset",
    ],
    "reference.motifs": [
        "ActivationPFMs",
        "DEFAULT_RELEASE",
        "FamilyHit",
        "FamilyReport",
        "JasparMatrix",
        "LIVER_FAMILIES",
        "MotifMatch",
        "activation_pfms",
        "as_kernels",
        "family_of",
        "fetch_matrix",
        "information_content",
        "kernels_to_pfms",
        "liver_families",
        "load_jaspar",
        "match_jaspar",
        "match_jaspar_many",
        "pfm_similarity",
        "plot_logo",
        "plot_logos",
        "trim_pfm",
    ],
    "reference.answers": ["AnswerKey", "Evidence", "answer_key", "main"],
}


def isort_order(names: list[str]) -> list[str]:
    """RUF022's isort-style order: SCREAMING_CASE, then CamelCase, then the rest, each alphabetical."""
    return sorted(names, key=lambda n: (0 if n.isupper() else 1 if n[0].isupper() else 2, n))


@pytest.mark.parametrize("module_name", sorted(PUBLIC))
def test_public_names_are_pinned_sorted_and_resolve(module_name: str) -> None:
    module = importlib.import_module(module_name)
    assert module.__all__ == isort_order(PUBLIC[module_name])
    for name in module.__all__:
        assert getattr(module, name) is not None


def test_every_reference_module_has_a_sorted_all() -> None:
    import pkgutil

    import reference

    for info in pkgutil.walk_packages(reference.__path__, "reference."):
        module = importlib.import_module(info.name)
        assert hasattr(module, "__all__"), info.name
        assert list(module.__all__) == isort_order(list(module.__all__)), info.name


def test_unknown_lazy_name_raises_attribute_error() -> None:
    import reference.enhancers

    with pytest.raises(AttributeError, match="has no attribute 'nope'"):
        reference.enhancers.nope  # noqa: B018
