"""The assignment's data as the grader stages it: training files in, hidden sequences in later.

Training sequences are copied into each sandbox's work directory before the student's cells run. The
hidden held-out sequences are written only after the student's cells finished, without labels, under
opaque ids, in an order that only the class secret and the submission's bytes decide
(``AssignmentData.hidden_for``); the labels stay in this process.
"""

from __future__ import annotations

import random
import shutil
from dataclasses import dataclass, field
from pathlib import Path

from grader.prepare.secret import ClassSecret
from grader.records.contract import HIDDEN_FASTA

__all__ = ["TRAIN_NEGATIVE", "TRAIN_POSITIVE", "AssignmentData", "HiddenPool", "HiddenSet"]

TRAIN_POSITIVE = "data/train/positive.fa"
TRAIN_NEGATIVE = "data/train/negative.fa"


@dataclass(frozen=True)
class HiddenSet:
    """Hidden sequences under opaque ids, and their labels (which never enter the sandbox)."""

    sequences: tuple[tuple[str, str], ...]
    labels: dict[str, int] = field(repr=False)

    @classmethod
    def from_labelled(cls, positives: list[str], negatives: list[str], *, seed: int) -> HiddenSet:
        """Shuffle ``positives`` (label 1) and ``negatives`` (label 0) and give them opaque ids."""
        pool = [(s, 1) for s in positives] + [(s, 0) for s in negatives]
        random.Random(seed).shuffle(pool)
        ids = [f"h{i:06d}" for i in range(len(pool))]
        return cls(
            sequences=tuple((i, s) for i, (s, _) in zip(ids, pool, strict=True)),
            labels={i: y for i, (_, y) in zip(ids, pool, strict=True)},
        )

    def write(self, workdir: Path) -> None:
        """Write the unlabelled FASTA to ``workdir/hidden/sequences.fa``."""
        path = workdir / HIDDEN_FASTA
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(f">{i}\n{s}\n" for i, s in self.sequences), encoding="ascii")
        path.parent.chmod(0o755)
        path.chmod(0o644)


@dataclass(frozen=True)
class HiddenPool:
    """The labelled hidden sequences before any order is chosen (grader side only)."""

    positives: tuple[str, ...] = field(repr=False)
    negatives: tuple[str, ...] = field(repr=False)

    def __len__(self) -> int:
        return len(self.positives) + len(self.negatives)

    def ordered(self, seed: int) -> HiddenSet:
        """The pool shuffled by ``seed`` under opaque ids (see ``HiddenSet.from_labelled``)."""
        return HiddenSet.from_labelled(list(self.positives), list(self.negatives), seed=seed)


@dataclass(frozen=True)
class AssignmentData:
    """Where the training FASTA files are (grader side), the hidden pool and the class secret."""

    train_positive: Path
    train_negative: Path
    hidden: HiddenPool
    seq_len: int
    secret: ClassSecret = field(repr=False)
    description: str = ""

    def hidden_for(self, submission_sha256: str) -> HiddenSet:
        """The hidden set one submission sees: its order from the class secret and the submission's bytes.

        The same bytes always get the same order (reruns and resume keys agree); no notebook can compute
        it, since the secret never enters a sandbox.
        """
        return self.hidden.ordered(self.secret.seed("hidden-order", submission_sha256))

    def stage(self, workdir: Path) -> dict[str, str]:
        """Copy the training files into ``workdir``; return the notebook parameters that point at them."""
        for src, rel in ((self.train_positive, TRAIN_POSITIVE), (self.train_negative, TRAIN_NEGATIVE)):
            dst = workdir / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, dst)
            dst.chmod(0o644)
        for d in (workdir / "data", workdir / "data/train"):
            d.chmod(0o755)
        return {"POSITIVE_FASTA": TRAIN_POSITIVE, "NEGATIVE_FASTA": TRAIN_NEGATIVE}
