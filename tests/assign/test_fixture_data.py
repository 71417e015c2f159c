"""The planted-motif FASTA fixture the kernel tests run on is what its generator writes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from ._notebooks import FIXTURE_TRAIN, FIXTURES


def test_fixture_fasta_matches_its_generator(tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("make_fasta", FIXTURES / "make_fasta.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.write(tmp_path)
    for name in ("liver.fa", "other.fa"):
        assert (tmp_path / name).read_bytes() == (FIXTURE_TRAIN / name).read_bytes(), name


def test_fixture_fasta_shape() -> None:
    for name in ("liver.fa", "other.fa"):
        lines = (FIXTURE_TRAIN / name).read_text(encoding="ascii").splitlines()
        headers, sequences = lines[0::2], lines[1::2]
        assert len(headers) == len(sequences) == 300
        assert all(h.startswith(">") for h in headers)
        assert all(len(s) == 200 and set(s) <= set("ACGT") for s in sequences)
