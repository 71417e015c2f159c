"""A hostile class reproduces the grader's own code to learn the hidden labels, and stays at chance.

A notebook can read the installed grader and the rubric's public parts. Before the class secret, the hidden
order was shuffled with ``len(pos) * 7919 + len(neg)`` and synthetic hidden data came from the rubric's seed:
lookup-table "models" scored a hidden ROC-AUC of 1.000 without training. Each cheat below first proves that it
reproduces what the old grader did (so it would have scored 1.0), then is graded for real in the sandbox.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import nbformat
import pytest
import yaml

from assignments.week11.data import HiddenSet
from grader.api import grade
from grader.rubric import load_rubric

pytestmark = pytest.mark.kernel
MINIMAL = Path(__file__).parents[1] / "fixtures" / "batch" / "minimal.yaml"
N_PER_CLASS = 100

LOOKUP_MODEL = '''
import torch

def hidden_sequences():
    """The hidden FASTA the grader writes before its epilogue, in file order."""
    seqs = []
    for line in open("hidden/sequences.fa"):
        line = line.strip()
        if line.startswith(">"):
            seqs.append("")
        elif line:
            seqs[-1] += line
    return seqs

class Lookup(torch.nn.Module):
    """A "model" that returns a label it worked out beforehand for each position, in call order."""
    def __init__(self, labels_for):
        super().__init__()
        self.labels_for, self.labels, self.at = labels_for, None, 0
    def forward(self, x):
        if self.labels is None:
            self.labels = self.labels_for()
        n = x.shape[0]
        out = torch.tensor([float(v) for v in self.labels[self.at:self.at + n]])
        self.at += n
        return out
'''


def _rubric(tmp_path: Path, hidden: dict[str, object]) -> Path:
    data = yaml.safe_load(MINIMAL.read_text())
    data["data"]["hidden"] = hidden
    path = tmp_path / "rubric.yaml"
    path.write_text(yaml.safe_dump(data))
    return path


def _notebook(path: Path, *cells: str) -> Path:
    nbformat.write(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells]), path)
    return path


def _measured_auc(notebook: Path, rubric: Path, cache: Path) -> float:
    graded = grade(notebook, rubric, profile="quick", cache_dir=cache)
    hidden = graded.evidence.hidden
    assert hidden.is_ok and hidden.value is not None, hidden.reason
    return hidden.value.roc_auc


def _write_fasta(path: Path, sequences: list[str]) -> None:
    path.write_text("".join(f">{path.stem}{i}\n{s}\n" for i, s in enumerate(sequences)))


def test_repeating_the_old_order_seed_stays_at_chance_on_fasta_hidden_data(tmp_path: Path) -> None:
    rng = random.Random(7)
    pos = ["".join(rng.choice("ACGT") for _ in range(60)) for _ in range(N_PER_CLASS)]
    neg = ["".join(rng.choice("ACGT") for _ in range(60)) for _ in range(N_PER_CLASS)]
    _write_fasta(tmp_path / "pos.fa", pos)
    _write_fasta(tmp_path / "neg.fa", neg)
    rubric = _rubric(tmp_path, {"kind": "fasta", "positive": str(tmp_path / "pos.fa"),
                                "negative": str(tmp_path / "neg.fa")})
    cheat = f"""
import random
P, N = {N_PER_CLASS}, {N_PER_CLASS}   # the hidden set's class counts (a data README says them)
pool = [1] * P + [0] * N
random.Random(P * 7919 + N).shuffle(pool)   # what the grader did with them
FOLD_MODELS = [Lookup(lambda: pool)]
"""
    pool = [1] * N_PER_CLASS + [0] * N_PER_CLASS
    random.Random(N_PER_CLASS * 7919 + N_PER_CLASS).shuffle(pool)
    old = HiddenSet.from_labelled(pos, neg, seed=N_PER_CLASS * 7919 + N_PER_CLASS)
    assert [old.labels[i] for i, _ in old.sequences] == pool  # the cheat knew every label before the fix
    notebook = _notebook(tmp_path / "cheat.ipynb", LOOKUP_MODEL, cheat)
    assert abs(_measured_auc(notebook, rubric, tmp_path / "cache") - 0.5) < 0.2  # sd at chance is 0.04


def test_regenerating_synthetic_hidden_data_from_the_rubric_stays_at_chance(tmp_path: Path) -> None:
    from reference.enhancers.synthetic import make_synthetic

    hidden = load_rubric(MINIMAL).data.hidden
    assert hidden is not None and hidden.kind == "synthetic"
    public = make_synthetic(hidden.n_per_class or 0, seed=hidden.seed).data  # as a student would, at home
    table = {s: int(y) for s, y in zip(public.sequences, public.labels, strict=True)}
    cheat = f"""
TABLE = {json.dumps(table)}
FOLD_MODELS = [Lookup(lambda: [TABLE.get(s, 0.5) for s in hidden_sequences()])]
"""
    notebook = _notebook(tmp_path / "cheat.ipynb", LOOKUP_MODEL, cheat)
    assert _measured_auc(notebook, MINIMAL, tmp_path / "cache") == 0.5  # not one hidden sequence was known
