"""The synthetic demo data: deterministic, labelled synthetic, realistic GC, motifs planted."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from reference.enhancers.data import read_fasta, read_fasta_pair
from reference.enhancers.synthetic import LIVER_MOTIFS, make_synthetic, write_synthetic_dataset


def test_deterministic_by_seed() -> None:
    a, b, c = make_synthetic(20, seed=1), make_synthetic(20, seed=1), make_synthetic(20, seed=2)
    assert a.data.sequences == b.data.sequences and a.sites == b.sites
    assert a.data.sequences != c.data.sequences


def test_gc_content_and_planted_sites() -> None:
    made = make_synthetic(200, seed=0)
    gc = np.mean([(s.count("G") + s.count("C")) / len(s) for s in made.data.sequences])
    assert 0.40 < gc < 0.52
    liver_sites = [s for sites in made.sites[:200] for s in sites if s.factor in LIVER_MOTIFS]
    other_sites = [s for sites in made.sites[200:] for s in sites if s.factor in LIVER_MOTIFS]
    assert len(liver_sites) > 2 * len(other_sites) > 0
    site = liver_sites[0]
    assert 0 <= site.start <= 200 - 8 and site.strand in "+-"


def test_written_files_are_labelled_synthetic(tmp_path: Path) -> None:
    paths = write_synthetic_dataset(tmp_path, seed=0, n_train=30, n_hidden=10, length=120)
    assert sorted(paths) == [
        "README.txt",
        "hidden/liver.fa",
        "hidden/other.fa",
        "train/liver.fa",
        "train/other.fa",
    ]
    assert "SYNTHETIC" in paths["README.txt"].read_text()
    records = read_fasta(paths["train/liver.fa"])
    assert len(records) == 30 and all("SYNTHETIC" in r.description for r in records)
    hidden = read_fasta_pair(tmp_path / "hidden/liver.fa", tmp_path / "hidden/other.fa")
    assert len(hidden) == 20 and set(map(len, hidden.sequences)) == {120}
