"""One-hot encoding: layout, N policy, length policy and reverse complement."""

from __future__ import annotations

import numpy as np
import pytest

from reference.enhancers.data import SequenceSet
from reference.enhancers.encoding import decode_one_hot, encode, fit_lengths, one_hot, reverse_complement
from reference.enhancers.errors import InvalidCharacterError, LengthMismatchError


def test_layout_is_n_by_4_by_l_in_acgt_order() -> None:
    x = one_hot(["ACGTN", "acgtn"])
    assert x.shape == (2, 4, 5) and x.dtype == np.float32
    np.testing.assert_array_equal(x[0, :, :4], np.eye(4))
    assert x[0, :, 4].sum() == 0.0  # N is an all-zero column
    np.testing.assert_array_equal(x[0], x[1])


def test_round_trip() -> None:
    rng = np.random.default_rng(0)
    seqs = ["".join(rng.choice(list("ACGTN"), 50)) for _ in range(20)]
    assert decode_one_hot(one_hot(seqs)) == seqs


def test_reverse_complement_on_one_hot() -> None:
    x = one_hot(["AACGTN"])
    assert decode_one_hot(reverse_complement(x)) == ["NACGTT"]
    np.testing.assert_array_equal(reverse_complement(reverse_complement(x)), x)


def test_unequal_lengths_need_a_policy() -> None:
    with pytest.raises(LengthMismatchError, match="sequence 1 has length 2, sequence 0 has 4"):
        one_hot(["ACGT", "AC"])
    with pytest.raises(LengthMismatchError, match="choose length="):
        fit_lengths(["ACGT", "AC"], "equal")


def test_centred_pad_and_crop() -> None:
    fitted, report = fit_lengths(["ACGTAC", "GG", "TTT"], "median")
    assert fitted == ["CGT", "GGN", "TTT"]
    assert (report.target_length, report.n_padded, report.n_cropped) == (3, 1, 1)
    fitted, report = fit_lengths(["ACGTAC", "GG"])
    assert fitted == ["ACGTAC", "NNGGNN"] and report.policy == "max"
    assert fit_lengths(["ACGTAC"], 4)[0] == ["CGTA"]


def test_encode_records_the_policy() -> None:
    data = SequenceSet(("a", "b"), ("ACGTAC", "GG"), np.array([1, 0]), "test")
    encoded = encode(data, length="max")
    assert encoded.x.shape == (2, 4, 6)
    assert encoded.report.n_padded == 1 and encoded.y.tolist() == [1, 0]


def test_one_hot_rejects_other_letters() -> None:
    with pytest.raises(InvalidCharacterError, match="sequence 1 has 'U' at position 2"):
        one_hot(["ACG", "AUG"])
